import type { EngineMetrics } from '../metrics/engine-metrics.js';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Logger } from '../common/log.js';
import type { Pool } from '../db/pool.js';
import { deliveryTarget, pendingWebhookEvents, recordDelivered, recordFailure } from '../db/webhooks.js';
import { postWebhook } from '../webhooks/deliver.js';
import { safeUrl } from '../webhooks/endpoints-config.js';
import { webhookPayload } from '../webhooks/payload.js';

export interface WebhookActivityDeps {
  pool: Pool;
  log: Logger;
  metrics?: Pick<EngineMetrics, 'webhookDeliveries'> | undefined;
}

/** How often an idle delivery looks at PostgreSQL for new events. */
const LOOK_EVERY_MS = 300;
const PAGE = 50;
const POST_TIMEOUT_MS = 10_000;

export const WEBHOOK_FAILURE = 'WebhookDeliveryFailed';

export interface DeliveryRound {
  delivered: number;
  /** The endpoint is gone or disabled: its workflow ends. */
  stopped: boolean;
}

/** Delivers signed webhooks from the `events` log. Endpoints and secrets are read here, never passed through Temporal. */
export function createWebhookActivities(deps: WebhookActivityDeps) {
  const { pool, log } = deps;
  return {
    /**
     * Delivers every pending event of the endpoint, oldest first, moving its cursor after each 2xx; when
     * none is pending it long-polls PostgreSQL for up to `longPollMs` (heartbeating), so an idle endpoint
     * costs one activity a minute. A failed POST throws: Temporal retries with backoff, and the event is
     * sent again (at least once; receivers dedupe by id).
     */
    async deliverWebhooks(endpointId: string, longPollMs: number): Promise<DeliveryRound> {
      const ctx = Context.current();
      const until = Date.now() + longPollMs;
      let delivered = 0;
      for (;;) {
        const target = await deliveryTarget(pool, endpointId);
        if (!target?.enabled) return { delivered, stopped: true };
        const events = await pendingWebhookEvents(pool, target, PAGE);
        for (const e of events) {
          const payload = webhookPayload(e);
          const outcome = await postWebhook(target.url, target.secret, payload, POST_TIMEOUT_MS, ctx.cancellationSignal);
          deps.metrics?.webhookDeliveries.inc({ type: payload.type, outcome: outcome.ok ? 'delivered' : 'failed' });
          if (!outcome.ok) {
            const message = `Webhook ${payload.id} (${payload.type}) to ${safeUrl(target.url)} ${outcome.error}`;
            await recordFailure(pool, endpointId, message);
            log.warn({ endpointId, eventId: payload.id, type: payload.type, attempt: ctx.info.attempt }, `${message}; retrying with backoff`);
            throw ApplicationFailure.create({ message, type: WEBHOOK_FAILURE });
          }
          await recordDelivered(pool, endpointId, { tx: e.tx, id: e.id });
          target.cursorTx = e.tx;
          target.cursorId = e.id;
          delivered += 1;
          ctx.heartbeat();
        }
        // A backlog is sent page after page, but within the poll's time budget: the next round goes on with it.
        if (events.length === PAGE && Date.now() < until) continue;
        if (delivered > 0 || Date.now() >= until) return { delivered, stopped: false };
        ctx.heartbeat();
        // Rejects when the activity is cancelled (worker shutdown): the workflow's retry resumes from the cursor.
        await ctx.sleep(LOOK_EVERY_MS);
      }
    },
  };
}
