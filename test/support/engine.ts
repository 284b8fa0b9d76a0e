/**
 * The whole engine for one test file, all real: its own database, the shared Temporal dev server, a
 * PesaWay sandbox over HTTP, the callback receiver over HTTP, and workers (in-process, or as separate
 * processes that tests can SIGKILL).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Worker } from '@temporalio/worker';
import Fastify, { type FastifyInstance } from 'fastify';
import { inject } from 'vitest';
import { createActivities } from '../../src/activities/index.js';
import { buildApi } from '../../src/api/app.js';
import { parseApiKeys } from '../../src/api/auth.js';
import { callbackReceiver, emptyCallbackStats, type CallbackStats } from '../../src/api/callbacks.js';
import type { ApiConfig } from '../../src/api/config.js';
import { DEFAULT_LIMITS } from '../../src/payroll/limits.js';
import { createLogger } from '../../src/common/log.js';
import { ingestPayroll, type IngestOptions, type IngestResult } from '../../src/ingest/ingest.js';
import { PesaWayClient } from '../../src/pesaway/client.js';
import type { PesaWayConfig } from '../../src/pesaway/config.js';
import { resultsUrl } from '../../src/pesaway/results-url.js';
import { startSandbox, type SandboxHandle, type SandboxOptionsInput } from '../../src/sandbox/index.js';
import { startWebhookDeliveries } from '../../src/client/webhooks.js';
import { type WebhookSettings, taskQueuesFor } from '../../src/temporal/settings.js';
import type { ConfiguredEndpoint } from '../../src/webhooks/endpoints-config.js';
import { type CodecKey, dataConverterFor } from '../../src/temporal/payload-codec.js';
import { createWorkers } from '../../src/worker/workers.js';
import { startPesaWayWatch } from '../../src/worker/pesaway-watch.js';
import type { BatchSettings, PayoutTiming, TaskQueues } from '../../src/workflows/types.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { connectTemporal, uniqueTaskQueue, type TestTemporal } from './temporal.js';

export const CALLBACK_SECRET = 'test-callback-secret-0123456789';

export interface EngineOptions {
  sandbox?: SandboxOptionsInput;
  settings?: Partial<Omit<BatchSettings, 'taskQueues' | 'payout'>> & { payout?: Partial<PayoutTiming> };
  /** PesaWay calls per second for the PesaWay task queue. */
  ratePerSecond?: number;
  /** Start in-process workers now (default) or leave it to the test (e.g. worker processes). */
  workers?: 'in-process' | 'none';
  /** Webhook delivery timing (default: 2 s long polls, retries at most 2 s apart) and WEBHOOK_ENDPOINTS-style endpoints. */
  webhooks?: Partial<Pick<WebhookSettings, 'longPollMs' | 'retryMaxIntervalMs'>> & { endpoints?: ConfiguredEndpoint[] };
  /** Encrypt Temporal payloads (client, workers, worker processes) as TEMPORAL_PAYLOAD_KEYS would. */
  payloadKeys?: CodecKey[];
  /** Watch PesaWay's reachability as the worker does (PESAWAY_UNREACHABLE_AFTER_MS); off by default. */
  pesawayUnreachableAfterMs?: number;
}

export const API_KEYS = {
  alice: 'alice-submitter-key-0123456789',
  aliceApprover: 'alice-approver-key-0123456789',
  bob: 'bob-approver-key-0123456789abc',
  victor: 'victor-viewer-key-0123456789',
} as const;
const API_KEYS_ENV = `alice:submitter:${API_KEYS.alice},alice:approver:${API_KEYS.aliceApprover},bob:approver:${API_KEYS.bob},victor:viewer:${API_KEYS.victor}`;

export interface Engine {
  db: TestDatabase;
  temporal: TestTemporal;
  sandbox: SandboxHandle;
  taskQueues: TaskQueues;
  settings: BatchSettings;
  webhooks: WebhookSettings;
  callbackStats: CallbackStats;
  callbackBaseUrl: string;
  pesawayConfig: PesaWayConfig;
  ingest: (csv: string, options?: IngestOptions) => Promise<IngestResult>;
  startWorkers: () => Promise<void>;
  stopWorkers: () => Promise<void>;
  /** The HTTP API (with the callback receiver) in-process, on a free port; resolves to its base URL. */
  startApi: (overrides?: Partial<ApiConfig>) => Promise<string>;
  /** A worker as its own OS process (`src/worker/main.ts`), for crash tests; `env` adds to its environment (metrics off unless set there). */
  spawnWorkerProcess: (env?: Record<string, string>) => ChildProcess;
  stop: () => Promise<void>;
}

const log = createLogger({ name: 'test-engine', level: process.env['LOG_LEVEL'] ?? 'silent' });

export async function startEngine(options: EngineOptions = {}): Promise<Engine> {
  const [db, temporal, sandbox] = await Promise.all([
    createTestDatabase(),
    connectTemporal(options.payloadKeys),
    startSandbox({ settleDelayMs: { min: 50, max: 300 }, ...options.sandbox }),
  ]);
  const taskQueues: TaskQueues = (() => {
    const prefix = uniqueTaskQueue('engine');
    return taskQueuesFor(prefix);
  })();
  const settings: BatchSettings = {
    taskQueues,
    searchAttributes: true,
    opaqueActivityIds: options.payloadKeys !== undefined,
    shards: 4,
    minPayoutsPerShard: 50,
    windowSize: 50,
    pageSize: 25,
    maxStartsPerRun: 500,
    progressRefreshMs: 500,
    fundsPolicy: 'proceed',
    fundsPollInitialMs: 1000,
    fundsPollMaxMs: 5000,
    ...options.settings,
    payout: { callbackWaitMs: 5000, pollInitialMs: 1000, pollMaxMs: 5000, settleDeadlineMs: 3_600_000, pesawayAttemptTimeoutMs: 10_000, ...options.settings?.payout },
  };
  const webhooks: WebhookSettings = {
    workflowTaskQueue: taskQueues.batches,
    taskQueue: taskQueues.db,
    longPollMs: options.webhooks?.longPollMs ?? 2000,
    retryMaxIntervalMs: options.webhooks?.retryMaxIntervalMs ?? 2000,
  };
  const pesawayConfig: PesaWayConfig = {
    baseUrl: sandbox.url,
    consumerKey: 'sandbox-key',
    consumerSecret: 'sandbox-secret',
    region: undefined,
    merchantCode: undefined,
    currency: 'KES',
    timeoutMs: 5000,
  };
  const watch = options.pesawayUnreachableAfterMs
    ? startPesaWayWatch({ pool: db.pool, temporal: temporal.client, log, unreachableAfterMs: options.pesawayUnreachableAfterMs, tickMs: 500 })
    : undefined;
  const pesaway = new PesaWayClient(pesawayConfig, log, { reachability: watch });

  const callbackStats = emptyCallbackStats();
  const api: FastifyInstance = Fastify({ logger: false });
  await api.register(callbackReceiver, { pool: db.pool, temporal: temporal.client, callbackSecret: CALLBACK_SECRET, stats: callbackStats });
  await api.listen({ host: '127.0.0.1', port: 0 });
  const address = api.server.address();
  const callbackBaseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  const ratePerSecond = options.ratePerSecond ?? 200;
  let workers: Worker[] = [];
  const apis: FastifyInstance[] = [];
  let running: Promise<unknown> | undefined;
  const children = new Set<ChildProcess>();

  const engine: Engine = {
    db,
    temporal,
    sandbox,
    taskQueues,
    settings,
    webhooks,
    callbackStats,
    callbackBaseUrl,
    pesawayConfig,
    ingest: (csv, ingestOptions = {}) => ingestPayroll(db.pool, Readable.from([Buffer.from(csv)]), { policy: 'strict', submittedBy: 'payroll-officer', ...ingestOptions }),
    async startWorkers() {
      workers = await createWorkers({
        connection: temporal.nativeConnection,
        namespace: 'default',
        taskQueues,
        activities: createActivities({
          pool: db.pool,
          client: pesaway,
          log,
          resultsUrl: (reference) => resultsUrl(callbackBaseUrl, CALLBACK_SECRET, reference),
        }),
        workflowBundle: { codePath: inject('workflowBundlePath') },
        workflowConcurrency: 20,
        dbConcurrency: 20,
        pesawayConcurrency: 50,
        pesawayRatePerSecond: ratePerSecond,
        dataConverter: dataConverterFor(options.payloadKeys),
      });
      running = Promise.all(workers.map((w) => w.run()));
      await startWebhookDeliveries(temporal.client, db.pool, options.webhooks?.endpoints ?? [], webhooks);
    },
    async stopWorkers() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await running;
      workers = [];
      running = undefined;
    },
    async startApi(overrides = {}) {
      const config: ApiConfig = {
        host: '127.0.0.1',
        port: 0,
        databaseUrl: db.url,
        apiKeys: parseApiKeys(API_KEYS_ENV),
        maxUploadBytes: 100 * 1024 * 1024,
        callbackSecret: CALLBACK_SECRET,
        callbackSigningKey: undefined,
        temporalUiUrl: 'http://127.0.0.1:8233',
        codec: { keys: options.payloadKeys, corsOrigins: ['http://localhost:8233'] },
        ...overrides,
      };
      const app = await buildApi({ config, pool: db.pool, temporal: temporal.client, namespace: 'default', settings, webhooks, limits: DEFAULT_LIMITS, callbackStats, log });
      await app.listen({ host: '127.0.0.1', port: 0 });
      apis.push(app);
      const a = app.server.address();
      return `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
    },
    spawnWorkerProcess(extraEnv = {}) {
      const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../../src/worker/main.ts', import.meta.url))], {
        env: {
          ...process.env,
          LOG_LEVEL: process.env['WORKER_LOG_LEVEL'] ?? 'warn',
          DATABASE_URL: db.url,
          TEMPORAL_ADDRESS: temporal.address,
          TASK_QUEUE_PREFIX: taskQueues.db.replace(/-db$/, ''),
          PESAWAY_BASE_URL: sandbox.url,
          PESAWAY_CONSUMER_KEY: 'sandbox-key',
          PESAWAY_CONSUMER_SECRET: 'sandbox-secret',
          PESAWAY_TIMEOUT_MS: '5000',
          PESAWAY_RATE_LIMIT_PER_SECOND: String(ratePerSecond),
          CALLBACK_BASE_URL: callbackBaseUrl,
          CALLBACK_SECRET,
          WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath'),
          // Fixed default ports would collide between test files running at once.
          METRICS_PORT: '0',
          TEMPORAL_METRICS_ADDRESS: '',
          ...extraEnv,
          ...(options.payloadKeys ? { TEMPORAL_PAYLOAD_KEYS: options.payloadKeys.map((k) => `${k.id}:${k.key.toString('base64')}`).join(',') } : {}),
        },
        stdio: process.env['WORKER_OUTPUT'] ? 'inherit' : ['ignore', 'ignore', 'pipe'],
      });
      children.add(child);
      child.once('exit', () => children.delete(child));
      return child;
    },
    async stop() {
      for (const c of children) c.kill('SIGKILL');
      watch?.stop();
      await engine.stopWorkers();
      for (const a of apis) await a.close();
      await api.close();
      await sandbox.close();
      await temporal.close();
      await db.close();
    },
  };
  if (options.workers !== 'none') await engine.startWorkers();
  return engine;
}
