import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBatch } from '../../src/client/batches.js';
import type { SandboxOptionsInput } from '../../src/sandbox/index.js';
import { type Engine, startEngine } from '../support/engine.js';
import { assertMoneyInvariants } from '../support/invariants.js';
import { payrollCsv, payrollRows } from '../support/payroll.js';
import type { PayoutTiming } from '../../src/workflows/types.js';

/**
 * Item 3 of the engine: the payout activity and the callback receiver both write the payout's row, and
 * whichever writes first, the activity ends once, with the result, without a lost wake-up. Each test forces
 * one order with the sandbox's timing.
 */
const TOTAL = 20;

async function payBatch(engine: Engine, batchId: string, phoneBase: number) {
  await engine.ingest(payrollCsv(payrollRows(TOTAL, { phone: (i) => `2547${phoneBase + i}` })), { batchId });
  const { handle } = await startBatch(engine.temporal.client, batchId, engine.settings);
  const summary = await handle.result();
  expect(summary).toMatchObject({ status: 'COMPLETED', counts: { succeeded: TOTAL, inFlight: 0, pending: 0, unresolved: 0 } });
  await assertMoneyInvariants(engine.db.pool, engine.sandbox, batchId);
  const requests = engine.sandbox.stats().requests;
  return {
    sends: Object.values(requests['mobileSend'] ?? {}).reduce((a, b) => a + b, 0),
    queries: Object.values(requests['mobileQuery'] ?? {}).reduce((a, b) => a + b, 0),
  };
}

/** How many of the batch's payouts went through each status event. */
async function eventCounts(engine: Engine, batchId: string): Promise<Record<string, number>> {
  const { rows } = await engine.db.pool.query<{ kind: string; n: number }>(
    `SELECT kind, count(*)::int AS n FROM events WHERE batch_id = $1 AND reference IS NOT NULL GROUP BY kind`,
    [batchId],
  );
  return Object.fromEntries(rows.map((r) => [r.kind, r.n]));
}

function withEngine(sandbox: SandboxOptionsInput, payout: Partial<PayoutTiming> = {}): () => Engine {
  let engine: Engine | undefined;
  beforeAll(async () => {
    engine = await startEngine({ sandbox, settings: { payout: { callbackWaitMs: 5000, pollInitialMs: 1000, pollMaxMs: 5000, settleDeadlineMs: 3_600_000, pesawayAttemptTimeoutMs: 10_000, ...payout } } });
  });
  afterAll(async () => engine?.stop());
  return () => engine!;
}

describe('race: the callback lands before the activity has recorded the acceptance', () => {
  // PesaWay settles at once and calls back, but holds its answer to the send for 600 ms.
  const engine = withEngine({ settleDelayMs: { min: 0, max: 5 }, faults: { acceptedReplyDelayMs: 600 } });

  it('the callback settles the payout; the send answer that follows ends the activity at once, with no query', async () => {
    const { sends, queries } = await payBatch(engine(), 'race-callback-first', 71_000_000);
    expect(sends).toBe(TOTAL);
    expect(queries).toBe(0);
    const events = await eventCounts(engine(), 'race-callback-first');
    // Settled straight from `submitting`: the acceptance came after the result, so it moved nothing.
    expect(events['payout.succeeded']).toBe(TOTAL);
    expect(events['payout.accepted'] ?? 0).toBe(0);
    // No token was stored yet when the callbacks landed: none completed an activity, each was simply applied.
    expect(engine().callbackStats.completed).toBe(0);
    expect(engine().callbackStats.applied).toBe(TOTAL);
  });
});

describe('race: the activity records the acceptance first, the callback follows', () => {
  const engine = withEngine({ settleDelayMs: { min: 300, max: 600 } });

  it('the callback completes the waiting activity by its task token', async () => {
    const { sends, queries } = await payBatch(engine(), 'race-accept-first', 72_000_000);
    expect(sends).toBe(TOTAL);
    expect(queries).toBe(0);
    const events = await eventCounts(engine(), 'race-accept-first');
    expect(events['payout.accepted']).toBe(TOTAL);
    expect(events['payout.succeeded']).toBe(TOTAL);
    expect(engine().callbackStats.completed).toBe(TOTAL);
  });
});

describe('race: the callback lands after the activity attempt timed out', () => {
  // Callbacks come 2–2.5 s after the send; each attempt waits 1 s, and the next one starts 4 s later,
  // so every callback finds its activity between attempts (its stored token no longer completes anything).
  const engine = withEngine({ settleDelayMs: { min: 2000, max: 2500 } }, { callbackWaitMs: 1000, pollInitialMs: 4000, pollMaxMs: 4000 });

  it('the next attempt finds the result recorded and returns it without sending or asking again', async () => {
    const { sends, queries } = await payBatch(engine(), 'race-after-timeout', 73_000_000);
    expect(sends).toBe(TOTAL);
    expect(queries).toBe(0);
    const events = await eventCounts(engine(), 'race-after-timeout');
    expect(events['payout.succeeded']).toBe(TOTAL);
    expect(engine().callbackStats.completed).toBe(0);
    expect(engine().callbackStats.applied).toBe(TOTAL);
  });
});
