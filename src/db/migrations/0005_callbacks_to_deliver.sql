-- Callbacks are acknowledged once stored and delivered to their payout afterwards; those still
-- 'received' are the ones to deliver (after a restart, the API finds them here).
CREATE INDEX callbacks_to_deliver_idx ON callbacks (id) WHERE outcome = 'received';
