/** Console sessions (migration 0011): rows are found by the SHA-256 of the session id, never the id itself. */
import type pg from 'pg';

type Queryable = pg.Pool | pg.PoolClient;

export interface SessionRow {
  user: string;
  role: string;
  keyHash: Buffer;
  expiresAt: Date;
}

/** Stores a new session and deletes the expired ones (the lazy clean-up; the index on expires_at finds them). */
export async function createSession(db: Queryable, s: { idHash: Buffer; user: string; role: string; keyHash: Buffer; ttlMs: number }): Promise<Date> {
  await db.query('DELETE FROM sessions WHERE expires_at <= now()');
  const r = await db.query<{ expiresAt: Date }>(
    `INSERT INTO sessions (id_hash, user_name, role, key_hash, expires_at) VALUES ($1, $2, $3, $4, now() + $5 * interval '1 millisecond')
     RETURNING expires_at AS "expiresAt"`,
    [s.idHash, s.user, s.role, s.keyHash, s.ttlMs],
  );
  return r.rows[0]!.expiresAt;
}

/** The live session with this id hash, its last_seen_at moved to now; an expired one is deleted and not returned. */
export async function touchSession(db: Queryable, idHash: Buffer): Promise<SessionRow | undefined> {
  const r = await db.query<SessionRow>(
    `UPDATE sessions SET last_seen_at = now() WHERE id_hash = $1 AND expires_at > now()
     RETURNING user_name AS "user", role, key_hash AS "keyHash", expires_at AS "expiresAt"`,
    [idHash],
  );
  if (r.rows[0]) return r.rows[0];
  await endSession(db, idHash);
  return undefined;
}

export async function endSession(db: Queryable, idHash: Buffer): Promise<void> {
  await db.query('DELETE FROM sessions WHERE id_hash = $1', [idHash]);
}
