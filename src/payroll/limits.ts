import { ConfigError } from '../common/errors.js';
import { readInt, readOptionalString, type Env } from '../common/env.js';
import { AmountFormatError, formatKes, parseDecimal, type MinorUnits } from '../domain/money.js';
import { MAX_PAYOUT_MINOR } from '../domain/fees.js';

/** Per-transaction bounds and text limits a payroll is validated against. */
export interface PayrollLimits {
  minAmountMinor: MinorUnits;
  maxAmountMinor: MinorUnits;
  reasonMaxLength: number;
}

export const DEFAULT_LIMITS: Readonly<PayrollLimits> = {
  /** M-Pesa's B2C minimum is KES 10. */
  minAmountMinor: 10_00,
  maxAmountMinor: MAX_PAYOUT_MINOR,
  reasonMaxLength: 100,
};

/** What is wrong with these limits, or undefined when the engine can honour them. */
export function limitsProblem(limits: PayrollLimits): string | undefined {
  const { minAmountMinor: min, maxAmountMinor: max } = limits;
  if (!Number.isSafeInteger(min) || min < 1) return 'the minimum amount must be at least KES 0.01';
  if (!Number.isSafeInteger(max) || max > MAX_PAYOUT_MINOR) {
    return `the maximum amount must be at most ${formatKes(MAX_PAYOUT_MINOR)} (PesaWay's ceiling)${Number.isSafeInteger(max) ? `, got ${formatKes(max)}` : ''}`;
  }
  if (min > max) return `the minimum amount ${formatKes(min)} is above the maximum ${formatKes(max)}`;
  if (!Number.isSafeInteger(limits.reasonMaxLength) || limits.reasonMaxLength < 1) return 'the reason length limit must be a positive whole number';
  return undefined;
}

/** The limits, or a ConfigError naming `source` (the variables they came from). */
export function checkLimits(limits: PayrollLimits, source = 'payroll limits'): PayrollLimits {
  const problem = limitsProblem(limits);
  if (problem !== undefined) throw new ConfigError(source, problem);
  return limits;
}

/** A KES amount as configuration writes it (`10`, `250000.00`) in minor units; undefined when malformed. */
export function parseKes(raw: string): MinorUnits | undefined {
  try {
    return parseDecimal(raw.trim());
  } catch (err) {
    if (err instanceof AmountFormatError) return undefined;
    throw err;
  }
}

function kesSetting(name: string, raw: string): MinorUnits {
  const minor = parseKes(raw);
  if (minor === undefined) throw new ConfigError(name, `expected an amount in KES like 250000 or 10.50, got "${raw}"`);
  return minor;
}

/** `PAYOUT_MIN_AMOUNT` and `PAYOUT_MAX_AMOUNT` (KES) and `REASON_MAX_LENGTH`, over the defaults. */
export function limitsFromEnv(env: Env, base: PayrollLimits = DEFAULT_LIMITS): PayrollLimits {
  const min = readOptionalString(env, 'PAYOUT_MIN_AMOUNT');
  const max = readOptionalString(env, 'PAYOUT_MAX_AMOUNT');
  return checkLimits(
    {
      minAmountMinor: min === undefined ? base.minAmountMinor : kesSetting('PAYOUT_MIN_AMOUNT', min),
      maxAmountMinor: max === undefined ? base.maxAmountMinor : kesSetting('PAYOUT_MAX_AMOUNT', max),
      reasonMaxLength: readInt(env, 'REASON_MAX_LENGTH', base.reasonMaxLength, { min: 1, max: 1000 }),
    },
    'PAYOUT_MIN_AMOUNT / PAYOUT_MAX_AMOUNT',
  );
}
