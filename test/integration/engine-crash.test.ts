import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBatch } from '../../src/client/batches.js';
import { type Engine, startEngine } from '../support/engine.js';
import { assertForwardOnly } from '../support/history-checks.js';
import { assertMoneyInvariants } from '../support/invariants.js';
import { payrollCsv, payrollRows } from '../support/payroll.js';
import { eventually } from '../support/waiting.js';

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('scenario 3: the worker process is SIGKILLed twice mid-batch', () => {
  let engine: Engine;
  beforeAll(async () => {
    // 40 sends a second over 400 rows: about ten seconds of sending, so both kills land mid-batch.
    engine = await startEngine({ workers: 'none', ratePerSecond: 40, sandbox: { settleDelayMs: { min: 100, max: 600 }, faults: { latencyMs: { min: 20, max: 80 } } } });
  });
  afterAll(async () => engine?.stop());

  it('completes after restarts and pays nothing twice', async () => {
    const total = 400;
    await engine.ingest(payrollCsv(payrollRows(total, { phone: (i) => `2547${70_000_000 + i}` })), { batchId: 'crash-3' });
    const { handle } = await startBatch(engine.temporal.client, 'crash-3', engine.settings);
    // Counted in PostgreSQL: a progress query would wait for a worker while none runs.
    const succeeded = async (): Promise<number> => {
      const { rows } = await engine.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM payouts WHERE batch_id = 'crash-3' AND is_current AND status = 'succeeded'`);
      return rows[0]?.n ?? 0;
    };

    let worker = engine.spawnWorkerProcess();
    await eventually(async () => ((await succeeded()) >= 60 ? true : undefined), '60 payouts before the first kill', 90_000);
    await kill(worker);
    const atFirstKill = await succeeded();
    expect(atFirstKill).toBeLessThan(total);

    worker = engine.spawnWorkerProcess();
    await eventually(async () => ((await succeeded()) >= atFirstKill + 100 ? true : undefined), '100 more payouts before the second kill', 120_000);
    await kill(worker);
    expect(await succeeded()).toBeLessThan(total);

    worker = engine.spawnWorkerProcess();
    const summary = await handle.result();
    await kill(worker);

    expect(summary).toMatchObject({ status: 'COMPLETED', counts: { succeeded: total, failed: 0, unresolved: 0, pending: 0 } });
    const ledger = engine.sandbox.ledger.report();
    expect(ledger).toMatchObject({ maxAcceptCount: 1, totals: { accepted: total, succeeded: total } });
    await assertMoneyInvariants(engine.db.pool, engine.sandbox, 'crash-3');
    await assertForwardOnly(engine.db.pool, 'crash-3');
  });
});
