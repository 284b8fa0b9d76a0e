-- Every result callback PesaWay sends, stored raw before anything else happens, so none is ever lost:
-- callbacks for finished or unknown payouts are kept and acknowledged.
CREATE TABLE callbacks (
  id               bigserial PRIMARY KEY,
  reference        text NOT NULL,
  received_at      timestamptz NOT NULL DEFAULT now(),
  body             text NOT NULL,
  signature_valid  boolean,       -- NULL when no signing key is configured
  result_code      integer,
  outcome          text NOT NULL DEFAULT 'received'
                   CHECK (outcome IN ('received', 'signalled', 'applied', 'ignored', 'unknown_payout', 'mismatch', 'malformed', 'pending'))
);
CREATE INDEX callbacks_reference_idx ON callbacks (reference, id);
