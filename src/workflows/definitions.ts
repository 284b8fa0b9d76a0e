/**
 * Signals, queries and workflow ids, defined once and shared by workflows and clients (API, CLI, other systems).
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { PesaWayReachabilityNews, Progress, ShardControl, ShardSummary } from './types.js';

export const workflowIds = {
  batch: (batchId: string): string => `batch/${batchId}`,
  /** Shard `n` (1-based) of a batch: pays a contiguous range of its rows. */
  shard: (batchId: string, n: number): string => `batch/${batchId}/${n}`,
  /** The long-lived delivery of one webhook endpoint's events. */
  webhook: (endpointId: string): string => `webhooks/${endpointId}`,
  /** One look-up of the wallet's balance (the API's preview); `nonce` keeps look-ups apart. */
  walletBalance: (nonce: string): string => `wallet-balance/${nonce}`,
};

// Batch workflow: asked by operators and other systems.
export const progressQuery = defineQuery<Progress>('progress');
export const pauseSignal = defineSignal<[{ by: string }]>('pause');
export const resumeSignal = defineSignal<[{ by: string }]>('resume');
export const cancelSignal = defineSignal<[{ by: string }]>('cancel');
export const fundsAddedSignal = defineSignal<[{ by: string }]>('fundsAdded');
export const approveSignal = defineSignal<[{ by: string }]>('approve');
/** An approver (not the submitter) refuses the batch before it pays: it ends CANCELLED, nothing paid. `reason`: 1–500 characters. */
export const rejectSignal = defineSignal<[{ by: string; reason: string }]>('reject');
export const retryFailedSignal = defineSignal<[{ by: string }]>('retryFailed');

// Batch workflow: told by the workers' PesaWay watch (src/worker/pesaway-watch.ts).
/** PesaWay has not answered since `unreachableSince` (ISO), or (`null`) it answers again. */
export const pesawayReachabilitySignal = defineSignal<[PesaWayReachabilityNews]>('pesawayReachability');

// Batch workflow: told by its shards.
/** A shard's payout met 455.001 after the `releasesSeen`-th release: the batch waits for funds. */
export const payoutParkedSignal = defineSignal<[{ shard: number; releasesSeen: number }]>('payoutParked');
/** A shard has nothing left to move in its range. */
export const shardEndedSignal = defineSignal<[ShardSummary]>('shardEnded');

// Shard workflow: told by its batch.
export const shardControlSignal = defineSignal<[ShardControl]>('shardControl');
