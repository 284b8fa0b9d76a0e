import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMinor } from '../../src/domain/money.js';
import { checkAmountLimits, parsePayrollAmount } from '../../src/payroll/amount.js';
import { DEFAULT_LIMITS } from '../../src/payroll/limits.js';

const minor = (raw: string): number | undefined => {
  const r = parsePayrollAmount(raw);
  return r.ok ? r.minor : undefined;
};
const rule = (raw: string): string | undefined => {
  const r = parsePayrollAmount(raw);
  return r.ok ? undefined : r.finding.rule;
};

/** `1234567.50` -> `1,234,567.50` (or with another group separator). */
const grouped = (plain: string, separator: string): string => {
  const [whole, cents] = plain.split('.') as [string, string];
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, separator)}.${cents}`;
};

describe('payroll amounts', () => {
  it('accepts what Kenyan payroll files write', () => {
    expect(minor('1500')).toBe(150000);
    expect(minor('1500.5')).toBe(150050);
    expect(minor('1500.50')).toBe(150050);
    expect(minor('1,500')).toBe(150000);
    expect(minor('1,500.50')).toBe(150050);
    expect(minor('12,345,678.00')).toBe(1234567800);
    expect(minor('1 500.00')).toBe(150000);
    expect(minor('1\u00a0500.00')).toBe(150000);
    expect(minor('KES 1,500.00')).toBe(150000);
    expect(minor('kes1500')).toBe(150000);
    expect(minor('KSh 2,000.50')).toBe(200050);
    expect(minor('Kshs. 2000')).toBe(200000);
    expect(minor('1,500/=')).toBe(150000);
    expect(minor('1500 KES')).toBe(150000);
    expect(minor(' 0001500 ')).toBe(150000);
  });

  it('refuses, with a rule, anything it would have to guess', () => {
    expect(rule('')).toBe('amount_missing');
    expect(rule('1500,50')).toBe('amount_decimal_comma');
    expect(rule('1.500,50')).toBe('amount_decimal_comma');
    expect(rule('1 500,50')).toBe('amount_decimal_comma');
    expect(rule('1.500')).toBe('amount_too_many_decimals');
    expect(rule('1500.505')).toBe('amount_too_many_decimals');
    expect(rule('1,500.505')).toBe('amount_too_many_decimals');
    expect(rule('0')).toBe('amount_not_positive');
    expect(rule('0.00')).toBe('amount_not_positive');
    expect(rule('-250')).toBe('amount_not_positive');
    expect(rule('KES -250')).toBe('amount_not_positive');
    expect(rule('(300.00)')).toBe('amount_not_positive');
    expect(rule('\u2212300')).toBe('amount_not_positive');
    for (const bad of ['1,50,000', '1e3', '+100', '.5', '1500.', 'USD 100', '12abc', '1,5000.00', '1 50']) {
      expect(rule(bad), bad).toBe('amount_format');
    }
    expect(rule('99999999999999999')).toBe('amount_above_max');
  });

  it('says what is wrong in words the officer can act on', () => {
    const r = parsePayrollAmount('1.500');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.finding.message).toBe('"1.500" has 3 decimals; KES amounts have at most 2. If you meant 1,500, write it with commas (or without separators).');
  });

  it('checks the per-transaction bounds, both inclusive', () => {
    expect(checkAmountLimits('10', 1000, DEFAULT_LIMITS)).toBeUndefined();
    expect(checkAmountLimits('250000', 25_000_000, DEFAULT_LIMITS)).toBeUndefined();
    expect(checkAmountLimits('9.99', 999, DEFAULT_LIMITS)?.rule).toBe('amount_below_min');
    expect(checkAmountLimits('250000.01', 25_000_001, DEFAULT_LIMITS)?.rule).toBe('amount_above_max');
  });

  it('round-trips formatMinor, with thousands separators and a KES prefix', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e12 }),
        fc.constantFrom(',', ' ', '\u00a0', ''),
        fc.constantFrom('', 'KES ', 'KES', 'Ksh ', 'KSh. '),
        fc.constantFrom('', '/=', ' KES'),
        (amount, separator, prefix, suffix) => {
          expect(minor(`${prefix}${grouped(formatMinor(amount), separator)}${suffix}`)).toBe(amount);
          expect(minor(formatMinor(amount))).toBe(amount);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('never accepts more than two decimals, however it is written', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[1-9]\d{0,9}$/),
        fc.stringMatching(/^\d{3,6}$/),
        fc.constantFrom('', 'KES ', 'Ksh '),
        fc.constantFrom(',', ''),
        (whole, decimals, prefix, separator) => {
          const text = `${prefix}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, separator)}.${decimals}`;
          expect(parsePayrollAmount(text).ok).toBe(false);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('accepts nothing that is not a positive integer of minor units', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789.,- KESksh/=()'), maxLength: 16 }), (text) => {
        const r = parsePayrollAmount(text);
        if (r.ok) {
          expect(Number.isSafeInteger(r.minor)).toBe(true);
          expect(r.minor).toBeGreaterThan(0);
        }
      }),
      { numRuns: 5000 },
    );
  });
});
