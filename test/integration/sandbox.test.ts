import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feeFor } from '../../src/domain/fees.js';
import { verifySignature } from '../../src/pesaway/signature.js';
import { PATHS, SIGNATURE_HEADER } from '../../src/pesaway/wire.js';
import { startSandbox, type SandboxHandle } from '../../src/sandbox/server.js';
import {
  CREDENTIALS, anyString, bankBody, call, matching, getToken, mobileBody, sleep, startCallbackReceiver, waitUntil, type CallbackReceiver,
} from '../support/sandbox-http.js';

const SIGNING_KEY = 'test-signing-key';

interface Balance {
  current: string;
  available: string;
  uncleared: string;
  reserved: string;
}

describe('PesaWay sandbox: the API over real HTTP', () => {
  let sandbox: SandboxHandle;
  let receiver: CallbackReceiver;
  let token: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ settleDelayMs: { min: 20, max: 60 }, signingKey: SIGNING_KEY, balanceMinor: 1_000_000_00 });
    receiver = await startCallbackReceiver();
    token = await getToken(sandbox.url);
  });
  afterAll(async () => {
    await sandbox?.close();
    await receiver?.close();
  });

  const send = (body: Record<string, unknown>, path: string = PATHS.mobileSend) => call(sandbox.url, 'POST', path, { body, token });
  const balance = async (): Promise<Balance> => (await call<Balance>(sandbox.url, 'GET', PATHS.balance, { token })).body;
  const query = (ref: string, path: string = PATHS.mobileQuery) => call(sandbox.url, 'POST', path, { body: { TransactionReference: ref }, token });

  describe('authentication', () => {
    it('issues an opaque token for the right credentials and refuses wrong ones with 401.001', async () => {
      const ok = await call<{ code: string; data: { token: string; expires_in: number } }>(sandbox.url, 'POST', PATHS.token, { body: CREDENTIALS });
      expect(ok.status).toBe(200);
      expect(ok.body.code).toBe('200.001');
      expect(ok.body.data.token).toMatch(/^[A-Za-z0-9_-]{20,}$/);
      expect(ok.body.data.expires_in).toBe(3600);

      const wrong = await call(sandbox.url, 'POST', PATHS.token, { body: { ...CREDENTIALS, consumer_secret: 'nope' } });
      expect(wrong.status).toBe(401);
      expect(wrong.body).toEqual({ code: '401.001', message: matching(/consumer_key or consumer_secret/) });
      const missing = await call(sandbox.url, 'POST', PATHS.token, { body: { grant_type: 'client_credentials' } });
      expect(missing.body.code).toBe('401.001');
      const grant = await call(sandbox.url, 'POST', PATHS.token, { body: { ...CREDENTIALS, grant_type: 'password' } });
      expect(grant.status).toBe(400);
      expect(grant.body.message).toMatch(/grant_type/);
    });

    it('refuses API calls without a valid bearer token', async () => {
      const none = await call(sandbox.url, 'GET', PATHS.balance);
      expect(none.status).toBe(401);
      expect(none.body).toEqual({ code: '401.001', message: matching(/Missing authentication credentials/) });
      const bogus = await call(sandbox.url, 'POST', PATHS.mobileSend, { body: mobileBody('AUTH1', receiver.url), token: 'not-a-token' });
      expect(bogus.status).toBe(401);
      expect(bogus.body.code).toBe('401.001');
      expect(sandbox.ledger.find('AUTH1')).toBeUndefined();
    });

    it('speaks each token shape', async () => {
      for (const [tokenShape, check] of [
        ['token', (b: Record<string, unknown>) => expect(b).toEqual({ token: anyString, expires_in: 3600 })],
        ['access_token', (b: Record<string, unknown>) => expect(b).toEqual({ access_token: anyString, token_type: 'Bearer', expires_in: 3600 })],
        ['data.token', (b: Record<string, unknown>) => expect(b).toEqual({ code: '200.001', data: { token: anyString, expires_in: 3600 } })],
      ] as const) {
        const other = await startSandbox({ dialect: { tokenShape } });
        try {
          const res = await call<Record<string, unknown>>(other.url, 'POST', PATHS.token, { body: CREDENTIALS });
          expect(res.status).toBe(200);
          check(res.body);
          const issued = (res.body['token'] ?? res.body['access_token'] ?? (res.body['data'] as { token: string }).token) as string;
          expect((await call(other.url, 'GET', PATHS.balance, { token: issued })).status).toBe(200);
        } finally {
          await other.close();
        }
      }
    });

    it('expires tokens after their lifetime', async () => {
      const short = await startSandbox({ tokenTtlSeconds: 1 });
      try {
        const res = await call<{ data: { token: string; expires_in: number } }>(short.url, 'POST', PATHS.token, { body: CREDENTIALS });
        expect(res.body.data.expires_in).toBe(1);
        expect((await call(short.url, 'GET', PATHS.balance, { token: res.body.data.token })).status).toBe(200);
        await sleep(1100);
        const expired = await call(short.url, 'GET', PATHS.balance, { token: res.body.data.token });
        expect(expired.status).toBe(401);
        expect(expired.body).toEqual({ code: '401.001', message: 'Access token has expired' });
      } finally {
        await short.close();
      }
    });
  });

  describe('validation', () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['reference charset', { ExternalReference: 'has space' }, /^Invalid parameter: ExternalReference must be 1-64 characters/],
      ['reference length', { ExternalReference: 'x'.repeat(65) }, /ExternalReference must be 1-64/],
      ['missing reference', { ExternalReference: undefined }, /ExternalReference is required/],
      ['zero amount', { Amount: 0 }, /Amount must be greater than 0/],
      ['negative amount', { Amount: -5 }, /Amount must be greater than 0/],
      ['three decimals', { Amount: 10.005 }, /Amount must have at most 2 decimals/],
      ['string with three decimals', { Amount: '10.005' }, /Amount must be a number with at most 2 decimals/],
      ['over the ceiling', { Amount: 250_000.01 }, /Amount must not exceed 250000.00 KES/],
      ['amount as a boolean', { Amount: true }, /Amount must be a number/],
      ['phone without country code', { PhoneNumber: '0712345678' }, /PhoneNumber must be 2547XXXXXXXX/],
      ['phone with plus', { PhoneNumber: '+254712345678' }, /PhoneNumber must be/],
      ['unknown channel', { Channel: 'TIGO' }, /Channel must be MPESA or Airtel/],
      ['relative results url', { ResultsUrl: '/callback' }, /ResultsUrl must be an absolute http\(s\) URL/],
      ['ftp results url', { ResultsUrl: 'ftp://example.com/x' }, /ResultsUrl must be an absolute http\(s\) URL/],
      ['long reason', { Reason: 'r'.repeat(101) }, /Reason must be at most 100 characters/],
      ['wrong currency', { Currency: 'USD' }, /Currency must be KES/],
    ];
    it.each(cases)('refuses %s with 400.001 naming the field', async (_name, override, message) => {
      const res = await send(mobileBody(`VAL-${Math.random().toString(36).slice(2, 10)}`, receiver.url, override));
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('400.001');
      expect(res.body.message).toMatch(message);
    });

    it('never echoes a full phone number', async () => {
      const res = await send(mobileBody('VAL-PHONE', receiver.url, { PhoneNumber: '25471234567899' }));
      expect(res.body.code).toBe('400.001');
      expect(res.text).not.toContain('25471234567899');
      expect(res.body.message).toContain('2547*******899');
    });

    it('validates bank payments and malformed bodies', async () => {
      const bank = (o: Record<string, unknown>) => send(bankBody(`VB-${Math.random().toString(36).slice(2, 10)}`, receiver.url, o), PATHS.bankSend);
      expect((await bank({ AccountNumber: '12345' })).body.message).toMatch(/AccountNumber must be 6-20 digits/);
      expect((await bank({ AccountNumber: '12345x789' })).body.message).toMatch(/AccountNumber must be 6-20 digits/);
      expect((await bank({ BankCode: undefined })).body.message).toMatch(/BankCode or BankName is required/);
      expect((await bank({ Currency: undefined })).body.message).toMatch(/Currency is required/);
      expect((await bank({ Channel: 'MPESA' })).body.message).toMatch(/Channel must be Bank/);
      const byName = await bank({ BankCode: undefined, BankName: 'KCB' });
      expect(byName.body.code).toBe('200.001');

      const notJson = await fetch(`${sandbox.url}${PATHS.mobileSend}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: '{oops' });
      expect(notJson.status).toBe(400);
      expect(await notJson.json()).toMatchObject({ code: '400.001', message: matching(/valid JSON/) });
      const array = await send([1, 2] as unknown as Record<string, unknown>);
      expect(array.body).toMatchObject({ code: '400.001', message: matching(/JSON object/) });
    });

    it('accepts an amount as a numeric string and the channel in any case', async () => {
      const res = await send(mobileBody('VAL-STRING-AMOUNT', receiver.url, { Amount: '99.50', Channel: 'airtel' }));
      expect(res.body.code).toBe('200.001');
      expect(sandbox.ledger.find('VAL-STRING-AMOUNT')).toMatchObject({ amountMinor: 9950, channel: 'Airtel', feeMinor: 1200 });
    });
  });

  describe('payment lifecycle', () => {
    it('accepts, reserves, settles, calls back (signed) and spends the reservation', async () => {
      // Its own sandbox with a fixed settle delay, so the pending state can be observed deterministically.
      const own = await startSandbox({ settleDelayMs: { min: 400, max: 400 }, signingKey: SIGNING_KEY, balanceMinor: 50_000_00 });
      try {
        const ownToken = await getToken(own.url);
        const ownBalance = async (): Promise<Balance> => (await call<Balance>(own.url, 'GET', PATHS.balance, { token: ownToken })).body;
        const res = await call(own.url, 'POST', PATHS.mobileSend, { body: mobileBody('LIFE-1', receiver.url, { Amount: 1500 }), token: ownToken });
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ code: '200.001', TransactionID: matching(/^PHY[A-Z0-9]{10}$/), OriginatorReference: 'LIFE-1' });
        const transactionId = res.body.TransactionID!;

        // Accepted: a pending ledger entry and 1,500 + 12 fee reserved, nothing spent yet.
        expect(own.ledger.find('LIFE-1')).toMatchObject({
          reference: 'LIFE-1', transactionId, kind: 'mobile-money', channel: 'MPESA', amountMinor: 150000, feeMinor: 1200,
          destination: '2547*****678', status: 'pending', acceptCount: 1, duplicateAttempts: 0,
        });
        expect(await ownBalance()).toEqual({ current: '50000.00', available: '48488.00', uncleared: '0.00', reserved: '1512.00' });
        const pending = await call(own.url, 'POST', PATHS.mobileQuery, { body: { TransactionReference: transactionId }, token: ownToken });
        expect(pending.body).toMatchObject({ code: '200.001', TransactionStatus: 'Pending' });

        const callback = await receiver.waitForReference('LIFE-1');
        expect(callback.body).toEqual({
          ResultCode: 0,
          ResultDesc: 'The service request is processed successfully.',
          OriginatorReference: 'LIFE-1',
          TransactionID: transactionId,
          TransactionReceipt: matching(/^[A-Z][A-Z0-9]{9}$/),
          TransactionAmount: '1500.00',
          ReceiverPartyPublicName: matching(/^2547\*{5}678 - [A-Z]+ [A-Z]+$/),
          TransactionCompletedDateTime: matching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/),
        });
        expect(callback.raw).toBe(JSON.stringify(callback.body)); // compact JSON
        expect(callback.headers['content-type']).toBe('application/json');
        expect(verifySignature(callback.raw, callback.headers[SIGNATURE_HEADER] as string, SIGNING_KEY)).toBe(true);
        expect(verifySignature(callback.raw, callback.headers[SIGNATURE_HEADER] as string, 'another-key')).toBe(false);

        // Settled: the reservation is spent.
        expect(await ownBalance()).toEqual({ current: '48488.00', available: '48488.00', uncleared: '0.00', reserved: '0.00' });
        expect(own.ledger.find('LIFE-1')).toMatchObject({ status: 'succeeded', resultCode: 0, receipt: callback.body['TransactionReceipt'] });
        expect(own.ledger.totals()).toEqual({ accepted: 1, succeeded: 1, failed: 0, pending: 0, paidMinor: 150000, feesMinor: 1200 });

        // Query by TransactionID and by our reference: the callback's fields.
        for (const ref of [transactionId, 'LIFE-1']) {
          const q = await call(own.url, 'POST', PATHS.mobileQuery, { body: { TransactionReference: ref }, token: ownToken });
          expect(q.status).toBe(200);
          expect(q.body).toEqual({ code: '200.001', ...callback.body });
        }
        expect(own.stats().faults.callbacksDelivered).toBe(1);
      } finally {
        await own.close();
      }
    });

    it('refuses a reused reference with 403.002, without charging again, even with an empty wallet', async () => {
      const first = await send(mobileBody('DUP-1', receiver.url, { Amount: 100 }));
      expect(first.body.code).toBe('200.001');
      const afterFirst = await balance();

      const again = await send(mobileBody('DUP-1', receiver.url, { Amount: 100 }));
      expect(again.status).toBe(403);
      expect(again.body).toEqual({ code: '403.002', message: 'TransactionReference is already used' });
      expect((await balance()).available).toBe(afterFirst.available);

      const saved = sandbox.ledger.balance().currentMinor;
      sandbox.setBalance(0);
      try {
        const empty = await send(mobileBody('DUP-1', receiver.url, { Amount: 100, PhoneNumber: '254798765432' }));
        expect(empty.body.code).toBe('403.002');
      } finally {
        sandbox.setBalance(saved);
      }
      expect(sandbox.ledger.find('DUP-1')).toMatchObject({ acceptCount: 1, duplicateAttempts: 2 });
      expect(sandbox.ledger.entries().filter((e) => e.reference === 'DUP-1')).toHaveLength(1);
    });

    it('refuses with 455.001 when amount + fee exceeds the available balance, and accepts the same reference after a top-up', async () => {
      const saved = sandbox.ledger.balance().currentMinor;
      await settleEverything();
      // 1,500 + 12 fee = 1,512 needed; 1,000 + reserved available.
      const reserved = sandbox.ledger.balance().reservedMinor;
      sandbox.setBalance(reserved + 1000_00);
      try {
        const before = await balance();
        const refused = await send(mobileBody('FUNDS-1', receiver.url, { Amount: 1500 }));
        expect(refused.status).toBe(402);
        expect(refused.body).toEqual({ code: '455.001', message: matching(/needs 1512.00 KES including fees, 1000.00 KES is available/) });
        expect(await balance()).toEqual(before);
        expect(sandbox.ledger.find('FUNDS-1')).toBeUndefined();

        const topUp = await call<Balance>(sandbox.url, 'POST', '/__sandbox/top-up', { body: { amount: '600.00' } });
        expect(topUp.status).toBe(200);
        expect(topUp.body.available).toBe('1600.00');
        const accepted = await send(mobileBody('FUNDS-1', receiver.url, { Amount: 1500 }));
        expect(accepted.body.code).toBe('200.001');
        expect((await balance()).available).toBe('88.00');
        await waitUntil(() => sandbox.ledger.find('FUNDS-1')?.status === 'succeeded');
      } finally {
        sandbox.setBalance(saved);
      }
    });

    it('fails the documented test numbers with a non-zero ResultCode and releases the reservation', async () => {
      const before = sandbox.ledger.balance();
      const cases = [
        { ref: 'FAIL-2040', body: mobileBody('FAIL-2040', receiver.url, { PhoneNumber: '254700000404' }), code: 2040, desc: /Credit Party customer type/ },
        { ref: 'FAIL-2', body: mobileBody('FAIL-2', receiver.url, { PhoneNumber: '254700000409' }), code: 2, desc: /^Declined due to limit rule\.$/ },
        { ref: 'FAIL-BANK', body: bankBody('FAIL-BANK', receiver.url, { AccountNumber: '000000000404' }), code: 2041, desc: /^Invalid account number$/, path: PATHS.bankSend },
      ];
      for (const c of cases) expect((await send(c.body, c.path)).body.code).toBe('200.001');
      for (const c of cases) {
        const cb = await receiver.waitForReference(c.ref);
        expect(cb.body).toMatchObject({ ResultCode: c.code, ResultDesc: matching(c.desc) });
        expect(cb.body['TransactionReceipt']).toBeUndefined();
        expect(sandbox.ledger.find(c.ref)).toMatchObject({ status: 'failed', resultCode: c.code });
        const q = await query(c.ref, c.path === PATHS.bankSend ? PATHS.bankQuery : PATHS.mobileQuery);
        expect(q.body).toMatchObject({ code: '200.001', ResultCode: c.code });
      }
      const after = sandbox.ledger.balance();
      expect(after.currentMinor).toBe(before.currentMinor);
      expect(after.reservedMinor).toBe(before.reservedMinor);
    });

    it('keeps a never-settling number pending: no callback, query says pending, money stays reserved', async () => {
      const res = await send(mobileBody('NEVER-1', receiver.url, { PhoneNumber: '254700000999', Amount: 200 }));
      expect(res.body.code).toBe('200.001');
      const settleNow = await call<{ settled: number }>(sandbox.url, 'POST', '/__sandbox/settle-now');
      expect(settleNow.status).toBe(200);
      await sleep(300);
      expect(receiver.forReference('NEVER-1')).toEqual([]);
      const q = await query('NEVER-1');
      expect(q.body).toEqual({
        code: '200.001', TransactionID: res.body.TransactionID, OriginatorReference: 'NEVER-1',
        TransactionStatus: 'Pending', ResultDesc: 'The transaction is being processed.',
      });
      expect('ResultCode' in q.body).toBe(false);
      expect(sandbox.ledger.find('NEVER-1')?.status).toBe('pending');
      expect(sandbox.ledger.balance().reservedMinor).toBeGreaterThanOrEqual(200_00 + feeFor(200_00)!);
    });

    it('answers 404.000 for unknown references and for a payment of the other product', async () => {
      const unknown = await query('NO-SUCH-REF');
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual({ code: '404.000', message: matching(/NO-SUCH-REF/) });
      const bank = await send(bankBody('BANK-Q', receiver.url), PATHS.bankSend);
      expect(bank.body.code).toBe('200.001');
      expect((await query('BANK-Q')).body.code).toBe('404.000');
      expect((await query('BANK-Q', PATHS.bankQuery)).body).toMatchObject({ code: '200.001', TransactionID: bank.body.TransactionID });
      expect((await call(sandbox.url, 'POST', PATHS.mobileQuery, { body: {}, token })).body).toMatchObject({ code: '400.001', message: matching(/TransactionReference is required/) });
    });

    it('shows the wallet by GET and by POST, as decimal strings', async () => {
      await settleEverything();
      const { currentMinor, reservedMinor } = sandbox.ledger.balance();
      const fmt = (m: number) => `${Math.trunc(m / 100)}.${String(m % 100).padStart(2, '0')}`;
      const expected = { current: fmt(currentMinor), available: fmt(currentMinor - reservedMinor), uncleared: '0.00', reserved: fmt(reservedMinor) };
      expect(await balance()).toEqual(expected);
      const post = await call(sandbox.url, 'POST', PATHS.balance, { body: { MerchantCode: '44444', Currency: 'KES' }, token });
      expect(post.body).toEqual(expected);
      const emptyPost = await call(sandbox.url, 'POST', PATHS.balance, { token });
      expect(emptyPost.body).toEqual(expected);
    });
  });

  async function settleEverything(): Promise<void> {
    await call(sandbox.url, 'POST', '/__sandbox/settle-now');
  }
});

describe('PesaWay sandbox: dialects', () => {
  it('answers errors with HTTP 200 and the code in the body in the http-200 dialect', async () => {
    const sandbox = await startSandbox({ dialect: { errors: 'http-200' }, balanceMinor: 100_00 });
    try {
      const wrong = await call(sandbox.url, 'POST', PATHS.token, { body: { ...CREDENTIALS, consumer_key: 'x' } });
      expect(wrong).toMatchObject({ status: 200, body: { code: '401.001' } });
      const token = await getToken(sandbox.url);
      const invalid = await call(sandbox.url, 'POST', PATHS.mobileSend, { body: mobileBody('D-1', 'http://127.0.0.1:9/x', { Amount: 0 }), token });
      expect(invalid).toMatchObject({ status: 200, body: { code: '400.001' } });
      const poor = await call(sandbox.url, 'POST', PATHS.mobileSend, { body: mobileBody('D-1', 'http://127.0.0.1:9/x'), token });
      expect(poor).toMatchObject({ status: 200, body: { code: '455.001' } });
      const unknown = await call(sandbox.url, 'POST', PATHS.mobileQuery, { body: { TransactionReference: 'nope' }, token });
      expect(unknown).toMatchObject({ status: 200, body: { code: '404.000' } });
      expect(sandbox.stats().requests).toMatchObject({ token: { '401.001': 1, '200.001': 1 }, mobileSend: { '400.001': 1, '455.001': 1 }, mobileQuery: { '404.000': 1 } });
    } finally {
      await sandbox.close();
    }
  });

  it('wraps the balance in {code, data} in the data envelope', async () => {
    const sandbox = await startSandbox({ dialect: { balanceEnvelope: 'data' }, balanceMinor: 50_000_00 });
    try {
      const res = await call(sandbox.url, 'GET', PATHS.balance, { token: await getToken(sandbox.url) });
      expect(res.body).toEqual({ code: '200.001', data: { current: '50000.00', available: '50000.00', uncleared: '0.00', reserved: '0.00' } });
    } finally {
      await sandbox.close();
    }
  });

  it('sends the variant callback style: ResultType as a string and Originator', async () => {
    const sandbox = await startSandbox({ dialect: { callbackStyle: 'variant' }, settleDelayMs: { min: 10, max: 10 }, balanceMinor: 10_000_00 });
    const receiver = await startCallbackReceiver();
    try {
      const token = await getToken(sandbox.url);
      const res = await call(sandbox.url, 'POST', PATHS.mobileSend, { body: mobileBody('VAR-1', receiver.url, { Amount: 50 }), token });
      const pending = await call(sandbox.url, 'POST', PATHS.mobileQuery, { body: { TransactionReference: 'VAR-1' }, token });
      if (sandbox.ledger.find('VAR-1')?.status === 'pending') expect(pending.body).toMatchObject({ Originator: 'VAR-1', TransactionStatus: 'Pending' });
      const [cb] = await receiver.waitFor(1);
      expect(cb!.body).toEqual({
        ResultType: '0', ResultDesc: 'The service request is processed successfully.', Originator: 'VAR-1', TransactionID: res.body.TransactionID,
        TransactionReceipt: anyString, TransactionAmount: '50.00', ReceiverPartyPublicName: anyString,
        TransactionCompletedDateTime: anyString, AccountAvailableFunds: '9938.00',
      });
      expect(cb!.headers[SIGNATURE_HEADER]).toBeUndefined(); // no signing key: unsigned
    } finally {
      await sandbox.close();
      await receiver.close();
    }
  });
});

describe('PesaWay sandbox: pull transactions', () => {
  let sandbox: SandboxHandle;
  let token: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ settleDelayMs: { min: 0, max: 5 } });
    token = await getToken(sandbox.url);
    // 250 payments, sent in waves of 50; callbacks go nowhere (and are retried in the background).
    for (let wave = 0; wave < 5; wave += 1) {
      await Promise.all(Array.from({ length: 50 }, (_, i) =>
        call(sandbox.url, 'POST', PATHS.mobileSend, { body: mobileBody(`PULL-${wave * 50 + i}`, 'http://127.0.0.1:9/cb', { Amount: 100 + i }), token })));
    }
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  const window = { StartDate: '2020-01-01 00:00:00', EndDate: '2099-12-31 23:59:59', TransType: 'Payment' };
  const pull = (body: Record<string, unknown>, path: string = PATHS.pullTransactions) => call<Array<Record<string, unknown>>>(sandbox.url, 'POST', path, { body, token });

  it('pages 250 payments as 100, 100, 50 rows by row offset, in acceptance order, on both paths', async () => {
    const pages = await Promise.all([0, 100, 200, 250].map((OffsetValue) => pull({ ...window, OffsetValue })));
    expect(pages.map((p) => p.body.length)).toEqual([100, 100, 50, 0]);
    const rows = pages.flatMap((p) => p.body);
    expect(rows.map((r) => r['ExternalReference'])).toEqual(sandbox.ledger.entries().map((e) => e.reference));
    expect(new Set(rows.map((r) => r['Reference'])).size).toBe(250);
    const first = rows[0]!;
    const entry = sandbox.ledger.find(first['ExternalReference'] as string)!;
    expect(first).toMatchObject({
      Reference: entry.transactionId, TransactionType: 'Payment', Amount: (entry.amountMinor / 100).toFixed(2),
      TransactionDate: matching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
    });
    const documented = await pull({ ...window, OffsetValue: 200 }, PATHS.pullTransactionsDocumented);
    expect(documented.body).toEqual(pages[2]!.body.map((r) => ({ ...r, Receipt: anyString, Recipient: anyString, Status: anyString })));
  });

  it('filters by date range and type, and validates formats', async () => {
    expect((await pull({ ...window, EndDate: '2021-01-01 00:00:00', OffsetValue: 0 })).body).toEqual([]);
    expect((await pull({ ...window, StartDate: '2099-01-01', OffsetValue: 0 })).body).toEqual([]);
    expect((await pull({ ...window, TransType: 'Collection', OffsetValue: 0 })).body).toEqual([]);
    const today = new Date().toISOString().slice(0, 10);
    expect((await pull({ ...window, StartDate: today, EndDate: today, OffsetValue: 240 })).body.length).toBe(10);
    for (const [body, message] of [
      [{ ...window, StartDate: '01/02/2026', OffsetValue: 0 }, /StartDate must be formatted YYYY-MM-DD HH:MM:SS/],
      [{ ...window, EndDate: '2026-02-30 00:00:00', OffsetValue: 0 }, /EndDate is not a real date/],
      [{ ...window, TransType: 'B2C', OffsetValue: 0 }, /TransType must be Payment or Collection/],
      [{ ...window, OffsetValue: -1 }, /OffsetValue must be a row offset/],
      [{ ...window, StartDate: '2030-01-01 00:00:00', EndDate: '2029-01-01 00:00:00' }, /EndDate must not be before StartDate/],
    ] as const) {
      const res = await call(sandbox.url, 'POST', PATHS.pullTransactions, { body, token });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: '400.001', message: matching(message) });
    }
  });
});
