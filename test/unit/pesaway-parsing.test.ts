import { describe, expect, it } from 'vitest';
import { classify } from '../../src/pesaway/classify.js';
import { parseResultBody } from '../../src/pesaway/result.js';
import { resultsToken, resultsUrl, verifyResultsToken } from '../../src/pesaway/results-url.js';
import { signBody, verifySignature } from '../../src/pesaway/signature.js';
import { TokenProvider, parseTokenBody, type TokenResult } from '../../src/pesaway/token.js';

const response = (status: number, body: unknown) => ({ kind: 'response' as const, status, body, text: JSON.stringify(body) });

describe('classifying PesaWay answers', () => {
  it('reads the body code whether errors come as HTTP 4xx or as HTTP 200', () => {
    for (const status of [200, 403]) expect(classify(response(status, { code: '403.002', message: 'TransactionReference is already used' }))).toMatchObject({ kind: 'code', code: '403.002' });
    expect(classify(response(402, { code: '455.001' }))).toMatchObject({ kind: 'code', code: '455.001', message: 'PesaWay answered 455.001' });
    expect(classify(response(200, { data: { code: '404.000' } }))).toMatchObject({ kind: 'code', code: '404.000' });
    expect(classify(response(200, { code: '200.001', TransactionID: 'PHY1' }))).toMatchObject({ kind: 'ok' });
  });

  it('treats everything uncertain as ambiguous, never as a definite refusal', () => {
    expect(classify({ kind: 'timeout', detail: 'x' })).toMatchObject({ kind: 'ambiguous', reason: 'timeout' });
    expect(classify({ kind: 'connection', detail: 'ECONNRESET' })).toMatchObject({ kind: 'ambiguous', reason: 'connection' });
    expect(classify(response(502, undefined))).toMatchObject({ kind: 'ambiguous', reason: 'server-error', httpStatus: 502 });
    expect(classify(response(500, { code: '999.999.999' }))).toMatchObject({ kind: 'ambiguous', reason: 'server-error' });
    expect(classify(response(200, { code: '403.033', message: 'failed' }))).toMatchObject({ kind: 'ambiguous', reason: 'unexpected-code' });
    expect(classify(response(404, undefined))).toMatchObject({ kind: 'ambiguous', reason: 'unexpected-code' });
    expect(classify(response(400, { code: '200.001' }))).toMatchObject({ kind: 'ambiguous' });
    expect(classify({ kind: 'response', status: 200, body: undefined, text: '<html>' })).toMatchObject({ kind: 'ambiguous', reason: 'unparseable' });
    expect(classify(response(429, undefined))).toMatchObject({ kind: 'code', code: '429.001' });
  });

  it('masks phone numbers in PesaWay messages', () => {
    expect(classify(response(400, { code: '400.001', message: 'Invalid PhoneNumber 254712345678' }))).toMatchObject({ message: 'Invalid PhoneNumber 2547*****678' });
  });
});

describe('tokens', () => {
  const now = 1_000_000;
  it('reads every token shape in circulation', () => {
    expect(parseTokenBody({ token: 'a', expires_in: 3600 }, now)).toEqual({ value: 'a', refreshAt: now + 3300_000 });
    expect(parseTokenBody({ access_token: 'b', expires_in: '100' }, now)).toEqual({ value: 'b', refreshAt: now + 90_000 });
    expect(parseTokenBody({ code: '200.001', data: { token: 'c', expires_in: 3600 } }, now)?.value).toBe('c');
    expect(parseTokenBody({ access_token: 'd', expires_at: (now + 600_000) / 1000 }, now)).toEqual({ value: 'd', refreshAt: now + 540_000 });
    expect(parseTokenBody({ token: 'e' }, now)?.refreshAt).toBe(now + 3300_000);
    expect(parseTokenBody({ message: 'no' }, now)).toBeUndefined();
  });

  it('shares one refresh among concurrent callers and invalidates only the refused token', async () => {
    let clock = 0;
    let calls = 0;
    let release: () => void = () => undefined;
    const provider = new TokenProvider(async (): Promise<TokenResult> => {
      calls += 1;
      await new Promise<void>((r) => (release = r));
      return { kind: 'token', token: { value: `t${calls}`, refreshAt: clock + 1000 } };
    }, () => clock);
    const waiting = Promise.all(Array.from({ length: 10 }, () => provider.get()));
    release();
    const got = await waiting;
    expect(calls).toBe(1);
    expect(new Set(got.map((g) => (g.kind === 'token' ? g.token.value : '')))).toEqual(new Set(['t1']));

    provider.invalidate('some-older-token');
    expect(await provider.get()).toMatchObject({ token: { value: 't1' } });
    provider.invalidate('t1');
    const next = provider.get();
    release();
    expect(await next).toMatchObject({ token: { value: 't2' } });
    clock = 5000; // expired
    const third = provider.get();
    release();
    expect(await third).toMatchObject({ token: { value: 't3' } });
  });
});

describe('result callbacks', () => {
  it('parses the documented example (pesaway-api.md §6)', () => {
    const body = {
      ResultCode: 0,
      ResultDesc: 'The service request is processed successfully.',
      OriginatorReference: 'PAYRUN42-EMP0007',
      TransactionID: 'PHYAB12CD34EF',
      TransactionReceipt: 'QKR3S0JA9H',
      TransactionAmount: '1500.00',
      ReceiverPartyPublicName: '254700000001 - JANE DOE',
      TransactionCompletedDateTime: '2024-03-28 09:14:03.120000+00:00',
    };
    expect(parseResultBody(body)).toEqual({
      kind: 'final',
      result: {
        reference: 'PAYRUN42-EMP0007',
        transactionId: 'PHYAB12CD34EF',
        resultCode: 0,
        resultDesc: 'The service request is processed successfully.',
        receipt: 'QKR3S0JA9H',
        amountMinor: 150000,
        receiverName: '2547*****001 - JANE DOE',
        completedAt: '2024-03-28 09:14:03.120000+00:00',
      },
    });
  });

  it('masks the receiver\'s number however PesaWay writes it, in the receiver and the description (issue 12 item 10)', () => {
    for (const [receiver, masked] of [
      ['254.711.000.109 - NANCY WAIRIMU', '2547*****109 - NANCY WAIRIMU'],
      ['+254 711 000 109 - NANCY WAIRIMU', '2547*****109 - NANCY WAIRIMU'],
      ['(0711) 000-109 - NANCY WAIRIMU', '0711***109 - NANCY WAIRIMU'],
    ]) {
      const parsed = parseResultBody({ ResultCode: 2040, ResultDesc: `Not registered: ${receiver!}`, OriginatorReference: 'R', ReceiverPartyPublicName: receiver });
      // PostgreSQL keeps the name (the claim check); the number never leaves the parser unmasked.
      expect(parsed).toMatchObject({ kind: 'final', result: { receiverName: masked, resultDesc: `Not registered: ${masked!}` } });
    }
  });

  it('parses the look-alike variant: ResultType, Originator, string codes', () => {
    const parsed = parseResultBody({ ResultType: '2040', ResultDesc: 'Unregistered', Originator: 'REF1', TransactionID: 'PHY1', TransactionAmount: '50.00' });
    expect(parsed).toMatchObject({ kind: 'final', result: { resultCode: 2040, reference: 'REF1', amountMinor: 5000 } });
  });

  it('tells pending and malformed bodies apart', () => {
    expect(parseResultBody({ code: '200.001', TransactionID: 'PHY1', OriginatorReference: 'R', TransactionStatus: 'Pending' })).toEqual({ kind: 'pending', reference: 'R', transactionId: 'PHY1' });
    expect(parseResultBody({ ResultCode: 'zero', OriginatorReference: 'R' })).toMatchObject({ kind: 'malformed' });
    expect(parseResultBody('text')).toMatchObject({ kind: 'malformed' });
    expect(parseResultBody({})).toMatchObject({ kind: 'malformed' });
  });

  it('verifies the signature over the exact raw body, in constant time', () => {
    const raw = '{"ResultCode":0,"OriginatorReference":"R1"}';
    const key = 'merchant-shared-key';
    const signature = signBody(raw, key);
    expect(verifySignature(raw, signature, key)).toBe(true);
    expect(verifySignature(Buffer.from(raw), signature, key)).toBe(true);
    expect(verifySignature(raw.replace('0', '1'), signature, key)).toBe(false);
    expect(verifySignature('{"ResultCode": 0, "OriginatorReference": "R1"}', signature, key)).toBe(false); // re-serialised
    expect(verifySignature(raw, signature, 'other-key')).toBe(false);
    expect(verifySignature(raw, undefined, key)).toBe(false);
    expect(verifySignature(raw, 'not base64 !!', key)).toBe(false);
  });

  it('builds ResultsUrls whose token proves the reference', () => {
    const url = resultsUrl('https://payroll.example.com/', 's3cret-s3cret-s3cret', 'ABCR1A1');
    expect(url).toBe(`https://payroll.example.com/callbacks/pesaway/ABCR1A1/${resultsToken('s3cret-s3cret-s3cret', 'ABCR1A1')}`);
    const token = url.split('/').at(-1)!;
    expect(verifyResultsToken('s3cret-s3cret-s3cret', 'ABCR1A1', token)).toBe(true);
    expect(verifyResultsToken('s3cret-s3cret-s3cret', 'ABCR1A2', token)).toBe(false);
    expect(verifyResultsToken('other-secret-value!!', 'ABCR1A1', token)).toBe(false);
  });
});
