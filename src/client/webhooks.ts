/** Starts the delivery workflows of webhook endpoints (worker and API share this). */
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import type pg from 'pg';
import { enabledEndpointIds, syncConfiguredEndpoints } from '../db/webhooks.js';
import type { WebhookSettings } from '../temporal/settings.js';
import type { ConfiguredEndpoint } from '../webhooks/endpoints-config.js';
import { workflowIds } from '../workflows/definitions.js';
import type { webhookDeliveryWorkflow } from '../workflows/webhook.js';

/**
 * `webhooks/<endpointId>`, or the run already there (USE_EXISTING): starting it again is harmless, so
 * every process that may have missed a start (the API after a crash, a restarted worker) just starts it.
 */
export async function startWebhookDelivery(client: Client, endpointId: string, settings: WebhookSettings): Promise<void> {
  const { workflowTaskQueue, ...delivery } = settings;
  try {
    await client.workflow.start<typeof webhookDeliveryWorkflow>('webhookDeliveryWorkflow', {
      workflowId: workflowIds.webhook(endpointId),
      taskQueue: workflowTaskQueue,
      args: [{ endpointId, ...delivery }],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      // A disabled endpoint's workflow ended; enabling it again starts a new run from its cursor.
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      staticSummary: `Webhook deliveries to endpoint ${endpointId}`,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

/** At start: WEBHOOK_ENDPOINTS into the table, then a delivery workflow for every enabled endpoint. Returns their ids. */
export async function startWebhookDeliveries(
  client: Client,
  db: pg.Pool,
  configured: readonly ConfiguredEndpoint[],
  settings: WebhookSettings,
): Promise<string[]> {
  await syncConfiguredEndpoints(db, configured);
  const ids = await enabledEndpointIds(db);
  for (const id of ids) await startWebhookDelivery(client, id, settings);
  return ids;
}
