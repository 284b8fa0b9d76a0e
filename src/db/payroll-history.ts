import type { Channel } from '../domain/channel.js';
import type { MinorUnits } from '../domain/money.js';
import { type Batch, getBatch, type Queryable } from './batches.js';

/**
 * The runs of one payroll, as the comparison with the previous run needs them: which batch came before,
 * and what it paid to whom. Reads only; the batches and payouts are written by ingestion.
 */

/** A row of a stored batch in the shape the payroll comparison (src/payroll/compare.ts) reads. */
export interface StoredPayrollRow {
  rowNo: number;
  line: number;
  channel: Channel;
  phone: string | null;
  accountNumber: string | null;
  bankCode: string | null;
  bankName: string | null;
  employeeId: string | null;
  amountMinor: MinorUnits;
}

/**
 * The previous run of `payroll`: its newest batch created before `before` (a stored batch: older than it,
 * itself excluded; omitted: before now, for a file not stored yet), CANCELLED ones skipped. A cancelled
 * batch was called off, typically to be replaced by a corrected file, so it is not the run the payroll
 * officer means by "last time" (whatever it paid before the cancel still shows in its own report). Every
 * other state counts, a batch still running or awaiting approval included: it is the latest run.
 */
export async function previousBatchOfPayroll(db: Queryable, payroll: string, before?: Pick<Batch, 'id' | 'createdAt'>): Promise<Batch | undefined> {
  const params: unknown[] = [payroll];
  const older = before ? `AND (created_at, id) < ($${params.push(before.createdAt)}::timestamptz, $${params.push(before.id)})` : '';
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM batches WHERE payroll = $1 AND status <> 'CANCELLED' ${older} ORDER BY created_at DESC, id DESC LIMIT 1`,
    params,
  );
  return rows[0] ? getBatch(db, rows[0].id) : undefined;
}

/**
 * What a batch set out to pay, row by row in file order: each payroll row's first attempt (a retry of a
 * failed row pays the same person the same amount under a new reference, so attempts add nothing).
 * Memory grows with the rows (about 200 bytes each), as the comparison's own maps do.
 */
export async function payrollRowsOf(db: Queryable, batchId: string): Promise<StoredPayrollRow[]> {
  const { rows } = await db.query<StoredPayrollRow>(
    `SELECT row_no AS "rowNo", line, channel, phone, account_number AS "accountNumber", bank_code AS "bankCode",
       bank_name AS "bankName", employee_id AS "employeeId", amount_minor AS "amountMinor"
     FROM payouts WHERE batch_id = $1 AND attempt = 1 ORDER BY row_no`,
    [batchId],
  );
  return rows;
}
