import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getProgress, signalBatch, startBatch } from '../../src/client/batches.js';
import { type Engine, startEngine } from '../support/engine.js';
import { assertMoneyInvariants, payoutRecords } from '../support/invariants.js';
import { payrollCsv, payrollRows } from '../support/payroll.js';
import { eventually } from '../support/waiting.js';

describe('scenario 7: operators steer a batch', () => {
  let engine: Engine;
  beforeAll(async () => {
    // Slow settlement so a batch is still mid-way when the operator acts.
    engine = await startEngine({ sandbox: { settleDelayMs: { min: 400, max: 800 } }, settings: { windowSize: 5, pageSize: 5 } });
  });
  afterAll(async () => engine?.stop());

  it('pause stops new payouts; resume continues; the batch completes', async () => {
    await engine.ingest(payrollCsv(payrollRows(30, { phone: (i) => `2547${50_000_000 + i}` })), { batchId: 'pause-7' });
    const { handle } = await startBatch(engine.temporal.client, 'pause-7', engine.settings);
    await eventually(async () => ((await getProgress(engine.temporal.client, 'pause-7')).counts.succeeded >= 3 ? true : undefined), 'first payouts');
    await signalBatch(engine.temporal.client, 'pause-7', 'pause', 'ops');
    const paused = await eventually(async () => {
      const p = await getProgress(engine.temporal.client, 'pause-7');
      return p.status === 'PAUSED' && p.counts.inFlight === 0 ? p : undefined;
    }, 'PAUSED with nothing in flight');
    const acceptedWhilePaused = engine.sandbox.ledger.report().totals.accepted;
    await new Promise((r) => setTimeout(r, 1500));
    expect(engine.sandbox.ledger.report().totals.accepted).toBe(acceptedWhilePaused);
    expect(paused.counts.pending).toBeGreaterThan(0);
    const status = await engine.db.pool.query(`SELECT status FROM batches WHERE id = 'pause-7'`);
    expect(status.rows[0]).toEqual({ status: 'PAUSED' });

    await signalBatch(engine.temporal.client, 'pause-7', 'resume', 'ops');
    expect(await handle.result()).toMatchObject({ status: 'COMPLETED', counts: { succeeded: 30 } });
    await assertMoneyInvariants(engine.db.pool, engine.sandbox, 'pause-7');
  });

  it('cancel stops new submissions; accepted payouts settle normally; unsent ones end cancelled', async () => {
    await engine.ingest(payrollCsv(payrollRows(40, { phone: (i) => `2547${51_000_000 + i}` })), { batchId: 'cancel-7' });
    const { handle } = await startBatch(engine.temporal.client, 'cancel-7', engine.settings);
    await eventually(async () => ((await getProgress(engine.temporal.client, 'cancel-7')).counts.succeeded >= 5 ? true : undefined), 'some payouts');
    await signalBatch(engine.temporal.client, 'cancel-7', 'cancel', 'ops');
    const summary = await handle.result();
    expect(summary.status).toBe('CANCELLED');
    const records = await payoutRecords(engine.db.pool, 'cancel-7');
    const by = (s: string) => records.filter((r) => r.status === s).length;
    expect(by('succeeded') + by('cancelled')).toBe(40);
    expect(by('cancelled')).toBeGreaterThan(0);
    // Everything PesaWay accepted was paid; nothing cancelled was ever sent.
    const ledger = engine.sandbox.ledger.report();
    const mine = ledger.entries.filter((e) => records.some((r) => r.reference === e.reference));
    expect(mine).toHaveLength(by('succeeded'));
    expect(summary.counts).toMatchObject({ succeeded: by('succeeded'), cancelled: by('cancelled'), pending: 0, inFlight: 0 });
    await assertMoneyInvariants(engine.db.pool, engine.sandbox, 'cancel-7');
  });

  it('resubmitting the same file returns the same batch', async () => {
    const csv = payrollCsv(payrollRows(5, { phone: (i) => `2547${52_000_000 + i}` }));
    const first = await engine.ingest(csv);
    expect(first.kind).toBe('created');
    const again = await engine.ingest(csv);
    expect(again.kind).toBe('existing');
    const batchId = first.kind === 'created' ? first.batch.id : '';
    expect(again.kind === 'existing' && again.batch.id).toBe(batchId);
    const a = await startBatch(engine.temporal.client, batchId, engine.settings);
    const b = await startBatch(engine.temporal.client, batchId, engine.settings);
    expect([a.started, b.started]).toEqual([true, false]);
    expect(b.handle.workflowId).toBe(a.handle.workflowId);
    await a.handle.result();
    const records = await payoutRecords(engine.db.pool, batchId);
    expect(records.map((r) => r.status)).toEqual(Array(5).fill('succeeded'));
    const refs = new Set(records.map((r) => r.reference));
    expect(engine.sandbox.ledger.report().entries.filter((e) => refs.has(e.reference))).toHaveLength(5);
  });
});
