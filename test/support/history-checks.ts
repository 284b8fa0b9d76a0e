import { expect } from 'vitest';
import type { Pool } from '../../src/db/pool.js';
import { type PayoutStatus, canTransition } from '../../src/domain/payout-status.js';

/** Every recorded status change of every payout of a batch went forward (from the `events` audit trail). */
export async function assertForwardOnly(pool: Pool, batchId: string): Promise<number> {
  const { rows } = await pool.query<{ reference: string; kind: string }>(
    `SELECT reference, kind FROM events WHERE batch_id = $1 AND kind LIKE 'payout.%' AND kind <> 'payout.retry' ORDER BY reference, id`,
    [batchId],
  );
  const byRef = new Map<string, PayoutStatus[]>();
  for (const r of rows) byRef.set(r.reference, [...(byRef.get(r.reference) ?? []), r.kind.slice('payout.'.length) as PayoutStatus]);
  for (const [reference, statuses] of byRef) {
    let from: PayoutStatus = 'pending';
    for (const to of statuses) {
      expect(canTransition(from, to), `${reference}: ${from} -> ${to} (${statuses.join(' > ')})`).toBe(true);
      from = to;
    }
  }
  return rows.length;
}
