/**
 * What travels through Temporal: ids, amounts, statuses and masked destinations only. Names and full
 * phone or account numbers stay in PostgreSQL (claim check) and are read by activities when needed.
 */
import type { BatchStatus } from '../domain/batch-status.js';
import type { MinorUnits } from '../domain/money.js';
import type { PayoutStatus } from '../domain/payout-status.js';
import type { Channel } from '../domain/channel.js';

export interface TaskQueues {
  /** Batch workflows: few, long-lived, and kept on their own worker so a burst of payouts never delays them. */
  batches: string;
  /** Payout workflows. */
  payouts: string;
  /** Database activities. */
  db: string;
  /** PesaWay activities; the worker rate-limits this queue for all workers together. */
  pesaway: string;
}

export interface PayoutTiming {
  /** How long to wait for the result callback before polling the transaction query. */
  callbackWaitMs: number;
  pollInitialMs: number;
  pollMaxMs: number;
  /** After this long without a final answer the payout ends `unresolved` (never resent). */
  settleDeadlineMs: number;
  /**
   * Longest a single PesaWay activity attempt may take before Temporal retries it (with the same reference).
   * Above the client's own timeout; it bounds the pause after a worker crash.
   */
  pesawayAttemptTimeoutMs: number;
}

export type FundsPolicy = 'proceed' | 'wait';

export interface BatchSettings {
  taskQueues: TaskQueues;
  /**
   * Write BatchId / BatchStatus / PayoutStatus search attributes. They must be registered on the namespace
   * (the dev stack and compose do it); switch off where they cannot be, or every workflow task would fail.
   */
  searchAttributes: boolean;
  /** Payouts in flight at once (children started and not yet settled). */
  windowSize: number;
  /** Payouts read per database page. */
  pageSize: number;
  /** Continue-as-new after starting this many payouts in one run (bounds history size). */
  maxStartsPerRun: number;
  /** `proceed`: pay what the wallet covers, park on 455.001. `wait`: start only when the wallet covers the batch. */
  fundsPolicy: FundsPolicy;
  fundsPollInitialMs: number;
  fundsPollMaxMs: number;
  payout: PayoutTiming;
}

/** One payout as the batch hands it to its child workflow. */
export interface PayoutTicket {
  reference: string;
  rowNo: number;
  attempt: number;
  channel: Channel;
  amountMinor: MinorUnits;
  feeEstimateMinor: MinorUnits;
  /** `2547*****678` or a masked account number. */
  maskedDestination: string;
}

export interface PayoutInput {
  batchId: string;
  batchWorkflowId: string;
  ticket: PayoutTicket;
  taskQueues: TaskQueues;
  timing: PayoutTiming;
  searchAttributes: boolean;
}

/** Final states a payout workflow reports to its batch. */
export type PayoutEnd = Extract<PayoutStatus, 'succeeded' | 'failed' | 'rejected' | 'cancelled' | 'unresolved'>;

export interface PayoutResult {
  reference: string;
  rowNo: number;
  status: PayoutEnd;
  amountMinor: MinorUnits;
  transactionId?: string | undefined;
  resultCode?: number | undefined;
  reason?: string | undefined;
}

/**
 * A batch's payouts (current attempts) by where they stand. `inFlight` counts payout workflows running
 * now (including `awaitingFunds`, parked on 455.001); `pending` those not started yet.
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

export interface Progress {
  batchId: string;
  status: BatchStatus;
  paused: boolean;
  cancelRequested: boolean;
  counts: Counts;
  amounts: { totalMinor: MinorUnits; succeededMinor: MinorUnits; failedMinor: MinorUnits; pendingMinor: MinorUnits };
  /** Money missing to finish the batch while AWAITING_FUNDS. */
  shortfallMinor: MinorUnits | undefined;
  availableMinor: MinorUnits | undefined;
  startedAt: string;
  updatedAt: string;
  awaitingFundsSince: string | undefined;
  /** How many times this batch continued as new (its history is cut into runs). */
  run: number;
}

export interface BatchSummary {
  batchId: string;
  status: BatchStatus;
  counts: Counts;
  amounts: Progress['amounts'];
  finishedAt: string;
}
