-- One durable activity per payout, completed by its result callback: the waiting attempt's task token is
-- kept with the payout, written in the same statement as the transition that makes it wait, so the
-- callback receiver (which records the result in the same row first) can always wake it.
ALTER TABLE payouts ADD COLUMN task_token bytea;

-- 'completed': the callback's result woke the payout's waiting activity.
ALTER TABLE callbacks DROP CONSTRAINT callbacks_outcome_check;
ALTER TABLE callbacks ADD CONSTRAINT callbacks_outcome_check
  CHECK (outcome IN ('received', 'signalled', 'completed', 'applied', 'ignored', 'unknown_payout', 'mismatch', 'malformed', 'pending'));

-- What needs a person, across batches, newest first. Partial: rows enter it only when they reach one of
-- these states, so ingestion (every row starts pending) pays nothing for it.
CREATE INDEX payouts_attention_idx ON payouts (status, updated_at DESC, reference DESC)
  WHERE is_current AND status IN ('unresolved', 'failed', 'rejected', 'awaiting_funds');
