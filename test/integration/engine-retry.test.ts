import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retryFailed, startBatch } from '../../src/client/batches.js';
import { payoutReference } from '../../src/domain/reference.js';
import { TEST_PHONES } from '../../src/sandbox/index.js';
import { workflowIds } from '../../src/workflows/definitions.js';
import type { BatchSummary } from '../../src/workflows/types.js';
import { type Engine, startEngine } from '../support/engine.js';
import { assertMoneyInvariants, payoutRecords } from '../support/invariants.js';
import { payrollCsv, payrollRows } from '../support/payroll.js';
import { recordHistories } from '../support/replay-fixtures.js';

describe('scenario 6: settlement failures, then retry of the failed rows only', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine();
  });
  afterAll(async () => engine?.stop());

  it('marks non-zero ResultCodes failed with the reason, and retryFailed pays only those with attempt-2 references', async () => {
    // Rows 3, 7 and 11 go to numbers the sandbox always fails.
    const failing = new Map([[2, TEST_PHONES.unregistered], [6, TEST_PHONES.limitDeclined], [10, TEST_PHONES.unregistered]]);
    const rows = payrollRows(20, { phone: (i) => failing.get(i) ?? `2547${40_000_000 + i}` });
    await engine.ingest(payrollCsv(rows), { batchId: 'retry-6', acknowledgeWarnings: true });
    const { handle } = await startBatch(engine.temporal.client, 'retry-6', engine.settings);
    const first: BatchSummary = await handle.result();
    expect(first).toMatchObject({ status: 'COMPLETED', counts: { succeeded: 17, failed: 3 } });

    const failed = (await payoutRecords(engine.db.pool, 'retry-6')).filter((r) => r.status === 'failed');
    expect(failed.map((r) => r.rowNo)).toEqual([3, 7, 11]);
    const reasons = await engine.db.pool.query<{ row_no: number; result_code: number; failure_reason: string }>(
      `SELECT row_no, result_code, failure_reason FROM payouts WHERE batch_id = 'retry-6' AND status = 'failed' ORDER BY row_no`,
    );
    expect(reasons.rows).toEqual([
      { row_no: 3, result_code: 2040, failure_reason: expect.stringMatching(/Credit Party customer type/) },
      { row_no: 7, result_code: 2, failure_reason: 'Declined due to limit rule.' },
      { row_no: 11, result_code: 2040, failure_reason: expect.stringMatching(/Credit Party customer type/) },
    ]);

    // The failed numbers still fail on retry, but the point is WHICH references get sent.
    const sentBefore = engine.sandbox.ledger.report().entries.length;
    await retryFailed(engine.temporal.client, 'retry-6', engine.settings, 'ops-lead');
    const second: BatchSummary = await engine.temporal.client.workflow.getHandle(workflowIds.batch('retry-6')).result();
    expect(second).toMatchObject({ status: 'COMPLETED', counts: { succeeded: 17, failed: 3 } });

    const ledger = engine.sandbox.ledger.report();
    const newEntries = ledger.entries.slice(sentBefore);
    expect(newEntries.map((e) => e.reference).sort()).toEqual([3, 7, 11].map((row) => payoutReference('retry-6', row, 2)).sort());
    const records = await payoutRecords(engine.db.pool, 'retry-6');
    expect(records.filter((r) => r.attempt === 2).map((r) => r.rowNo)).toEqual([3, 7, 11]);
    expect(records.filter((r) => r.attempt === 1 && r.rowNo === 3)[0]).toMatchObject({ isCurrent: false, status: 'failed' });
    await assertMoneyInvariants(engine.db.pool, engine.sandbox, 'retry-6');
    await recordHistories(engine.temporal.client, 'retry', [
      workflowIds.batch('retry-6'),
      workflowIds.shard('retry-6', 1),
    ]);
  });
});
