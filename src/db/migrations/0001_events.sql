-- Append-only audit trail: who did what to which batch or payout, and when.
CREATE TABLE events (
  id          bigserial PRIMARY KEY,
  batch_id    text,
  reference   text,
  kind        text NOT NULL,
  actor       text,
  detail      jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_batch_idx ON events (batch_id, id);
CREATE INDEX events_reference_idx ON events (reference, id);
