/**
 * What travels through Temporal: ids, amounts, statuses and masked destinations only. Names and full
 * phone or account numbers stay in PostgreSQL (claim check) and are read by activities when needed.
 */
import type { BatchStatus } from '../domain/batch-status.js';
import type { Channel } from '../domain/channel.js';
import type { MinorUnits } from '../domain/money.js';
import type { PayoutEnd } from '../domain/payout-outcome.js';
import type { Amounts, Counts } from '../domain/tally.js';

export interface TaskQueues {
  /** Batch and shard workflows. */
  batches: string;
  /** Database activities of the batch and its shards. */
  db: string;
  /** The payout activity and balance checks: every PesaWay call. The worker rate-limits this queue for all workers together. */
  pesaway: string;
}

export interface PayoutTiming {
  /**
   * How long one attempt of a payout activity waits for its result callback (its start-to-close timeout).
   * Must exceed PESAWAY_TIMEOUT_MS: a send cut short is resent under the same reference.
   */
  callbackWaitMs: number;
  /** Backoff between attempts after a callback wait ran out: each later attempt queries PesaWay (the poll). */
  pollInitialMs: number;
  pollMaxMs: number;
  /** After this long without a final answer the payout ends `unresolved` (never resent): the activity's schedule-to-close. */
  settleDeadlineMs: number;
  /** Longest a balance check may take before Temporal retries it. */
  pesawayAttemptTimeoutMs: number;
}

export type FundsPolicy = 'proceed' | 'wait';

export interface BatchSettings {
  taskQueues: TaskQueues;
  /** Write BatchId / BatchStatus search attributes (registered on the namespace by the dev stack and compose). */
  searchAttributes: boolean;
  /**
   * Name payout activities by row and attempt, not by their reference: with encrypted payloads
   * (TEMPORAL_PAYLOAD_KEYS) the reference then appears on the Temporal server only as ciphertext. Absent in
   * runs started before it existed, which keep their reference ids on replay.
   */
  opaqueActivityIds?: boolean;
  /** Most shard workflows a batch runs at once; each pays a contiguous range of rows. */
  shards: number;
  /** A shard is only worth it for at least this many payouts. */
  minPayoutsPerShard: number;
  /** Payout activities each shard keeps in flight. */
  windowSize: number;
  /** Payouts a shard reads per database page. */
  pageSize: number;
  /** A shard continues as new after starting this many payouts in one run (bounds its history). */
  maxStartsPerRun: number;
  /** The batch workflow continues as new past this many history events in one run (default 8,000). */
  batchRunMaxEvents?: number | undefined;
  /** How often the batch re-reads its counts from PostgreSQL while payouts move (backs off while nothing changes). */
  progressRefreshMs: number;
  /** `proceed`: pay what the wallet covers, park on 455.001. `wait`: start only when the wallet covers the batch. */
  fundsPolicy: FundsPolicy;
  fundsPollInitialMs: number;
  fundsPollMaxMs: number;
  payout: PayoutTiming;
  /** Public address of the HTTP API, for links in the Web UI's details (optional). */
  apiUrl?: string | undefined;
  /** How long PesaWay may stay unreachable before the batch raises its alert (default 2 minutes). */
  pesawayAlertAfterMs?: number | undefined;
}

/** Rows `fromRow`..`toRow` (inclusive) of a batch: what one shard pays. */
export interface RowRange {
  fromRow: number;
  toRow: number;
}

/** One payout as a shard reads it from PostgreSQL: what it needs to start (and label) its activity. */
export interface PayoutTicket {
  reference: string;
  rowNo: number;
  attempt: number;
  channel: Channel;
  amountMinor: MinorUnits;
  /** `2547*****678` or a masked account number. */
  maskedDestination: string;
}

export type { PayoutEnd, PayoutOutcome } from '../domain/payout-outcome.js';
export type { Counts } from '../domain/tally.js';

/** What a batch tells its shards; the whole gate every time, so a late or repeated signal is harmless. */
export interface ShardControl {
  paused: boolean;
  cancelled: boolean;
  /** The wallet ran dry: start nothing until the batch releases. */
  holdForFunds: boolean;
  /** Incremented at each release: payouts parked before it are resent (same references). */
  fundsReleases: number;
}

export interface Progress {
  batchId: string;
  status: BatchStatus;
  paused: boolean;
  cancelRequested: boolean;
  counts: Counts;
  amounts: Amounts;
  /** Money missing to finish the batch while AWAITING_FUNDS. */
  shortfallMinor: MinorUnits | undefined;
  /** The wallet's available balance when last read (`availableAt`). */
  availableMinor: MinorUnits | undefined;
  availableAt: string | undefined;
  startedAt: string;
  updatedAt: string;
  /** When the counts were read from PostgreSQL. */
  countsAt: string | undefined;
  awaitingFundsSince: string | undefined;
  /** When a scheduled batch pays (ISO); undefined when it pays as soon as it may. */
  payAt?: string | undefined;
  /** Shard workflows running now. */
  shardsRunning: number;
  /** How many times this batch continued as new (its history is cut into runs). */
  run: number;
  /** PesaWay does not answer: the batch waits on it (payouts retry under their references) and resumes by itself. */
  waitingOnPesaway?: PesaWayOutage | undefined;
}

/** What the workers' PesaWay watch tells a batch: unreachable since (ISO) and why, or `null` once it answers. */
export interface PesaWayReachabilityNews {
  unreachableSince: string | null;
  lastError?: string | undefined;
}

/** A PesaWay outage as a batch knows it: since when, the last error, and when the alert was raised. */
export interface PesaWayOutage {
  since: string;
  lastError: string;
  alertedAt?: string | undefined;
}

export interface BatchSummary {
  batchId: string;
  status: BatchStatus;
  counts: Counts;
  amounts: Amounts;
  finishedAt: string;
}

export interface ShardSummary {
  shard: number;
  started: number;
  ended: Record<PayoutEnd, number>;
  parkings: number;
  runs: number;
}
