-- A payroll label on batches ("acme-monthly"): the runs of one payroll, so a new file can be compared with the
-- previous run of the same payroll before it is paid. Nullable: batches from before, and files submitted
-- without a label, belong to no payroll. The same rule as the API's `payroll` parameter.
ALTER TABLE batches ADD COLUMN payroll text CHECK (payroll ~ '^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$');
-- "The newest batch of this payroll created before …" and `GET /v1/batches?payroll=` walk this index.
CREATE INDEX batches_payroll_created_idx ON batches (payroll, created_at DESC, id DESC) WHERE payroll IS NOT NULL;
