/**
 * What outbound webhooks carry: each type is the kind of an entry in the `events` log (the one source),
 * so a delivery is that entry, identified by its id (`evt_<events.id>`) for the receiver to dedupe.
 */
export const WEBHOOK_EVENT_TYPES = [
  'batch.awaiting_approval', // the batch waits for an approver
  'batch.awaiting_funds', // the wallet ran dry: top up (the shortfall is in data)
  'batch.pesaway_unreachable', // PesaWay has not answered for PESAWAY_OUTAGE_ALERT_AFTER_MS; payouts resume by themselves
  'batch.pesaway_reachable', // after that alert: PesaWay answers again, the batch resumes
  'batch.rejected', // an approver rejected it (who and why in data); batch.cancelled follows, nothing paid
  'batch.completed',
  'batch.cancelled',
  'payout.failed', // PesaWay confirmed the payout failed (nothing paid)
  'payout.unresolved', // no final answer before the settle deadline: for a person, never resent
  'payout.attention', // something about a payout needs a person (reason in data)
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** A ping sent by `POST /v1/webhooks/{id}/test` to that endpoint only, whatever it subscribes to. */
export const WEBHOOK_TEST_EVENT = 'webhook.test';

/** `*` subscribes to every type, including ones added later. */
export const ALL_WEBHOOK_EVENTS = '*';

export function isWebhookEventType(v: string): v is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(v);
}

/** `evt_123` for events.id 123: the id receivers dedupe by. */
export function webhookEventId(eventId: number | string): string {
  return `evt_${eventId}`;
}
