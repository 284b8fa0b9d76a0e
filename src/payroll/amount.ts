import { formatKes, parseDecimal, type MinorUnits } from '../domain/money.js';
import { RULES, finding, type Finding } from './issues.js';
import type { PayrollLimits } from './limits.js';

export type AmountResult = { ok: true; minor: MinorUnits } | { ok: false; finding: Finding };

/*
 * What a payroll amount may look like. Kenya writes 1,500.50: a dot for decimals, commas (or spaces) between
 * thousands. Accepted:
 *   1500   1500.5   1500.50   1,500   1,500.50   12,345,678.00   1 500.00 (space, no-break space)
 *   with a currency word before or after (KES, KSh, Kshs, KSh.) and Kenya's "/=" suffix: KES 1,500.00, 1,500/=
 * Refused, never guessed:
 *   decimal commas (1500,50  1.500,50  1 500,50): rule amount_decimal_comma
 *   more than two decimals (1500.505, and 1.500, which might mean 1500 or 1.5): amount_too_many_decimals
 *   zero or negative (0, -100, (100)): amount_not_positive
 *   any other grouping or character (1,50,000  1e3  +100  .5  1500.): amount_format
 */
const PLAIN = /^\d{1,12}(?:\.\d{1,2})?$/;
const PLAIN_WITH_COMMAS = /^\d{1,3}(?:,\d{3}){1,3}(?:\.\d{1,2})?$/;
const COMMAS = /,/g;
const CURRENCY_PREFIX = /^(?:kes|kshs?)\.?\s*/i;
const CURRENCY_SUFFIX = /\s*(?:(?:kes|kshs?)\.?|\/=|\/-)$/i;
const SPACES = /[\s\u00a0\u202f]+/g;
const DIGITS_DOT = /^(\d+)(?:\.(\d+))?$/;
const COMMA_GROUPS = /^\d{1,3}(?:,\d{3})+(?:\.(\d+))?$/;
const SPACE_GROUPS = /^\d{1,3}(?: \d{3})+(?:\.(\d+))?$/;
const DECIMAL_COMMA = /^(?:\d+|\d{1,3}(?:[. ]\d{3})+),\d+$/;
const EUROPEAN_THOUSANDS = /^\d{1,3}(?:\.\d{3})+$/;
const NEGATIVE = /^(?:[-\u2212]|\(.*\)$)/;
const TOO_LARGE_DIGITS = 13;

const fail = (rule: (typeof RULES)[keyof typeof RULES], message: string): AmountResult => ({ ok: false, finding: finding(rule, message) });

function fromDigits(raw: string, digits: string): AmountResult {
  if (digits.replace('.', '').replace(/^0+/, '').length > TOO_LARGE_DIGITS) {
    return fail(RULES.amountAboveMax, `"${raw}" is far too large for a payout.`);
  }
  const minor = parseDecimal(digits);
  if (minor === 0) return fail(RULES.amountNotPositive, `"${raw}" is zero; every payout needs an amount above zero (remove the row if nobody is to be paid).`);
  return { ok: true, minor };
}

/** Parses a payroll amount (see the accepted forms above) into minor units. Bounds are checked separately. */
export function parsePayrollAmount(input: string): AmountResult {
  const raw = input.trim();
  if (PLAIN.test(raw)) {
    // The common case, already in parseDecimal's form and far below any overflow.
    const minor = parseDecimal(raw);
    return minor === 0 ? fromDigits(raw, raw) : { ok: true, minor };
  }
  if (PLAIN_WITH_COMMAS.test(raw)) return fromDigits(raw, raw.replace(COMMAS, ''));
  if (raw === '') return fail(RULES.amountMissing, 'The amount is empty; write the amount to pay in KES, like 1500.00.');

  const bare = raw.replace(CURRENCY_PREFIX, '').replace(CURRENCY_SUFFIX, '').replace(SPACES, ' ').trim();
  if (NEGATIVE.test(bare)) return fail(RULES.amountNotPositive, `"${raw}" is negative; payouts must be positive amounts.`);

  let digits: string | undefined;
  let decimals: string | undefined;
  const plain = DIGITS_DOT.exec(bare);
  if (plain) {
    digits = bare;
    decimals = plain[2];
  } else {
    const grouped = COMMA_GROUPS.exec(bare) ?? SPACE_GROUPS.exec(bare);
    if (grouped) {
      digits = bare.replace(/[, ]/g, '');
      decimals = grouped[1];
    }
  }
  if (digits !== undefined) {
    if (decimals !== undefined && decimals.length > 2) {
      const hint = EUROPEAN_THOUSANDS.test(bare)
        ? ` If you meant ${bare.replace(/\./g, ',')}, write it with commas (or without separators).`
        : ' Round it to cents (two decimals).';
      return fail(RULES.amountTooManyDecimals, `"${raw}" has ${decimals.length} decimals; KES amounts have at most 2.${hint}`);
    }
    return fromDigits(raw, digits);
  }
  if (DECIMAL_COMMA.test(bare)) {
    return fail(RULES.amountDecimalComma, `"${raw}" uses a decimal comma; write amounts with a dot for decimals, like 1500.50 or 1,500.50 (in Excel: set the decimal separator to "." before exporting).`);
  }
  return fail(RULES.amountFormat, `"${raw}" is not an amount; write it like 1500.00, 1,500.00 or KES 1,500.00.`);
}

/** The per-transaction bounds: M-Pesa's minimum and PesaWay's (or the configured) maximum. */
export function checkAmountLimits(raw: string, minor: MinorUnits, limits: PayrollLimits): Finding | undefined {
  if (minor < limits.minAmountMinor) {
    return finding(RULES.amountBelowMin, `"${raw.trim()}" is below the minimum payout of ${formatKes(limits.minAmountMinor)}.`);
  }
  if (minor > limits.maxAmountMinor) {
    return finding(RULES.amountAboveMax, `"${raw.trim()}" is above the maximum payout of ${formatKes(limits.maxAmountMinor)}; split it or pay it another way.`);
  }
  return undefined;
}
