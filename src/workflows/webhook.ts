import { continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';

/** What a webhook endpoint's workflow is told: its id and timing, never its url or secret (PostgreSQL has those). */
export interface WebhookDeliveryInput {
  endpointId: string;
  /** The database activities' task queue. */
  taskQueue: string;
  /** How long one delivery activity waits for new events before returning (and being scheduled again). */
  longPollMs: number;
  /** Longest wait between retries of a failing delivery. */
  retryMaxIntervalMs: number;
  /** Delivery rounds per run before it continues as new (bounds its history). */
  roundsPerRun?: number | undefined;
}

const ROUNDS_PER_RUN = 200;

/**
 * `webhooks/<endpointId>`: delivers the endpoint's events for as long as it is enabled. Each round is one
 * activity that sends what is pending (signed, in order) or long-polls for it; a failing endpoint is
 * retried by Temporal with backoff, forever, from the last event it acknowledged. Ends when the endpoint
 * is disabled or deleted.
 */
export async function webhookDeliveryWorkflow(input: WebhookDeliveryInput): Promise<void> {
  const { deliverWebhooks } = proxyActivities<Activities>({
    taskQueue: input.taskQueue,
    // A long poll plus a page of POSTs (10 s each at most); heartbeats show it alive in between.
    startToCloseTimeout: input.longPollMs + 10 * 60_000,
    heartbeatTimeout: '30 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: input.retryMaxIntervalMs },
  });
  const rounds = input.roundsPerRun ?? ROUNDS_PER_RUN;
  for (let i = 0; i < rounds && !workflowInfo().continueAsNewSuggested; i++) {
    const round = await deliverWebhooks(input.endpointId, input.longPollMs);
    if (round.stopped) return;
  }
  await continueAsNew<typeof webhookDeliveryWorkflow>(input);
}
