import { expect } from 'vitest';
import type { Pool } from '../../src/db/pool.js';
import { statusOfEvent } from '../../src/domain/payout-events.js';
import { type PayoutStatus, canTransition } from '../../src/domain/payout-status.js';

/** Every recorded status change of every payout of a batch went forward (from its event log). Returns how many there were. */
export async function assertForwardOnly(pool: Pool, batchId: string): Promise<number> {
  const { rows } = await pool.query<{ reference: string; kind: string }>(
    `SELECT reference, kind FROM events WHERE batch_id = $1 AND kind LIKE 'payout.%' ORDER BY reference, id`,
    [batchId],
  );
  const byRef = new Map<string, PayoutStatus[]>();
  let changes = 0;
  for (const r of rows) {
    const status = statusOfEvent(r.kind);
    if (!status) continue;
    changes += 1;
    byRef.set(r.reference, [...(byRef.get(r.reference) ?? []), status]);
  }
  for (const [reference, statuses] of byRef) {
    let from: PayoutStatus = 'pending';
    for (const to of statuses) {
      expect(canTransition(from, to), `${reference}: ${from} -> ${to} (${statuses.join(' > ')})`).toBe(true);
      from = to;
    }
  }
  return changes;
}
