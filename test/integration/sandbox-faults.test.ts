import { describe, expect, it } from 'vitest';
import { PATHS } from '../../src/pesaway/wire.js';
import { NOWHERE, call, matching, mobileBody, sleep, withSandbox } from '../support/sandbox-http.js';


describe('PesaWay sandbox: faults', () => {
  it('loses the response of an accepted send: the socket is reset, the payment stands, a resend gets 403.002', async () => {
    await withSandbox({ settleDelayMs: { min: 60_000, max: 60_000 } }, async (sandbox, token) => {
      sandbox.faults.set({ lostResponseRate: 1 });
      const lost = await fetch(`${sandbox.url}${PATHS.mobileSend}`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(mobileBody('LOST-1', NOWHERE)),
      }).then(() => 'answered', (err: unknown) => err);
      expect(lost).toBeInstanceOf(TypeError); // undici: "fetch failed", caused by the reset socket
      expect(String((lost as TypeError).cause)).toMatch(/ECONNRESET|other side closed|socket/i);

      expect(sandbox.ledger.find('LOST-1')).toMatchObject({ status: 'pending', acceptCount: 1 });
      expect(sandbox.ledger.balance().reservedMinor).toBe(1512_00);

      // Lost responses affect accepted sends only, so the resend's answer arrives.
      const again = await call(sandbox.url, 'POST', PATHS.mobileSend, { body: mobileBody('LOST-1', NOWHERE), token });
      expect(again.body).toEqual({ code: '403.002', message: 'TransactionReference is already used' });
      const query = await call(sandbox.url, 'POST', PATHS.mobileQuery, { body: { TransactionReference: 'LOST-1' }, token });
      expect(query.body).toMatchObject({ code: '200.001', OriginatorReference: 'LOST-1' });
      expect(sandbox.stats()).toMatchObject({ requests: { mobileSend: { lost: 1, '403.002': 1 } }, faults: { lostResponses: 1 } });
      expect(sandbox.ledger.report().maxAcceptCount).toBe(1);
    });
  });

  it('answers 5xx without processing at serverErrorRate 1, and admin endpoints stay untouched', async () => {
    await withSandbox({}, async (sandbox, token) => {
      const put = await call(sandbox.url, 'PUT', '/__sandbox/faults', { body: { serverErrorRate: 1 } });
      expect(put.body).toMatchObject({ serverErrorRate: 1 });
      const statuses = new Set<number>();
      for (let i = 0; i < 12; i += 1) {
        const res = await call(sandbox.url, 'POST', PATHS.mobileSend, { body: mobileBody(`ERR-${i}`, NOWHERE), token });
        expect([500, 502, 503]).toContain(res.status);
        statuses.add(res.status);
      }
      expect(statuses.size).toBeGreaterThan(1); // several gateway failure shapes
      expect(sandbox.ledger.entries()).toEqual([]);
      expect(sandbox.ledger.balance().reservedMinor).toBe(0);
      expect((await call(sandbox.url, 'GET', PATHS.balance, { token })).status).toBeGreaterThanOrEqual(500);
      const stats = await call<{ requests: Record<string, Record<string, number>>; faults: Record<string, number> }>(sandbox.url, 'GET', '/__sandbox/stats');
      expect(stats.status).toBe(200);
      expect(stats.body.requests).toEqual({ token: { '200.001': 1 }, mobileSend: { '5xx': 12 }, balance: { '5xx': 1 } });
      expect(stats.body.faults['serverErrors']).toBe(13);

      sandbox.faults.set({ serverErrorRate: 0 });
      expect((await call(sandbox.url, 'POST', PATHS.mobileSend, { body: mobileBody('ERR-0', NOWHERE), token })).body.code).toBe('200.001');
    });
  });

  it('rate limits API requests beyond N per second with 429.001, but never admin endpoints', async () => {
    await withSandbox({ faults: { rateLimitPerSecond: 5 } }, async (sandbox, token) => {
      await sleep(1100); // the token request counted against the window
      const results = await Promise.all(Array.from({ length: 12 }, () => call(sandbox.url, 'GET', PATHS.balance, { token })));
      const limited = results.filter((r) => r.status === 429);
      expect(results.filter((r) => r.status === 200)).toHaveLength(5);
      expect(limited).toHaveLength(7);
      expect(limited[0]!.body).toEqual({ code: '429.001', message: 'Rate limit exceeded: at most 5 requests per second' });
      expect(limited[0]!.headers.get('retry-after')).toBe('1');
      const admin = await Promise.all(Array.from({ length: 20 }, () => call(sandbox.url, 'GET', '/__sandbox/stats')));
      expect(admin.every((r) => r.status === 200)).toBe(true);
      expect(sandbox.stats().faults.rateLimited).toBe(7);

      await sleep(1100);
      expect((await call(sandbox.url, 'GET', PATHS.balance, { token })).status).toBe(200);
      sandbox.faults.set({ rateLimitPerSecond: undefined });
      const unlimited = await Promise.all(Array.from({ length: 20 }, () => call(sandbox.url, 'GET', PATHS.balance, { token })));
      expect(unlimited.every((r) => r.status === 200)).toBe(true);
    });
  });

  it('adds latency to API responses only', async () => {
    await withSandbox({ faults: { latencyMs: { min: 400, max: 400 } } }, async (sandbox, token) => {
      let t = Date.now();
      await call(sandbox.url, 'GET', PATHS.balance, { token });
      expect(Date.now() - t).toBeGreaterThanOrEqual(395);
      t = Date.now();
      await call(sandbox.url, 'GET', '/__sandbox/ledger');
      expect(Date.now() - t).toBeLessThan(300);
    });
  });

  it('makes the same fault decisions and ids for the same seed', async () => {
    const run = async (seed: number): Promise<string[]> => {
      const trace: string[] = [];
      await withSandbox({ seed }, async (sandbox, token) => {
        sandbox.faults.set({ serverErrorRate: 0.5 });
        for (let i = 0; i < 30; i += 1) trace.push(String((await call(sandbox.url, 'GET', PATHS.balance, { token })).status));
        sandbox.faults.set({ serverErrorRate: 0 });
        for (let i = 0; i < 3; i += 1) {
          const res = await call(sandbox.url, 'POST', PATHS.mobileSend, { body: mobileBody(`SEED-${i}`, NOWHERE), token });
          trace.push(res.body.TransactionID!);
        }
      });
      return trace;
    };
    const [a, b, c] = [await run(7), await run(7), await run(8)];
    expect(a).toEqual(b);
    expect(a.slice(0, 30)).toContain('200');
    expect(a.slice(0, 30).some((s) => s.startsWith('5'))).toBe(true);
    expect(c).not.toEqual(a);
  });

  it('validates fault updates and applies nothing when one field is bad', async () => {
    await withSandbox({}, async (sandbox) => {
      const bad = await call(sandbox.url, 'PUT', '/__sandbox/faults', { body: { serverErrorRate: 0.5, callbackDropRate: 2 } });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/faults.callbackDropRate: must be a number from 0 to 1/);
      const typo = await call(sandbox.url, 'PUT', '/__sandbox/faults', { body: { serverErorRate: 0.5 } });
      expect(typo.body.message).toMatch(/faults.serverErorRate: unknown fault/);
      const range = await call(sandbox.url, 'PUT', '/__sandbox/faults', { body: { latencyMs: { min: 10, max: 5 } } });
      expect(range.status).toBe(400);
      expect(sandbox.faults.get().serverErrorRate).toBe(0);

      const ok = await call(sandbox.url, 'PUT', '/__sandbox/faults', { body: { latencyMs: '5-10', rateLimitPerSecond: 50, callbackDelayMs: 20 } });
      expect(ok.body).toMatchObject({ latencyMs: { min: 5, max: 10 }, rateLimitPerSecond: 50, callbackDelayMs: { min: 20, max: 20 } });
      const off = await call(sandbox.url, 'PUT', '/__sandbox/faults', { body: { rateLimitPerSecond: null } });
      expect(off.body).toMatchObject({ rateLimitPerSecond: null, latencyMs: { min: 5, max: 10 } });
      expect((await call(sandbox.url, 'GET', '/__sandbox/faults')).body).toMatchObject({ rateLimitPerSecond: null, counters: { serverErrors: 0 } });
      expect(() => sandbox.faults.set({ lostResponseRate: -1 })).toThrow(/lostResponseRate/);
    });
  });

  it('refuses bad admin amounts and unknown paths clearly', async () => {
    await withSandbox({}, async (sandbox) => {
      const bad = await call(sandbox.url, 'POST', '/__sandbox/top-up', { body: { amount: '12.345' } });
      expect(bad).toMatchObject({ status: 400, body: { code: '400.001', message: matching(/amount/) } });
      const zero = await call(sandbox.url, 'POST', '/__sandbox/top-up', { body: { amount: 0 } });
      expect(zero.status).toBe(400);
      const set = await call(sandbox.url, 'PUT', '/__sandbox/balance', { body: { amount: '0' } });
      expect(set.body).toMatchObject({ current: '0.00', available: '0.00' });
      const unknown = await call(sandbox.url, 'GET', '/api/v1/nothing/');
      expect(unknown).toMatchObject({ status: 404, body: { code: '404.000' } });
      expect(() => sandbox.topUp(1.5)).toThrow(/whole number of cents/);
    });
  });
});
