import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getProgress, startBatch } from '../../src/client/batches.js';
import type { BatchSummary } from '../../src/workflows/types.js';
import { type Engine, startEngine } from '../support/engine.js';
import { assertMoneyInvariants } from '../support/invariants.js';
import { payrollCsv, payrollRows, sumMinor } from '../support/payroll.js';
import { recordHistories } from '../support/replay-fixtures.js';
import { workflowIds } from '../../src/workflows/definitions.js';
import { batchHistoryCost } from '../../src/temporal/history-cost.js';

describe('scenario 1: a 200-payout batch, happy path', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine({ sandbox: { settleDelayMs: { min: 50, max: 400 } } });
  });
  afterAll(async () => engine?.stop());

  it('pays every row once; ledger, database and report agree row by row', async () => {
    const rows = payrollRows(200);
    const ingested = await engine.ingest(payrollCsv(rows), { batchId: 'happy-200' });
    expect(ingested.kind).toBe('created');

    const { handle, started } = await startBatch(engine.temporal.client, 'happy-200', engine.settings);
    expect(started).toBe(true);
    const summary: BatchSummary = await handle.result();
    expect(summary).toMatchObject({
      status: 'COMPLETED',
      counts: { succeeded: 200, failed: 0, pending: 0, inFlight: 0, unresolved: 0 },
      amounts: { totalMinor: sumMinor(rows), succeededMinor: sumMinor(rows) },
    });
    const records = await assertMoneyInvariants(engine.db.pool, engine.sandbox, 'happy-200');
    expect(records.filter((r) => r.status === 'succeeded')).toHaveLength(200);

    // Calls per payout: one send each, queries only when a callback is late.
    const stats = engine.sandbox.stats().requests;
    const sends = stats['mobileSend']?.['200.001'] ?? 0;
    const queries = Object.values(stats['mobileQuery'] ?? {}).reduce((a, b) => a + b, 0);
    expect(sends).toBe(200);
    expect(queries / 200).toBeLessThanOrEqual(0.2);
    expect(engine.callbackStats.completed).toBeGreaterThanOrEqual(180);
    process.stderr.write(`scenario 1: sends/payout=${sends / 200} queries/payout=${queries / 200} callbacks=${JSON.stringify(engine.callbackStats)}\n`);

    const batch = await engine.db.pool.query('SELECT status, finished_at FROM batches WHERE id = $1', ['happy-200']);
    expect(batch.rows[0]).toMatchObject({ status: 'COMPLETED', finished_at: expect.any(Date) });
    // What it cost in Temporal, from the fetched histories of the batch and its shards.
    const cost = await batchHistoryCost(engine.temporal.client, 'happy-200');
    process.stderr.write(`scenario 1: ${JSON.stringify(cost)} events/payout=${cost.events / 200} actions/payout=${cost.actions / 200}\n`);
    expect(cost.shardRuns).toBeGreaterThanOrEqual(1);
    // A small batch pays its four shards' fixed cost over 50 payouts each; the 5,000-payout scenario holds it to 5.
    expect(cost.events / 200).toBeLessThanOrEqual(6);
    expect(cost.actions / 200).toBeLessThanOrEqual(1.5);
    await recordHistories(engine.temporal.client, 'happy', [workflowIds.batch('happy-200'), workflowIds.shard('happy-200', 1)]);
  });

  it('returns the existing run when the same batch is started again', async () => {
    const again = await startBatch(engine.temporal.client, 'happy-200', engine.settings);
    expect(again.started).toBe(false);
    expect((await again.handle.result()).status).toBe('COMPLETED');
    expect(engine.sandbox.ledger.report().totals.accepted).toBe(200);
  });

  it('answers the progress query while running', async () => {
    const rows = payrollRows(30, { phone: (i) => `2547${String(20_000_000 + i)}` });
    await engine.ingest(payrollCsv(rows), { batchId: 'progress-30' });
    const { handle } = await startBatch(engine.temporal.client, 'progress-30', engine.settings);
    let seen = false;
    for (let i = 0; i < 50 && !seen; i++) {
      const p = await getProgress(engine.temporal.client, 'progress-30').catch(() => undefined);
      if (p) {
        expect(p.batchId).toBe('progress-30');
        expect(p.amounts.totalMinor).toBe(sumMinor(rows));
        seen = true;
      }
    }
    expect(seen).toBe(true);
    await handle.result();
  });
});
