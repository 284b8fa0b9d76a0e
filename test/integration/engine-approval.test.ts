/**
 * An approval signalled before the batch workflow ever ran (its worker was down, or slow to pick it up):
 * the handler takes the buffered signal when it is set, so the batch is approved from its first task. The
 * approval must still be recorded in PostgreSQL (who approved, when), as when it arrives while waiting.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signalBatch, startBatch } from '../../src/client/batches.js';
import type { BatchSummary } from '../../src/workflows/types.js';
import { type Engine, startEngine } from '../support/engine.js';
import { payrollCsv, payrollRows } from '../support/payroll.js';

describe('approval signalled before the workflow ran', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine({ workers: 'none' });
  });
  afterAll(async () => engine?.stop());

  it('is recorded in PostgreSQL, and the batch pays', async () => {
    await engine.ingest(payrollCsv(payrollRows(3, { phone: (i) => `2547${96_000_000 + i}` })), { batchId: 'early-approval', approvalRequired: true, submittedBy: 'alice' });
    const { handle } = await startBatch(engine.temporal.client, 'early-approval', engine.settings);
    await signalBatch(engine.temporal.client, 'early-approval', 'approve', 'bob');
    await engine.startWorkers();
    const summary: BatchSummary = await handle.result();
    expect(summary).toMatchObject({ status: 'COMPLETED', counts: { succeeded: 3 } });
    const { rows } = await engine.db.pool.query(`SELECT approved_by, approved_at IS NOT NULL AS at FROM batches WHERE id = 'early-approval'`);
    expect(rows[0]).toEqual({ approved_by: 'bob', at: true });
    const events = await engine.db.pool.query(`SELECT actor FROM events WHERE batch_id = 'early-approval' AND kind = 'batch.approved'`);
    expect(events.rows).toEqual([{ actor: 'bob' }]);
  });
});
