import type pg from 'pg';
import type { BatchStatus } from '../domain/batch-status.js';
import type { MinorUnits } from '../domain/money.js';
import { payoutReference } from '../domain/reference.js';
import { FILE_LEVEL_RULES, type Issue, type Severity } from '../payroll/issues.js';
import type { Policy } from '../payroll/report.js';
import type { PayoutDraft } from '../payroll/row.js';

/** Anything that runs a query: the pool, or a client inside a transaction. */
export type Queryable = Pick<pg.ClientBase, 'query'>;

export interface Batch {
  id: string;
  status: BatchStatus;
  policy: Policy;
  fileName: string | null;
  fileSha256: string;
  fileSize: number;
  rowCount: number;
  validCount: number;
  invalidCount: number;
  warningCount: number;
  totalMinor: MinorUnits;
  feeEstimateMinor: MinorUnits;
  submittedBy: string | null;
  approvalRequired: boolean;
  /** Submitted although its file was already another batch, on the submitter's explicit word. */
  allowDuplicateFile: boolean;
  /** The payroll this batch is a run of ("acme-monthly"), for comparing with its previous run; null for none. */
  payroll: string | null;
  approvedBy: string | null;
  approvedAt: Date | null;
  /** When a scheduled batch pays (SCHEDULED until then); null: as soon as it may. */
  payAt: Date | null;
  /** Set when an approver rejected the batch (it ends CANCELLED, nothing paid). */
  rejection: BatchRejection | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

export interface BatchRejection {
  by: string;
  at: Date;
  reason: string;
}

interface BatchRow {
  id: string;
  status: BatchStatus;
  policy: Policy;
  file_name: string | null;
  file_sha256: string;
  file_size: number;
  row_count: number;
  valid_count: number;
  invalid_count: number;
  warning_count: number;
  total_minor: number;
  fee_estimate_minor: number;
  submitted_by: string | null;
  approval_required: boolean;
  allow_duplicate_file: boolean;
  payroll: string | null;
  approved_by: string | null;
  approved_at: Date | null;
  pay_at: Date | null;
  rejected_by: string | null;
  rejected_at: Date | null;
  rejection_reason: string | null;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

const toBatch = (r: BatchRow): Batch => ({
  id: r.id,
  status: r.status,
  policy: r.policy,
  fileName: r.file_name,
  fileSha256: r.file_sha256,
  fileSize: r.file_size,
  rowCount: r.row_count,
  validCount: r.valid_count,
  invalidCount: r.invalid_count,
  warningCount: r.warning_count,
  totalMinor: r.total_minor,
  feeEstimateMinor: r.fee_estimate_minor,
  submittedBy: r.submitted_by,
  approvalRequired: r.approval_required,
  allowDuplicateFile: r.allow_duplicate_file,
  payroll: r.payroll,
  approvedBy: r.approved_by,
  approvedAt: r.approved_at,
  payAt: r.pay_at,
  rejection: r.rejected_by !== null && r.rejected_at !== null ? { by: r.rejected_by, at: r.rejected_at, reason: r.rejection_reason ?? '' } : null,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  finishedAt: r.finished_at,
});

const BATCH_COLUMNS = `id, status, policy, file_name, file_sha256, file_size, row_count, valid_count, invalid_count, warning_count,
  total_minor, fee_estimate_minor, submitted_by, approval_required, allow_duplicate_file, payroll, approved_by, approved_at,
  pay_at, rejected_by, rejected_at, rejection_reason, created_at, updated_at, finished_at`;

export async function getBatch(db: Queryable, id: string): Promise<Batch | undefined> {
  const { rows } = await db.query<BatchRow>(`SELECT ${BATCH_COLUMNS} FROM batches WHERE id = $1`, [id]);
  return rows[0] && toBatch(rows[0]);
}

export interface NewBatch {
  id: string;
  policy: Policy;
  fileName: string | null;
  submittedBy: string | null;
  approvalRequired: boolean;
  allowDuplicateFile: boolean;
  payroll: string | null;
  /** Pay at this time (the batch is SCHEDULED until then); null: as soon as it may. */
  payAt: Date | null;
}

/** What is only known once the whole file has been read. */
export interface BatchFacts {
  status: BatchStatus;
  fileSha256: string;
  fileSize: number;
  rowCount: number;
  validCount: number;
  invalidCount: number;
  warningCount: number;
  totalMinor: MinorUnits;
  feeEstimateMinor: MinorUnits;
}

/** A placeholder hash for a batch row whose file is still streaming in (inside its creating transaction). */
const PENDING_SHA256 = '0'.repeat(64);

/**
 * Creates the batch row first, inside the ingesting transaction, so file chunks and payouts can reference
 * it while the file streams in; `completeBatch` fills in the facts before commit. Nobody sees the
 * placeholder: the row becomes visible only with the commit.
 */
export async function insertPendingBatch(db: Queryable, batch: NewBatch): Promise<void> {
  await db.query(
    `INSERT INTO batches (id, status, policy, file_name, file_sha256, file_size, row_count, valid_count, invalid_count,
       warning_count, total_minor, fee_estimate_minor, submitted_by, approval_required, allow_duplicate_file, payroll, pay_at)
     VALUES ($1, 'CREATED', $2, $3, $4, 0, 0, 0, 0, 0, 0, 0, $5, $6, $7, $8, $9)`,
    [batch.id, batch.policy, batch.fileName, PENDING_SHA256, batch.submittedBy, batch.approvalRequired, batch.allowDuplicateFile, batch.payroll, batch.payAt],
  );
}

export async function completeBatch(db: Queryable, id: string, facts: BatchFacts): Promise<void> {
  await db.query(
    `UPDATE batches SET status = $2, file_sha256 = $3, file_size = $4, row_count = $5, valid_count = $6, invalid_count = $7,
       warning_count = $8, total_minor = $9, fee_estimate_minor = $10, updated_at = now()
     WHERE id = $1`,
    [id, facts.status, facts.fileSha256, facts.fileSize, facts.rowCount, facts.validCount, facts.invalidCount, facts.warningCount, facts.totalMinor, facts.feeEstimateMinor],
  );
}

/** The oldest other batch holding exactly this file (same SHA-256 and size), if any. */
export async function batchWithFile(db: Queryable, file: { sha256: string; size: number }, exceptId: string): Promise<Batch | undefined> {
  const { rows } = await db.query<BatchRow>(
    `SELECT ${BATCH_COLUMNS} FROM batches WHERE file_sha256 = $1 AND file_size = $2 AND id <> $3 ORDER BY created_at LIMIT 1`,
    [file.sha256, file.size, exceptId],
  );
  return rows[0] && toBatch(rows[0]);
}

export async function insertFileChunk(db: Queryable, batchId: string, seq: number, content: Buffer): Promise<void> {
  await db.query({ name: 'disburse-insert-file-chunk', text: 'INSERT INTO batch_file_chunks (batch_id, seq, content) VALUES ($1, $2, $3)', values: [batchId, seq, content] });
}

/** The stored file, chunk by chunk in order: exactly the bytes received. */
export async function* readBatchFile(db: Queryable, batchId: string): AsyncGenerator<Buffer> {
  for (let seq = 0; ; seq++) {
    const { rows } = await db.query<{ content: Buffer }>('SELECT content FROM batch_file_chunks WHERE batch_id = $1 AND seq = $2', [batchId, seq]);
    if (!rows[0]) return;
    yield rows[0].content;
  }
}

// Each column travels as one text value, its elements joined by the unit separator (U+001F) and NULL
// spelled as the record separator (U+001E), split server-side by string_to_array. That spares node-postgres
// escaping every element of thirteen arrays, which cost more than parsing the file. Draft text never holds
// control characters (row.ts cleans free text; the other fields match strict patterns); insertPayouts checks.
const SEP = '\u001f';
const NULL = '\u001e';
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const CONTROL = /[\u0000-\u001f]/;

const INSERT_PAYOUTS = `INSERT INTO payouts (reference, batch_id, row_no, line, attempt, channel, phone, account_number, bank_code,
    bank_name, name, employee_id, reason, amount_minor, fee_estimate_minor)
  SELECT t.reference, $1, t.row_no::int, t.line::int, $2, t.channel, t.phone, t.account_number, t.bank_code, t.bank_name, t.name,
    t.employee_id, t.reason, t.amount_minor::bigint, t.fee_estimate_minor::bigint
  FROM unnest(
    string_to_array($3, E'\\x1f', E'\\x1e'), string_to_array($4, E'\\x1f', E'\\x1e'), string_to_array($5, E'\\x1f', E'\\x1e'),
    string_to_array($6, E'\\x1f', E'\\x1e'), string_to_array($7, E'\\x1f', E'\\x1e'), string_to_array($8, E'\\x1f', E'\\x1e'),
    string_to_array($9, E'\\x1f', E'\\x1e'), string_to_array($10, E'\\x1f', E'\\x1e'), string_to_array($11, E'\\x1f', E'\\x1e'),
    string_to_array($12, E'\\x1f', E'\\x1e'), string_to_array($13, E'\\x1f', E'\\x1e'), string_to_array($14, E'\\x1f', E'\\x1e'),
    string_to_array($15, E'\\x1f', E'\\x1e'))
    AS t(reference, row_no, line, channel, phone, account_number, bank_code, bank_name, name, employee_id, reason,
      amount_minor, fee_estimate_minor)`;

/** A text cell for the joined column; '' is refused (string_to_array would turn a lone '' into no element). */
function cell(value: string | null, rowNo: number): string {
  if (value === null) return NULL;
  if (value === '' || CONTROL.test(value)) throw new RangeError(`payout row ${rowNo} has an empty text field or one with a control character`);
  return value;
}

/**
 * Inserts payouts (attempt 1 unless said otherwise) in one statement, in reference order (each statement
 * then walks the primary-key index once instead of jumping about in it). References come from
 * `payoutReference`, the one definition of them.
 */
export async function insertPayouts(db: Queryable, batchId: string, drafts: readonly PayoutDraft[], attempt = 1): Promise<void> {
  if (drafts.length === 0) return;
  const n = drafts.length;
  const refs = drafts.map((d) => payoutReference(batchId, d.rowNo, attempt));
  const order = refs.map((_, i) => i).sort((a, b) => (refs[a]! < refs[b]! ? -1 : 1));
  const columns: string[][] = Array.from({ length: 13 }, () => new Array<string>(n));
  const [reference, rowNo, line, channel, phone, account, bankCode, bankName, name, employeeId, reason, amount, fee] = columns as [
    string[], string[], string[], string[], string[], string[], string[], string[], string[], string[], string[], string[], string[],
  ];
  for (let i = 0; i < n; i++) {
    const d = drafts[order[i]!]!;
    reference[i] = refs[order[i]!]!;
    rowNo[i] = String(d.rowNo);
    line[i] = String(d.line);
    channel[i] = cell(d.channel, d.rowNo);
    phone[i] = cell(d.phone, d.rowNo);
    account[i] = cell(d.accountNumber, d.rowNo);
    bankCode[i] = cell(d.bankCode, d.rowNo);
    bankName[i] = cell(d.bankName, d.rowNo);
    name[i] = cell(d.name, d.rowNo);
    employeeId[i] = cell(d.employeeId, d.rowNo);
    reason[i] = cell(d.reason, d.rowNo);
    amount[i] = String(d.amountMinor);
    fee[i] = String(d.feeEstimateMinor);
  }
  await db.query({ name: 'disburse-insert-payouts', text: INSERT_PAYOUTS, values: [batchId, attempt, ...columns.map((values) => values.join(SEP))] });
}

/** Removes rows found invalid after they were inserted (a later row repeated their employee id). */
export async function deletePayoutRows(db: Queryable, batchId: string, rowNos: readonly number[]): Promise<void> {
  if (rowNos.length === 0) return;
  await db.query('DELETE FROM payouts WHERE batch_id = $1 AND row_no = ANY($2::int[])', [batchId, rowNos]);
}

export interface StoredIssue extends Issue {
  seq: number;
}

/** Stores findings under consecutive sequence numbers starting at `firstSeq`. */
export async function insertIssues(db: Queryable, batchId: string, firstSeq: number, issues: readonly Issue[]): Promise<void> {
  if (issues.length === 0) return;
  await db.query(
    `INSERT INTO batch_issues (batch_id, seq, severity, line, column_name, rule, value, message)
     SELECT $1, $2::int + t.ord::int - 1, t.severity, t.line, t.column_name, t.rule, t.value, t.message
     FROM unnest($3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[]) WITH ORDINALITY
       AS t(severity, line, column_name, rule, value, message, ord)`,
    [
      batchId,
      firstSeq,
      issues.map((i) => i.severity),
      issues.map((i) => i.line),
      issues.map((i) => i.column),
      issues.map((i) => i.rule),
      issues.map((i) => i.value),
      issues.map((i) => i.message),
    ],
  );
}

interface IssueRow {
  seq: number;
  severity: Severity;
  line: number | null;
  column_name: string | null;
  rule: Issue['rule'];
  value: string | null;
  message: string;
}

/** A page of a batch's findings in order (the row number is not stored; `rowNo` is null: see batchIssuePages). */
export async function listIssues(db: Queryable, batchId: string, page: { afterSeq?: number; limit?: number } = {}): Promise<StoredIssue[]> {
  const { rows } = await db.query<IssueRow>(
    `SELECT seq, severity, line, column_name, rule, value, message FROM batch_issues
     WHERE batch_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
    [batchId, page.afterSeq ?? -1, page.limit ?? 1000],
  );
  return rows.map((r) => ({ seq: r.seq, severity: r.severity, line: r.line, rowNo: null, column: r.column_name, rule: r.rule, value: r.value, message: r.message }));
}

const isRowLevel = (issue: Issue): issue is Issue & { line: number } => issue.line !== null && !FILE_LEVEL_RULES.includes(issue.rule);

/**
 * The row number of each line a data row of a stored batch starts on. Row numbers are not stored with the
 * findings, but follow from what is: every data row of a stored batch is a payout, or was skipped as
 * invalid and so has an error finding on its line, and rows are numbered in line order. A row's number
 * is therefore the rank of its line among those lines.
 */
async function rowNumbering(db: Queryable, batchId: string): Promise<(line: number) => number | null> {
  const { rows } = await db.query<{ lines: number[] | null }>(
    `SELECT array_agg(line ORDER BY line) AS lines FROM (
       SELECT line FROM payouts WHERE batch_id = $1
       UNION
       SELECT line FROM batch_issues WHERE batch_id = $1 AND line IS NOT NULL AND NOT (rule = ANY($2::text[]))
     ) AS record_lines`,
    [batchId, FILE_LEVEL_RULES],
  );
  const lines = Int32Array.from(rows[0]?.lines ?? []);
  return (line) => {
    let lo = 0;
    let hi = lines.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (lines[mid]! === line) return mid + 1;
      if (lines[mid]! < line) lo = mid + 1;
      else hi = mid - 1;
    }
    return null;
  };
}

/** All of a batch's findings in order, page by page, each row-level one with its row number. */
export async function* batchIssuePages(db: Queryable, batchId: string, pageSize = 1000): AsyncGenerator<StoredIssue[]> {
  let rowOf: ((line: number) => number | null) | undefined;
  for (let after = -1; ; ) {
    const page = await listIssues(db, batchId, { afterSeq: after, limit: pageSize });
    if (!rowOf && page.some(isRowLevel)) rowOf = await rowNumbering(db, batchId);
    yield page.map((issue) => (rowOf && isRowLevel(issue) ? { ...issue, rowNo: rowOf(issue.line) } : issue));
    if (page.length < pageSize) return;
    after = page.at(-1)!.seq;
  }
}
