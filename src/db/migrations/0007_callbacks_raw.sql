-- Callbacks are kept as the exact bytes PesaWay sent, whatever their content type (a NUL byte or invalid
-- UTF-8 can no longer make the INSERT fail), with what was wrong with an unusable one. Delivery to the
-- payout is retried with backoff up to a bound, then the callback is `undeliverable`: for a person.
ALTER TABLE callbacks ALTER COLUMN body TYPE bytea USING convert_to(body, 'UTF8');
ALTER TABLE callbacks ADD COLUMN content_type text;
ALTER TABLE callbacks ADD COLUMN problem text;
ALTER TABLE callbacks ADD COLUMN delivery_attempts integer NOT NULL DEFAULT 0;
ALTER TABLE callbacks ADD COLUMN next_delivery_at timestamptz;
ALTER TABLE callbacks DROP CONSTRAINT callbacks_outcome_check;
ALTER TABLE callbacks ADD CONSTRAINT callbacks_outcome_check
  CHECK (outcome IN ('received', 'signalled', 'completed', 'applied', 'duplicate', 'contradiction', 'ignored',
                     'unknown_payout', 'mismatch', 'malformed', 'pending', 'undeliverable'));
-- Forged callbacks (bad URL token or signature), counted durably: the in-memory counter reset on restart.
CREATE TABLE forged_callbacks (
  id           bigserial PRIMARY KEY,
  received_at  timestamptz NOT NULL DEFAULT now(),
  reference    text NOT NULL,
  reason       text NOT NULL CHECK (reason IN ('token', 'signature'))
);
