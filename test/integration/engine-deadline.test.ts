import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../src/activities/index.js';
import { createLogger } from '../../src/common/log.js';
import { ingestPayroll } from '../../src/ingest/ingest.js';
import { PesaWayClient } from '../../src/pesaway/client.js';
import { resultsUrl } from '../../src/pesaway/results-url.js';
import { TEST_PHONES, startSandbox, type SandboxHandle } from '../../src/sandbox/index.js';
import type { payoutWorkflow } from '../../src/workflows/payout.js';
import { Readable } from 'node:stream';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { payrollCsv, payrollRows } from '../support/payroll.js';
import { uniqueTaskQueue } from '../support/temporal.js';
import { nextPendingPayouts } from '../../src/db/payouts.js';

const HOUR = 3_600_000;

describe('scenario 10: the settle deadline (24 h) on the time-skipping test server', () => {
  let env: TestWorkflowEnvironment;
  let db: TestDatabase;
  let sandbox: SandboxHandle;
  beforeAll(async () => {
    [env, db, sandbox] = await Promise.all([
      TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: inject('temporalTestServerPath') } } }),
      createTestDatabase(),
      startSandbox(),
    ]);
  });
  afterAll(async () => {
    await sandbox?.close();
    await db?.close();
    await env?.teardown();
  });

  it('a payout PesaWay never settles ends unresolved after 24 h, with its evidence, and is never resent', async () => {
    const rows = payrollRows(1, { phone: () => TEST_PHONES.neverSettles });
    await ingestPayroll(db.pool, Readable.from([Buffer.from(payrollCsv(rows))]), { batchId: 'deadline-10', policy: 'strict' });
    const [ticket] = await nextPendingPayouts(db.pool, 'deadline-10', 0, 1);
    const taskQueue = uniqueTaskQueue('deadline');
    const log = createLogger({ name: 'test', level: 'silent' });
    const client = new PesaWayClient({ baseUrl: sandbox.url, consumerKey: 'sandbox-key', consumerSecret: 'sandbox-secret', region: undefined, merchantCode: undefined, currency: 'KES', timeoutMs: 5000 });
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: { codePath: inject('workflowBundlePath') },
      activities: createActivities({ pool: db.pool, client, log, resultsUrl: (r) => resultsUrl('http://127.0.0.1:9', 'test-secret-0123456789', r) }),
    });
    const started = Date.now();
    const result = await worker.runUntil(
      env.client.workflow.execute<typeof payoutWorkflow>('payoutWorkflow', {
        taskQueue,
        workflowId: `payout/${ticket!.reference}`,
        args: [{
          batchId: 'deadline-10',
          batchWorkflowId: 'batch/deadline-10',
          ticket: ticket!,
          taskQueues: { batches: taskQueue, payouts: taskQueue, db: taskQueue, pesaway: taskQueue },
          timing: { callbackWaitMs: 60_000, pollInitialMs: 30_000, pollMaxMs: 30 * 60_000, settleDeadlineMs: 24 * HOUR, pesawayAttemptTimeoutMs: 30_000 },
          // The time-skipping test server cannot register custom search attributes.
          searchAttributes: false,
        }],
      }),
    );
    expect(result).toMatchObject({ status: 'unresolved', reference: ticket!.reference });
    expect(Date.now() - started).toBeLessThan(120_000); // a day of workflow time in real seconds

    const { rows: [row] } = await db.pool.query<{ status: string; transaction_id: string; evidence: Record<string, unknown> & { queries: number } }>(
      `SELECT status, transaction_id, evidence FROM payouts WHERE reference = $1`,
      [ticket!.reference],
    );
    expect(row).toMatchObject({ status: 'unresolved', transaction_id: expect.stringMatching(/^PHY/) });
    expect(row!.evidence).toMatchObject({ reason: 'no final answer before the settle deadline', lastQuery: 'pending', maskedDestination: '2547*****999' });
    expect(row!.evidence.queries).toBeGreaterThan(40); // 24 h of polling with backoff capped at 30 min
    const ledger = sandbox.ledger.report();
    expect(ledger.entries).toHaveLength(1);
    expect(ledger.entries[0]).toMatchObject({ acceptCount: 1, duplicateAttempts: 0, status: 'pending' });
  });
});
