import { afterEach, describe, expect, it } from 'vitest';
import { PATHS } from '../../src/pesaway/wire.js';
import { startSandbox, type SandboxHandle } from '../../src/sandbox/server.js';
import type { SandboxOptionsInput } from '../../src/sandbox/options.js';
import { call, getToken, mobileBody, sleep, startCallbackReceiver, waitUntil, type CallbackReceiver } from '../support/sandbox-http.js';

describe('PesaWay sandbox: callback delivery and faults', () => {
  const open: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((o) => o.close()));
  });

  async function setUp(options: SandboxOptionsInput, respond?: (attempt: number) => number): Promise<{ sandbox: SandboxHandle; receiver: CallbackReceiver; send: (ref: string) => Promise<void> }> {
    const sandbox = await startSandbox({ settleDelayMs: { min: 10, max: 10 }, ...options });
    const receiver = await startCallbackReceiver(respond);
    open.push(sandbox, receiver);
    const token = await getToken(sandbox.url);
    const send = async (ref: string): Promise<void> => {
      const res = await call(sandbox.url, 'POST', PATHS.mobileSend, { body: mobileBody(ref, receiver.url, { Amount: 10 }), token });
      expect(res.body.code).toBe('200.001');
    };
    return { sandbox, receiver, send };
  }

  it('drops callbacks: none arrives, the payment is still settled and the drop is counted', async () => {
    const { sandbox, receiver, send } = await setUp({ faults: { callbackDropRate: 1 } });
    await send('DROP-1');
    await waitUntil(() => sandbox.ledger.find('DROP-1')?.status === 'succeeded');
    await sleep(200);
    expect(receiver.attempts).toBe(0);
    expect(sandbox.stats().faults).toMatchObject({ callbacksDropped: 1, callbacksDelivered: 0 });
  });

  it('duplicates callbacks: the receiver gets the same bytes twice', async () => {
    const { sandbox, receiver, send } = await setUp({ faults: { callbackDuplicateRate: 1 }, signingKey: 'k' });
    await send('DUPCB-1');
    const [first, second] = await receiver.waitFor(2);
    expect(second!.raw).toBe(first!.raw);
    expect(second!.headers['signature']).toBe(first!.headers['signature']);
    expect(second!.at).toBeGreaterThanOrEqual(first!.at);
    await sleep(600);
    expect(receiver.received).toHaveLength(2);
    expect(sandbox.stats().faults).toMatchObject({ callbacksDuplicated: 1, callbacksDelivered: 2 });
  });

  it('reorders callbacks: a held-back callback arrives after a later payment\'s', async () => {
    const { sandbox, receiver, send } = await setUp({ faults: { callbackReorderRate: 1, reorderDelayMs: 1000 } });
    await send('ORDER-A');
    await waitUntil(() => sandbox.ledger.find('ORDER-A')?.status === 'succeeded');
    sandbox.faults.set({ callbackReorderRate: 0 });
    await send('ORDER-B');
    const received = await receiver.waitFor(2, 5000);
    expect(received.map((c) => c.body['OriginatorReference'])).toEqual(['ORDER-B', 'ORDER-A']);
    // The sandbox counts a delivery when the receiver's answer comes back, just after the receiver saw it.
    await waitUntil(() => sandbox.stats().faults.callbacksDelivered === 2);
    expect(sandbox.stats().faults).toMatchObject({ callbacksReordered: 1, callbacksDelivered: 2 });
  });

  it('delays callbacks by callbackDelayMs after settlement', async () => {
    const { sandbox, receiver, send } = await setUp({ callbackDelayMs: { min: 300, max: 300 } });
    await send('DELAY-1');
    await waitUntil(() => sandbox.ledger.find('DELAY-1')?.status === 'succeeded');
    const settledAt = Date.parse(sandbox.ledger.find('DELAY-1')!.settledAt!);
    const [cb] = await receiver.waitFor(1);
    expect(cb!.at - settledAt).toBeGreaterThanOrEqual(290);
  });

  it('retries with backoff until the receiver stops failing', async () => {
    const { sandbox, receiver, send } = await setUp({ callbackRetry: { baseMs: 20, maxMs: 200 } }, (attempt) => (attempt <= 3 ? 500 : 200));
    await send('RETRY-1');
    const [cb] = await receiver.waitFor(1);
    expect(cb!.body['OriginatorReference']).toBe('RETRY-1');
    expect(receiver.attempts).toBe(4);
    // The sandbox counts the delivery once it has read the receiver's answer, a moment after the receiver replied.
    await waitUntil(() => sandbox.stats().faults.callbacksDelivered === 1);
    expect(sandbox.stats().faults).toMatchObject({ callbackRetries: 3, callbacksDelivered: 1, callbacksAbandoned: 0 });
  });

  it('gives up after maxAttempts, and retries when the receiver is down', async () => {
    const { sandbox, receiver, send } = await setUp({ callbackRetry: { maxAttempts: 3, baseMs: 10, maxMs: 50 } }, () => 503);
    await send('GIVEUP-1');
    await waitUntil(() => sandbox.stats().faults.callbacksAbandoned === 1);
    expect(receiver.attempts).toBe(3);
    expect(sandbox.stats().faults).toMatchObject({ callbackRetries: 2, callbacksDelivered: 0 });

    // A receiver that is not listening at all: connection refused is retried the same way.
    const down = await startSandbox({ settleDelayMs: { min: 0, max: 0 }, callbackRetry: { maxAttempts: 2, baseMs: 10, maxMs: 10 } });
    open.push(down);
    const token = await getToken(down.url);
    await call(down.url, 'POST', PATHS.mobileSend, { body: mobileBody('DOWN-1', 'http://127.0.0.1:9/results', { Amount: 10 }), token });
    await waitUntil(() => down.stats().faults.callbacksAbandoned === 1);
    expect(down.stats().faults.callbackRetries).toBe(1);
  });
});
