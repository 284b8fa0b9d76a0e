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
  /** The engine's metrics at http://<host>:<port>/metrics (METRICS_HOST, METRICS_PORT; port 0: off). */
  metrics: { host: string; port: number; token: string | undefined };
  /** The Temporal SDK's Prometheus exporter (TEMPORAL_METRICS_ADDRESS, host:port; empty: off). */
  sdkMetricsAddress: string | undefined;
  /** PesaWay counts as unreachable after this long without any answer (PESAWAY_UNREACHABLE_AFTER_MS). */
  pesawayUnreachableAfterMs: number;
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
    metrics: { host: readString(env, 'METRICS_HOST', '127.0.0.1'), port: readInt(env, 'METRICS_PORT', 9464, { min: 0, max: 65535 }), token: readOptionalString(env, 'METRICS_TOKEN') },
    sdkMetricsAddress: sdkMetricsAddress(readString(env, 'TEMPORAL_METRICS_ADDRESS', '127.0.0.1:9465')),
    pesawayUnreachableAfterMs: readInt(env, 'PESAWAY_UNREACHABLE_AFTER_MS', 15_000, { min: 1000 }),
  };
}

function sdkMetricsAddress(raw: string): string | undefined {
  if (raw.trim() === '') return undefined;
  if (!/^[^\s:]+:\d{1,5}$/.test(raw)) throw new ConfigError('TEMPORAL_METRICS_ADDRESS', `"${raw}" is not host:port`, 'Example: TEMPORAL_METRICS_ADDRESS=0.0.0.0:9465 (empty to turn the SDK exporter off)');
  return raw;
}

