import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getProgress, signalBatch, startBatch } from '../../src/client/batches.js';
import { createLogger } from '../../src/common/log.js';
import { startPesaWayWatch } from '../../src/worker/pesaway-watch.js';
import { type Engine, startEngine } from '../support/engine.js';
import { assertMoneyInvariants } from '../support/invariants.js';
import { payrollCsv, payrollRows } from '../support/payroll.js';
import { recordHistories } from '../support/replay-fixtures.js';
import { eventually } from '../support/waiting.js';
import { pesawayReachabilitySignal, workflowIds } from '../../src/workflows/definitions.js';

const TOTAL = 40;

async function eventKinds(engine: Engine, batchId: string): Promise<string[]> {
  const { rows } = await engine.db.pool.query<{ kind: string }>(`SELECT kind FROM events WHERE batch_id = $1 AND kind LIKE 'batch.pesaway_%' ORDER BY id`, [batchId]);
  return rows.map((r) => r.kind);
}

/**
 * PesaWay unreachable for a while (issue 15, item 2): the batch says it waits on PesaWay (progress, Web UI
 * details), raises its alert after its timer, and resumes by itself when PesaWay answers; every payout is
 * paid once under the one reference it was minted with.
 */
describe('PesaWay unreachable mid-batch', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine({
      sandbox: { settleDelayMs: { min: 20, max: 100 } },
      settings: { windowSize: 10, pageSize: 10, pesawayAlertAfterMs: 4000 },
      pesawayUnreachableAfterMs: 1500,
      ratePerSecond: 20,
    });
  });
  afterAll(async () => engine?.stop());

  it('shows the batch waiting on PesaWay, alerts once, resumes by itself, and pays each row once under its first reference', async () => {
    const batchId = 'outage-refuse';
    await engine.ingest(payrollCsv(payrollRows(TOTAL, { amount: () => 500 })), { batchId });
    const { handle } = await startBatch(engine.temporal.client, batchId, engine.settings);
    // Some payouts paid, the rest still to go, when PesaWay stops answering.
    await eventually(async () => ((await getProgress(engine.temporal.client, batchId)).counts.succeeded >= 5 ? true : undefined), 'first payouts paid', 30_000, 200);
    engine.sandbox.outage('refuse');
    const outageStarted = Date.now();
    const ledgerAtOutage = engine.sandbox.ledger.report().entries.length;

    const waiting = await eventually(async () => (await getProgress(engine.temporal.client, batchId)).waitingOnPesaway, 'the batch to show it waits on PesaWay', 20_000, 250);
    expect(waiting.lastError).toMatch(/connection|timeout|server-error/);
    expect(Date.parse(waiting.since)).toBeLessThanOrEqual(Date.now());
    const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    expect(metadata.currentDetails).toContain('**Waiting on PesaWay**');
    const paidDuring = (await getProgress(engine.temporal.client, batchId)).counts.succeeded;
    expect(paidDuring).toBeLessThan(TOTAL);

    // The alert comes after its timer (4 s from the outage's start), once.
    await eventually(async () => ((await eventKinds(engine, batchId)).includes('batch.pesaway_unreachable') ? true : undefined), 'the PesaWay alert', 20_000, 250);
    expect((await getProgress(engine.temporal.client, batchId)).waitingOnPesaway?.alertedAt).toEqual(expect.any(String));
    expect(Date.now() - outageStarted).toBeGreaterThanOrEqual(2500);
    const sendsRefused = engine.sandbox.stats().faults['outageRefused'] ?? 0;
    expect(sendsRefused).toBeGreaterThan(0);
    // Nothing reached PesaWay meanwhile.
    expect(engine.sandbox.ledger.report().entries.length).toBe(ledgerAtOutage);

    engine.sandbox.outage('none');
    const summary = await handle.result();
    expect(summary).toMatchObject({ status: 'COMPLETED', counts: { succeeded: TOTAL, failed: 0, unresolved: 0 } });
    expect(await eventKinds(engine, batchId)).toEqual(['batch.pesaway_unreachable', 'batch.pesaway_reachable']);
    const records = await assertMoneyInvariants(engine.db.pool, engine.sandbox, batchId);
    // No reference minted anew: one attempt per row, each accepted once by the ledger.
    expect(records).toHaveLength(TOTAL);
    expect(records.every((r) => r.attempt === 1)).toBe(true);
    const ledger = engine.sandbox.ledger.report();
    expect(ledger.entries).toHaveLength(TOTAL);
    expect(new Set(ledger.entries.map((e) => e.reference))).toEqual(new Set(records.map((r) => r.reference)));
    // The outage's signals, alert timer and activities, kept for the replay test (npm run test:record-histories).
    await recordHistories(engine.temporal.client, 'outage', [workflowIds.batch(batchId)]);
  }, 120_000);

  it('a worker that sees PesaWay answer clears an outage a worker that died meanwhile left behind', async () => {
    const batchId = 'outage-stale';
    await engine.ingest(payrollCsv(payrollRows(3, { amount: () => 100 })), { batchId });
    const { handle } = await startBatch(engine.temporal.client, batchId, engine.settings);
    await signalBatch(engine.temporal.client, batchId, 'pause', 'ops');
    await eventually(async () => ((await getProgress(engine.temporal.client, batchId)).status === 'PAUSED' ? true : undefined), 'the batch paused', 20_000, 200);
    // What a worker killed mid-outage leaves: the batch told PesaWay is away, and nobody left to say it is back.
    await handle.signal(pesawayReachabilitySignal, { unreachableSince: new Date(Date.now() - 60_000).toISOString(), lastError: 'send: connection (ECONNREFUSED)' });
    await eventually(async () => (await getProgress(engine.temporal.client, batchId)).waitingOnPesaway, 'the stale outage shown', 10_000, 200);

    const watch = startPesaWayWatch({ pool: engine.db.pool, temporal: engine.temporal.client, log: createLogger({ name: 'watch', level: 'silent' }), unreachableAfterMs: 60_000 });
    try {
      watch.observe(true, '');
      await eventually(async () => ((await getProgress(engine.temporal.client, batchId)).waitingOnPesaway === undefined ? true : undefined), 'the outage cleared', 10_000, 200);
    } finally {
      watch.stop();
    }
    await signalBatch(engine.temporal.client, batchId, 'resume', 'ops');
    expect(await handle.result()).toMatchObject({ status: 'COMPLETED', counts: { succeeded: 3 } });
  }, 60_000);
});
