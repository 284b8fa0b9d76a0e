import { describe, expect, it } from 'vitest';
import type { BatchSnapshot } from '../../src/activities/types.js';
import { PAYOUT_STATUSES, type PayoutStatus } from '../../src/domain/payout-status.js';
import {
  bufferPage,
  carriedReferences,
  countsFrom,
  markAllCarried,
  desiredStatus,
  initialState,
  markEnded,
  markParked,
  markReleased,
  markStarted,
  parkedNeedMinor,
  parkedReferences,
  toProgress,
} from '../../src/workflows/batch-state.js';
import type { PayoutTicket } from '../../src/workflows/types.js';

const statuses = (partial: Partial<Record<PayoutStatus, number>>): Record<PayoutStatus, number> =>
  ({ ...Object.fromEntries(PAYOUT_STATUSES.map((s) => [s, 0])), ...partial }) as Record<PayoutStatus, number>;

const snapshot = (over: Partial<BatchSnapshot> = {}): BatchSnapshot => ({
  batchId: 'b1',
  status: 'CREATED',
  approvalRequired: false,
  approvedBy: undefined,
  submittedBy: 'alice',
  statusCounts: statuses({ pending: 3 }),
  totalMinor: 600_00,
  succeededMinor: 0,
  failedMinor: 0,
  otherEndedMinor: 0,
  ...over,
});

const ticket = (rowNo: number, amountMinor = 200_00): PayoutTicket => ({
  reference: `REF${rowNo}`,
  rowNo,
  attempt: 1,
  channel: 'MPESA',
  amountMinor,
  feeEstimateMinor: 12_00,
  maskedDestination: '2547*****678',
});

describe('batch workflow state', () => {
  it('tracks a payout from start to end, in counts and amounts', () => {
    const s = initialState(snapshot(), '2026-11-28T00:00:00Z');
    bufferPage(s, [ticket(1), ticket(2)]);
    expect(s.cursor).toBe(2);
    for (const t of s.buffer.splice(0)) markStarted(s, t);
    expect(s.counts).toMatchObject({ pending: 1, inFlight: 2 });
    bufferPage(s, [ticket(2), ticket(3)]); // a payout already in flight is not buffered again
    expect(s.buffer.map((t) => t.rowNo)).toEqual([3]);

    markEnded(s, { reference: 'REF1', rowNo: 1, status: 'succeeded', amountMinor: 200_00 });
    markEnded(s, { reference: 'REF2', rowNo: 2, status: 'failed', amountMinor: 200_00 });
    expect(s.counts).toMatchObject({ pending: 1, inFlight: 0, succeeded: 1, failed: 1 });
    expect(toProgress(s, 'now').amounts).toEqual({ totalMinor: 600_00, succeededMinor: 200_00, failedMinor: 200_00, pendingMinor: 200_00 });
  });

  it('counts an end only once, and marks unknown references for a database refresh', () => {
    const s = initialState(snapshot(), 'now');
    markStarted(s, ticket(1));
    const end = { reference: 'REF1', rowNo: 1, status: 'succeeded' as const, amountMinor: 200_00 };
    markEnded(s, end);
    markEnded(s, end); // a duplicated signal
    expect(s.counts.succeeded).toBe(1);
    expect(s.succeededMinor).toBe(200_00);
    expect(s.countsStale).toBe(true);
  });

  it('parks and releases payouts on 455.001 and knows what they need', () => {
    const s = initialState(snapshot(), 'now');
    markStarted(s, ticket(1, 100_00));
    markStarted(s, ticket(2, 300_00));
    markParked(s, 'REF1');
    markParked(s, 'REF2');
    markParked(s, 'REF2');
    expect(s.counts.awaitingFunds).toBe(2);
    expect(parkedReferences(s)).toEqual(['REF1', 'REF2']);
    expect(parkedNeedMinor(s)).toBe(100_00 + 12_00 + 300_00 + 12_00);
    s.awaitingFundsSince = 'now';
    expect(desiredStatus(s)).toBe('AWAITING_FUNDS');
    markReleased(s, 'REF1');
    expect(s.counts.awaitingFunds).toBe(1);
    markEnded(s, { reference: 'REF2', rowNo: 2, status: 'cancelled', amountMinor: 300_00 });
    expect(s.counts).toMatchObject({ awaitingFunds: 0, inFlight: 1, cancelled: 1 });
  });

  it('after continue-as-new, payouts in flight are carried until the database reports their end', () => {
    const s = initialState(snapshot(), 'now');
    markStarted(s, ticket(1));
    markStarted(s, ticket(2));
    markAllCarried(s);
    expect(carriedReferences(s)).toEqual(['REF1', 'REF2']);
    markEnded(s, { reference: 'REF1', rowNo: 1, status: 'unresolved', amountMinor: 200_00 });
    expect(carriedReferences(s)).toEqual(['REF2']);
    expect(s.counts).toMatchObject({ inFlight: 1, unresolved: 1 });
  });

  it('shows the status an operator expects', () => {
    const s = initialState(snapshot(), 'now');
    expect(desiredStatus(s)).toBe('RUNNING');
    s.paused = true;
    expect(desiredStatus(s)).toBe('PAUSED');
    s.cancelRequested = true;
    expect(desiredStatus(s)).toBe('CANCELLING');
  });

  it('derives pending from the database, minus what this run has in flight', () => {
    expect(countsFrom(statuses({ pending: 5, submitting: 2, accepted: 3, succeeded: 7 }), 4, 1)).toEqual({
      pending: 6, inFlight: 4, awaitingFunds: 1, succeeded: 7, failed: 0, rejected: 0, cancelled: 0, unresolved: 0,
    });
  });
});
