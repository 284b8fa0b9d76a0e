import { type Env, readBool, readEnum, readInt, readOptionalString } from '../common/env.js';
import type { BatchSettings, TaskQueues } from '../workflows/types.js';
import type { WebhookDeliveryInput } from '../workflows/webhook.js';

export function taskQueuesFor(prefix: string): TaskQueues {
  return { batches: `${prefix}-batches`, db: `${prefix}-db`, pesaway: `${prefix}-pesaway` };
}

/**
 * How batches run. The starter (API, CLI, client helpers) reads these and passes them to the workflow,
 * because workflow code must not read its environment. Defaults chosen by measurement (bench/RESULTS.md).
 */
export function loadBatchSettings(env: Env, taskQueues: TaskQueues): BatchSettings {
  return {
    taskQueues,
    searchAttributes: readBool(env, 'SEARCH_ATTRIBUTES', true),
    opaqueActivityIds: readOptionalString(env, 'TEMPORAL_PAYLOAD_KEYS') !== undefined,
    shards: readInt(env, 'BATCH_SHARDS', 2, { min: 1, max: 64 }),
    minPayoutsPerShard: readInt(env, 'BATCH_MIN_PAYOUTS_PER_SHARD', 500, { min: 1 }),
    windowSize: readInt(env, 'BATCH_WINDOW_SIZE', 100, { min: 1, max: 2000 }),
    pageSize: readInt(env, 'BATCH_PAGE_SIZE', 200, { min: 1, max: 1000 }),
    maxStartsPerRun: readInt(env, 'BATCH_MAX_STARTS_PER_RUN', 1000, { min: 10, max: 5000 }),
    progressRefreshMs: readInt(env, 'BATCH_PROGRESS_REFRESH_MS', 5000, { min: 100 }),
    fundsPolicy: readEnum(env, 'BATCH_FUNDS_POLICY', ['proceed', 'wait'] as const, 'proceed'),
    fundsPollInitialMs: readInt(env, 'FUNDS_POLL_INITIAL_MS', 15_000, { min: 100 }),
    fundsPollMaxMs: readInt(env, 'FUNDS_POLL_MAX_MS', 600_000, { min: 100 }),
    payout: {
      callbackWaitMs: readInt(env, 'CALLBACK_WAIT_MS', 60_000, { min: 1000 }),
      pollInitialMs: readInt(env, 'POLL_INITIAL_MS', 30_000, { min: 100 }),
      pollMaxMs: readInt(env, 'POLL_MAX_MS', 1_800_000, { min: 100 }),
      settleDeadlineMs: readInt(env, 'SETTLE_DEADLINE_MS', 24 * 3_600_000, { min: 1000 }),
      pesawayAttemptTimeoutMs: readInt(env, 'PESAWAY_ATTEMPT_TIMEOUT_MS', 60_000, { min: 1000 }),
    },
    apiUrl: readOptionalString(env, 'API_PUBLIC_URL'),
    pesawayAlertAfterMs: readInt(env, 'PESAWAY_OUTAGE_ALERT_AFTER_MS', 120_000, { min: 1000 }),
  };
}

/** How webhook endpoints' workflows deliver: the same for every endpoint, read by whoever starts them (worker, API). */
export type WebhookSettings = Omit<WebhookDeliveryInput, 'endpointId'> & {
  /** Where the delivery workflows run (the batches' workflow queue). */
  workflowTaskQueue: string;
};

export function loadWebhookSettings(env: Env, taskQueues: TaskQueues): WebhookSettings {
  return {
    workflowTaskQueue: taskQueues.batches,
    taskQueue: taskQueues.db,
    longPollMs: readInt(env, 'WEBHOOK_LONG_POLL_MS', 60_000, { min: 1000, max: 600_000 }),
    retryMaxIntervalMs: readInt(env, 'WEBHOOK_RETRY_MAX_MS', 300_000, { min: 1000 }),
  };
}
