-- Same file, same batch (invariant 4): a file whose content is already a batch becomes another one only when
-- the submitter says so, and that choice is kept on the batch. The index finds a file's batch by its hash.
ALTER TABLE batches ADD COLUMN allow_duplicate_file boolean NOT NULL DEFAULT false;
CREATE INDEX batches_file_sha256_idx ON batches (file_sha256);
