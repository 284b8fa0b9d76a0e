/**
 * The batch workflow's memory, as plain data and pure functions (no Temporal APIs), so it can be unit
 * tested and carried across continue-as-new unchanged.
 */
import type { BatchSnapshot } from '../activities/types.js';
import type { BatchStatus } from '../domain/batch-status.js';
import type { MinorUnits } from '../domain/money.js';
import type { PayoutStatus } from '../domain/payout-status.js';
import type { Counts, PayoutResult, PayoutTicket, Progress } from './types.js';

export interface InFlight {
  rowNo: number;
  amountMinor: MinorUnits;
  feeEstimateMinor: MinorUnits;
  parked: boolean;
  /**
   * Started by an earlier run of this batch (before it continued as new): its completion goes to that run,
   * so this run learns its end from the database.
   */
  carried: boolean;
}

export interface BatchState {
  batchId: string;
  submittedBy: string | undefined;
  run: number;
  startedAt: string;
  /** Highest row number read from the database; the next page is read after it. */
  cursor: number;
  /** Payouts read but not started yet (at most one page). */
  buffer: PayoutTicket[];
  exhausted: boolean;
  inFlight: Record<string, InFlight>;
  counts: Counts;
  totalMinor: MinorUnits;
  succeededMinor: MinorUnits;
  failedMinor: MinorUnits;
  /** Rejected, cancelled and unresolved payouts: not paid, not pending. */
  otherEndedMinor: MinorUnits;
  persistedStatus: BatchStatus;
  paused: boolean;
  cancelRequested: boolean;
  cancelApplied: boolean;
  approvedBy: string | undefined;
  retryRequested: boolean;
  fundsAdded: boolean;
  awaitingFundsSince: string | undefined;
  fundsAlertRaised: boolean;
  shortfallMinor: MinorUnits | undefined;
  availableMinor: MinorUnits | undefined;
  /** A payout we were not tracking reported in: re-read the counts from the database. */
  countsStale: boolean;
}

/**
 * Counts from the database's statuses, given what this workflow has in flight: rows not ended and not in
 * flight are `pending` (a payout workflow still to start, or one from an earlier run still moving).
 */
export function countsFrom(statusCounts: Record<PayoutStatus, number>, inFlight: number, parked: number): Counts {
  const s = statusCounts;
  const open = s.pending + s.submitting + s.accepted + s.awaiting_funds;
  return {
    pending: Math.max(0, open - inFlight),
    inFlight,
    awaitingFunds: parked,
    succeeded: s.succeeded,
    failed: s.failed,
    rejected: s.rejected,
    cancelled: s.cancelled,
    unresolved: s.unresolved,
  };
}

export function initialState(snapshot: BatchSnapshot, now: string): BatchState {
  return {
    batchId: snapshot.batchId,
    submittedBy: snapshot.submittedBy,
    run: 1,
    startedAt: now,
    cursor: 0,
    buffer: [],
    exhausted: false,
    inFlight: {},
    counts: countsFrom(snapshot.statusCounts, 0, 0),
    totalMinor: snapshot.totalMinor,
    succeededMinor: snapshot.succeededMinor,
    failedMinor: snapshot.failedMinor,
    otherEndedMinor: snapshot.otherEndedMinor,
    persistedStatus: snapshot.status,
    paused: false,
    cancelRequested: false,
    cancelApplied: false,
    approvedBy: snapshot.approvedBy,
    retryRequested: false,
    fundsAdded: false,
    awaitingFundsSince: undefined,
    fundsAlertRaised: false,
    shortfallMinor: undefined,
    availableMinor: undefined,
    countsStale: false,
  };
}

/** Takes a page read from the database into the buffer, skipping payouts already in flight. */
export function bufferPage(state: BatchState, page: PayoutTicket[]): void {
  for (const t of page) {
    state.cursor = Math.max(state.cursor, t.rowNo);
    if (state.inFlight[t.reference] === undefined && !state.buffer.some((b) => b.reference === t.reference)) state.buffer.push(t);
  }
}

/** Starts over from the first row (after a retry, or when the database still shows pending rows). */
export function rewind(state: BatchState): void {
  state.cursor = 0;
  state.buffer = [];
  state.exhausted = false;
}

/** Replaces counts and amounts with a fresh database snapshot, keeping in-flight bookkeeping. */
export function refreshFromSnapshot(state: BatchState, snapshot: BatchSnapshot): void {
  state.counts = countsFrom(snapshot.statusCounts, inFlightCount(state), parkedReferences(state).length);
  state.totalMinor = snapshot.totalMinor;
  state.succeededMinor = snapshot.succeededMinor;
  state.failedMinor = snapshot.failedMinor;
  state.otherEndedMinor = snapshot.otherEndedMinor;
  state.countsStale = false;
}

/** Before continuing as new: every payout in flight now belongs to the run that is ending. */
export function markAllCarried(state: BatchState): void {
  for (const f of Object.values(state.inFlight)) f.carried = true;
}

export function markCarried(state: BatchState, reference: string): void {
  const f = state.inFlight[reference];
  if (f) f.carried = true;
}

export function carriedReferences(state: BatchState): string[] {
  return Object.entries(state.inFlight).filter(([, f]) => f.carried).map(([ref]) => ref);
}

export function inFlightCount(state: BatchState): number {
  return Object.keys(state.inFlight).length;
}

export function parkedReferences(state: BatchState): string[] {
  return Object.entries(state.inFlight).filter(([, f]) => f.parked).map(([ref]) => ref);
}

/** Money the parked payouts need (amount plus estimated fee). */
export function parkedNeedMinor(state: BatchState): MinorUnits {
  return Object.values(state.inFlight).filter((f) => f.parked).reduce((sum, f) => sum + f.amountMinor + f.feeEstimateMinor, 0);
}

export function markStarted(state: BatchState, ticket: PayoutTicket): void {
  state.inFlight[ticket.reference] = { rowNo: ticket.rowNo, amountMinor: ticket.amountMinor, feeEstimateMinor: ticket.feeEstimateMinor, parked: false, carried: false };
  state.counts.pending = Math.max(0, state.counts.pending - 1);
  state.counts.inFlight += 1;
}

export function markParked(state: BatchState, reference: string): void {
  const f = state.inFlight[reference];
  if (!f || f.parked) return;
  f.parked = true;
  state.counts.awaitingFunds += 1;
}

export function markReleased(state: BatchState, reference: string): void {
  const f = state.inFlight[reference];
  if (!f || !f.parked) return;
  f.parked = false;
  state.counts.awaitingFunds = Math.max(0, state.counts.awaitingFunds - 1);
}

/** A payout reported its end. Unknown references (children of an older, terminated run) mark counts stale. */
export function markEnded(state: BatchState, result: PayoutResult): void {
  const f = state.inFlight[result.reference];
  if (!f) {
    state.countsStale = true;
    return;
  }
  if (f.parked) state.counts.awaitingFunds = Math.max(0, state.counts.awaitingFunds - 1);
  delete state.inFlight[result.reference];
  state.counts.inFlight = Math.max(0, state.counts.inFlight - 1);
  state.counts[result.status] += 1;
  if (result.status === 'succeeded') state.succeededMinor += result.amountMinor;
  else if (result.status === 'failed') state.failedMinor += result.amountMinor;
  else state.otherEndedMinor += result.amountMinor;
}

export function awaitingFunds(state: BatchState): boolean {
  return state.awaitingFundsSince !== undefined;
}

/** The status the batch should show now; the workflow persists it when it changes. */
export function desiredStatus(state: BatchState): BatchStatus {
  if (state.cancelRequested) return 'CANCELLING';
  if (awaitingFunds(state)) return 'AWAITING_FUNDS';
  if (state.paused) return 'PAUSED';
  return 'RUNNING';
}

export function toProgress(state: BatchState, now: string): Progress {
  const c = state.counts;
  const endedMinor = state.succeededMinor + state.failedMinor + state.otherEndedMinor;
  return {
    batchId: state.batchId,
    status: state.persistedStatus,
    paused: state.paused,
    cancelRequested: state.cancelRequested,
    counts: { ...c },
    amounts: {
      totalMinor: state.totalMinor,
      succeededMinor: state.succeededMinor,
      failedMinor: state.failedMinor,
      pendingMinor: Math.max(0, state.totalMinor - endedMinor),
    },
    shortfallMinor: awaitingFunds(state) ? state.shortfallMinor : undefined,
    availableMinor: state.availableMinor,
    startedAt: state.startedAt,
    updatedAt: now,
    awaitingFundsSince: state.awaitingFundsSince,
    run: state.run,
  };
}
