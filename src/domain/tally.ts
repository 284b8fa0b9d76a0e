/**
 * A batch's payouts counted and summed by where they stand: the ONE place that turns per-status totals
 * (straight from PostgreSQL, current attempts only) into the counts and amounts that the workflow's
 * progress, the API, the CLI, the Web UI details and the final summary all show.
 */
import type { MinorUnits } from './money.js';
import { PAYOUT_STATUSES, type PayoutStatus } from './payout-status.js';

/** Current attempts of a batch per status: how many, and how much money. */
export interface StatusTotals {
  counts: Record<PayoutStatus, number>;
  amounts: Record<PayoutStatus, MinorUnits>;
}

/**
 * `pending`: not sent yet. `inFlight`: sent or being sent and not settled, including `awaitingFunds`
 * (parked on 455.001, nothing paid, to be resent under the same reference).
 */
export interface Counts {
  pending: number;
  inFlight: number;
  awaitingFunds: number;
  succeeded: number;
  failed: number;
  rejected: number;
  cancelled: number;
  unresolved: number;
}

/** Money by where it stands. `pendingMinor`: not settled yet (pending or in flight). */
export interface Amounts {
  totalMinor: MinorUnits;
  succeededMinor: MinorUnits;
  failedMinor: MinorUnits;
  rejectedMinor: MinorUnits;
  cancelledMinor: MinorUnits;
  /** No final answer from PesaWay before the settle deadline: maybe paid, maybe not; never resent. */
  unresolvedMinor: MinorUnits;
  pendingMinor: MinorUnits;
}

/** Statuses whose payout a shard still has to move (send, resend, or settle). */
export const OPEN_PAYOUT_STATUSES = ['pending', 'submitting', 'accepted', 'awaiting_funds'] as const satisfies readonly PayoutStatus[];
const IN_FLIGHT: readonly PayoutStatus[] = ['submitting', 'accepted', 'awaiting_funds'];

export function emptyTotals(): StatusTotals {
  const zero = (): Record<PayoutStatus, number> => Object.fromEntries(PAYOUT_STATUSES.map((s) => [s, 0])) as Record<PayoutStatus, number>;
  return { counts: zero(), amounts: zero() };
}

const sum = (values: Record<PayoutStatus, number>, statuses: readonly PayoutStatus[]): number => statuses.reduce((n, s) => n + values[s], 0);

export function countsOf(t: StatusTotals): Counts {
  const c = t.counts;
  return {
    pending: c.pending,
    inFlight: sum(c, IN_FLIGHT),
    awaitingFunds: c.awaiting_funds,
    succeeded: c.succeeded,
    failed: c.failed,
    rejected: c.rejected,
    cancelled: c.cancelled,
    unresolved: c.unresolved,
  };
}

export function amountsOf(t: StatusTotals): Amounts {
  const a = t.amounts;
  return {
    totalMinor: sum(a, PAYOUT_STATUSES),
    succeededMinor: a.succeeded,
    failedMinor: a.failed,
    rejectedMinor: a.rejected,
    cancelledMinor: a.cancelled,
    unresolvedMinor: a.unresolved,
    pendingMinor: sum(a, OPEN_PAYOUT_STATUSES),
  };
}

/** Payouts still to move: while any is open, the batch is not done. */
export function openCount(t: StatusTotals): number {
  return sum(t.counts, OPEN_PAYOUT_STATUSES);
}

export function totalCount(t: StatusTotals): number {
  return sum(t.counts, PAYOUT_STATUSES);
}

/** Settled from the batch's point of view: every payout but the open ones. */
export function settledCount(t: StatusTotals): number {
  return totalCount(t) - openCount(t);
}
