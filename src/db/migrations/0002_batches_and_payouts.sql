-- Batches and their payouts: the claim check. Workflows carry batch ids and references only and read
-- payouts from here page by page; names and full phone numbers never leave PostgreSQL.

CREATE TABLE batches (
  id                  text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
  status              text NOT NULL CHECK (status IN ('CREATED', 'AWAITING_APPROVAL', 'RUNNING', 'PAUSED',
                        'AWAITING_FUNDS', 'CANCELLING', 'COMPLETED', 'CANCELLED')),
  policy              text NOT NULL CHECK (policy IN ('strict', 'skip-invalid')),
  file_name           text,
  file_sha256         text NOT NULL CHECK (file_sha256 ~ '^[0-9a-f]{64}$'),
  file_size           bigint NOT NULL CHECK (file_size >= 0),
  row_count           integer NOT NULL CHECK (row_count >= 0),
  valid_count         integer NOT NULL CHECK (valid_count >= 0),
  invalid_count       integer NOT NULL CHECK (invalid_count >= 0),
  warning_count       integer NOT NULL CHECK (warning_count >= 0),
  total_minor         bigint NOT NULL CHECK (total_minor >= 0),
  fee_estimate_minor  bigint NOT NULL CHECK (fee_estimate_minor >= 0),
  submitted_by        text,
  approval_required   boolean NOT NULL DEFAULT false,
  approved_by         text,
  approved_at         timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  finished_at         timestamptz,
  summary             jsonb,
  CHECK (approved_by IS NULL OR approved_by IS DISTINCT FROM submitted_by)
);
CREATE INDEX batches_status_created_idx ON batches (status, created_at DESC);
CREATE INDEX batches_created_idx ON batches (created_at DESC);

-- The uploaded file exactly as received, kept for audit, in chunks so ingestion stays in constant memory.
CREATE TABLE batch_file_chunks (
  batch_id  text NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
  seq       integer NOT NULL,
  content   bytea NOT NULL,
  PRIMARY KEY (batch_id, seq)
);

-- Validation findings the payroll officer acts on (invalid rows skipped under skip-invalid, warnings).
CREATE TABLE batch_issues (
  batch_id     text NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
  seq          integer NOT NULL,
  severity     text NOT NULL CHECK (severity IN ('error', 'warning')),
  line         integer,
  column_name  text,
  rule         text NOT NULL,
  value        text,          -- personal data masked
  message      text NOT NULL,
  PRIMARY KEY (batch_id, seq)
);

-- One row per payout attempt. `reference` is the ExternalReference sent to PesaWay, a pure function of
-- (batch id, row number, attempt). Retrying a failed row adds attempt n+1 and clears is_current on n.
CREATE TABLE payouts (
  reference           text PRIMARY KEY CHECK (reference ~ '^[A-Za-z0-9]{1,64}$'),
  batch_id            text NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
  row_no              integer NOT NULL CHECK (row_no > 0),
  line                integer NOT NULL CHECK (line > 0),
  attempt             integer NOT NULL DEFAULT 1 CHECK (attempt > 0),
  is_current          boolean NOT NULL DEFAULT true,
  channel             text NOT NULL CHECK (channel IN ('MPESA', 'AIRTEL', 'BANK')),
  phone               text CHECK (phone ~ '^254[17][0-9]{8}$'),
  account_number      text,
  bank_code           text,
  bank_name           text,
  name                text,
  employee_id         text,
  reason              text NOT NULL,
  amount_minor        bigint NOT NULL CHECK (amount_minor > 0),
  fee_estimate_minor  bigint NOT NULL DEFAULT 0 CHECK (fee_estimate_minor >= 0),
  status              text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'submitting', 'awaiting_funds',
                        'accepted', 'succeeded', 'failed', 'rejected', 'cancelled', 'unresolved')),
  transaction_id      text,
  receipt             text,
  result_code         integer,
  result_desc         text,
  receiver_name       text,
  failure_reason      text,
  evidence            jsonb,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  submitted_at        timestamptz,
  settled_at          timestamptz,
  UNIQUE (batch_id, row_no, attempt),
  CHECK ((channel = 'BANK') = (account_number IS NOT NULL)),
  CHECK (channel = 'BANK' OR phone IS NOT NULL),
  CHECK (channel <> 'BANK' OR bank_code IS NOT NULL OR bank_name IS NOT NULL)
);
CREATE UNIQUE INDEX payouts_current_row_idx ON payouts (batch_id, row_no) WHERE is_current;
CREATE INDEX payouts_batch_status_idx ON payouts (batch_id, status, row_no) WHERE is_current;
CREATE INDEX payouts_transaction_idx ON payouts (transaction_id) WHERE transaction_id IS NOT NULL;
