import { afterEach, describe, expect, it } from 'vitest';
import { startBatch } from '../../src/client/batches.js';
import { type Engine, type EngineOptions, startEngine } from '../support/engine.js';
import { assertForwardOnly } from '../support/history-checks.js';
import { assertMoneyInvariants } from '../support/invariants.js';
import { payrollCsv, payrollRows } from '../support/payroll.js';

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.stop();
  engine = undefined;
});

async function runBatch(options: EngineOptions, batchId: string, count: number, phoneBase: number) {
  engine = await startEngine(options);
  await engine.ingest(payrollCsv(payrollRows(count, { phone: (i) => `2547${phoneBase + i}` })), { batchId });
  const { handle } = await startBatch(engine.temporal.client, batchId, engine.settings);
  return { engine, summary: await handle.result() };
}

describe('scenarios 4 and 5: PesaWay and the network misbehave', () => {
  it('lost responses and 5xx: settled through 403.002 and queries, each reference accepted once', async () => {
    const { engine: e, summary } = await runBatch(
      // Settlement slower than the activity's first retry (1 s), so resends meet 403.002 before any callback.
      { sandbox: { seed: 4, settleDelayMs: { min: 2000, max: 3000 }, faults: { serverErrorRate: 0.15, lostResponseRate: 0.2 } } },
      'faults-4',
      60,
      60_000_000,
    );
    expect(summary).toMatchObject({ status: 'COMPLETED', counts: { succeeded: 60, failed: 0, unresolved: 0 } });
    const stats = e.sandbox.stats();
    expect(stats.faults.lostResponses).toBeGreaterThan(0);
    expect(stats.faults.serverErrors).toBeGreaterThan(0);
    // A lost response means the payment was made: a resend gets 403.002 (or finds the callback already
    // recorded it and sends nothing); never a second payment.
    expect(stats.requests['mobileSend']?.['403.002'] ?? 0).toBeLessThanOrEqual(stats.faults.lostResponses);
    expect(stats.requests['mobileSend']?.['403.002']).toBeGreaterThan(0);
    expect((stats.requests['mobileSend']?.['200.001'] ?? 0) + stats.faults.lostResponses).toBe(60);
    expect(e.sandbox.ledger.report()).toMatchObject({ maxAcceptCount: 1, totals: { accepted: 60, succeeded: 60 } });
    await assertMoneyInvariants(e.db.pool, e.sandbox, 'faults-4');
    await assertForwardOnly(e.db.pool, 'faults-4');
  });

  it('dropped callbacks are settled by polling; duplicated and reordered ones move nothing backwards', async () => {
    const { engine: e, summary } = await runBatch(
      {
        sandbox: { seed: 5, faults: { callbackDropRate: 0.3, callbackDuplicateRate: 0.3, callbackReorderRate: 0.3, reorderDelayMs: 1500 } },
        settings: { payout: { callbackWaitMs: 1500, pollInitialMs: 500, pollMaxMs: 2000 } },
      },
      'faults-5',
      60,
      61_000_000,
    );
    expect(summary).toMatchObject({ status: 'COMPLETED', counts: { succeeded: 60, unresolved: 0 } });
    const stats = e.sandbox.stats();
    expect(stats.faults.callbacksDropped).toBeGreaterThan(5);
    expect(stats.faults.callbacksDuplicated).toBeGreaterThan(5);
    expect(stats.faults.callbacksReordered).toBeGreaterThan(5);
    const queries = Object.values(stats.requests['mobileQuery'] ?? {}).reduce((a, b) => a + b, 0);
    expect(queries).toBeGreaterThanOrEqual(stats.faults.callbacksDropped);
    // Every callback that arrived was stored, duplicates included.
    const stored = await e.db.pool.query<{ outcome: string; n: number }>(`SELECT outcome, count(*)::int AS n FROM callbacks GROUP BY outcome`);
    const total = stored.rows.reduce((s, r) => s + r.n, 0);
    expect(total).toBe(e.callbackStats.received);
    expect(total).toBeGreaterThan(60 - stats.faults.callbacksDropped);
    await assertMoneyInvariants(e.db.pool, e.sandbox, 'faults-5');
    expect(await assertForwardOnly(e.db.pool, 'faults-5')).toBeGreaterThanOrEqual(60 * 3);
  });
});
