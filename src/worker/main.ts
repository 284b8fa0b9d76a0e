/**
 * `npm run worker`: the engine's worker process. Connects to Temporal (local dev server or a remote
 * cluster), runs the workflow, database and PesaWay workers, and drains gracefully on SIGTERM/SIGINT:
 * activities in progress finish, no new tasks are taken.
 */
import { observePayoutMoves } from '../db/payout-transitions.js';
import { createEngineMetrics, payoutMoveCounter } from '../metrics/engine-metrics.js';
import { serveMetrics } from '../metrics/exposition.js';
import { Runtime, type Worker } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import { startWebhookDeliveries } from '../client/webhooks.js';
import { connectClient, connectWorker, loadTemporalConfig } from '../temporal/connection.js';
import { dataConverterFor } from '../temporal/payload-codec.js';
import { errorMessage } from '../common/errors.js';
import { createLogger } from '../common/log.js';
import { migrate } from '../db/migrate.js';
import { createPool } from '../db/pool.js';
import { startPesaWayWatch } from './pesaway-watch.js';
import { PesaWayClient } from '../pesaway/client.js';
import { loadPesaWayConfig } from '../pesaway/config.js';
import { resultsUrl } from '../pesaway/results-url.js';
import { loadWorkerConfig } from './config.js';
import { loadWebhookSettings, taskQueuesFor } from '../temporal/settings.js';
import { sdkLogger } from './sdk-logger.js';
import { createWorkers } from './workers.js';

const log = createLogger({ name: 'worker' });

async function main(): Promise<void> {
  const temporal = loadTemporalConfig(process.env);
  const config = loadWorkerConfig(process.env);
  const pesaway = loadPesaWayConfig(process.env);
  Runtime.install({
    logger: sdkLogger(log, 'WARN'),
    shutdownSignals: ['SIGINT', 'SIGTERM'],
    ...(config.sdkMetricsAddress ? { telemetryOptions: { metrics: { prometheus: { bindAddress: config.sdkMetricsAddress } } } } : {}),
  });
  const metrics = createEngineMetrics('worker');
  observePayoutMoves(payoutMoveCounter(metrics));
  const metricsServer = config.metrics.port ? await serveMetrics(metrics.registry, config.metrics) : undefined;

  const pool = createPool(config.databaseUrl, config.dbConcurrency + 5, log);
  const temporalClient = await connectClient(temporal);
  const watch = startPesaWayWatch({ pool, temporal: temporalClient, log, registry: metrics.registry, unreachableAfterMs: config.pesawayUnreachableAfterMs });
  // The task queue's limit bounds all workers' average; pacing this process's own calls removes its bursts.
  const client = new PesaWayClient(pesaway, log, { pacePerSecond: config.pesawayRatePerSecond, metrics, reachability: watch });
  const connection = await connectWorker(temporal);
  const taskQueues = taskQueuesFor(temporal.taskQueuePrefix);
  const workers: Worker[] = await createWorkers({
    connection,
    namespace: temporal.namespace,
    taskQueues,
    activities: createActivities({
      pool,
      client,
      log,
      resultsUrl: (reference) => resultsUrl(config.callbackBaseUrl, config.callbackSecret, reference),
      metrics,
    }),
    workflowBundle: config.workflowBundlePath ? { codePath: config.workflowBundlePath } : undefined,
    workflowConcurrency: config.workflowConcurrency,
    dbConcurrency: config.dbConcurrency,
    pesawayConcurrency: config.pesawayConcurrency,
    pesawayRatePerSecond: config.pesawayRatePerSecond,
    dataConverter: dataConverterFor(temporal.payloadKeys),
  });
  // Every enabled endpoint gets its delivery workflow (a no-op for those already running). The schema is
  // migrated first (under the migration lock, so the API starting at the same time is harmless).
  await migrate(pool);
  const endpoints = await startWebhookDeliveries(temporalClient, pool, config.webhookEndpoints, loadWebhookSettings(process.env, taskQueues));
  log.info({ endpoints: endpoints.length }, 'Webhook deliveries running');
  log.info({ address: temporal.address, namespace: temporal.namespace, taskQueues, ratePerSecond: config.pesawayRatePerSecond, metrics: metricsServer ? `http://${config.metrics.host}:${config.metrics.port}/metrics` : 'off', sdkMetrics: config.sdkMetricsAddress ?? 'off' }, 'Worker running');
  try {
    // Each worker stops on SIGINT/SIGTERM (Runtime shutdownSignals) after draining its in-flight tasks.
    await Promise.all(workers.map((w) => w.run()));
  } finally {
    watch.stop();
    await temporalClient.connection.close();
    await connection.close();
    await pool.end();
    metricsServer?.close();
    log.info('Worker stopped');
  }
}

main().catch((err: unknown) => {
  log.error({ err }, errorMessage(err));
  process.exitCode = 1;
});
