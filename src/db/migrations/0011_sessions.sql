-- Browser sessions of the web console (POST /v1/session). Only a SHA-256 of the session id is kept: a copy
-- of this table signs nobody in. The CSRF token is not stored at all: it is an HMAC keyed by the session id
-- (src/api/session-auth.ts), so the API can hand it out again (GET /v1/session after a page reload) without
-- keeping it, and a leak of this table does not reveal it. key_hash is a SHA-256 of the signing-in key's
-- digest: a key removed from API_KEYS (or rotated), or a role changed, ends its sessions at their next use.
-- Expired rows are deleted lazily (on their next use and whenever a session is created).
CREATE TABLE sessions (
  id_hash bytea PRIMARY KEY,
  user_name text NOT NULL,
  role text NOT NULL,
  key_hash bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);
