import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBatch } from '../../src/client/batches.js';
import { workflowIds } from '../../src/workflows/definitions.js';
import { type Engine, startEngine } from '../support/engine.js';
import { assertMoneyInvariants } from '../support/invariants.js';
import { payrollCsv, payrollRows } from '../support/payroll.js';

const TOTAL = 5000;

describe('scenario 8: a 5,000-payout batch continues as new before its history grows large', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine({
      sandbox: { settleDelayMs: { min: 0, max: 50 }, balanceMinor: 100_000_000_00 },
      settings: { windowSize: 200, pageSize: 100, maxStartsPerRun: 500 },
      ratePerSecond: 1000,
    });
  });
  afterAll(async () => engine?.stop());

  it('pays all 5,000, and every run of the batch workflow stays under 10,000 history events', async () => {
    await engine.ingest(payrollCsv(payrollRows(TOTAL, { phone: (i) => `2547${80_000_000 + i}` })), { batchId: 'scale-8' });
    const started = Date.now();
    const { handle } = await startBatch(engine.temporal.client, 'scale-8', engine.settings);
    const summary = await handle.result();
    const wallMs = Date.now() - started;
    expect(summary).toMatchObject({ status: 'COMPLETED', counts: { succeeded: TOTAL, pending: 0, inFlight: 0 } });

    const runs: Array<{ runId: string; events: number }> = [];
    for await (const run of engine.temporal.client.workflow.list({ query: `WorkflowId = '${workflowIds.batch('scale-8')}'` })) {
      const history = await engine.temporal.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
      runs.push({ runId: run.runId, events: history.events?.length ?? 0 });
    }
    const events = runs.map((r) => r.events);
    expect(runs.length).toBeGreaterThanOrEqual(TOTAL / 500);
    expect(Math.max(...events)).toBeLessThan(10_000);
    const ledger = engine.sandbox.ledger.report();
    expect(ledger).toMatchObject({ maxAcceptCount: 1, totals: { accepted: TOTAL, succeeded: TOTAL } });
    await assertMoneyInvariants(engine.db.pool, engine.sandbox, 'scale-8');
    process.stderr.write(`scenario 8: ${TOTAL} payouts in ${(wallMs / 1000).toFixed(1)} s (${(TOTAL / (wallMs / 1000)).toFixed(1)}/s); ${runs.length} runs; history events per run max ${Math.max(...events)}, median ${events.sort((a, b) => a - b)[Math.floor(events.length / 2)]}\n`);
  }, 1_800_000);
});
