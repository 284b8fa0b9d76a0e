import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AmountFormatError, formatKes, formatMinor, minorToNumber, parseDecimal, parseProviderAmount } from '../../src/domain/money.js';

describe('money in integer minor units', () => {
  it('parses strict decimals', () => {
    expect(parseDecimal('1500')).toBe(150000);
    expect(parseDecimal('1500.5')).toBe(150050);
    expect(parseDecimal('0.01')).toBe(1);
    for (const bad of ['', '-1', '1.234', '1,500', '1e3', ' 1', '.5', '1.']) {
      expect(() => parseDecimal(bad), bad).toThrow(AmountFormatError);
    }
  });

  it('reads provider amounts leniently but exactly', () => {
    expect(parseProviderAmount('50000.0')).toBe(5000000);
    expect(parseProviderAmount('876.00')).toBe(87600);
    expect(parseProviderAmount('50.000')).toBe(5000);
    expect(parseProviderAmount(30)).toBe(3000);
    expect(parseProviderAmount(0.1 + 0.2)).toBeUndefined(); // 0.30000000000000004: refused, never rounded
    expect(parseProviderAmount('12.345')).toBeUndefined();
    expect(parseProviderAmount('abc')).toBeUndefined();
    expect(parseProviderAmount(null)).toBeUndefined();
  });

  it('formats for wire and people', () => {
    expect(formatMinor(150050)).toBe('1500.50');
    expect(formatMinor(7)).toBe('0.07');
    expect(formatKes(123456789)).toBe('KES 1,234,567.89');
    expect(minorToNumber(150050)).toBe(1500.5);
  });

  it('round-trips every amount: format -> parse, and number -> JSON -> provider parse', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e13 }), (minor) => {
        expect(parseDecimal(formatMinor(minor))).toBe(minor);
        expect(parseProviderAmount(JSON.parse(JSON.stringify(minorToNumber(minor))))).toBe(minor);
        expect(parseProviderAmount(formatMinor(minor))).toBe(minor);
      }),
      { numRuns: 2000 },
    );
  });
});
