import { describe, expect, it } from 'vitest';
import { resendDelayMs } from '../../src/activities/payout.js';
import type { Batch } from '../../src/client/cli/api-types.js';
import { noticeFor } from '../../src/client/cli/batch-text.js';
import { PesaWayReachability } from '../../src/pesaway/reachability.js';
import { emptyTotals } from '../../src/domain/tally.js';
import { applyReachabilityNews, initialState, toProgress } from '../../src/workflows/batch-state.js';
import { batchDetails } from '../../src/workflows/details.js';
import { webhookPayload } from '../../src/webhooks/payload.js';

describe('PesaWayReachability', () => {
  it('declares an outage only after nothing but failures for the whole threshold, once, and its end with the duration', () => {
    const r = new PesaWayReachability(10_000);
    expect(r.observe(false, 'send: connection (ECONNRESET)', 1_000)).toBeUndefined();
    expect(r.observe(false, 'query: connection (ECONNRESET)', 5_000)).toBeUndefined();
    expect(r.observe(false, 'send: timeout', 9_000)).toBeUndefined();
    expect(r.tick(10_999)).toBeUndefined();
    expect(r.tick(11_000)).toEqual({ kind: 'unreachable', since: 1_000, lastError: 'send: timeout' });
    // Declared once: further failures and ticks say nothing new.
    expect(r.observe(false, 'query: connection', 20_000)).toBeUndefined();
    expect(r.tick(60_000)).toBeUndefined();
    expect(r.outage).toEqual({ since: 1_000, lastError: 'query: connection' });
    expect(r.observe(true, '', 61_000)).toEqual({ kind: 'reachable', since: 1_000, downMs: 60_000 });
    expect(r.outage).toBeUndefined();
    expect(r.observe(true, '', 62_000)).toBeUndefined();
  });

  it('never declares one for failures scattered among answers (a stray 5xx or lost response)', () => {
    const r = new PesaWayReachability(10_000);
    for (let t = 0; t < 120_000; t += 1000) {
      expect(r.observe(t % 3000 !== 0, 'send: server-error (HTTP 500)', t)).toBeUndefined();
      expect(r.tick(t + 500)).toBeUndefined();
    }
  });

  it('declares one from failures then silence (every caller backing off), but not from a lone failure then quiet', () => {
    const r = new PesaWayReachability(5_000);
    // One caller backing off (a batch's balance check at its start): 3 failures 2 s and 4 s apart are an outage.
    const one = new PesaWayReachability(1_500);
    expect([0, 2_000, 6_000].map((t) => one.observe(false, 'balance: connection (ECONNRESET)', t)?.kind)).toEqual([undefined, undefined, 'unreachable']);
    r.observe(false, 'query: server-error (HTTP 500)', 0);
    // One failure, then nobody calls for a while (payouts waiting for callbacks): not an outage.
    expect(r.tick(60_000)).toBeUndefined();
    r.observe(false, 'send: connection (ECONNREFUSED)', 60_100);
    expect(r.tick(61_000)).toBeUndefined();
    r.observe(false, 'token: connection (ECONNREFUSED)', 61_500);
    r.observe(false, 'send: connection (ECONNREFUSED)', 62_500);
    // The outage began with the failures that kept coming, not with the lone one a minute before.
    expect(r.tick(65_099)).toBeUndefined();
    expect(r.tick(65_100)).toEqual({ kind: 'unreachable', since: 60_100, lastError: 'send: connection (ECONNREFUSED)' });
  });
});

describe('a batch told of an outage', () => {
  const fresh = () => initialState({ batchId: 'b1', status: 'RUNNING', approvalRequired: false, approvedBy: undefined, submittedBy: 'alice', payAt: undefined, totals: emptyTotals(), unsentNeedMinor: 0, parkedNeedMinor: 0, at: '2026-12-01T08:00:00.000Z' }, '2026-12-01T08:00:00.000Z');

  it('keeps the earliest start any worker reports and the alert once raised; returns the outage when it ends', () => {
    const s = fresh();
    expect(applyReachabilityNews(s, { unreachableSince: '2026-12-01T08:01:00.000Z', lastError: 'send: timeout' })).toBeUndefined();
    expect(applyReachabilityNews(s, { unreachableSince: '2026-12-01T08:00:30.000Z', lastError: 'query: connection' })).toBeUndefined();
    expect(s.pesaway).toEqual({ since: '2026-12-01T08:00:30.000Z', lastError: 'query: connection' });
    s.pesaway!.alertedAt = '2026-12-01T08:02:30.000Z';
    applyReachabilityNews(s, { unreachableSince: '2026-12-01T08:01:10.000Z', lastError: 'send: timeout' });
    expect(s.pesaway).toEqual({ since: '2026-12-01T08:00:30.000Z', lastError: 'send: timeout', alertedAt: '2026-12-01T08:02:30.000Z' });
    expect(toProgress(s, '2026-12-01T08:03:00.000Z').waitingOnPesaway?.since).toBe('2026-12-01T08:00:30.000Z');
    expect(applyReachabilityNews(s, { unreachableSince: null })).toEqual({ since: '2026-12-01T08:00:30.000Z', lastError: 'send: timeout', alertedAt: '2026-12-01T08:02:30.000Z' });
    expect(s.pesaway).toBeUndefined();
    expect(toProgress(s, '2026-12-01T08:04:00.000Z').waitingOnPesaway).toBeUndefined();
  });

  it('says so in the Web UI details and the CLI, with what happens next', () => {
    const s = fresh();
    applyReachabilityNews(s, { unreachableSince: '2026-12-01T08:00:30.000Z', lastError: 'send: connection (ECONNRESET)' });
    const details = batchDetails(toProgress(s, '2026-12-01T08:01:00.000Z'), {});
    expect(details).toContain('**Waiting on PesaWay**: no answer since 2026-12-01T08:00:30.000Z (send: connection (ECONNRESET))');
    expect(details).toContain('resume by themselves');
    const waitingOnPesaway = { since: '2026-12-01T08:00:30.000Z', lastError: 'send: timeout', alertedAt: '2026-12-01T08:02:30.000Z' };
    // Only what noticeFor reads: the batch's id and status, and its progress.
    expect(noticeFor({ id: 'b1', status: 'RUNNING', progress: { waitingOnPesaway } } as unknown as Batch)).toBe(
      'Waiting on PesaWay: no answer since 2026-12-01 08:00 UTC (send: timeout); payouts retry under their own references and resume by themselves; alert raised at 2026-12-01 08:02 UTC',
    );
  });
});

describe('resending after no answer', () => {
  it('backs off from 1 s, doubling, to at most 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(resendDelayMs)).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });
});

describe('the PesaWay webhooks', () => {
  const event = (kind: string, detail: Record<string, unknown>) =>
    webhookPayload({ id: '7', kind, batchId: 'b1', reference: null, detail, createdAt: new Date('2026-12-01T08:03:00Z'), batch: { status: 'RUNNING', payouts: 40, totalMinor: 20_000_00 }, payout: null });

  it('carry since when, the error in our words, and how long it lasted', () => {
    expect(event('batch.pesaway_unreachable', { since: '2026-12-01T08:00:30.000Z', lastError: 'send: connection (ECONNRESET)', alertAfterMs: 120_000 }).data).toEqual({
      batchId: 'b1', payouts: 40, totalAmountMinor: 20_000_00, totalAmount: '20000.00', unreachableSince: '2026-12-01T08:00:30.000Z', lastError: 'send: connection (ECONNRESET)',
    });
    expect(event('batch.pesaway_reachable', { since: '2026-12-01T08:00:30.000Z', downMs: 185_400 }).data).toMatchObject({ unreachableSince: '2026-12-01T08:00:30.000Z', downSeconds: 185 });
  });
});
