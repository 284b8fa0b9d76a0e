-- The partial index behind webhook delivery must name every kind webhooks carry: the delivery query lists
-- them literally, and the planner uses the index only when its predicate covers that list. 0013 added
-- batch.rejected without it; the PesaWay outage alert adds batch.pesaway_unreachable / _reachable.
DROP INDEX IF EXISTS events_webhook_idx;
CREATE INDEX events_webhook_idx ON events (tx, id) WHERE kind IN (
  'batch.awaiting_approval', 'batch.awaiting_funds', 'batch.pesaway_unreachable', 'batch.pesaway_reachable',
  'batch.rejected', 'batch.completed', 'batch.cancelled',
  'payout.failed', 'payout.unresolved', 'payout.attention', 'webhook.test');
