import { Runtime, type Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { createActivities } from '../activities/index.js';
import { buildApi } from '../api/app.js';
import { parseApiKeys } from '../api/auth.js';
import { emptyCallbackStats } from '../api/callbacks.js';
import { connectClient, connectWorker, loadTemporalConfig } from '../temporal/connection.js';
import { dataConverterFor } from '../temporal/payload-codec.js';
import { type Env, readInt } from '../common/env.js';
import type { Logger } from '../common/log.js';
import { createPool } from '../db/pool.js';
import { limitsFromEnv } from '../payroll/limits.js';
import { PesaWayClient } from '../pesaway/client.js';
import { resultsUrl } from '../pesaway/results-url.js';
import { type SandboxHandle, type SandboxOptionsInput, startSandbox } from '../sandbox/index.js';
import { startWebhookDeliveries } from '../client/webhooks.js';
import { loadBatchSettings, loadWebhookSettings, taskQueuesFor } from '../temporal/settings.js';
import { loadWebhookEndpoints } from '../webhooks/endpoints-config.js';
import { createWorkers } from '../worker/workers.js';
import type { StackConfig } from './config.js';
import { type DevSecrets, devApiKeys, devSecrets } from './dev-secrets.js';
import { assertPortFree } from './ports.js';
import { type Stack, startStack } from './stack.js';
import { sdkLogger } from '../worker/sdk-logger.js';
import { startPesaWayWatch } from '../worker/pesaway-watch.js';

export interface EngineStack {
  stack: Stack;
  sandbox: SandboxHandle;
  apiUrl: string;
  sandboxUrl: string;
  secrets: DevSecrets;
  stop: () => Promise<void>;
}

/**
 * The whole engine on one machine: PostgreSQL and Temporal (src/dev/stack.ts), a PesaWay sandbox, the
 * worker and the HTTP API, all bound to 127.0.0.1. Used by `npm start` and `npm run demo`.
 */
export async function startEngineStack(config: StackConfig, env: Env, log: Logger, say: (line: string) => void, sandboxOptions: SandboxOptionsInput = {}): Promise<EngineStack> {
  const apiPort = readInt(env, 'API_PORT', 3000, { min: 1, max: 65535 });
  const sandboxPort = readInt(env, 'SANDBOX_PORT', 4010, { min: 1, max: 65535 });
  await assertPortFree('The API', apiPort, 'API_PORT');
  await assertPortFree('The PesaWay sandbox', sandboxPort, 'SANDBOX_PORT');

  // The SDK's own logs (worker state changes, idle queues) would drown the demo's output; errors still show.
  Runtime.install({ logger: sdkLogger(log, 'ERROR') });
  const stops: Array<() => Promise<unknown>> = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    stops.length = 0;
  };
  try {
    const stack = await startStack(config, say);
    stops.push(stack.stop);
    const secrets = await devSecrets(config.dataDir);
    const sandbox = await startSandbox({ port: sandboxPort, ...sandboxOptions, logger: log.child({ component: 'sandbox' }) });
    stops.push(() => sandbox.close());
    say(`PesaWay sandbox: ${sandbox.url}`);

    const temporalConfig = loadTemporalConfig({ ...env, TEMPORAL_ADDRESS: stack.temporalAddress, TEMPORAL_NAMESPACE: stack.temporalNamespace });
    const settings = loadBatchSettings(env, taskQueuesFor(temporalConfig.taskQueuePrefix));
    const webhooks = loadWebhookSettings(env, settings.taskQueues);
    const webhookEndpoints = loadWebhookEndpoints(env);
    const pool = createPool(stack.databaseUrl, 30);
    stops.push(() => pool.end());
    const apiUrl = `http://127.0.0.1:${apiPort}`;

    say('Worker: bundling workflows and starting');
    const connection = await connectWorker(temporalConfig);
    const temporal = await connectClient(temporalConfig);
    stops.push(() => temporal.connection.close());
    const watch = startPesaWayWatch({ pool, temporal, log: log.child({ component: 'pesaway-watch' }), unreachableAfterMs: readInt(env, 'PESAWAY_UNREACHABLE_AFTER_MS', 15_000, { min: 1000 }) });
    stops.push(() => Promise.resolve(watch.stop()));
    const ratePerSecond = readInt(env, 'PESAWAY_RATE_LIMIT_PER_SECOND', 40, { min: 1 });
    const pesaway = new PesaWayClient(
      { baseUrl: sandbox.url, consumerKey: 'sandbox-key', consumerSecret: 'sandbox-secret', region: undefined, merchantCode: undefined, currency: 'KES', timeoutMs: 10_000 },
      log.child({ component: 'pesaway' }),
      { pacePerSecond: ratePerSecond, reachability: watch },
    );
    const workers: Worker[] = await createWorkers({
      connection,
      namespace: temporalConfig.namespace,
      taskQueues: settings.taskQueues,
      activities: createActivities({ pool, client: pesaway, log: log.child({ component: 'activities' }), resultsUrl: (ref) => resultsUrl(apiUrl, secrets.callbackSecret, ref) }),
      workflowConcurrency: 100,
      dbConcurrency: 20,
      pesawayConcurrency: 50,
      pesawayRatePerSecond: ratePerSecond,
      dataConverter: dataConverterFor(temporalConfig.payloadKeys),
    });
    const running = Promise.all(workers.map((w) => w.run()));
    stops.push(async () => {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await running;
      await connection.close();
    });

    const endpoints = await startWebhookDeliveries(temporal, pool, webhookEndpoints, webhooks);
    if (endpoints.length > 0) say(`Webhooks: delivering to ${endpoints.length} endpoint(s)`);
    const api: FastifyInstance = await buildApi({
      config: {
        host: '127.0.0.1',
        port: apiPort,
        databaseUrl: stack.databaseUrl,
        apiKeys: parseApiKeys(devApiKeys(secrets)),
        maxUploadBytes: 100 * 1024 * 1024,
        callbackSecret: secrets.callbackSecret,
        callbackSigningKey: undefined,
        temporalUiUrl: stack.temporalUiUrl,
      },
      pool,
      temporal,
      namespace: temporalConfig.namespace,
      settings,
      webhooks,
      limits: limitsFromEnv(env),
      callbackStats: emptyCallbackStats(),
      log: log.child({ component: 'api' }),
    });
    await api.listen({ host: '127.0.0.1', port: apiPort });
    stops.push(() => api.close());
    say(`API: ${apiUrl} (OpenAPI at ${apiUrl}/openapi.json)`);
    return { stack, sandbox, apiUrl, sandboxUrl: sandbox.url, secrets, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
