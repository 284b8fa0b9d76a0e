/**
 * The life of one payout attempt (one ExternalReference). States only move forward: a late or duplicated
 * callback, a replayed activity or a stale poll can never move a payout backwards.
 *
 *   pending ──> submitting ──> accepted ──> succeeded | failed | unresolved
 *      │            │  ▲                                          │
 *      │            │  └── awaiting_funds (455.001: nothing paid)  └──> succeeded | failed (late evidence)
 *      │            └──> rejected (400.001) | succeeded | failed | unresolved
 *      └──> cancelled  (also from awaiting_funds: never paid)
 */
export const PAYOUT_STATUSES = [
  'pending',
  'submitting',
  'awaiting_funds',
  'accepted',
  'succeeded',
  'failed',
  'rejected',
  'cancelled',
  'unresolved',
] as const;

export type PayoutStatus = (typeof PAYOUT_STATUSES)[number];

/** Final: nothing will ever change them. `unresolved` is not final: later evidence may settle it. */
export const TERMINAL_PAYOUT_STATUSES = ['succeeded', 'failed', 'rejected', 'cancelled'] as const;
export type TerminalPayoutStatus = (typeof TERMINAL_PAYOUT_STATUSES)[number];

/** Statuses whose payouts need a person (the attention list): chase, fix and retry, or top up. */
export const ATTENTION_STATUSES = ['unresolved', 'failed', 'rejected', 'awaiting_funds'] as const satisfies readonly PayoutStatus[];
export type AttentionStatus = (typeof ATTENTION_STATUSES)[number];

/** Where an attempt may go next. Anything not listed is a backwards (or sideways) move and is refused. */
const NEXT: Readonly<Record<PayoutStatus, readonly PayoutStatus[]>> = {
  pending: ['submitting', 'cancelled'],
  submitting: ['accepted', 'awaiting_funds', 'rejected', 'succeeded', 'failed', 'unresolved'],
  awaiting_funds: ['submitting', 'cancelled'],
  accepted: ['succeeded', 'failed', 'unresolved'],
  unresolved: ['succeeded', 'failed'],
  succeeded: [],
  failed: [],
  rejected: [],
  cancelled: [],
};

export function isPayoutStatus(value: string): value is PayoutStatus {
  return (PAYOUT_STATUSES as readonly string[]).includes(value);
}

export function isTerminal(status: PayoutStatus): status is TerminalPayoutStatus {
  return (TERMINAL_PAYOUT_STATUSES as readonly string[]).includes(status);
}

/** Done from the batch's point of view: terminal, or parked as unresolved with its evidence. */
export function isSettledForBatch(status: PayoutStatus): boolean {
  return isTerminal(status) || status === 'unresolved';
}

export function canTransition(from: PayoutStatus, to: PayoutStatus): boolean {
  return NEXT[from].includes(to);
}

/** All states reachable from `from` (not including itself). */
export function reachableFrom(from: PayoutStatus): PayoutStatus[] {
  const seen = new Set<PayoutStatus>();
  const queue = [...NEXT[from]];
  while (queue.length) {
    const s = queue.shift()!;
    if (seen.has(s)) continue;
    seen.add(s);
    queue.push(...NEXT[s]);
  }
  return [...seen];
}

/** Statuses from which `to` can be reached in one step; used by the forward-only SQL update. */
export function predecessorsOf(to: PayoutStatus): PayoutStatus[] {
  return PAYOUT_STATUSES.filter((s) => NEXT[s].includes(to));
}
