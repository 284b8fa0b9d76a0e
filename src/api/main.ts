/** `npm run api`: the HTTP API and callback receiver. */
import { connectClient, loadTemporalConfig } from '../temporal/connection.js';
import { errorMessage } from '../common/errors.js';
import { createLogger } from '../common/log.js';
import { migrate } from '../db/migrate.js';
import { createPool } from '../db/pool.js';
import { limitsFromEnv } from '../payroll/limits.js';
import { startWebhookDeliveries } from '../client/webhooks.js';
import { loadBatchSettings, loadWebhookSettings, taskQueuesFor } from '../temporal/settings.js';
import { loadWebhookEndpoints } from '../webhooks/endpoints-config.js';
import { buildApi } from './app.js';
import { emptyCallbackStats } from './callbacks.js';
import { loadApiConfig } from './config.js';

const log = createLogger({ name: 'api' });

async function main(): Promise<void> {
  const config = loadApiConfig(process.env);
  const temporalConfig = loadTemporalConfig(process.env);
  const pool = createPool(config.databaseUrl, 20, log);
  await migrate(pool);
  const temporal = await connectClient(temporalConfig);
  const taskQueues = taskQueuesFor(temporalConfig.taskQueuePrefix);
  const webhooks = loadWebhookSettings(process.env, taskQueues);
  await startWebhookDeliveries(temporal, pool, loadWebhookEndpoints(process.env), webhooks);
  const app = await buildApi({
    config,
    pool,
    temporal,
    namespace: temporalConfig.namespace,
    settings: loadBatchSettings(process.env, taskQueues),
    webhooks,
    limits: limitsFromEnv(process.env),
    callbackStats: emptyCallbackStats(),
    log,
  });
  if (config.apiKeys.length === 0) log.warn('API_KEYS is empty: every /v1 call will be refused (401). Set API_KEYS="user:role:key,..."');
  await app.listen({ host: config.host, port: config.port });
  const stop = async (): Promise<void> => {
    log.info('API stopping');
    await app.close();
    await temporal.connection.close();
    await pool.end();
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((err: unknown) => {
  log.error({ err }, errorMessage(err));
  process.exitCode = 1;
});
