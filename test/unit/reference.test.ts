import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REFERENCE_PATTERN, batchTag, parseReference, payoutReference } from '../../src/domain/reference.js';

describe('payout references', () => {
  it('is a pure function of batch, row and attempt', () => {
    const ref = payoutReference('payroll-2026-11', 123, 1);
    expect(ref).toBe(payoutReference('payroll-2026-11', 123, 1));
    expect(ref).toMatch(REFERENCE_PATTERN);
    expect(ref).toMatch(/^[0-9A-Z]+$/);
    expect(ref.endsWith('R123A1')).toBe(true);
    expect(payoutReference('payroll-2026-11', 123, 2)).not.toBe(ref);
    expect(payoutReference('payroll-2026-12', 123, 1)).not.toBe(ref);
    expect(parseReference(ref)).toEqual({ tag: batchTag('payroll-2026-11'), row: 123, attempt: 1 });
  });

  it('stays short and alphanumeric, and distinct across batches, rows and attempts', () => {
    const seen = new Set<string>();
    for (let b = 0; b < 200; b++) {
      for (let row = 1; row <= 50; row++) {
        for (const attempt of [1, 2]) {
          const ref = payoutReference(`batch-${b}`, row, attempt);
          expect(ref.length).toBeLessThanOrEqual(24);
          seen.add(ref);
        }
      }
    }
    expect(seen.size).toBe(200 * 50 * 2);
  });

  it('parses back what it makes, and nothing else', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: 1, max: 99 }), (batch, row, attempt) => {
        const parsed = parseReference(payoutReference(batch, row, attempt));
        expect(parsed).toEqual({ tag: batchTag(batch), row, attempt });
      }),
    );
    expect(parseReference('PAYRUN42-EMP0007')).toBeUndefined();
    expect(() => payoutReference('b', 0, 1)).toThrow(RangeError);
    expect(() => payoutReference('b', 1, 0)).toThrow(RangeError);
  });
});
