/**
 * Contradictions reach a person (issue 12, item 5; invariant 7). A second final answer that disagrees with
 * the first, or another amount, flags the payout with its evidence; `retry-failed` resends no failure until
 * a fresh transaction query confirms it, and one PesaWay says succeeded is recorded paid and never resent.
 * PesaWay's own callbacks are dropped here, so the test speaks for PesaWay with callbacks of its choosing
 * (validly tokened: what a mistaken or compromised sender could post).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retryFailed, startBatch } from '../../src/client/batches.js';
import { parseReference, payoutReference } from '../../src/domain/reference.js';
import { resultsToken } from '../../src/pesaway/results-url.js';
import { TEST_PHONES } from '../../src/sandbox/index.js';
import { workflowIds } from '../../src/workflows/definitions.js';
import type { BatchSummary } from '../../src/workflows/types.js';
import { API_KEYS, CALLBACK_SECRET, type Engine, startEngine } from '../support/engine.js';
import { http } from '../support/http.js';
import { payoutRecords } from '../support/invariants.js';
import { payrollCsv, payrollRows } from '../support/payroll.js';
import { recordHistories } from '../support/replay-fixtures.js';
import { eventually } from '../support/waiting.js';

const BATCH = 'guard-1';
const ref = (row: number, attempt = 1) => payoutReference(BATCH, row, attempt);

describe('contradictions reach a person; retry-failed confirms every failure with PesaWay first', () => {
  let engine: Engine;
  let api: string;
  beforeAll(async () => {
    engine = await startEngine({
      sandbox: { faults: { callbackDropRate: 1 }, settleDelayMs: { min: 50, max: 100 } },
      settings: { payout: { callbackWaitMs: 15_000 } },
    });
    api = await engine.startApi();
  });
  afterAll(async () => engine?.stop());

  async function callback(reference: string, body: Record<string, unknown>): Promise<void> {
    const { rows } = await engine.db.pool.query<{ transaction_id: string }>('SELECT transaction_id FROM payouts WHERE reference = $1', [reference]);
    const res = await http('POST', `${engine.callbackBaseUrl}/callbacks/pesaway/${reference}/${resultsToken(CALLBACK_SECRET, reference)}`, {
      body: JSON.stringify({ OriginatorReference: reference, TransactionID: rows[0]!.transaction_id, ...body }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
  }
  const payout = async (reference: string) =>
    (await engine.db.pool.query<{ status: string; attention: string[]; evidence: Record<string, unknown> | null }>('SELECT status, attention, evidence FROM payouts WHERE reference = $1', [reference])).rows[0]!;
  const settled = (reference: string, status: string) =>
    eventually(async () => ((await payout(reference)).status === status ? true : undefined), `${reference} ${status}`, 30_000, 100);

  it('flags contradictions and amount mismatches, corrects a failure PesaWay says was paid, and resends only confirmed failures', async () => {
    const phones = new Map([[1, TEST_PHONES.neverSettles], [2, TEST_PHONES.unregistered]]);
    const rows = payrollRows(5, { phone: (i) => phones.get(i) ?? `2547${41_000_000 + i}` });
    await engine.ingest(payrollCsv(rows), { batchId: BATCH, acknowledgeWarnings: true });
    const { handle } = await startBatch(engine.temporal.client, BATCH, engine.settings);
    await eventually(async () => {
      const { rows: accepted } = await engine.db.pool.query(`SELECT 1 FROM payouts WHERE batch_id = $1 AND status = 'accepted'`, [BATCH]);
      return accepted.length === 5 ? true : undefined;
    }, 'all five accepted', 30_000, 100);

    // Row 1: PesaWay paid it; a callback says it failed.  Row 2: still pending at PesaWay; a callback says failed.
    await callback(ref(1), { ResultCode: 2001, ResultDesc: 'The initiator information is invalid.' });
    await callback(ref(2), { ResultCode: 2001, ResultDesc: 'The initiator information is invalid.' });
    // Row 3: PesaWay failed it, and says so.  Row 4: paid, then a second answer says failed.  Row 5: paid, another amount.
    await callback(ref(3), { ResultCode: 2040, ResultDesc: 'Unregistered customer.' });
    await callback(ref(4), { ResultCode: 0, ResultDesc: 'ok', TransactionReceipt: 'R4' });
    await settled(ref(4), 'succeeded');
    await callback(ref(4), { ResultCode: 2001, ResultDesc: 'failed after all?' });
    await callback(ref(5), { ResultCode: 0, ResultDesc: 'ok', TransactionReceipt: 'R5', TransactionAmount: '1.00' });
    const first: BatchSummary = await handle.result();
    expect(first).toMatchObject({ status: 'COMPLETED', counts: { succeeded: 2, failed: 3 } });

    await eventually(async () => ((await payout(ref(4))).attention.includes('contradiction') ? true : undefined), 'row 4 flagged', 20_000, 100);
    expect(await payout(ref(4))).toMatchObject({ status: 'succeeded', attention: ['contradiction'], evidence: { contradiction: { recorded: 'succeeded', reported: 'failed', resultCode: 2001 } } });
    expect(await payout(ref(5))).toMatchObject({ status: 'succeeded', attention: ['amount_mismatch'], evidence: { amountMismatch: { reported: 100 } } });
    const flagged = await http<{ items: Array<{ reference: string; attention: string[] }> }>('GET', `${api}/v1/payouts?status=flagged`, { key: API_KEYS.victor });
    expect(flagged.status).toBe(200);
    expect(flagged.body.items.map((p) => [p.reference, p.attention]).sort()).toEqual([[ref(4), ['contradiction']], [ref(5), ['amount_mismatch']]]);

    const sentBefore = engine.sandbox.ledger.report().entries.length;
    await retryFailed(engine.temporal.client, BATCH, engine.settings, 'ops-lead');
    const second: BatchSummary = await engine.temporal.client.workflow.getHandle(workflowIds.batch(BATCH)).result();
    // Row 1 was paid: recorded so, flagged, never resent. Row 2: unconfirmed, flagged, not resent. Row 3: resent as attempt 2.
    expect(second).toMatchObject({ status: 'COMPLETED', counts: { succeeded: 3, failed: 2 } });
    expect(await payout(ref(1))).toMatchObject({ status: 'succeeded', attention: ['contradiction'], evidence: { contradiction: { recorded: 'failed', reported: 'succeeded', corrected: true } } });
    expect(await payout(ref(2))).toMatchObject({ status: 'failed', attention: ['failure_unconfirmed'], evidence: { failureUnconfirmed: { answer: 'pending' } } });
    const records = await payoutRecords(engine.db.pool, BATCH);
    expect(records.filter((r) => r.attempt === 2).map((r) => r.rowNo)).toEqual([3]);
    const resent = engine.sandbox.ledger.report().entries.slice(sentBefore).map((e) => e.reference);
    expect(resent).toEqual([ref(3, 2)]);

    // At most once, from PesaWay's side: no reference twice, no row paid by two attempts.
    const ledger = engine.sandbox.ledger.report();
    expect(ledger.maxAcceptCount).toBeLessThanOrEqual(1);
    expect(ledger.entries.filter((e) => parseReference(e.reference)?.row === 1 && e.status === 'succeeded')).toHaveLength(1);

    const story = await http<{ timeline: Array<{ kind: string; text: string }> }>('GET', `${api}/v1/payouts/${ref(1)}`, { key: API_KEYS.victor });
    expect(story.body.timeline.map((e) => e.kind)).toEqual(expect.arrayContaining(['payout.failed', 'payout.succeeded', 'payout.attention']));
    expect(story.body.timeline.find((e) => e.kind === 'payout.succeeded')!.text).toMatch(/transaction query says it succeeded/);
    const batch = await http<{ progress: { flagged: number } }>('GET', `${api}/v1/batches/${BATCH}`, { key: API_KEYS.victor });
    expect(batch.body.progress.flagged).toBe(4);
    const report = await http('GET', `${api}/v1/batches/${BATCH}/report.csv`, { key: API_KEYS.victor });
    const lines = report.text.trim().split('\n');
    expect(lines[0]).toMatch(/,attention$/);
    expect(lines.find((l) => l.includes(ref(2)))).toMatch(/failure_unconfirmed$/);
    expect(lines.find((l) => l.includes(ref(3, 2)))).not.toMatch(/contradiction|unconfirmed/);
    await recordHistories(engine.temporal.client, 'guard', [workflowIds.batch(BATCH), workflowIds.shard(BATCH, 1)]);
  });

  it('a person resolves a flag: who, when and what they found; it leaves the flagged list, a new flag reopens it, and it authorises no resend', async () => {
    const resolve = (reference: string, key: string, body: unknown = { note: 'PesaWay support confirmed one payment' }) =>
      http<{ payout: { reference: string; attention: string[]; attentionResolution: { by: string; at: string; note: string } | null } }>('POST', `${api}/v1/payouts/${reference}/attention/resolve`, { key, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    const flaggedRefs = async () => (await http<{ items: Array<{ reference: string }> }>('GET', `${api}/v1/payouts?status=flagged`, { key: API_KEYS.victor })).body.items.map((p) => p.reference).sort();
    expect(await flaggedRefs()).toEqual([ref(1), ref(2), ref(4), ref(5)].sort());

    // Approvers only; a note that says something.
    expect((await resolve(ref(4), API_KEYS.victor)).status).toBe(403);
    expect((await resolve(ref(4), API_KEYS.alice)).status).toBe(403);
    expect((await resolve(ref(4), API_KEYS.bob, { note: '   ' })).status).toBe(400);
    expect((await resolve(ref(4), API_KEYS.bob, {})).status).toBe(400);
    expect((await resolve('7XK2M9QD4HR999A1', API_KEYS.bob)).status).toBe(404);
    expect((await resolve(ref(3, 2), API_KEYS.bob)).status).toBe(409); // never flagged

    const done = await resolve(ref(4), API_KEYS.bob);
    expect(done.status).toBe(200);
    expect(done.body.payout).toMatchObject({ reference: ref(4), attention: ['contradiction'], attentionOpen: false, attentionResolution: { by: 'bob', note: 'PesaWay support confirmed one payment' } });
    expect(Date.parse(done.body.payout.attentionResolution!.at)).toBeGreaterThan(Date.now() - 60_000);
    expect((await resolve(ref(4), API_KEYS.bob)).status).toBe(409); // nothing open any more
    expect(await flaggedRefs()).toEqual([ref(1), ref(2), ref(5)].sort());
    const batch = await http<{ progress: { flagged: number } }>('GET', `${api}/v1/batches/${BATCH}`, { key: API_KEYS.victor });
    expect(batch.body.progress.flagged).toBe(3);
    const story = await http<{ timeline: Array<{ kind: string; text: string; source: string }> }>('GET', `${api}/v1/payouts/${ref(4)}`, { key: API_KEYS.victor });
    const report = await http('GET', `${api}/v1/batches/${BATCH}/report.csv`, { key: API_KEYS.victor });
    expect(report.text.split('\n').find((l) => l.includes(ref(4)))).toMatch(/,contradiction \(resolved by bob: PesaWay support confirmed one payment\)$/);
    expect(story.body.timeline.at(-1)).toMatchObject({ kind: 'payout.attention_resolved', source: 'bob', text: 'a person resolved the flags: PesaWay support confirmed one payment' });

    // A new contradiction after the resolution reopens the payout.
    await callback(ref(4), { ResultCode: 2001, ResultDesc: 'failed, again?' });
    await eventually(async () => ((await flaggedRefs()).includes(ref(4)) ? true : undefined), 'row 4 reopened', 20_000, 100);
    const reopened = await http<{ payout: { attentionOpen: boolean; attentionResolution: { by: string } | null } }>('GET', `${api}/v1/payouts/${ref(4)}`, { key: API_KEYS.victor });
    expect(reopened.body.payout).toMatchObject({ attentionOpen: true, attentionResolution: { by: 'bob' } });

    // Resolving the unconfirmed failure does not make it resendable: the retry still asks PesaWay, which still says pending.
    expect((await resolve(ref(2), API_KEYS.bob, { note: 'asked PesaWay, waiting for their answer' })).status).toBe(200);
    const sentBefore = engine.sandbox.ledger.report().entries.length;
    await retryFailed(engine.temporal.client, BATCH, engine.settings, 'ops-lead');
    const third: BatchSummary = await engine.temporal.client.workflow.getHandle(workflowIds.batch(BATCH)).result();
    expect(third.status).toBe('COMPLETED');
    expect(engine.sandbox.ledger.report().entries.slice(sentBefore).map((e) => e.reference)).not.toContain(ref(2, 2));
    expect((await payoutRecords(engine.db.pool, BATCH)).filter((r) => r.rowNo === 2).map((r) => r.attempt)).toEqual([1]);
  });
});
