/**
 * A shard workflow's memory, as plain data and pure functions (no Temporal APIs), so it can be unit tested
 * and carried across continue-as-new unchanged.
 */
import type { PayoutOutcome, PayoutTicket, RowRange, ShardControl, ShardSummary } from './types.js';

export interface InFlightPayout {
  ticket: PayoutTicket;
  /** Workflow time (ms) of its latest send; the settle deadline counts from here. */
  since: number;
}

export interface ParkedPayout {
  ticket: PayoutTicket;
  /** The batch's release count when it parked: the next release resends it (same reference). */
  parkedAtRelease: number;
}

export interface ShardState {
  batchId: string;
  shard: number;
  range: RowRange;
  run: number;
  /** Highest row read from PostgreSQL; the next page starts after it. */
  cursor: number;
  /** No more rows to read in the range. */
  exhausted: boolean;
  /** Read, not started yet (at most a page). */
  buffer: PayoutTicket[];
  inFlight: Record<string, InFlightPayout>;
  parked: Record<string, ParkedPayout>;
  control: ShardControl;
  /** The release count at which this shard last told the batch it parked a payout (-1: never). */
  parkReportedAt: number;
  cancelApplied: boolean;
  startsThisRun: number;
  summary: ShardSummary;
}

export function newShardState(batchId: string, shard: number, range: RowRange, control: ShardControl): ShardState {
  return {
    batchId,
    shard,
    range,
    run: 1,
    cursor: range.fromRow - 1,
    exhausted: false,
    buffer: [],
    inFlight: {},
    parked: {},
    control,
    parkReportedAt: -1,
    cancelApplied: false,
    startsThisRun: 0,
    summary: { shard, started: 0, ended: { succeeded: 0, failed: 0, rejected: 0, cancelled: 0, unresolved: 0 }, parkings: 0, runs: 1 },
  };
}

export const inFlightCount = (s: ShardState): number => Object.keys(s.inFlight).length;
export const parkedCount = (s: ShardState): number => Object.keys(s.parked).length;

/** New payouts start only while nothing holds the shard: not paused, cancelled, short of funds, or holding parked payouts. */
export function canStart(s: ShardState): boolean {
  const c = s.control;
  return !c.paused && !c.cancelled && !c.holdForFunds && parkedCount(s) === 0;
}

/** Takes a page read from PostgreSQL, skipping payouts this shard already has in hand. */
export function bufferPage(s: ShardState, page: readonly PayoutTicket[], pageSize: number): void {
  for (const t of page) {
    s.cursor = Math.max(s.cursor, t.rowNo);
    if (!s.inFlight[t.reference] && !s.parked[t.reference] && !s.buffer.some((b) => b.reference === t.reference)) s.buffer.push(t);
  }
  if (page.length < pageSize || s.cursor >= s.range.toRow) s.exhausted = true;
}

/** Takes up to `window - in flight` payouts off the buffer to start now. */
export function takeToStart(s: ShardState, window: number): PayoutTicket[] {
  if (!canStart(s)) return [];
  return s.buffer.splice(0, Math.max(0, window - inFlightCount(s)));
}

export function markStarted(s: ShardState, ticket: PayoutTicket, now: number, fresh: boolean): void {
  s.inFlight[ticket.reference] = { ticket, since: now };
  if (fresh) {
    s.summary.started += 1;
    s.startsThisRun += 1;
  }
}

/** A payout activity came back: ended, or parked on 455.001 (nothing paid) until the batch releases. */
export function markOutcome(s: ShardState, outcome: PayoutOutcome): void {
  const f = s.inFlight[outcome.reference];
  if (!f) return;
  delete s.inFlight[outcome.reference];
  if (outcome.status === 'parked') {
    s.parked[outcome.reference] = { ticket: f.ticket, parkedAtRelease: s.control.fundsReleases };
    s.summary.parkings += 1;
    return;
  }
  s.summary.ended[outcome.status] += 1;
}

export function applyControl(s: ShardControl, next: ShardControl): ShardControl {
  // Releases only count up and a cancel is never undone, whatever order the signals arrive in.
  return { ...next, fundsReleases: Math.max(s.fundsReleases, next.fundsReleases), cancelled: s.cancelled || next.cancelled };
}

/** Parked payouts the batch has released since they parked (the wallet covers them now): to resend. */
export function takeReleased(s: ShardState): PayoutTicket[] {
  if (s.control.cancelled || s.control.paused) return [];
  const released = Object.entries(s.parked).filter(([, p]) => p.parkedAtRelease < s.control.fundsReleases);
  for (const [reference] of released) delete s.parked[reference];
  return released.map(([, p]) => p.ticket);
}

/** True when the batch must be told this shard parked payouts it has not heard about yet. */
export function parkToReport(s: ShardState): boolean {
  return parkedCount(s) > 0 && s.parkReportedAt < s.control.fundsReleases && !s.control.cancelled;
}

/** Cancelled: parked payouts end cancelled (they were never paid), nothing more is read. Returns their references. */
export function applyCancel(s: ShardState): string[] {
  const references = Object.keys(s.parked);
  s.summary.ended.cancelled += references.length;
  s.parked = {};
  s.buffer = [];
  s.exhausted = true;
  s.cancelApplied = true;
  return references;
}

export function isDone(s: ShardState): boolean {
  return s.exhausted && s.buffer.length === 0 && inFlightCount(s) === 0 && parkedCount(s) === 0;
}

/** Before continuing as new: what the next run starts from. Payouts still in flight are started again there. */
export function carryOver(s: ShardState): ShardState {
  return { ...s, run: s.run + 1, startsThisRun: 0, summary: { ...s.summary, runs: s.summary.runs + 1 } };
}
