import { afterEach, describe, expect, it } from 'vitest';
import { PesaWayClient } from '../../src/pesaway/client.js';
import type { PesaWayConfig } from '../../src/pesaway/config.js';
import type { SendRequest } from '../../src/pesaway/requests.js';
import { TEST_ACCOUNTS, TEST_PHONES, startSandbox, type SandboxHandle, type SandboxOptionsInput } from '../../src/sandbox/index.js';
import { startCallbackReceiver } from '../support/sandbox-http.js';

const sandboxes: SandboxHandle[] = [];
afterEach(async () => {
  await Promise.all(sandboxes.splice(0).map((s) => s.close()));
});

async function setup(options: SandboxOptionsInput = {}, config: Partial<PesaWayConfig> = {}) {
  const sandbox = await startSandbox({ settleDelayMs: { min: 20, max: 60 }, ...options });
  sandboxes.push(sandbox);
  const client = new PesaWayClient({
    baseUrl: sandbox.url,
    consumerKey: 'sandbox-key',
    consumerSecret: 'sandbox-secret',
    region: 'ke',
    merchantCode: undefined,
    currency: 'KES',
    timeoutMs: 2000,
    ...config,
  });
  return { sandbox, client };
}

let seq = 0;
const mobile = (over: Partial<Extract<SendRequest, { channel: 'MPESA' | 'AIRTEL' }>> = {}): SendRequest => ({
  channel: 'MPESA',
  reference: `CLIENT${Date.now()}X${seq++}`,
  amountMinor: 1500_00,
  phone: '254712345678',
  reason: 'Salary November',
  resultsUrl: 'http://127.0.0.1:9/none',
  ...over,
});

async function settled(client: PesaWayClient, reference: string, channel: 'MPESA' | 'BANK' = 'MPESA') {
  for (let i = 0; i < 100; i++) {
    const q = await client.query({ reference, channel });
    if (q.kind !== 'pending') return q;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${reference} never settled`);
}

describe('PesaWay client against the sandbox over HTTP', () => {
  it('pays M-Pesa, Airtel and bank payouts and reads their results', async () => {
    const { sandbox, client } = await setup();
    const m = mobile();
    const airtel = mobile({ channel: 'AIRTEL', phone: '254733123456' });
    const bank: SendRequest = { channel: 'BANK', reference: `BANK${seq++}`, amountMinor: 85_000_00, accountNumber: '0123456789012', bankCode: '01', bankName: undefined, reason: 'Salary', resultsUrl: 'http://127.0.0.1:9/none' };
    for (const req of [m, airtel, bank]) {
      const sent = await client.send(req);
      expect(sent).toMatchObject({ kind: 'accepted', reference: req.reference, transactionId: expect.stringMatching(/^PHY[0-9A-Z]{10}$/) });
    }
    const q = await settled(client, m.reference);
    expect(q).toMatchObject({ kind: 'settled', result: { resultCode: 0, reference: m.reference, amountMinor: 1500_00, receipt: expect.any(String) } });
    expect(await settled(client, bank.reference, 'BANK')).toMatchObject({ kind: 'settled', result: { resultCode: 0 } });
    expect(sandbox.ledger.report().maxAcceptCount).toBe(1);
  });

  it('maps every documented code to a typed outcome', async () => {
    const { sandbox, client } = await setup({ balanceMinor: 100_00 });
    // 455.001: the wallet cannot cover amount + fee.
    expect(await client.send(mobile())).toMatchObject({ kind: 'insufficient-balance', code: '455.001' });
    sandbox.setBalance(1_000_000_00);
    // 400.001 with PesaWay's message, phone masked.
    const invalid = await client.send(mobile({ phone: '254712345678', amountMinor: 300_000_00 }));
    expect(invalid).toMatchObject({ kind: 'invalid', code: '400.001', message: expect.stringMatching(/Amount/) });
    // 403.002 on a reused reference.
    const req = mobile();
    expect((await client.send(req)).kind).toBe('accepted');
    expect(await client.send(req)).toMatchObject({ kind: 'reference-used', code: '403.002' });
    // 404.000 for an unknown reference.
    expect(await client.query({ reference: 'NEVERSENT1', channel: 'MPESA' })).toMatchObject({ kind: 'not-found', code: '404.000' });
    // Pending is not final.
    const slow = mobile({ phone: TEST_PHONES.neverSettles });
    await client.send(slow);
    expect(await client.query({ reference: slow.reference, channel: 'MPESA' })).toMatchObject({ kind: 'pending' });
    // A failure has a non-zero ResultCode and the reason.
    const fails = mobile({ phone: TEST_PHONES.unregistered });
    await client.send(fails);
    expect(await settled(client, fails.reference)).toMatchObject({ kind: 'settled', result: { resultCode: 2040, resultDesc: expect.stringMatching(/Credit Party/) } });
    // 401.001 after one refresh: wrong credentials are a configuration error.
    const bad = new PesaWayClient({ ...clientConfig(sandbox), consumerSecret: 'wrong' });
    expect(await bad.send(mobile())).toMatchObject({ kind: 'unauthorized', code: '401.001' });
    expect(JSON.stringify(invalid)).not.toContain('12345678');
  });

  it('balance and pull-transactions in pages of 100', async () => {
    const { sandbox, client } = await setup({ balanceMinor: 1_000_000_00, settleDelayMs: { min: 60_000, max: 60_000 } });
    const before = await client.balance();
    expect(before).toEqual({ kind: 'balance', balance: { currentMinor: 1_000_000_00, availableMinor: 1_000_000_00, unclearedMinor: 0, reservedMinor: 0 } });
    const refs = Array.from({ length: 230 }, () => mobile({ amountMinor: 100_00 }));
    for (const r of refs) expect((await client.send(r)).kind).toBe('accepted');
    const reserved = await client.balance();
    expect(reserved).toMatchObject({ kind: 'balance', balance: { reservedMinor: 230 * (100_00 + 12_00) } });
    const seen: string[] = [];
    const start = new Date(Date.now() - 3_600_000);
    const end = new Date(Date.now() + 3_600_000);
    for await (const p of client.allTransactions(start, end)) seen.push(p.externalReference);
    expect(seen).toEqual(refs.map((r) => r.reference));
    expect(sandbox.stats().requests['pullTransactions']?.['200.001']).toBe(3);
  });

  it.each([
    ['data.token', 'http-status', 'flat', 'standard'],
    ['token', 'http-200', 'data', 'variant'],
    ['access_token', 'http-200', 'flat', 'variant'],
  ] as const)('speaks the %s / %s / %s / %s dialect', async (tokenShape, errors, balanceEnvelope, callbackStyle) => {
    const { sandbox, client } = await setup({ dialect: { tokenShape, errors, balanceEnvelope, callbackStyle }, balanceMinor: 2000_00 });
    const ok = mobile();
    expect((await client.send(ok)).kind).toBe('accepted');
    expect(await client.send(ok)).toMatchObject({ kind: 'reference-used' });
    expect(await client.send(mobile({ amountMinor: 1900_00 }))).toMatchObject({ kind: 'insufficient-balance' });
    expect(await client.send(mobile({ phone: '25471234' }))).toMatchObject({ kind: 'invalid' });
    expect(await settled(client, ok.reference)).toMatchObject({ kind: 'settled', result: { resultCode: 0, reference: ok.reference } });
    expect(await client.balance()).toMatchObject({ kind: 'balance', balance: { currentMinor: 2000_00 - 1500_00 - 12_00 } });
    expect(sandbox.ledger.report().maxAcceptCount).toBe(1);
  });

  it('refreshes an expired token once for a whole burst, and retries a refused token once', async () => {
    const { sandbox, client } = await setup({ tokenTtlSeconds: 1 });
    expect((await client.send(mobile())).kind).toBe('accepted');
    expect(client.tokens.fetches).toBe(1);
    await new Promise((r) => setTimeout(r, 1100));
    const burst = await Promise.all(Array.from({ length: 40 }, () => client.send(mobile({ amountMinor: 100_00 }))));
    expect(burst.every((o) => o.kind === 'accepted')).toBe(true);
    expect(client.tokens.fetches).toBe(2);

    // PesaWay revokes tokens (credential rotation): every call in flight gets 401.001 once, one refresh serves all.
    sandbox.revokeTokens();
    const after = await Promise.all(Array.from({ length: 20 }, () => client.send(mobile({ amountMinor: 100_00 }))));
    expect(after.every((o) => o.kind === 'accepted')).toBe(true);
    expect(client.tokens.fetches).toBe(3);
    expect(sandbox.stats().requests['token']?.['200.001']).toBe(3);
  });

  it('lost response: ambiguous, resend gives 403.002, query settles it; the ledger shows one acceptance', async () => {
    const { sandbox, client } = await setup();
    const req = mobile();
    sandbox.faults.set({ lostResponseRate: 1 });
    const first = await client.send(req);
    expect(first).toMatchObject({ kind: 'ambiguous', reason: 'connection' });
    sandbox.faults.set({ lostResponseRate: 0 });
    expect(await client.send(req)).toMatchObject({ kind: 'reference-used' });
    expect(await settled(client, req.reference)).toMatchObject({ kind: 'settled', result: { resultCode: 0 } });
    const entry = sandbox.ledger.report().entries.find((e) => e.reference === req.reference);
    expect(entry).toMatchObject({ acceptCount: 1, status: 'succeeded' });
    expect(sandbox.ledger.report().totals.accepted).toBe(1);
  });

  it('5xx and timeouts are ambiguous; 429.001 is rate-limited', async () => {
    const { sandbox, client } = await setup({}, { timeoutMs: 300 });
    expect((await client.send(mobile())).kind).toBe('accepted'); // token cached
    sandbox.faults.set({ serverErrorRate: 1 });
    expect(await client.send(mobile())).toMatchObject({ kind: 'ambiguous', reason: 'server-error', httpStatus: expect.any(Number) });
    sandbox.faults.set({ serverErrorRate: 0, latencyMs: { min: 600, max: 600 } });
    expect(await client.send(mobile())).toMatchObject({ kind: 'ambiguous', reason: 'timeout' });
    sandbox.faults.set({ latencyMs: { min: 0, max: 0 }, rateLimitPerSecond: 2 });
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => client.send(mobile({ amountMinor: 100_00 }))));
    expect(outcomes.filter((o) => o.kind === 'rate-limited').length).toBeGreaterThanOrEqual(3);
  });

  it('insufficient balance leaves the wallet unchanged; after a top-up the same reference succeeds', async () => {
    const { sandbox, client } = await setup({ balanceMinor: 1000_00 });
    const req = mobile({ amountMinor: 1500_00 });
    expect(await client.send(req)).toMatchObject({ kind: 'insufficient-balance' });
    expect(await client.balance()).toMatchObject({ balance: { currentMinor: 1000_00, availableMinor: 1000_00, reservedMinor: 0 } });
    sandbox.topUp(1000_00);
    expect(await client.send(req)).toMatchObject({ kind: 'accepted' });
    expect(sandbox.ledger.report().entries.filter((e) => e.reference === req.reference)).toHaveLength(1);
  });

  it('bank failures and the callback the sandbox posts can be parsed by the client parser', async () => {
    const receiver = await startCallbackReceiver();
    try {
      const { client } = await setup();
      const req: SendRequest = { channel: 'BANK', reference: `BANKF${seq++}`, amountMinor: 5000_00, accountNumber: TEST_ACCOUNTS.invalid, bankCode: undefined, bankName: 'KCB', reason: 'Salary', resultsUrl: receiver.url };
      expect((await client.send(req)).kind).toBe('accepted');
      await receiver.waitFor(1, 5000);
      const { parseResultBody } = await import('../../src/pesaway/result.js');
      expect(parseResultBody(receiver.received[0]!.body)).toMatchObject({ kind: 'final', result: { reference: req.reference, resultCode: 2041 } });
    } finally {
      await receiver.close();
    }
  });
});

function clientConfig(sandbox: SandboxHandle): PesaWayConfig {
  return { baseUrl: sandbox.url, consumerKey: 'sandbox-key', consumerSecret: 'sandbox-secret', region: undefined, merchantCode: undefined, currency: 'KES', timeoutMs: 2000 };
}
