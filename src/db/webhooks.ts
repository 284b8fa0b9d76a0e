/**
 * Webhook endpoints and what is left to deliver to them. This module is the one writer of
 * `webhook_endpoints`; events come from the `events` log, read in (tx, id) order below the oldest running
 * transaction (see migration 0009), so a cursor never passes an event that commits later.
 */
import type pg from 'pg';
import { ALL_WEBHOOK_EVENTS, WEBHOOK_EVENT_TYPES, WEBHOOK_TEST_EVENT } from '../domain/webhook-events.js';
import type { WebhookSourceEvent } from '../webhooks/payload.js';
import type { ConfiguredEndpoint } from '../webhooks/endpoints-config.js';

type Queryable = pg.Pool | pg.PoolClient;

/** An endpoint as the API shows it: never its secret. */
export interface WebhookEndpoint {
  id: string;
  url: string;
  eventTypes: string[];
  enabled: boolean;
  source: 'env' | 'api';
  createdAt: Date;
  createdBy: string | null;
  disabledAt: Date | null;
  deliveredCount: number;
  lastEventId: string | null;
  lastDeliveredAt: Date | null;
  lastAttemptAt: Date | null;
  lastError: string | null;
  failingSince: Date | null;
}

const PUBLIC_COLUMNS = `id, url, event_types AS "eventTypes", enabled, source, created_at AS "createdAt", created_by AS "createdBy",
  disabled_at AS "disabledAt", delivered_count::int AS "deliveredCount", last_event_id::text AS "lastEventId",
  last_delivered_at AS "lastDeliveredAt", last_attempt_at AS "lastAttemptAt", last_error AS "lastError", failing_since AS "failingSince"`;

/**
 * Makes the table match WEBHOOK_ENDPOINTS: listed endpoints upserted (their cursor kept), env endpoints no
 * longer listed disabled. Returns the ids of the env endpoints now enabled.
 */
export async function syncConfiguredEndpoints(db: Queryable, endpoints: readonly ConfiguredEndpoint[]): Promise<string[]> {
  for (const e of endpoints) {
    await db.query(
      `INSERT INTO webhook_endpoints (id, url, secret, event_types, source, created_by) VALUES ($1, $2, $3, $4, 'env', 'WEBHOOK_ENDPOINTS')
       ON CONFLICT (id) DO UPDATE SET url = EXCLUDED.url, secret = EXCLUDED.secret, event_types = EXCLUDED.event_types, enabled = true, disabled_at = NULL`,
      [e.id, e.url, e.secret, e.eventTypes],
    );
  }
  await db.query(`UPDATE webhook_endpoints SET enabled = false, disabled_at = now() WHERE source = 'env' AND enabled AND NOT (id = ANY($1::text[]))`, [endpoints.map((e) => e.id)]);
  return endpoints.map((e) => e.id);
}

export async function createEndpoint(db: Queryable, e: { id: string; url: string; secret: string; eventTypes: string[]; createdBy: string }): Promise<WebhookEndpoint> {
  const { rows } = await db.query<WebhookEndpoint>(
    `INSERT INTO webhook_endpoints (id, url, secret, event_types, source, created_by) VALUES ($1, $2, $3, $4, 'api', $5) RETURNING ${PUBLIC_COLUMNS}`,
    [e.id, e.url, e.secret, e.eventTypes, e.createdBy],
  );
  return rows[0]!;
}

export async function listEndpoints(db: Queryable, includeDisabled: boolean): Promise<WebhookEndpoint[]> {
  const { rows } = await db.query<WebhookEndpoint>(`SELECT ${PUBLIC_COLUMNS} FROM webhook_endpoints WHERE enabled OR $1 ORDER BY created_at, id`, [includeDisabled]);
  return rows;
}

export async function getEndpoint(db: Queryable, id: string): Promise<WebhookEndpoint | undefined> {
  const { rows } = await db.query<WebhookEndpoint>(`SELECT ${PUBLIC_COLUMNS} FROM webhook_endpoints WHERE id = $1`, [id]);
  return rows[0];
}

/** Stops deliveries (the row stays, for its history); its workflow ends at its next look. */
export async function disableEndpoint(db: Queryable, id: string): Promise<void> {
  await db.query(`UPDATE webhook_endpoints SET enabled = false, disabled_at = COALESCE(disabled_at, now()) WHERE id = $1`, [id]);
}

export async function enabledEndpointIds(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(`SELECT id FROM webhook_endpoints WHERE enabled ORDER BY id`);
  return rows.map((r) => r.id);
}

/** What a delivery needs: where, the secret to sign with, what it wants, and where it stopped. */
export interface DeliveryTarget {
  id: string;
  url: string;
  secret: string;
  eventTypes: string[];
  enabled: boolean;
  cursorTx: string;
  cursorId: string;
}

export async function deliveryTarget(db: Queryable, id: string): Promise<DeliveryTarget | undefined> {
  const { rows } = await db.query<DeliveryTarget>(
    `SELECT id, url, secret, event_types AS "eventTypes", enabled, cursor_tx::text AS "cursorTx", cursor_id::text AS "cursorId" FROM webhook_endpoints WHERE id = $1`,
    [id],
  );
  return rows[0];
}

/** An event to deliver, with its place in the delivery order. */
export interface PendingWebhookEvent extends WebhookSourceEvent {
  tx: string;
}

// The literal list lets the planner use the partial index events_webhook_idx.
const WEBHOOK_KINDS = [...WEBHOOK_EVENT_TYPES, WEBHOOK_TEST_EVENT].map((k) => `'${k}'`).join(', ');

/** The next events for the endpoint after its cursor, oldest first; only those no running transaction can precede. */
export async function pendingWebhookEvents(db: Queryable, t: DeliveryTarget, limit: number): Promise<PendingWebhookEvent[]> {
  const { rows } = await db.query<{
    id: string; tx: string; kind: string; batch_id: string | null; reference: string | null; detail: Record<string, unknown>; created_at: Date;
    batch_status: string | null; valid_count: number | null; total_minor: string | null;
    row_no: number | null; attempt: number | null; channel: string | null; amount_minor: string | null; payout_status: string | null;
    result_code: number | null; result_desc: string | null; failure_reason: string | null; transaction_id: string | null;
  }>(
    `SELECT e.id::text, e.tx::text, e.kind, e.batch_id, e.reference, e.detail, e.created_at,
            b.status AS batch_status, b.valid_count, b.total_minor::text,
            p.row_no, p.attempt, p.channel, p.amount_minor::text, p.status AS payout_status, p.result_code, p.result_desc, p.failure_reason, p.transaction_id
       FROM events e
       LEFT JOIN batches b ON b.id = e.batch_id
       LEFT JOIN payouts p ON p.reference = e.reference
      WHERE e.kind IN (${WEBHOOK_KINDS})
        AND (e.tx, e.id) > ($2::xid8, $3::bigint)
        AND e.tx < pg_snapshot_xmin(pg_current_snapshot())
        AND (($4 = ANY($5::text[]) AND e.kind <> '${WEBHOOK_TEST_EVENT}') OR e.kind = ANY($5::text[])
             OR (e.kind = '${WEBHOOK_TEST_EVENT}' AND e.detail->>'endpointId' = $1))
      ORDER BY e.tx, e.id
      LIMIT $6`,
    [t.id, t.cursorTx, t.cursorId, ALL_WEBHOOK_EVENTS, t.eventTypes, limit],
  );
  return rows.map((r) => ({
    id: r.id,
    tx: r.tx,
    kind: r.kind,
    batchId: r.batch_id,
    reference: r.reference,
    detail: r.detail,
    createdAt: r.created_at,
    batch: r.batch_status === null ? null : { status: r.batch_status, payouts: r.valid_count ?? 0, totalMinor: Number(r.total_minor) },
    payout:
      r.row_no === null
        ? null
        : {
            rowNo: r.row_no,
            attempt: r.attempt ?? 1,
            channel: r.channel ?? '',
            amountMinor: Number(r.amount_minor),
            status: r.payout_status ?? '',
            resultCode: r.result_code,
            resultDesc: r.result_desc,
            failureReason: r.failure_reason,
            transactionId: r.transaction_id,
          },
  }));
}

/** A 2xx: the cursor moves past the event (never backwards, should two deliveries ever overlap). */
export async function recordDelivered(db: Queryable, id: string, e: { tx: string; id: string }): Promise<void> {
  await db.query(
    `UPDATE webhook_endpoints SET cursor_tx = $2::xid8, cursor_id = $3::bigint, delivered_count = delivered_count + 1, last_event_id = $3::bigint,
            last_delivered_at = now(), last_attempt_at = now(), last_error = NULL, failing_since = NULL
      WHERE id = $1 AND (cursor_tx, cursor_id) < ($2::xid8, $3::bigint)`,
    [id, e.tx, e.id],
  );
}

export async function recordFailure(db: Queryable, id: string, error: string): Promise<void> {
  await db.query(`UPDATE webhook_endpoints SET last_attempt_at = now(), last_error = $2, failing_since = COALESCE(failing_since, now()) WHERE id = $1`, [id, error]);
}

/** A `webhook.test` ping for one endpoint, delivered like any event (durably, signed). Returns its event id. */
export async function recordTestEvent(db: Queryable, endpointId: string, actor: string): Promise<string> {
  const { rows } = await db.query<{ id: string }>(`INSERT INTO events (kind, actor, detail) VALUES ($1, $2, $3::jsonb) RETURNING id::text`, [
    WEBHOOK_TEST_EVENT,
    actor,
    JSON.stringify({ endpointId }),
  ]);
  return rows[0]!.id;
}
