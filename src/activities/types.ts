/**
 * The activities' contract as workflows see it. Workflows import these *types* only; the
 * implementations live beside this file and are built by `createActivities(deps)`.
 */
import type { BatchStatus } from '../domain/batch-status.js';
import type { MinorUnits } from '../domain/money.js';
import type { PayoutStatus } from '../domain/payout-status.js';
import type { SettlementResult } from '../domain/settlement.js';
import type { BatchSummary, PayoutResult, PayoutTicket } from '../workflows/types.js';
import type { TransitionRequest } from '../db/payouts.js';

export interface BatchSnapshot {
  batchId: string;
  status: BatchStatus;
  approvalRequired: boolean;
  approvedBy: string | undefined;
  submittedBy: string | undefined;
  /** Current attempts by status, straight from the database. */
  statusCounts: Record<PayoutStatus, number>;
  totalMinor: MinorUnits;
  succeededMinor: MinorUnits;
  failedMinor: MinorUnits;
  /** Rejected, cancelled and unresolved. */
  otherEndedMinor: MinorUnits;
}

/** A transition as a workflow asks for it; the activity adds its source. Evidence: what an operator needs to chase an unresolved payout (no personal data). */
export type TransitionInput = Omit<TransitionRequest, 'source'>;

/** `applied`: this call moved it. Otherwise `current` says where it already is (a replay, or a refused backwards move). */
export interface TransitionOutcome {
  applied: boolean;
  current: PayoutStatus;
}

export interface FundsAlert {
  batchId: string;
  shortfallMinor: MinorUnits;
  availableMinor: MinorUnits;
  neededMinor: MinorUnits;
}

export interface DbActivities {
  loadBatch(batchId: string): Promise<BatchSnapshot>;
  setBatchStatus(batchId: string, status: BatchStatus): Promise<void>;
  /** Records who approved; refuses (non-retryable) an approval by the submitter. */
  recordApproval(batchId: string, by: string): Promise<void>;
  nextPendingPayouts(batchId: string, afterRowNo: number, limit: number): Promise<PayoutTicket[]>;
  recordPayoutTransition(input: TransitionInput): Promise<TransitionOutcome>;
  cancelPendingPayouts(batchId: string, actor: string): Promise<{ cancelled: number }>;
  prepareRetry(batchId: string, actor: string): Promise<{ retried: number }>;
  /** Amount plus estimated fees of every current attempt not yet accepted by PesaWay. */
  fundsNeeded(batchId: string): Promise<{ neededMinor: MinorUnits }>;
  /** Current attempts not ended yet: `pending` (not started) and `moving` (a payout workflow may be running). */
  countOpen(batchId: string): Promise<{ pending: number; moving: number }>;
  raiseFundsAlert(alert: FundsAlert): Promise<void>;
  /** The end of each of these payouts that has ended (including `unresolved`); the others are left out. */
  payoutOutcomes(references: string[]): Promise<PayoutResult[]>;
  finalizeBatch(batchId: string, status: 'COMPLETED' | 'CANCELLED'): Promise<BatchSummary>;
}

/**
 * The send activity records its own transitions (submitting before the call, then accepted / awaiting_funds /
 * rejected), so a payout costs one activity, not three. `already`: the record had moved on (a restart, a
 * cancel, a late callback), so nothing was sent.
 */
export type SendResult =
  | { kind: 'already'; status: PayoutStatus }
  | { kind: 'accepted'; transactionId: string | undefined }
  /** 403.002: accepted on an earlier try whose answer we lost. */
  | { kind: 'reference-used' }
  /** 455.001: nothing paid. */
  | { kind: 'insufficient-balance'; message: string }
  /** 400.001: PesaWay refuses this payout as it is; never retried. */
  | { kind: 'rejected'; message: string };

export type QueryResult =
  | { kind: 'settled'; result: SettlementResult }
  | { kind: 'pending'; transactionId: string | undefined }
  | { kind: 'not-found' };

export interface PesaWayActivities {
  /** Sends the payout stored under `reference`. Ambiguous answers, 429 and 401 are thrown (Temporal retries with the SAME reference). */
  sendPayout(reference: string): Promise<SendResult>;
  queryPayout(reference: string, transactionId: string | undefined): Promise<QueryResult>;
  getAvailableBalance(): Promise<{ availableMinor: MinorUnits }>;
}

export type Activities = DbActivities & PesaWayActivities;

/** Error types activities throw so Temporal retries them (never a new reference). */
export const RETRYABLE_ERRORS = {
  ambiguous: 'PesaWayAmbiguous',
  rateLimited: 'PesaWayRateLimited',
  unauthorized: 'PesaWayUnauthorized',
} as const;
