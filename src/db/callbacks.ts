import type pg from 'pg';

type Queryable = pg.Pool | pg.PoolClient;

/**
 * Where a stored callback ended. `received`: to be delivered to its payout. After delivery: `completed` (it
 * woke the payout's waiting activity), `applied` (recorded; no activity was waiting), `duplicate` (the same
 * answer again), `contradiction` (disagrees with the recorded one: for a person), `ignored` (nothing to
 * settle). Never delivered: `malformed` (`problem` says why), `pending`, `mismatch` (its reference is not
 * the URL's), `unknown_payout`, `undeliverable` (delivery failed every time up to the bound).
 */
export const CALLBACK_OUTCOMES = [
  'received', 'completed', 'applied', 'duplicate', 'contradiction', 'ignored', 'unknown_payout', 'mismatch', 'malformed', 'pending', 'undeliverable',
] as const;
export type CallbackOutcome = (typeof CALLBACK_OUTCOMES)[number];

export interface CallbackToStore {
  reference: string;
  body: Buffer;
  contentType: string | undefined;
  signatureValid: boolean | undefined;
  resultCode: number | undefined;
  outcome?: CallbackOutcome;
  problem?: string | undefined;
}

/** Stores a callback's exact bytes; `outcome` when nothing is left to do with it (malformed, pending, mismatch). */
export async function storeCallback(db: Queryable, c: CallbackToStore): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO callbacks (reference, body, content_type, signature_valid, result_code, outcome, problem)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id::int AS id`,
    [c.reference, c.body, c.contentType ?? null, c.signatureValid ?? null, c.resultCode ?? null, c.outcome ?? 'received', c.problem ?? null],
  );
  return rows[0]!.id;
}

/**
 * Stores many callbacks in one statement (one round trip, one commit); returns their ids in the order
 * given. Rows are inserted in `ord` order and each takes the next value of the id sequence as it is
 * inserted, so the ids sorted ascending are the rows in the order given, whatever order RETURNING uses.
 */
export async function storeCallbacks(db: Queryable, callbacks: readonly CallbackToStore[]): Promise<number[]> {
  if (callbacks.length === 0) return [];
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO callbacks (reference, body, content_type, signature_valid, result_code, outcome, problem)
     SELECT reference, body, content_type, signature_valid, result_code, outcome, problem
       FROM unnest($1::text[], $2::bytea[], $3::text[], $4::boolean[], $5::int[], $6::text[], $7::text[])
            WITH ORDINALITY AS t(reference, body, content_type, signature_valid, result_code, outcome, problem, ord)
      ORDER BY ord
     RETURNING id::int AS id`,
    [
      callbacks.map((c) => c.reference),
      callbacks.map((c) => c.body),
      callbacks.map((c) => c.contentType ?? null),
      callbacks.map((c) => c.signatureValid ?? null),
      callbacks.map((c) => c.resultCode ?? null),
      callbacks.map((c) => c.outcome ?? 'received'),
      callbacks.map((c) => c.problem ?? null),
    ],
  );
  if (rows.length !== callbacks.length) throw new Error(`storing ${callbacks.length} callbacks returned ${rows.length} ids`);
  return rows.map((r) => r.id).sort((a, b) => a - b);
}

/** Callbacks stored but not yet delivered, whose next delivery is due, oldest first, received before `olderThanMs` ago. */
export async function undeliveredCallbacks(db: Queryable, olderThanMs: number, limit: number): Promise<Array<{ id: number; reference: string; body: Buffer }>> {
  const { rows } = await db.query<{ id: number; reference: string; body: Buffer }>(
    `SELECT id::int AS id, reference, body FROM callbacks
      WHERE outcome = 'received' AND received_at < now() - make_interval(secs => $1::float8 / 1000)
        AND (next_delivery_at IS NULL OR next_delivery_at <= now())
      ORDER BY id LIMIT $2`,
    [olderThanMs, limit],
  );
  return rows;
}

export async function markCallback(db: Queryable, id: number, outcome: CallbackOutcome, problem?: string): Promise<void> {
  await db.query(`UPDATE callbacks SET outcome = $2, problem = COALESCE($3, problem) WHERE id = $1`, [id, outcome, problem ?? null]);
}

/** Many delivered callbacks' outcomes in one statement (the delivery groups them: one commit for all). */
export async function markCallbacks(db: Queryable, marks: ReadonlyArray<{ id: number; outcome: CallbackOutcome }>): Promise<void> {
  if (marks.length === 0) return;
  await db.query(
    `UPDATE callbacks c SET outcome = m.outcome FROM unnest($1::bigint[], $2::text[]) AS m(id, outcome) WHERE c.id = m.id`,
    [marks.map((m) => m.id), marks.map((m) => m.outcome)],
  );
}

/**
 * A delivery failed: counted, and the next one put off with backoff (`delays[n]` after the n-th failure).
 * Past the last delay the callback is `undeliverable` with the error. Returns the attempts so far.
 */
export async function deliveryFailed(db: Queryable, id: number, error: string, delaysMs: readonly number[]): Promise<{ attempts: number; gaveUp: boolean }> {
  const { rows } = await db.query<{ attempts: number; outcome: CallbackOutcome }>(
    `UPDATE callbacks SET
        delivery_attempts = delivery_attempts + 1,
        problem = $2,
        outcome = CASE WHEN delivery_attempts + 1 > cardinality($3::int[]) THEN 'undeliverable' ELSE outcome END,
        next_delivery_at = now() + make_interval(secs => COALESCE(($3::int[])[delivery_attempts + 1], 0)::float8 / 1000)
      WHERE id = $1 AND outcome = 'received'
      RETURNING delivery_attempts AS attempts, outcome`,
    [id, error.slice(0, 1000), delaysMs],
  );
  const r = rows[0];
  return { attempts: r?.attempts ?? 0, gaveUp: r?.outcome === 'undeliverable' };
}

export async function callbacksFor(db: Queryable, reference: string): Promise<Array<{ id: number; outcome: CallbackOutcome; resultCode: number | null }>> {
  const { rows } = await db.query<{ id: number; outcome: CallbackOutcome; resultCode: number | null }>(
    `SELECT id, outcome, result_code AS "resultCode" FROM callbacks WHERE reference = $1 ORDER BY id`,
    [reference],
  );
  return rows;
}

/** A refused callback (bad URL token or signature), counted durably. */
export async function recordForgedCallback(db: Queryable, reference: string, reason: 'token' | 'signature'): Promise<void> {
  await db.query(`INSERT INTO forged_callbacks (reference, reason) VALUES ($1, $2)`, [reference.slice(0, 100), reason]);
}

export async function forgedCallbackCounts(db: Queryable): Promise<{ token: number; signature: number; lastAt: Date | null }> {
  const { rows } = await db.query<{ token: number; signature: number; last_at: Date | null }>(
    `SELECT count(*) FILTER (WHERE reason = 'token')::int AS token, count(*) FILTER (WHERE reason = 'signature')::int AS signature, max(received_at) AS last_at FROM forged_callbacks`,
  );
  const r = rows[0];
  return { token: r?.token ?? 0, signature: r?.signature ?? 0, lastAt: r?.last_at ?? null };
}
