import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBatch } from '../../src/client/batches.js';
import { batchHistoryCost } from '../../src/temporal/history-cost.js';
import { type Engine, startEngine } from '../support/engine.js';
import { assertMoneyInvariants } from '../support/invariants.js';
import { payrollCsv, payrollRows } from '../support/payroll.js';

const TOTAL = 5000;

describe('scenario 8: a 5,000-payout batch: shards and the batch continue as new before their histories grow large', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine({
      sandbox: { settleDelayMs: { min: 0, max: 50 }, balanceMinor: 100_000_000_00 },
      // 4 shards of 1,250 rows, each handing over every 300 starts; the batch every ~150 events, so its own
      // continue-as-new (with shards running, reporting to the new run) happens several times too.
      settings: { windowSize: 100, pageSize: 100, maxStartsPerRun: 300, batchRunMaxEvents: 150 },
      ratePerSecond: 1000,
    });
  });
  afterAll(async () => engine?.stop());

  it('pays all 5,000 once, and every workflow run stays under 10,000 history events', async () => {
    await engine.ingest(payrollCsv(payrollRows(TOTAL, { phone: (i) => `2547${80_000_000 + i}` })), { batchId: 'scale-8' });
    const started = Date.now();
    const { handle } = await startBatch(engine.temporal.client, 'scale-8', engine.settings);
    const summary = await handle.result();
    const wallMs = Date.now() - started;
    expect(summary).toMatchObject({ status: 'COMPLETED', counts: { succeeded: TOTAL, pending: 0, inFlight: 0 } });

    const cost = await batchHistoryCost(engine.temporal.client, 'scale-8');
    expect(cost.shardRuns).toBeGreaterThanOrEqual(4 * Math.ceil(1250 / 300));
    expect(cost.batchRuns).toBeGreaterThanOrEqual(2);
    expect(cost.maxRunEvents).toBeLessThan(10_000);
    // The cost of the shape, on the happy path: at most 5 history events and 1.5 billable actions a payout.
    expect(cost.events / TOTAL).toBeLessThanOrEqual(5);
    expect(cost.actions / TOTAL).toBeLessThanOrEqual(1.5);
    const ledger = engine.sandbox.ledger.report();
    expect(ledger).toMatchObject({ maxAcceptCount: 1, totals: { accepted: TOTAL, succeeded: TOTAL } });
    await assertMoneyInvariants(engine.db.pool, engine.sandbox, 'scale-8');
    process.stderr.write(
      `scenario 8: ${TOTAL} payouts in ${(wallMs / 1000).toFixed(1)} s (${(TOTAL / (wallMs / 1000)).toFixed(1)}/s); ${cost.batchRuns} batch runs, ${cost.shardRuns} shard runs; ` +
        `largest run ${cost.maxRunEvents} events; ${(cost.events / TOTAL).toFixed(2)} events and ${(cost.actions / TOTAL).toFixed(2)} actions per payout\n`,
    );
  }, 600_000);
});
