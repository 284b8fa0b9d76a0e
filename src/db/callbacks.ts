import type pg from 'pg';

type Queryable = pg.Pool | pg.PoolClient;

export type CallbackOutcome = 'received' | 'completed' | 'applied' | 'ignored' | 'unknown_payout' | 'mismatch' | 'malformed' | 'pending';

/** Stores a callback as received; `outcome` when nothing is left to do with it (malformed, pending, mismatch). */
export async function storeCallback(
  db: Queryable,
  c: { reference: string; body: string; signatureValid: boolean | undefined; resultCode: number | undefined; outcome?: CallbackOutcome },
): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO callbacks (reference, body, signature_valid, result_code, outcome) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [c.reference, c.body, c.signatureValid ?? null, c.resultCode ?? null, c.outcome ?? 'received'],
  );
  return rows[0]!.id;
}

/** Callbacks stored but not yet delivered to their payout, oldest first, received before `olderThanMs` ago. */
export async function undeliveredCallbacks(db: Queryable, olderThanMs: number, limit: number): Promise<Array<{ id: number; reference: string; body: string }>> {
  const { rows } = await db.query<{ id: number; reference: string; body: string }>(
    `SELECT id::int AS id, reference, body FROM callbacks
      WHERE outcome = 'received' AND received_at < now() - make_interval(secs => $1::float8 / 1000)
      ORDER BY id LIMIT $2`,
    [olderThanMs, limit],
  );
  return rows;
}

export async function markCallback(db: Queryable, id: number, outcome: CallbackOutcome): Promise<void> {
  await db.query(`UPDATE callbacks SET outcome = $2 WHERE id = $1`, [id, outcome]);
}

export async function callbacksFor(db: Queryable, reference: string): Promise<Array<{ id: number; outcome: CallbackOutcome; resultCode: number | null }>> {
  const { rows } = await db.query<{ id: number; outcome: CallbackOutcome; resultCode: number | null }>(
    `SELECT id, outcome, result_code AS "resultCode" FROM callbacks WHERE reference = $1 ORDER BY id`,
    [reference],
  );
  return rows;
}
