/**
 * Signals and queries, defined once and shared by workflows and clients (API, CLI, other systems).
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { SettlementResult } from '../domain/settlement.js';
import type { PayoutStatus } from '../domain/payout-status.js';
import type { Progress } from './types.js';

export const workflowIds = {
  batch: (batchId: string): string => `batch/${batchId}`,
  payout: (reference: string): string => `payout/${reference}`,
};

// Batch workflow
export const progressQuery = defineQuery<Progress>('progress');
export const pauseSignal = defineSignal<[{ by: string }]>('pause');
export const resumeSignal = defineSignal<[{ by: string }]>('resume');
export const cancelSignal = defineSignal<[{ by: string }]>('cancel');
export const fundsAddedSignal = defineSignal<[{ by: string }]>('fundsAdded');
export const approveSignal = defineSignal<[{ by: string }]>('approve');
export const retryFailedSignal = defineSignal<[{ by: string }]>('retryFailed');
/** From a payout child: PesaWay said 455.001; it waits for `releasePayout` (same reference) or `cancelPayout`. */
export const payoutParkedSignal = defineSignal<[{ reference: string }]>('payoutParked');

// Payout workflow
/**
 * A final answer from PesaWay's callback. The receiver records it in PostgreSQL first (forward-only) and
 * says where the record now stands, so the workflow need not write it again.
 */
export interface SettlementNotice {
  result: SettlementResult;
  recordedStatus?: PayoutStatus | undefined;
}
export const settlementSignal = defineSignal<[SettlementNotice]>('settlement');
export const releasePayoutSignal = defineSignal('releasePayout');
export const cancelPayoutSignal = defineSignal('cancelPayout');
export const payoutStatusQuery = defineQuery<string>('status');
