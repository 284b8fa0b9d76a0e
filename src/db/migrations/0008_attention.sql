-- A payout flagged for a person (issue 12): a second final answer contradicting the first, an amount that
-- differs from the payout's, a callback that could not be delivered, a failure a fresh query could not
-- confirm. `attention` holds the reasons (the evidence is in `evidence` and the event log); `attention_at`
-- when the latest was raised. A flag is never cleared by the engine: a person reads it.
ALTER TABLE payouts ADD COLUMN attention text[] NOT NULL DEFAULT '{}';
ALTER TABLE payouts ADD COLUMN attention_at timestamptz;
-- Set when a transaction query made for a retry confirmed the failure; a later contradiction clears it.
-- Only failures confirmed since the retry began get a next attempt.
ALTER TABLE payouts ADD COLUMN failure_confirmed_at timestamptz;

-- The flagged list across batches, newest first; partial, so ingestion and normal payouts pay nothing for it.
CREATE INDEX payouts_flagged_idx ON payouts (attention_at DESC, reference DESC) WHERE attention_at IS NOT NULL;
