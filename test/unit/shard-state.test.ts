import { describe, expect, it } from 'vitest';
import {
  applyCancel,
  applyControl,
  bufferPage,
  canStart,
  carryOver,
  inFlightCount,
  isDone,
  markOutcome,
  markStarted,
  newShardState,
  parkToReport,
  takeReleased,
  takeToStart,
} from '../../src/workflows/shard-state.js';
import type { PayoutTicket, ShardControl } from '../../src/workflows/types.js';

const open: ShardControl = { paused: false, cancelled: false, holdForFunds: false, fundsReleases: 0 };
const ticket = (rowNo: number): PayoutTicket => ({
  reference: `REF${rowNo}`,
  rowNo,
  attempt: 1,
  channel: 'MPESA',
  amountMinor: 100_00,
  maskedDestination: '2547*****001',
});
const page = (from: number, to: number): PayoutTicket[] => Array.from({ length: to - from + 1 }, (_, i) => ticket(from + i));

describe('shard state: a sliding window over its rows', () => {
  it('reads pages after its cursor and is exhausted by a short page or the end of its range', () => {
    const s = newShardState('b1', 1, { fromRow: 1, toRow: 10 }, open);
    expect(s.cursor).toBe(0);
    bufferPage(s, page(1, 4), 4);
    expect(s.cursor).toBe(4);
    expect(s.exhausted).toBe(false);
    bufferPage(s, page(5, 6), 4);
    expect(s.exhausted).toBe(true);
    expect(s.buffer.map((t) => t.rowNo)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('never starts more than the window, and never the same reference twice', () => {
    const s = newShardState('b1', 1, { fromRow: 1, toRow: 10 }, open);
    bufferPage(s, page(1, 5), 10);
    const first = takeToStart(s, 3);
    for (const t of first) markStarted(s, t, 0, true);
    expect(first.map((t) => t.rowNo)).toEqual([1, 2, 3]);
    expect(takeToStart(s, 3)).toEqual([]);
    // A page that overlaps what is in hand adds only the new rows.
    bufferPage(s, page(3, 6), 10);
    expect(s.buffer.map((t) => t.rowNo)).toEqual([4, 5, 6]);
    markOutcome(s, { reference: 'REF1', status: 'succeeded' });
    expect(takeToStart(s, 3).map((t) => t.rowNo)).toEqual([4]);
    expect(s.summary.started).toBe(3);
    expect(s.summary.ended.succeeded).toBe(1);
  });

  it('books an outcome once, even if it is reported twice', () => {
    const s = newShardState('b1', 1, { fromRow: 1, toRow: 1 }, open);
    markStarted(s, ticket(1), 0, true);
    markOutcome(s, { reference: 'REF1', status: 'failed' });
    markOutcome(s, { reference: 'REF1', status: 'failed' });
    expect(s.summary.ended.failed).toBe(1);
    expect(inFlightCount(s)).toBe(0);
  });

  it('is done only when its range is read and nothing is in hand, in flight or parked', () => {
    const s = newShardState('b1', 1, { fromRow: 1, toRow: 2 }, open);
    bufferPage(s, page(1, 2), 10);
    expect(isDone(s)).toBe(false);
    for (const t of takeToStart(s, 10)) markStarted(s, t, 0, true);
    markOutcome(s, { reference: 'REF1', status: 'succeeded' });
    markOutcome(s, { reference: 'REF2', status: 'parked' });
    expect(isDone(s)).toBe(false);
    s.control = applyControl(s.control, { ...open, fundsReleases: 1 });
    const resent = takeReleased(s);
    expect(resent.map((t) => t.reference)).toEqual(['REF2']);
    for (const t of resent) markStarted(s, t, 0, false);
    markOutcome(s, { reference: 'REF2', status: 'succeeded' });
    expect(isDone(s)).toBe(true);
    // A resend is not a new start.
    expect(s.summary.started).toBe(2);
  });
});

describe('shard state: 455.001 and the batch gate', () => {
  it('parks a payout refused for funds, stops starting new ones, and reports once per release', () => {
    const s = newShardState('b1', 1, { fromRow: 1, toRow: 3 }, open);
    bufferPage(s, page(1, 3), 10);
    for (const t of takeToStart(s, 1)) markStarted(s, t, 0, true);
    markOutcome(s, { reference: 'REF1', status: 'parked' });
    expect(canStart(s)).toBe(false);
    expect(takeToStart(s, 10)).toEqual([]);
    expect(parkToReport(s)).toBe(true);
    s.parkReportedAt = s.control.fundsReleases;
    expect(parkToReport(s)).toBe(false);
    // Not released yet: the same release count does not resend it.
    expect(takeReleased(s)).toEqual([]);
    s.control = applyControl(s.control, { ...open, holdForFunds: true, fundsReleases: 0 });
    expect(takeReleased(s)).toEqual([]);
    s.control = applyControl(s.control, { ...open, fundsReleases: 1 });
    expect(takeReleased(s).map((t) => t.reference)).toEqual(['REF1']);
    expect(s.summary.parkings).toBe(1);
  });

  it('keeps releases counting up and a cancel standing whatever order the signals arrive in', () => {
    const later = applyControl(open, { ...open, cancelled: true, fundsReleases: 2 });
    const stale = applyControl(later, { ...open, fundsReleases: 1 });
    expect(stale).toMatchObject({ cancelled: true, fundsReleases: 2 });
  });

  it('does not resend parked payouts while paused or cancelled; a cancel ends them cancelled', () => {
    const s = newShardState('b1', 1, { fromRow: 1, toRow: 2 }, open);
    bufferPage(s, page(1, 2), 10);
    for (const t of takeToStart(s, 1)) markStarted(s, t, 0, true);
    markOutcome(s, { reference: 'REF1', status: 'parked' });
    s.control = applyControl(s.control, { ...open, paused: true, fundsReleases: 1 });
    expect(takeReleased(s)).toEqual([]);
    s.control = applyControl(s.control, { ...open, cancelled: true, fundsReleases: 1 });
    expect(applyCancel(s)).toEqual(['REF1']);
    expect(s.summary.ended.cancelled).toBe(1);
    expect(isDone(s)).toBe(true);
  });

  it('carries everything in hand over continue-as-new, with a fresh start budget', () => {
    const s = newShardState('b1', 2, { fromRow: 1, toRow: 9 }, open);
    bufferPage(s, page(1, 3), 10);
    for (const t of takeToStart(s, 2)) markStarted(s, t, 5, true);
    const next = carryOver(s);
    expect(next).toMatchObject({ run: 2, startsThisRun: 0, cursor: 3, summary: { runs: 2, started: 2 } });
    expect(Object.keys(next.inFlight)).toEqual(['REF1', 'REF2']);
    expect(next.buffer.map((t) => t.rowNo)).toEqual([3]);
  });
});
