import type pg from 'pg';

type Queryable = pg.Pool | pg.PoolClient;

export type CallbackOutcome = 'received' | 'signalled' | 'applied' | 'ignored' | 'unknown_payout' | 'mismatch' | 'malformed' | 'pending';

export async function storeCallback(db: Queryable, c: { reference: string; body: string; signatureValid: boolean | undefined; resultCode: number | undefined }): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO callbacks (reference, body, signature_valid, result_code) VALUES ($1, $2, $3, $4) RETURNING id`,
    [c.reference, c.body, c.signatureValid ?? null, c.resultCode ?? null],
  );
  return rows[0]!.id;
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
