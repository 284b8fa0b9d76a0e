import type { EngineMetrics } from '../metrics/engine-metrics.js';
import type { Client } from '@temporalio/client';
import type { Logger } from '../common/log.js';
import type { Pool } from '../db/pool.js';
import type { PayrollLimits } from '../payroll/limits.js';
import type { WebhookSettings } from '../temporal/settings.js';
import type { BatchSettings } from '../workflows/types.js';
import type { CallbackStats } from './callbacks.js';
import type { ApiConfig } from './config.js';

/** What the HTTP API works with; tests build it from real services. */
export interface ApiDeps {
  config: ApiConfig;
  pool: Pool;
  temporal: Client;
  namespace: string;
  settings: BatchSettings;
  /** How endpoints created through the API get their delivery workflow started. */
  webhooks: WebhookSettings;
  limits: PayrollLimits;
  callbackStats: CallbackStats;
  /** The engine's Prometheus metrics (GET /metrics); a fresh registry when not given. */
  metrics?: EngineMetrics;
  log: Logger;
}
