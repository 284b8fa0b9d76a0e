import { expect } from 'vitest';
import type { Pool } from '../../src/db/pool.js';
import { parseReference } from '../../src/domain/reference.js';
import type { SandboxHandle } from '../../src/sandbox/index.js';

export interface PayoutRecord {
  reference: string;
  rowNo: number;
  attempt: number;
  isCurrent: boolean;
  status: string;
  amountMinor: number;
  transactionId: string | null;
}

export async function payoutRecords(pool: Pool, batchId: string): Promise<PayoutRecord[]> {
  const { rows } = await pool.query<PayoutRecord>(
    `SELECT reference, row_no AS "rowNo", attempt, is_current AS "isCurrent", status, amount_minor AS "amountMinor", transaction_id AS "transactionId"
       FROM payouts WHERE batch_id = $1 ORDER BY row_no, attempt`,
    [batchId],
  );
  return rows;
}

/**
 * The money invariants, checked from both sides: the sandbox's ledger (what PesaWay did) and our
 * database (what we believe). Returns the records for further checks.
 */
export async function assertMoneyInvariants(pool: Pool, sandbox: SandboxHandle, batchId: string): Promise<PayoutRecord[]> {
  const records = await payoutRecords(pool, batchId);
  const ledger = sandbox.ledger.report();
  const byReference = new Map(ledger.entries.map((e) => [e.reference, e]));
  const ours = new Set(records.map((r) => r.reference));

  // At most once: no reference accepted twice, and no row paid by two attempts.
  expect(ledger.maxAcceptCount).toBeLessThanOrEqual(1);
  const paidRows = new Map<number, string[]>();
  for (const e of ledger.entries) {
    if (!ours.has(e.reference) || e.status !== 'succeeded') continue;
    const row = parseReference(e.reference)!.row;
    paidRows.set(row, [...(paidRows.get(row) ?? []), e.reference]);
  }
  for (const [row, refs] of paidRows) expect(refs, `row ${row} paid more than once`).toHaveLength(1);

  // Nothing lost: every current row ended (or is unresolved with evidence), and agrees with the ledger.
  for (const r of records.filter((x) => x.isCurrent)) {
    expect(['succeeded', 'failed', 'rejected', 'cancelled', 'unresolved'], `${r.reference} is ${r.status}`).toContain(r.status);
    const entry = byReference.get(r.reference);
    if (r.status === 'succeeded') expect(entry?.status, r.reference).toBe('succeeded');
    if (r.status === 'failed') expect(entry?.status, r.reference).toBe('failed');
    if (r.status === 'rejected' || r.status === 'cancelled') expect(entry, r.reference).toBeUndefined();
    if (entry) expect(entry.amountMinor, r.reference).toBe(r.amountMinor);
  }
  // Money agrees: what PesaWay paid for this batch is what we report as succeeded.
  const paidBySandbox = ledger.entries.filter((e) => ours.has(e.reference) && e.status === 'succeeded').reduce((s, e) => s + e.amountMinor, 0);
  const reported = records.filter((r) => r.status === 'succeeded').reduce((s, r) => s + r.amountMinor, 0);
  expect(reported).toBe(paidBySandbox);
  return records;
}
