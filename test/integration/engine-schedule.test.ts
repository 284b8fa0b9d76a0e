/**
 * Issue 13: pay at a date and time. A batch submitted with `payAt` waits SCHEDULED (nothing sent) on a
 * durable timer, can be approved, rejected or cancelled meanwhile, and pays at its time. All real: the API
 * over HTTP, Temporal, PostgreSQL and the PesaWay sandbox (whose ledger shows what was sent, and when).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import { getProgress } from '../../src/client/batches.js';
import { BatchStatusKey } from '../../src/temporal/search-attributes.js';
import { workflowIds } from '../../src/workflows/definitions.js';
import type { BatchSummary } from '../../src/workflows/types.js';
import { API_KEYS, type Engine, startEngine } from '../support/engine.js';
import { csvUpload, http } from '../support/http.js';
import { assertMoneyInvariants } from '../support/invariants.js';
import { payrollCsv, payrollRows } from '../support/payroll.js';
import { recordHistories } from '../support/replay-fixtures.js';
import { eventually } from '../support/waiting.js';

/** How far ahead the batches are scheduled: long enough to act on them, short enough for a test. */
const AHEAD_MS = 8_000;

interface BatchBody {
  id: string;
  status: string;
  payAt: string | null;
  approvedBy: string | null;
  rejection: { by: string; at: string; reason: string } | null;
  progress?: { status: string; payAt: string | null; source: string };
}

describe('scheduled batches: pay at a date and time', () => {
  let engine: Engine;
  let api: string;
  beforeAll(async () => {
    // Settlement slow enough that a batch is RUNNING for a moment (to meet the 409 of a reject then).
    engine = await startEngine({ sandbox: { settleDelayMs: { min: 1000, max: 1500 } } });
    api = await engine.startApi();
  });
  afterAll(async () => engine?.stop());

  /** Rows whose phones no other test of this file uses (each batch is its own file). */
  const csvFor = (n: number, series: number) => payrollCsv(payrollRows(n, { phone: (i) => `2547${series * 1_000_000 + i}` }));
  const inAWhile = (ms = AHEAD_MS): string => new Date(Date.now() + ms).toISOString().replace('Z', '+00:00');

  async function submit(batchId: string, series: number, query: string, rows = 3) {
    return http<{ batch: BatchBody; created: boolean }>('POST', `${api}/v1/batches?batchId=${batchId}&${query}`, csvUpload(csvFor(rows, series), API_KEYS.alice));
  }
  const get = async (batchId: string) => (await http<BatchBody>('GET', `${api}/v1/batches/${batchId}`, { key: API_KEYS.victor })).body;
  const sentFor = (batchId: string) => engine.sandbox.ledger.report().entries.filter((e) => e.reference.length > 0 && refsOf.get(batchId)?.has(e.reference));
  const refsOf = new Map<string, Set<string>>();
  async function rememberRefs(batchId: string): Promise<void> {
    const { rows } = await engine.db.pool.query<{ reference: string }>('SELECT reference FROM payouts WHERE batch_id = $1', [batchId]);
    refsOf.set(batchId, new Set(rows.map((r) => r.reference)));
  }
  const handle = (batchId: string): WorkflowHandle => engine.temporal.client.workflow.getHandle(workflowIds.batch(batchId));
  async function events(batchId: string): Promise<Array<{ kind: string; actor: string | null; at: Date }>> {
    const { rows } = await engine.db.pool.query(`SELECT kind, actor, created_at AS at FROM events WHERE batch_id = $1 AND kind LIKE 'batch.%' ORDER BY id`, [batchId]);
    return rows as Array<{ kind: string; actor: string | null; at: Date }>;
  }
  /** The workflow has read the batch and waits on its timer (its progress query answers SCHEDULED). */
  const workflowScheduled = (batchId: string) =>
    eventually(async () => {
      const p = await getProgress(engine.temporal.client, batchId).catch(() => undefined);
      return p?.status === 'SCHEDULED' ? p : undefined;
    }, `${batchId} SCHEDULED in its workflow`);

  it('stays SCHEDULED until payAt (nothing sent, visible in PostgreSQL, the API, the search attribute and the Web UI), then pays every row', async () => {
    const payAt = inAWhile();
    const submitted = await submit('sched-pay', 21, `payAt=${encodeURIComponent(payAt)}`, 4);
    expect(submitted.status).toBe(201);
    expect(submitted.body.batch).toMatchObject({ status: 'SCHEDULED', payAt: new Date(payAt).toISOString(), rejection: null });
    await rememberRefs('sched-pay');

    const progress = await workflowScheduled('sched-pay');
    expect(progress.payAt).toBe(new Date(payAt).toISOString());
    const view = await get('sched-pay');
    expect(view).toMatchObject({ status: 'SCHEDULED', progress: { status: 'SCHEDULED', payAt: new Date(payAt).toISOString(), source: 'workflow' } });
    const described = await handle('sched-pay').describe();
    expect(described.typedSearchAttributes.get(BatchStatusKey)).toBe('SCHEDULED');
    const metadata = await handle('sched-pay').query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    expect(metadata.currentDetails).toContain('**Scheduled for');
    const listed = await http<{ items: Array<{ id: string }> }>('GET', `${api}/v1/batches?status=SCHEDULED`, { key: API_KEYS.victor });
    expect(listed.body.items.map((b) => b.id)).toContain('sched-pay');

    // Not approvable (it needs no approval), not pausable; nothing is sent while it waits.
    expect(await http('POST', `${api}/v1/batches/sched-pay/approve`, { key: API_KEYS.bob })).toMatchObject({ status: 409, body: { code: 'wrong_state' } });
    expect(await http('POST', `${api}/v1/batches/sched-pay/pause`, { key: API_KEYS.alice })).toMatchObject({ status: 409, body: { code: 'wrong_state' } });
    while (Date.now() < Date.parse(payAt) - 1000) {
      expect(sentFor('sched-pay')).toEqual([]);
      expect((await get('sched-pay')).status).toBe('SCHEDULED');
      await new Promise((r) => setTimeout(r, 500));
    }

    // Paying now: a rejection is too late (409), as for any batch no longer waiting for a decision.
    await eventually(async () => ((await get('sched-pay')).status === 'RUNNING' ? true : undefined), 'sched-pay RUNNING', 15_000, 100);
    expect(await http('POST', `${api}/v1/batches/sched-pay/reject`, { key: API_KEYS.bob, json: { reason: 'too late' } })).toMatchObject({ status: 409, body: { code: 'wrong_state' } });
    const summary = (await handle('sched-pay').result()) as BatchSummary;
    expect(summary).toMatchObject({ status: 'COMPLETED', counts: { succeeded: 4 } });
    const sent = sentFor('sched-pay');
    expect(sent).toHaveLength(4);
    for (const e of sent) expect(Date.parse(e.acceptedAt)).toBeGreaterThanOrEqual(Date.parse(payAt));
    expect((await events('sched-pay')).map((e) => e.kind)).toEqual(['batch.completed']);
    await assertMoneyInvariants(engine.db.pool, engine.sandbox, 'sched-pay');
    await recordHistories(engine.temporal.client, 'schedule', [workflowIds.batch('sched-pay'), workflowIds.shard('sched-pay', 1)]);
  });

  it('approved while SCHEDULED (by an approver, not the submitter): recorded at once, then pays at payAt without stopping at AWAITING_APPROVAL', async () => {
    const payAt = inAWhile();
    const submitted = await submit('sched-approve', 22, `approvalRequired=true&payAt=${encodeURIComponent(payAt)}`);
    expect(submitted.body.batch).toMatchObject({ status: 'SCHEDULED', approvedBy: null });
    await rememberRefs('sched-approve');
    await workflowScheduled('sched-approve');

    expect(await http('POST', `${api}/v1/batches/sched-approve/approve`, { key: API_KEYS.aliceApprover })).toMatchObject({ status: 403, body: { code: 'self_approval' } });
    expect(await http('POST', `${api}/v1/batches/sched-approve/approve`, { key: API_KEYS.bob })).toMatchObject({ status: 202, body: { action: 'approve', by: 'bob' } });
    const approved = await eventually(async () => {
      const { rows } = await engine.db.pool.query<{ approved_by: string | null; approved_at: Date | null }>(`SELECT approved_by, approved_at FROM batches WHERE id = 'sched-approve'`);
      return rows[0]?.approved_by ? rows[0] : undefined;
    }, 'approval recorded');
    expect(approved.approved_by).toBe('bob');
    expect(approved.approved_at!.getTime()).toBeLessThan(Date.parse(payAt));
    expect((await get('sched-approve')).status).toBe('SCHEDULED');
    expect(sentFor('sched-approve')).toEqual([]);
    // Approved: a second decision is refused.
    expect(await http('POST', `${api}/v1/batches/sched-approve/reject`, { key: API_KEYS.bob, json: { reason: 'changed my mind' } })).toMatchObject({ status: 409, body: { code: 'wrong_state' } });

    const summary = (await handle('sched-approve').result()) as BatchSummary;
    expect(summary).toMatchObject({ status: 'COMPLETED', counts: { succeeded: 3 } });
    for (const e of sentFor('sched-approve')) expect(Date.parse(e.acceptedAt)).toBeGreaterThanOrEqual(Date.parse(payAt));
    expect((await events('sched-approve')).map((e) => e.kind)).toEqual(['batch.approved', 'batch.completed']);
    await recordHistories(engine.temporal.client, 'schedule', [workflowIds.batch('sched-approve'), workflowIds.shard('sched-approve', 1)]);
  });

  it('cancelled while SCHEDULED: CANCELLED at once, nothing sent', async () => {
    const payAt = inAWhile(60_000);
    await submit('sched-cancel', 23, `payAt=${encodeURIComponent(payAt)}`);
    await rememberRefs('sched-cancel');
    await workflowScheduled('sched-cancel');
    expect(await http('POST', `${api}/v1/batches/sched-cancel/cancel`, { key: API_KEYS.alice })).toMatchObject({ status: 202 });
    const summary = (await handle('sched-cancel').result()) as BatchSummary;
    expect(summary).toMatchObject({ status: 'CANCELLED', counts: { cancelled: 3, succeeded: 0 } });
    expect(Date.now()).toBeLessThan(Date.parse(payAt));
    expect(sentFor('sched-cancel')).toEqual([]);
    expect(await get('sched-cancel')).toMatchObject({ status: 'CANCELLED', rejection: null });
    await recordHistories(engine.temporal.client, 'schedule', [workflowIds.batch('sched-cancel')]);
  });

  it('rejected while SCHEDULED by another approver: CANCELLED at once, the rejection recorded (who, when, why), nothing sent; the submitter may not reject', async () => {
    const payAt = inAWhile(60_000);
    await submit('sched-reject', 24, `approvalRequired=true&payAt=${encodeURIComponent(payAt)}`);
    await rememberRefs('sched-reject');
    await workflowScheduled('sched-reject');

    expect(await http('POST', `${api}/v1/batches/sched-reject/reject`, { key: API_KEYS.aliceApprover, json: { reason: 'mine' } })).toMatchObject({ status: 403, body: { code: 'self_rejection' } });
    expect(await http('POST', `${api}/v1/batches/sched-reject/reject`, { key: API_KEYS.alice, json: { reason: 'a submitter' } })).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect((await http('POST', `${api}/v1/batches/sched-reject/reject`, { key: API_KEYS.bob, json: { reason: '' } })).status).toBe(400);
    expect((await http('POST', `${api}/v1/batches/sched-reject/reject`, { key: API_KEYS.bob, json: { reason: '   ' } })).status).toBe(400);
    expect((await http('POST', `${api}/v1/batches/sched-reject/reject`, { key: API_KEYS.bob, json: { reason: 'x'.repeat(501) } })).status).toBe(400);
    expect((await http('POST', `${api}/v1/batches/sched-reject/reject`, { key: API_KEYS.bob, json: {} })).status).toBe(400);
    const reason = 'Bonus column doubled; call 0712 345 678 to discuss';
    expect(await http('POST', `${api}/v1/batches/sched-reject/reject`, { key: API_KEYS.bob, json: { reason } })).toMatchObject({ status: 202, body: { action: 'reject', by: 'bob' } });

    const summary = (await handle('sched-reject').result()) as BatchSummary;
    expect(summary).toMatchObject({ status: 'CANCELLED', counts: { cancelled: 3, succeeded: 0 } });
    expect(Date.now()).toBeLessThan(Date.parse(payAt));
    expect(sentFor('sched-reject')).toEqual([]);
    const view = await get('sched-reject');
    expect(view).toMatchObject({ status: 'CANCELLED', approvedBy: null, rejection: { by: 'bob' } });
    // The reason as written, but the phone number in it masked (it travelled through the workflow's history).
    expect(view.rejection!.reason).toMatch(/^Bonus column doubled; call /);
    expect(view.rejection!.reason).not.toContain('345 678');
    expect(Date.parse(view.rejection!.at)).toBeLessThan(Date.parse(payAt));
    expect((await events('sched-reject')).map((e) => [e.kind, e.actor])).toEqual([['batch.rejected', 'bob'], ['batch.cancelled', 'batch']]);
    // Decided: no second decision.
    expect(await http('POST', `${api}/v1/batches/sched-reject/approve`, { key: API_KEYS.bob })).toMatchObject({ status: 409 });
    await recordHistories(engine.temporal.client, 'schedule', [workflowIds.batch('sched-reject')]);
  });

  it('approval required and not given by payAt: AWAITING_APPROVAL at payAt; then rejected there', async () => {
    const payAt = inAWhile(4_000);
    await submit('sched-unapproved', 25, `approvalRequired=true&payAt=${encodeURIComponent(payAt)}`);
    await rememberRefs('sched-unapproved');
    await eventually(async () => ((await get('sched-unapproved')).status === 'AWAITING_APPROVAL' ? true : undefined), 'AWAITING_APPROVAL at payAt', 20_000, 200);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(payAt));
    const awaiting = (await events('sched-unapproved')).find((e) => e.kind === 'batch.awaiting_approval');
    expect(awaiting!.at.getTime()).toBeGreaterThanOrEqual(Date.parse(payAt) - 50);
    expect(sentFor('sched-unapproved')).toEqual([]);

    expect(await http('POST', `${api}/v1/batches/sched-unapproved/reject`, { key: API_KEYS.bob, json: { reason: 'Wrong month' } })).toMatchObject({ status: 202 });
    expect(await handle('sched-unapproved').result()).toMatchObject({ status: 'CANCELLED', counts: { cancelled: 3 } });
    expect(await get('sched-unapproved')).toMatchObject({ status: 'CANCELLED', rejection: { by: 'bob', reason: 'Wrong month' } });
    expect(sentFor('sched-unapproved')).toEqual([]);
    await recordHistories(engine.temporal.client, 'schedule', [workflowIds.batch('sched-unapproved')]);
  });

  it('a worker restart while SCHEDULED: the timer is in Temporal, so the batch still pays once the worker is back', async () => {
    const payAt = inAWhile();
    await submit('sched-restart', 26, `payAt=${encodeURIComponent(payAt)}`);
    await rememberRefs('sched-restart');
    await workflowScheduled('sched-restart');
    await engine.stopWorkers();
    // No worker across the pay time: nothing can be sent; the timer fires in the server all the same.
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(payAt) - Date.now()) + 1000));
    expect(sentFor('sched-restart')).toEqual([]);
    expect((await get('sched-restart')).status).toBe('SCHEDULED');
    await engine.startWorkers();
    expect(await handle('sched-restart').result()).toMatchObject({ status: 'COMPLETED', counts: { succeeded: 3 } });
    expect(sentFor('sched-restart')).toHaveLength(3);
    await assertMoneyInvariants(engine.db.pool, engine.sandbox, 'sched-restart');
  });

  it('refuses a payAt in the past, too far ahead or not RFC 3339 (400 pay_at_invalid); a dry run echoes it; a resubmission with another payAt is options_differ', async () => {
    const tries = ['2020-01-01T06:00:00+03:00', '2099-01-01T06:00:00+03:00', '2026-12-25T06:00:00', 'next friday', '2026-02-30T06:00:00Z'];
    for (const payAt of tries) {
      const r = await submit('sched-bad', 27, `payAt=${encodeURIComponent(payAt)}`);
      expect(r, payAt).toMatchObject({ status: 400, body: { code: 'pay_at_invalid' } });
      expect((r.body as unknown as { detail: string }).detail).toContain('e.g. 2026-12-25T06:00:00+03:00');
    }
    expect((await http('GET', `${api}/v1/batches/sched-bad`, { key: API_KEYS.victor })).status).toBe(404);

    const payAt = inAWhile(3_600_000);
    const dry = await http<{ dryRun: boolean; payAt: string }>('POST', `${api}/v1/batches?dryRun=true&payAt=${encodeURIComponent(payAt)}`, csvUpload(csvFor(2, 28), API_KEYS.alice));
    expect(dry).toMatchObject({ status: 200, body: { dryRun: true, payAt: new Date(payAt).toISOString() } });

    const first = await submit('sched-options', 29, `payAt=${encodeURIComponent(payAt)}`);
    expect(first.status).toBe(201);
    const same = await submit('sched-options', 29, `payAt=${encodeURIComponent(payAt)}`);
    expect(same).toMatchObject({ status: 200, body: { created: false } });
    const other = await submit('sched-options', 29, `payAt=${encodeURIComponent(inAWhile(7_200_000))}`);
    expect(other).toMatchObject({ status: 409, body: { code: 'options_differ', existingOptions: { payAt: new Date(payAt).toISOString() } } });
    const none = await submit('sched-options', 29, '');
    expect(none).toMatchObject({ status: 409, body: { code: 'options_differ' } });
    await http('POST', `${api}/v1/batches/sched-options/cancel`, { key: API_KEYS.alice });
  });
});
