-- Issue 13: a batch can be scheduled to pay at a date and time (payday morning), and an approver can reject it.
-- pay_at: when the batch pays; until then it is SCHEDULED (nothing sent). NULL: it pays as soon as it may.
ALTER TABLE batches ADD COLUMN pay_at timestamptz;
-- The rejection: who, when and why. A rejected batch ends CANCELLED with nothing paid; like an approval,
-- it is never the submitter's own, and a batch is approved or rejected, never both.
ALTER TABLE batches ADD COLUMN rejected_by text;
ALTER TABLE batches ADD COLUMN rejected_at timestamptz;
ALTER TABLE batches ADD COLUMN rejection_reason text CHECK (rejection_reason IS NULL OR char_length(rejection_reason) BETWEEN 1 AND 500);
ALTER TABLE batches ADD CONSTRAINT batches_rejection_check CHECK (
  (rejected_by IS NULL AND rejected_at IS NULL AND rejection_reason IS NULL)
  OR (rejected_by IS NOT NULL AND rejected_at IS NOT NULL AND rejection_reason IS NOT NULL
      AND rejected_by IS DISTINCT FROM submitted_by AND approved_by IS NULL)
);
-- SCHEDULED joins the statuses (between CREATED and AWAITING_APPROVAL).
ALTER TABLE batches DROP CONSTRAINT batches_status_check;
ALTER TABLE batches ADD CONSTRAINT batches_status_check CHECK (status IN ('CREATED', 'SCHEDULED', 'AWAITING_APPROVAL', 'RUNNING',
  'PAUSED', 'AWAITING_FUNDS', 'CANCELLING', 'COMPLETED', 'CANCELLED'));
