import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { safeJson } from '../../src/api/callback-delivery.js';
import { parseResultBody } from '../../src/pesaway/result.js';

const INT32 = 2_147_483_647;

/** What the callback path does with a body before anything is stored: decode, parse, classify. */
function classify(bytes: Uint8Array) {
  return parseResultBody(safeJson(Buffer.from(bytes).toString('utf8')));
}

describe('callback bodies: any bytes in, a classification out, never a throw', () => {
  it('classifies arbitrary bytes without throwing', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        expect(['final', 'pending', 'malformed']).toContain(classify(bytes).kind);
      }),
      { numRuns: 2000 },
    );
  });

  it('gives only values PostgreSQL can store: an int32 result code, strings without NUL or control characters', () => {
    const anyValue = fc.oneof(fc.string({ unit: 'binary' }), fc.double(), fc.integer(), fc.bigInt().map(String), fc.constant(null), fc.boolean());
    fc.assert(
      fc.property(
        fc.record({ ResultCode: anyValue, ResultDesc: anyValue, OriginatorReference: anyValue, TransactionID: anyValue, TransactionReceipt: anyValue, ReceiverPartyPublicName: anyValue }, { requiredKeys: [] }),
        (fields) => {
          const parsed = parseResultBody(fields);
          if (parsed.kind !== 'final') return;
          const r = parsed.result;
          expect(Number.isInteger(r.resultCode) && Math.abs(r.resultCode) <= INT32).toBe(true);
          for (const text of [r.resultDesc, r.reference, r.transactionId, r.receipt, r.receiverName]) {
            // eslint-disable-next-line no-control-regex
            if (text !== undefined) expect(text).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
