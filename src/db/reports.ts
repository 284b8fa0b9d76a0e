import type pg from 'pg';
import type { BatchStatus } from '../domain/batch-status.js';
import type { MinorUnits } from '../domain/money.js';
import type { PayoutStatus } from '../domain/payout-status.js';
import type { Channel } from '../domain/channel.js';
import { type Batch, getBatch } from './batches.js';
import { OPEN_ATTENTION } from './payout-attention.js';

type Queryable = pg.Pool | pg.PoolClient;

export { getBatch };

/** Batches newest first, optionally by status and payroll label; `before` is the last id of the previous page (keyset paging). */
export async function listBatches(db: Queryable, q: { status?: BatchStatus | undefined; payroll?: string | undefined; limit: number; before?: string | undefined }): Promise<Batch[]> {
  const params: unknown[] = [q.limit];
  const where: string[] = [];
  if (q.status) where.push(`status = $${params.push(q.status)}`);
  if (q.payroll !== undefined) where.push(`payroll = $${params.push(q.payroll)}`);
  if (q.before) where.push(`(created_at, id) < (SELECT created_at, id FROM batches WHERE id = $${params.push(q.before)})`);
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM batches ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT $1`,
    params,
  );
  const batches = await Promise.all(rows.map((r) => getBatch(db, r.id)));
  return batches.filter((b): b is Batch => b !== undefined);
}

/** One row of the row-by-row report: the current attempt of each payroll row. */
export interface ReportRow {
  rowNo: number;
  line: number;
  attempt: number;
  reference: string;
  employeeId: string | null;
  name: string | null;
  channel: Channel;
  phone: string | null;
  accountNumber: string | null;
  bankCode: string | null;
  bankName: string | null;
  amountMinor: MinorUnits;
  status: PayoutStatus;
  transactionId: string | null;
  receipt: string | null;
  resultCode: number | null;
  resultDesc: string | null;
  failureReason: string | null;
  evidence: Record<string, unknown> | null;
  /** Why a person must look at it (AttentionReason values); empty when nothing is in doubt. */
  attention: string[];
  /** A person's answer to the flags raised up to `at` (null until someone resolves them). */
  attentionResolution: { by: string; at: string; note: string } | null;
  /** A flag no one has resolved yet (one raised after a resolution reopens it). */
  attentionOpen: boolean;
  settledAt: Date | null;
}

export const REPORT_COLUMNS = `row_no AS "rowNo", line, attempt, reference, employee_id AS "employeeId", name, channel, phone,
  account_number AS "accountNumber", bank_code AS "bankCode", bank_name AS "bankName", amount_minor AS "amountMinor", status,
  transaction_id AS "transactionId", receipt, result_code AS "resultCode", result_desc AS "resultDesc",
  failure_reason AS "failureReason", evidence, attention, settled_at AS "settledAt",
  CASE WHEN attention_resolved_at IS NULL THEN NULL
       ELSE jsonb_build_object('by', attention_resolved_by, 'at', attention_resolved_at, 'note', attention_resolution) END AS "attentionResolution",
  ${OPEN_ATTENTION} AS "attentionOpen"`;

/** Longest search text a payouts page accepts (the API's `q`): an employee id, a name or a reference. */
export const PAYOUT_SEARCH_MAX = 100;

/** `q` as a LIKE pattern's literal part: `%`, `_` and `\` match themselves. */
const likeLiteral = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * A page of current attempts in row order, optionally by status, after `afterRowNo`. `search` keeps the rows
 * whose employee id starts with it, whose name contains it (both case-insensitive) or whose reference is it.
 * It walks the batch's (batch_id, row_no) index in row order and stops at `limit` matches, so a page of a
 * 100,000-row batch reads at most that batch's rows once, and keyset paging by row stays exact.
 */
export async function payoutPage(
  db: Queryable,
  batchId: string,
  q: { status?: PayoutStatus | undefined; afterRowNo: number; limit: number; search?: string | undefined },
): Promise<ReportRow[]> {
  const params: unknown[] = [batchId, q.afterRowNo, q.limit];
  const byStatus = q.status ? `AND status = $${params.push(q.status)}` : '';
  const search = q.search?.trim();
  let bySearch = '';
  if (search) {
    const like = likeLiteral(search);
    const prefix = params.push(`${like}%`);
    const contains = params.push(`%${like}%`);
    const exact = params.push(search.toUpperCase());
    bySearch = `AND (employee_id ILIKE $${prefix} OR name ILIKE $${contains} OR reference = $${exact})`;
  }
  const { rows } = await db.query<ReportRow>(
    `SELECT ${REPORT_COLUMNS} FROM payouts WHERE batch_id = $1 AND is_current AND row_no > $2 ${byStatus} ${bySearch} ORDER BY row_no LIMIT $3`,
    params,
  );
  return rows;
}

/** Every current attempt, page by page: the report of a 1,000,000-row batch streams in constant memory. */
export async function* reportRows(db: Queryable, batchId: string, pageSize = 5000): AsyncGenerator<ReportRow> {
  for (let after = 0; ; ) {
    const page = await payoutPage(db, batchId, { afterRowNo: after, limit: pageSize });
    yield* page;
    if (page.length < pageSize) return;
    after = page.at(-1)!.rowNo;
  }
}
