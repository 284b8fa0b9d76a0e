-- Signed outbound webhooks. The `events` log is their source: each endpoint keeps a cursor into it.
--
-- `events.id` (bigserial) is handed out before commit, so ids can commit out of order: a reader that
-- moved a cursor past id 101 could later miss id 100 committing. Each event therefore records the
-- transaction that wrote it, and delivery reads only events of transactions older than every one still
-- running (pg_snapshot_xmin), in (tx, id) order: once read, nothing can appear behind the cursor.
-- Rows written before this migration read as tx 0 (a constant default: no table rewrite).
ALTER TABLE events ADD COLUMN tx xid8 NOT NULL DEFAULT '0';
ALTER TABLE events ALTER COLUMN tx SET DEFAULT pg_current_xact_id();
-- Only the kinds webhooks carry, so the index stays small however long the payout log grows.
CREATE INDEX events_webhook_idx ON events (tx, id) WHERE kind IN (
  'batch.awaiting_approval', 'batch.awaiting_funds', 'batch.completed', 'batch.cancelled',
  'payout.failed', 'payout.unresolved', 'payout.attention', 'webhook.test');

CREATE TABLE webhook_endpoints (
  id                text PRIMARY KEY CHECK (id ~ '^we_[A-Za-z0-9_-]{1,64}$'),
  url               text NOT NULL CHECK (url ~ '^https?://'),
  -- Signs every delivery (HMAC-SHA256); needed in clear to sign, so it is never logged nor returned after creation.
  secret            text NOT NULL CHECK (length(secret) >= 16),
  -- Event types delivered; '*' means all of them.
  event_types       text[] NOT NULL CHECK (cardinality(event_types) > 0),
  enabled           boolean NOT NULL DEFAULT true,
  -- 'env': from WEBHOOK_ENDPOINTS (synced at start); 'api': created by POST /v1/webhooks.
  source            text NOT NULL CHECK (source IN ('env', 'api')),
  created_at        timestamptz NOT NULL DEFAULT now(),
  created_by        text,
  disabled_at       timestamptz,
  -- Last delivered event, as (tx, id): deliveries resume after it. A new endpoint starts at its creation.
  cursor_tx         xid8 NOT NULL DEFAULT pg_snapshot_xmin(pg_current_snapshot()),
  cursor_id         bigint NOT NULL DEFAULT 0,
  delivered_count   bigint NOT NULL DEFAULT 0,
  last_event_id     bigint,
  last_delivered_at timestamptz,
  last_attempt_at   timestamptz,
  last_error        text,
  failing_since     timestamptz
);
