import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/common/errors.js';
import { assertBatchId, BatchIdError, defaultBatchId } from '../../src/payroll/batch-id.js';
import { parseChannel } from '../../src/payroll/channel.js';
import { DuplicateTracker } from '../../src/payroll/duplicates.js';
import { csvCell, errorsCsvLine, neutraliseFormula } from '../../src/payroll/errors-csv.js';
import { KeyIndex, hashKey } from '../../src/payroll/key-index.js';
import { DEFAULT_LIMITS, limitsFromEnv } from '../../src/payroll/limits.js';
import { cleanText } from '../../src/payroll/text.js';

describe('key index (duplicate detection in typed arrays)', () => {
  it('remembers the first value per key, through many growths', () => {
    const index = new KeyIndex(1);
    const n = 50_000;
    for (let i = 1; i <= n; i++) {
      const h = hashKey(`EMP${i}`);
      expect(index.putIfAbsent(h[0]!, h[1]!, i)).toBe(0);
    }
    for (let i = 1; i <= n; i += 997) {
      const h = hashKey(`EMP${i}`);
      expect(index.putIfAbsent(h[0]!, h[1]!, n + i)).toBe(i);
    }
    expect(index.size).toBe(n);
  });

  it('behaves like a Map for any sequence of keys', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 4 }), { maxLength: 300 }), (keys) => {
        const index = new KeyIndex(1);
        const map = new Map<string, number>();
        keys.forEach((key, i) => {
          const h = hashKey(key);
          const expected = map.get(key) ?? 0;
          if (!map.has(key)) map.set(key, i + 1);
          expect(index.putIfAbsent(h[0]!, h[1]!, i + 1)).toBe(expected);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('hashes case-insensitively on request, and mixes in the amount', () => {
    const a = [...hashKey('Emp-7', 0, true)];
    expect([...hashKey('EMP-7', 0, true)]).toEqual(a);
    expect([...hashKey('EMP-7', 0, false)]).not.toEqual(a);
    expect([...hashKey('254712345678', 150000)]).not.toEqual([...hashKey('254712345678', 150001)]);
  });

  it('tracks rows, validity and flags', () => {
    const t = new DuplicateTracker();
    expect(t.firstWithEmployeeId('E1', 1)).toBe(0);
    t.record(1, 2, true, 5000);
    expect(t.firstWithEmployeeId('e1', 2)).toBe(1);
    expect([t.lineOf(1), t.amountOf(1), t.isValid(1), t.isFlagged(1)]).toEqual([2, 5000, true, false]);
    t.markInvalid(1);
    t.flag(1);
    expect([t.isValid(1), t.isFlagged(1)]).toEqual([false, true]);
    expect(t.firstWithPayeeAndAmount('254712345678', 5000, 3)).toBe(0);
    expect(t.firstWithPayeeAndAmount('254712345678', 5000, 4)).toBe(3);
    expect(t.firstWithPayeeAndAmount('254712345678', 5001, 5)).toBe(0);
  });
});

describe('errors CSV', () => {
  it('neutralises cells a spreadsheet would run as formulas', () => {
    expect(neutraliseFormula('=HYPERLINK("http://x")')).toBe('\'=HYPERLINK("http://x")');
    for (const start of ['+', '-', '@', '\t', '\r']) expect(neutraliseFormula(`${start}1`)).toBe(`'${start}1`);
    expect(neutraliseFormula('0712')).toBe('0712');
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('say "hi", then')).toBe('"say ""hi"", then"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(12)).toBe('12');
  });

  it('writes one line per finding', () => {
    expect(errorsCsvLine({ severity: 'error', line: 7, rowNo: 6, column: 'Net Pay', rule: 'amount_not_positive', value: '-250', message: '"-250" is negative.' })).toBe(
      '7,6,error,Net Pay,amount_not_positive,\'-250,"""-250"" is negative."',
    );
  });
});

describe('limits, channels, text and batch ids', () => {
  it('reads limits from the environment, in KES', () => {
    expect(limitsFromEnv({})).toEqual(DEFAULT_LIMITS);
    expect(limitsFromEnv({ PAYOUT_MIN_AMOUNT: '50', PAYOUT_MAX_AMOUNT: '150000.50', REASON_MAX_LENGTH: '40' })).toEqual({
      minAmountMinor: 5000,
      maxAmountMinor: 15_000_050,
      reasonMaxLength: 40,
    });
    expect(() => limitsFromEnv({ PAYOUT_MAX_AMOUNT: '300000' })).toThrow(ConfigError);
    expect(() => limitsFromEnv({ PAYOUT_MIN_AMOUNT: '500', PAYOUT_MAX_AMOUNT: '100' })).toThrow(/above the maximum/);
    expect(() => limitsFromEnv({ PAYOUT_MIN_AMOUNT: '1,000' })).toThrow(/PAYOUT_MIN_AMOUNT: expected an amount in KES/);
  });

  it('knows the channel spellings', () => {
    const channel = (raw: string): string | undefined => {
      const r = parseChannel(raw);
      return r.ok ? r.channel : r.finding.rule;
    };
    expect(['mpesa', 'M-Pesa', 'M PESA', 'Safaricom'].map(channel)).toEqual(['MPESA', 'MPESA', 'MPESA', 'MPESA']);
    expect(['airtel', 'Airtel Money'].map(channel)).toEqual(['AIRTEL', 'AIRTEL']);
    expect(['bank', 'EFT', 'rtgs', 'PesaLink'].map(channel)).toEqual(['BANK', 'BANK', 'BANK', 'BANK']);
    expect(channel('cash')).toBe('channel_unknown');
  });

  it('strips control and invisible characters from free text', () => {
    expect(cleanText('  March\tsalary\r\nand\u0000 arrears ')).toBe('March salary and arrears');
    expect(cleanText('Pay\u200b\u202eroll')).toBe('Payroll');
    expect(cleanText('plain')).toBe('plain');
  });

  it('derives a batch id from the file hash, and checks given ids', () => {
    expect(defaultBatchId('ab'.repeat(32))).toBe('b-abababababababab');
    expect(assertBatchId('payroll-2026-03')).toBe('payroll-2026-03');
    expect(() => assertBatchId('-bad')).toThrow(BatchIdError);
    expect(() => assertBatchId('a'.repeat(65))).toThrow(BatchIdError);
  });
});
