import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBatch } from '../../src/client/batches.js';
import { TEST_PHONES } from '../../src/sandbox/index.js';
import { API_KEYS, type Engine, startEngine } from '../support/engine.js';
import { http } from '../support/http.js';
import { assertMoneyInvariants } from '../support/invariants.js';
import { payrollCsv, payrollRows } from '../support/payroll.js';

// A payout activity waiting for its callback holds no worker slot, so the time-skipping test server never
// skips past it (it waits out each attempt in real time). The deadline is scaled down on the real dev server
// instead: 1 s callback wait, polls backing off 0.5 s → 2 s, a 20 s settle deadline.
const TIMING = { callbackWaitMs: 1000, pollInitialMs: 500, pollMaxMs: 2000, settleDeadlineMs: 20_000, pesawayAttemptTimeoutMs: 5000 };

describe('scenario 10: the settle deadline', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine({ settings: { payout: TIMING } });
  });
  afterAll(async () => engine?.stop());

  it('a payout PesaWay never settles ends unresolved at the deadline, with its evidence, and is never resent', async () => {
    const rows = payrollRows(3, { phone: (i) => (i === 1 ? TEST_PHONES.neverSettles : `2547${70_000_000 + i}`) });
    await engine.ingest(payrollCsv(rows), { batchId: 'deadline-10' });
    const started = Date.now();
    const { handle } = await startBatch(engine.temporal.client, 'deadline-10', engine.settings);
    const summary = await handle.result();
    expect(summary).toMatchObject({ status: 'COMPLETED', counts: { succeeded: 2, unresolved: 1, pending: 0, inFlight: 0 } });
    // It waited out the deadline instead of giving up early. The deadline runs on the Temporal server's timers,
    // which may fire a few milliseconds before this process's clock says (a CI run saw 19,990 ms for 20,000).
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMING.settleDeadlineMs - 250);

    const { rows: [stuck] } = await engine.db.pool.query<{ status: string; transaction_id: string; evidence: Record<string, unknown> & { queries: number } }>(
      `SELECT status, transaction_id, evidence FROM payouts WHERE batch_id = 'deadline-10' AND phone = $1`,
      [TEST_PHONES.neverSettles],
    );
    expect(stuck).toMatchObject({ status: 'unresolved', transaction_id: expect.stringMatching(/^PHY/) });
    expect(stuck!.evidence).toMatchObject({ reason: 'no final answer before the settle deadline', lastQuery: 'pending', maskedDestination: '2547*****999' });
    // Each attempt after the first asked PesaWay once: 20 s of 1 s waits with backoff capped at 2 s.
    expect(stuck!.evidence.queries).toBeGreaterThanOrEqual(4);
    const ledger = engine.sandbox.ledger.report();
    expect(ledger.entries.find((e) => e.status === 'pending')).toMatchObject({ acceptCount: 1, duplicateAttempts: 0 });
    expect(ledger).toMatchObject({ maxAcceptCount: 1, totals: { accepted: 3, succeeded: 2 } });
    await assertMoneyInvariants(engine.db.pool, engine.sandbox, 'deadline-10');

    // It needs a person: the attention list (across batches) shows it with its evidence, and its story tells
    // every step from the event log, without a workflow per payout.
    const api = await engine.startApi();
    const list = await http<{ items: Array<{ reference: string; status: string; batchId: string; evidence: { queries: number } }>; nextCursor: null }>('GET', `${api}/v1/payouts?status=unresolved`, { key: API_KEYS.victor });
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(1);
    const reference = list.body.items[0]!.reference;
    expect(list.body.items[0]).toMatchObject({ status: 'unresolved', batchId: 'deadline-10', destination: '2547*****999', evidence: { queries: stuck!.evidence.queries } });
    expect(list.text).not.toContain(TEST_PHONES.neverSettles);

    const story = await http<{ payout: { status: string }; timeline: Array<{ kind: string; text: string }> }>('GET', `${api}/v1/payouts/${reference}`, { key: API_KEYS.victor });
    expect(story.status).toBe(200);
    expect(story.body.payout.status).toBe('unresolved');
    const kinds = story.body.timeline.map((e) => e.kind);
    expect(kinds.slice(0, 3)).toEqual(['payout.submitting', 'payout.accepted', 'payout.query']);
    expect(kinds.filter((k) => k === 'payout.query')).toHaveLength(stuck!.evidence.queries);
    expect(kinds.at(-1)).toBe('payout.unresolved');
    expect(story.body.timeline.at(-1)!.text).toContain('never resent');
    expect((await http('GET', `${api}/v1/payouts/7XK2M9QD4HR999A1`, { key: API_KEYS.victor })).status).toBe(404);
    expect((await http('GET', `${api}/v1/payouts/not-a-reference`, { key: API_KEYS.victor })).status).toBe(400);
    expect((await http('GET', `${api}/v1/payouts?status=pending`, { key: API_KEYS.victor })).status).toBe(400);
  });
});
