import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getProgress, startBatch } from '../../src/client/batches.js';
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
    engine = await startEngine({ workers: 'none', sandbox: { settleDelayMs: { min: 100, max: 600 }, faults: { latencyMs: { min: 20, max: 80 } } } });
  });
  afterAll(async () => engine?.stop());

  it('completes after restarts and pays nothing twice', async () => {
    const total = 150;
    await engine.ingest(payrollCsv(payrollRows(total, { phone: (i) => `2547${70_000_000 + i}` })), { batchId: 'crash-3' });
    const { handle } = await startBatch(engine.temporal.client, 'crash-3', engine.settings);
    const succeeded = async (): Promise<number> => (await getProgress(engine.temporal.client, 'crash-3').catch(() => undefined))?.counts.succeeded ?? 0;

    let worker = engine.spawnWorkerProcess();
    await eventually(async () => ((await succeeded()) >= 20 ? true : undefined), '20 payouts before the first kill', 90_000);
    await kill(worker);
    const atFirstKill = await succeeded();

    worker = engine.spawnWorkerProcess();
    await eventually(async () => ((await succeeded()) >= atFirstKill + 30 ? true : undefined), '30 more payouts before the second kill', 120_000);
    await kill(worker);

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
