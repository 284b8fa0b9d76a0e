import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getProgress, signalBatch, startBatch } from '../../src/client/batches.js';
import { type Engine, startEngine } from '../support/engine.js';
import { assertMoneyInvariants } from '../support/invariants.js';
import { payrollCsv, payrollRows } from '../support/payroll.js';
import { eventually } from '../support/waiting.js';
import { recordHistories } from '../support/replay-fixtures.js';
import { workflowIds } from '../../src/workflows/definitions.js';

// 50 payouts of KES 1,000; each costs 1,000 + 12 fee. The wallet covers 30 of them (60%).
const PER_PAYOUT = 1000_00 + 12_00;
const COVERED = 30;
const TOTAL = 50;

async function awaitingFundsWithShortfall(engine: Engine, batchId: string) {
  return eventually(async () => {
    const p = await getProgress(engine.temporal.client, batchId);
    // Settled: every payout either paid or parked, none still moving.
    const stable = p.status === 'AWAITING_FUNDS' && p.counts.succeeded === COVERED && p.counts.awaitingFunds + p.counts.pending === TOTAL - COVERED;
    return stable && p.shortfallMinor === (TOTAL - COVERED) * PER_PAYOUT ? p : undefined;
  }, `${batchId} AWAITING_FUNDS with the full shortfall`, 90_000, 500);
}

describe('scenario 2: the wallet runs out part-way (455.001)', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine({
      sandbox: { balanceMinor: COVERED * PER_PAYOUT, settleDelayMs: { min: 20, max: 100 } },
      settings: { windowSize: 10, pageSize: 10, fundsPollInitialMs: 60_000, fundsPollMaxMs: 60_000 },
    });
  });
  afterAll(async () => engine?.stop());

  it('pauses in AWAITING_FUNDS with the right shortfall; a top-up plus fundsAdded resumes it', async () => {
    const rows = payrollRows(TOTAL, { amount: () => 1000 });
    await engine.ingest(payrollCsv(rows), { batchId: 'funds-signal' });
    const { handle } = await startBatch(engine.temporal.client, 'funds-signal', engine.settings);

    const stuck = await awaitingFundsWithShortfall(engine, 'funds-signal');
    expect(stuck.availableMinor).toBe(0);
    expect(stuck.awaitingFundsSince).toEqual(expect.any(String));
    // Under `proceed` the pre-flight shortfall is only noted; the alert fires when the wallet really runs dry.
    const notes = await engine.db.pool.query<{ kind: string; detail: { shortfallMinor: number; availableMinor: number } }>(
      `SELECT kind, detail FROM events WHERE batch_id = $1 AND kind IN ('batch.funds_short', 'batch.awaiting_funds') ORDER BY id`,
      ['funds-signal'],
    );
    expect(notes.rows.map((r) => r.kind)).toEqual(['batch.funds_short', 'batch.awaiting_funds']);
    expect(notes.rows[0]!.detail).toMatchObject({ availableMinor: COVERED * PER_PAYOUT, shortfallMinor: (TOTAL - COVERED) * PER_PAYOUT });
    expect(notes.rows[1]!.detail.availableMinor).toBe(0);
    expect(notes.rows[1]!.detail.shortfallMinor).toBeGreaterThan(0);
    const ledgerBefore = engine.sandbox.ledger.report();
    expect(ledgerBefore.totals.accepted).toBe(COVERED);

    // The poll interval is a minute: only the signal can make it resume within this test's patience.
    engine.sandbox.topUp(stuck.shortfallMinor!);
    await signalBatch(engine.temporal.client, 'funds-signal', 'fundsAdded', 'treasury');
    const summary = await handle.result();
    expect(summary).toMatchObject({ status: 'COMPLETED', counts: { succeeded: TOTAL, failed: 0, unresolved: 0 } });
    await assertMoneyInvariants(engine.db.pool, engine.sandbox, 'funds-signal');
    // Parked payouts were resent with their ORIGINAL references: 50 references, each accepted once.
    const ledger = engine.sandbox.ledger.report();
    expect(ledger.entries.filter((e) => e.status === 'succeeded')).toHaveLength(TOTAL);
    expect(ledger.maxAcceptCount).toBe(1);
    expect(engine.sandbox.stats().requests['mobileSend']?.['455.001']).toBeGreaterThanOrEqual(1);
    await recordHistories(engine.temporal.client, 'funds', [workflowIds.batch('funds-signal'), workflowIds.shard('funds-signal', 1)]);
  });

  it('resumes on balance polling alone when nobody signals', async () => {
    const polling = await startEngine({
      sandbox: { balanceMinor: COVERED * PER_PAYOUT, settleDelayMs: { min: 20, max: 100 } },
      settings: { windowSize: 10, pageSize: 10, fundsPollInitialMs: 500, fundsPollMaxMs: 2000 },
    });
    try {
      const rows = payrollRows(TOTAL, { amount: () => 1000, phone: (i) => `2547${30_000_000 + i}` });
      await polling.ingest(payrollCsv(rows), { batchId: 'funds-poll' });
      const { handle } = await startBatch(polling.temporal.client, 'funds-poll', polling.settings);
      const stuck = await awaitingFundsWithShortfall(polling, 'funds-poll');
      polling.sandbox.topUp(stuck.shortfallMinor!);
      const summary = await handle.result();
      expect(summary).toMatchObject({ status: 'COMPLETED', counts: { succeeded: TOTAL } });
      await assertMoneyInvariants(polling.db.pool, polling.sandbox, 'funds-poll');
      expect(polling.sandbox.stats().requests['balance']?.['200.001']).toBeGreaterThanOrEqual(2);
    } finally {
      await polling.stop();
    }
  });
});
