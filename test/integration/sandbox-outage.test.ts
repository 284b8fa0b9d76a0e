import { describe, expect, it } from 'vitest';
import { PATHS } from '../../src/pesaway/wire.js';
import type { OutageView } from '../../src/sandbox/index.js';
import { startSandbox, type SandboxHandle } from '../../src/sandbox/server.js';
import { NOWHERE, call, getToken, type JsonResponse, mobileBody, sleep, startCallbackReceiver, waitUntil, withSandbox } from '../support/sandbox-http.js';


/** A raw send over fetch: resolves with the HTTP status, or with the transport error when there is no answer. */
function send(sandbox: SandboxHandle, token: string, reference: string, signal?: AbortSignal): Promise<number | Error> {
  return fetch(`${sandbox.url}${PATHS.mobileSend}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(mobileBody(reference, NOWHERE)),
    signal,
  }).then(
    async (res) => {
      await res.arrayBuffer();
      return res.status;
    },
    (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
  );
}

type OutageAnswer = OutageView & { code?: string; message?: string };

const setOutage = (sandbox: SandboxHandle, body: unknown): Promise<JsonResponse<OutageAnswer>> =>
  call<OutageAnswer>(sandbox.url, 'PUT', '/__sandbox/outage', { body });

describe('PesaWay sandbox: outage', () => {
  it('refuse: PesaWay calls are reset before anything records them, admin stays up, and the send works once it ends', async () => {
    await withSandbox({ settleDelayMs: { min: 60_000, max: 60_000 } }, async (sandbox, token) => {
      const on = await setOutage(sandbox, { mode: 'refuse' });
      expect(on).toMatchObject({ status: 200, body: { mode: 'refuse', since: expect.any(String) as unknown } });

      const refused = await send(sandbox, token, 'OUT-1');
      expect(refused).toBeInstanceOf(TypeError); // undici: "fetch failed", caused by the reset socket
      expect(String((refused as TypeError).cause)).toMatch(/ECONNRESET|other side closed|socket/i);
      expect(await send(sandbox, token, 'OUT-1')).toBeInstanceOf(TypeError);
      // Not a PesaWay call at all: no token issued, no ledger entry, nothing in the request stats.
      expect(await call(sandbox.url, 'POST', PATHS.token, { body: {} }).catch((err: unknown) => err)).toBeInstanceOf(TypeError);
      expect(sandbox.ledger.entries()).toEqual([]);

      const stats = await call<{ requests: Record<string, unknown>; faults: Record<string, number> }>(sandbox.url, 'GET', '/__sandbox/stats');
      expect(stats.status).toBe(200);
      expect(stats.body.requests).toEqual({ token: { '200.001': 1 } });
      expect(stats.body.faults).toMatchObject({ outageRefused: 3, outageHeld: 0, rateLimited: 0, serverErrors: 0 });
      expect((await call(sandbox.url, 'GET', '/__sandbox/ledger')).status).toBe(200);

      expect(sandbox.outage('none')).toMatchObject({ mode: 'none', since: null, refused: 3 });
      const accepted = await call(sandbox.url, 'POST', PATHS.mobileSend, { body: mobileBody('OUT-1', NOWHERE), token });
      expect(accepted.body).toMatchObject({ code: '200.001', OriginatorReference: 'OUT-1' });
      const again = await call(sandbox.url, 'POST', PATHS.mobileSend, { body: mobileBody('OUT-1', NOWHERE), token });
      expect(again.body.code).toBe('403.002');
      expect(sandbox.ledger.find('OUT-1')).toMatchObject({ status: 'pending', acceptCount: 1 });
    });
  });

  it('timeout: requests get no answer and leave no trace, the next call after it works, and close() is prompt with one held', async () => {
    const sandbox = await startSandbox({ settleDelayMs: { min: 60_000, max: 60_000 } });
    let closed = false;
    try {
      const token = await getToken(sandbox.url);
      sandbox.outage('timeout');
      const started = Date.now();
      const timedOut = await send(sandbox, token, 'HOLD-1', AbortSignal.timeout(1500));
      expect(timedOut).toMatchObject({ name: 'TimeoutError' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
      expect(sandbox.ledger.entries()).toEqual([]);
      expect(sandbox.stats().faults.outageHeld).toBe(1);
      await waitUntil(() => sandbox.outageState().holding === 0, 2000, 'the aborted request to let go of its socket');

      // One still waiting when the outage ends: its socket is cut, and the next call goes through.
      const waiting = send(sandbox, token, 'HOLD-2');
      await waitUntil(() => sandbox.outageState().holding === 1, 2000, 'the request to be held');
      expect((await setOutage(sandbox, { mode: 'none' })).body).toMatchObject({ mode: 'none', held: 2, holding: 0 });
      expect(await waiting).toBeInstanceOf(TypeError);
      expect(sandbox.ledger.entries()).toEqual([]);
      const ok = await call(sandbox.url, 'POST', PATHS.mobileSend, { body: mobileBody('HOLD-1', NOWHERE), token });
      expect(ok.body.code).toBe('200.001');

      // And one held when the sandbox closes: close() does not wait for it.
      sandbox.outage('timeout');
      const stuck = send(sandbox, token, 'HOLD-3');
      await waitUntil(() => sandbox.outageState().holding === 1, 2000, 'the request to be held');
      const closing = Date.now();
      await sandbox.close();
      closed = true;
      expect(Date.now() - closing).toBeLessThan(1000);
      expect(await stuck).toBeInstanceOf(TypeError);
    } finally {
      if (!closed) await sandbox.close();
    }
  });

  it('holds result callbacks during an outage and delivers them, in order, when it ends', async () => {
    const receiver = await startCallbackReceiver();
    try {
      await withSandbox({ settleDelayMs: { min: 300, max: 300 } }, async (sandbox, token) => {
        for (const reference of ['CB-1', 'CB-2']) {
          const res = await call(sandbox.url, 'POST', PATHS.mobileSend, { body: mobileBody(reference, receiver.url), token });
          expect(res.body.code).toBe('200.001');
        }
        sandbox.outage('refuse');
        await sleep(900); // both settle internally meanwhile
        expect(receiver.attempts).toBe(0);
        expect(sandbox.ledger.find('CB-1')).toMatchObject({ status: 'succeeded' });
        expect(sandbox.outageState().callbacksQueued).toBe(2);

        sandbox.outage('none');
        const received = await receiver.waitFor(2, 5000);
        expect(received.map((c) => c.body['OriginatorReference'])).toEqual(['CB-1', 'CB-2']);
        // Counted once the receiver's answer is back, just after it recorded the body.
        await waitUntil(() => sandbox.stats().faults.callbacksDelivered === 2, 2000, 'both deliveries to be counted');
        expect(sandbox.stats().faults).toMatchObject({ outageCallbacksHeld: 2, callbackRetries: 0 });
        expect(sandbox.outageState().callbacksQueued).toBe(0);
      });
    } finally {
      await receiver.close();
    }
  });

  it('holds a delivery planned before the outage (a delayed callback) until it ends', async () => {
    const receiver = await startCallbackReceiver();
    try {
      await withSandbox({ settleDelayMs: { min: 50, max: 50 }, faults: { callbackDelayMs: { min: 500, max: 500 } } }, async (sandbox, token) => {
        expect((await call(sandbox.url, 'POST', PATHS.mobileSend, { body: mobileBody('LATE-1', receiver.url), token })).body.code).toBe('200.001');
        await waitUntil(() => sandbox.ledger.find('LATE-1')?.status === 'succeeded', 2000, 'settlement');
        sandbox.outage('timeout'); // settled and planned, its POST not yet due
        await sleep(800);
        expect(receiver.attempts).toBe(0);
        expect(sandbox.outageState().callbacksQueued).toBe(1);
        sandbox.outage('none');
        await receiver.waitForReference('LATE-1', 2000);
      });
    } finally {
      await receiver.close();
    }
  });

  it('reports every outage period with its duration, and validates the mode', async () => {
    await withSandbox({}, async (sandbox) => {
      const initial = await call<OutageView>(sandbox.url, 'GET', '/__sandbox/outage');
      expect(initial.body).toEqual({ mode: 'none', since: null, periods: [], downMs: 0, refused: 0, held: 0, holding: 0, callbacksQueued: 0 });

      await setOutage(sandbox, { mode: 'refuse' });
      await sleep(250);
      expect((await setOutage(sandbox, { mode: 'refuse' })).body.periods).toHaveLength(1); // the same mode again is no new period
      await setOutage(sandbox, { mode: 'timeout' });
      await sleep(150);
      const during = (await call<OutageView>(sandbox.url, 'GET', '/__sandbox/outage')).body;
      expect(during).toMatchObject({ mode: 'timeout', since: during.periods[1]?.startedAt });
      expect(during.periods[1]).toMatchObject({ mode: 'timeout', endedAt: null });
      expect(during.periods[1]!.ms).toBeGreaterThanOrEqual(140);

      await setOutage(sandbox, { mode: 'none' });
      const after = (await call<OutageView>(sandbox.url, 'GET', '/__sandbox/outage')).body;
      expect(after.mode).toBe('none');
      expect(after.periods).toHaveLength(2);
      const [refuse, timeout] = after.periods;
      expect(refuse).toMatchObject({ mode: 'refuse', endedAt: timeout!.startedAt });
      expect(refuse!.ms).toBeGreaterThanOrEqual(240);
      expect(timeout!.ms).toBeGreaterThanOrEqual(140);
      expect(Date.parse(timeout!.endedAt!) - Date.parse(timeout!.startedAt)).toBe(timeout!.ms);
      expect(after.downMs).toBe(refuse!.ms + timeout!.ms);

      for (const body of [{ mode: 'down' }, {}, { mode: 'refuse', extra: 1 }, 'refuse', { mode: null }]) {
        const bad = await setOutage(sandbox, body);
        expect(bad.status).toBe(400);
        expect(bad.body.message).toMatch(/outage/);
      }
      expect(() => sandbox.outage('off' as 'none')).toThrow(/outage.mode: must be one of none, refuse, timeout/);
      expect(sandbox.outageState().periods).toHaveLength(2);
    });
  });
});
