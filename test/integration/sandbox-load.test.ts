import { describe, expect, it } from 'vitest';
import { feeFor } from '../../src/domain/fees.js';
import { PATHS } from '../../src/pesaway/wire.js';
import { startSandbox } from '../../src/sandbox/server.js';
import { call, getToken, mobileBody, startCallbackReceiver, waitUntil } from '../support/sandbox-http.js';

const activeTimers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('PesaWay sandbox: concurrency, volume and shutdown', () => {
  it('accepts 500 simultaneous sends atomically: 500 entries, exact balance, no reference accepted twice', async () => {
    const initial = 100_000_000_00;
    const sandbox = await startSandbox({ balanceMinor: initial, settleDelayMs: { min: 0, max: 200 } });
    const receiver = await startCallbackReceiver();
    try {
      const token = await getToken(sandbox.url);
      const amounts = Array.from({ length: 500 }, (_, i) => 100_00 + i * 397_00 + (i % 100)); // spans several fee bands
      const responses = await Promise.all(amounts.map((minor, i) =>
        call(sandbox.url, 'POST', PATHS.mobileSend, { body: mobileBody(`CONC-${i}`, receiver.url, { Amount: minor / 100 }), token })));
      expect(responses.every((r) => r.status === 200 && r.body.code === '200.001')).toBe(true);
      expect(new Set(responses.map((r) => r.body.TransactionID)).size).toBe(500);

      // The same 500 references again, concurrently: every one is a duplicate, nothing is charged twice.
      const again = await Promise.all(amounts.map((minor, i) =>
        call(sandbox.url, 'POST', PATHS.mobileSend, { body: mobileBody(`CONC-${i}`, receiver.url, { Amount: minor / 100 }), token })));
      expect(again.every((r) => r.body.code === '403.002')).toBe(true);

      await receiver.waitFor(500, 20_000);
      const report = sandbox.ledger.report();
      expect(report.entries).toHaveLength(500);
      expect(report.maxAcceptCount).toBe(1);
      expect(report.totals).toMatchObject({ accepted: 500, succeeded: 500, pending: 0 });
      const spent = amounts.reduce((sum, minor) => sum + minor + feeFor(minor)!, 0);
      expect(sandbox.ledger.balance()).toEqual({ currentMinor: initial - spent, availableMinor: initial - spent, reservedMinor: 0, unclearedMinor: 0 });
      expect(report.totals.paidMinor + report.totals.feesMinor).toBe(spent);
      expect(sandbox.stats().requests['mobileSend']).toEqual({ '200.001': 500, '403.002': 500 });
    } finally {
      await sandbox.close();
      await receiver.close();
    }
  });

  it('pays 2,000 payouts with callbacks to a real receiver', async () => {
    const sandbox = await startSandbox({ balanceMinor: 100_000_000_00, settleDelayMs: { min: 0, max: 100 } });
    const receiver = await startCallbackReceiver();
    try {
      const token = await getToken(sandbox.url);
      const total = 2_000;
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < total) {
          const i = next++;
          const res = await call(sandbox.url, 'POST', PATHS.mobileSend, { body: mobileBody(`VOL-${i}`, receiver.url, { Amount: 1000 }), token });
          expect(res.body.code).toBe('200.001');
        }
      };
      await Promise.all(Array.from({ length: 100 }, worker));
      await receiver.waitFor(total, 60_000);
      expect(sandbox.ledger.report()).toMatchObject({ totals: { accepted: total, succeeded: total }, maxAcceptCount: 1 });
      expect(new Set(receiver.received.map((c) => c.body['OriginatorReference'])).size).toBe(total);
    } finally {
      await sandbox.close();
      await receiver.close();
    }
  });

  it('close() cancels pending settlements, callback retries and latency: no timers left behind', async () => {
    const before = activeTimers();
    const sandbox = await startSandbox({
      settleDelayMs: { min: 60_000, max: 60_000 },
      callbackRetry: { baseMs: 60_000, maxMs: 60_000 },
      faults: { latencyMs: { min: 30_000, max: 30_000 } },
    });
    sandbox.faults.set({ latencyMs: 0 });
    const token = await getToken(sandbox.url);
    // Ten payments settled at once: their callbacks fail (nobody listens) and wait 60 s for a retry.
    for (let i = 0; i < 10; i += 1) {
      await call(sandbox.url, 'POST', PATHS.mobileSend, { body: mobileBody(`CLOSE-NOW-${i}`, 'http://127.0.0.1:1/results', { Amount: 10 }), token });
    }
    await call(sandbox.url, 'POST', '/__sandbox/settle-now');
    await waitUntil(() => sandbox.stats().faults.callbackRetries === 10);
    // Twenty payments waiting 60 s for settlement.
    for (let i = 0; i < 20; i += 1) {
      await call(sandbox.url, 'POST', PATHS.mobileSend, { body: mobileBody(`CLOSE-${i}`, 'http://127.0.0.1:1/results', { Amount: 10 }), token });
    }
    // A request stuck in 30 s of latency while we close.
    sandbox.faults.set({ latencyMs: 30_000 });
    const stuck = call(sandbox.url, 'GET', PATHS.balance, { token }).catch((err: unknown) => err);
    await new Promise((r) => setTimeout(r, 50));
    expect(activeTimers()).toBeGreaterThanOrEqual(before + 31);

    const started = Date.now();
    await sandbox.close();
    await stuck;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(activeTimers()).toBeLessThanOrEqual(before);
    await sandbox.close(); // idempotent
  });
});
