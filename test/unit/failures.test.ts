import { describe, expect, it } from 'vitest';
import { pesawayFailure, pesawaySaid } from '../../src/activities/failures.js';

const SAID = 'Invalid parameter: 254.711.000.109 - NANCY WAIRIMU is not allowed';

describe('failures that go into Temporal history', () => {
  it.each([
    { kind: 'invalid', code: '400.001', message: SAID },
    { kind: 'rate-limited', code: '429.001', message: SAID },
    { kind: 'unauthorized', code: '401.001', message: SAID },
    { kind: 'not-found', message: SAID },
    { kind: 'ambiguous', reason: 'unexpected-code', httpStatus: 418, detail: `unknown code 418.000: ${SAID}` },
  ] as const)('carry our words and the code, never PesaWay\'s names or numbers ($kind)', (failure) => {
    const message = pesawayFailure(failure, 'query R1').message;
    expect(message).toMatch(/^query R1: /);
    expect(message).not.toMatch(/NANCY|WAIRIMU|711\.000|000\.109/);
  });

  it('keeps what PesaWay said, masked and without the name, for the payout\'s events', () => {
    expect(pesawaySaid({ kind: 'invalid', code: '400.001', message: SAID })).toBe('Invalid parameter: 2547*****109 is not allowed');
  });
});
