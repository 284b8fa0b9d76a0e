import { type Env, readInt, readNumber, readOptionalString, readString } from '../common/env.js';
import { ConfigError } from '../common/errors.js';
import { type ConfiguredEndpoint, loadWebhookEndpoints } from '../webhooks/endpoints-config.js';

export interface WorkerConfig {
  databaseUrl: string;
  /** Workflow tasks processed at once. */
  workflowConcurrency: number;
  dbConcurrency: number;
  pesawayConcurrency: number;
  /** PesaWay calls per second for ALL workers together (server-side task queue rate limit). */
  pesawayRatePerSecond: number;
  /** Public base URL of our callback receiver; each payout's ResultsUrl is built on it. */
  callbackBaseUrl: string;
  callbackSecret: string;
  /** WEBHOOK_ENDPOINTS: synced into the table at start, each delivered by its workflow. */
  webhookEndpoints: ConfiguredEndpoint[];
  /** A prebuilt workflow bundle (npm run build:workflows); bundled at start when absent. */
  workflowBundlePath: string | undefined;
}

export function loadWorkerConfig(env: Env): WorkerConfig {
  const databaseUrl = readOptionalString(env, 'DATABASE_URL');
  if (!databaseUrl) throw new ConfigError('DATABASE_URL', 'is required for the worker', 'Point it at the engine database, e.g. postgres://user:pass@host:5432/disburse');
  const callbackSecret = readOptionalString(env, 'CALLBACK_SECRET');
  if (!callbackSecret || callbackSecret.length < 16) {
    throw new ConfigError('CALLBACK_SECRET', 'must be set to at least 16 random characters', 'Generate one: openssl rand -hex 32 (the API needs the same value).');
  }
  return {
    databaseUrl,
    workflowConcurrency: readInt(env, 'WORKER_WORKFLOW_CONCURRENCY', 100, { min: 1 }),
    dbConcurrency: readInt(env, 'WORKER_DB_CONCURRENCY', 50, { min: 1 }),
    pesawayConcurrency: readInt(env, 'WORKER_PESAWAY_CONCURRENCY', 100, { min: 1 }),
    pesawayRatePerSecond: readNumber(env, 'PESAWAY_RATE_LIMIT_PER_SECOND', 40, { min: 0.1 }),
    callbackBaseUrl: readString(env, 'CALLBACK_BASE_URL', 'http://127.0.0.1:3000'),
    callbackSecret,
    webhookEndpoints: loadWebhookEndpoints(env),
    workflowBundlePath: readOptionalString(env, 'WORKFLOW_BUNDLE_PATH'),
  };
}

