import type pg from 'pg';
import type { BatchStatus } from '../domain/batch-status.js';
import type { MinorUnits } from '../domain/money.js';
import type { PayoutStatus } from '../domain/payout-status.js';
import { type StatusTotals, emptyTotals } from '../domain/tally.js';

type Queryable = pg.Pool | pg.PoolClient;

/** What a running batch needs to know about itself. */
export interface BatchRunRow {
  batchId: string;
  status: BatchStatus;
  approvalRequired: boolean;
  approvedBy: string | null;
  submittedBy: string | null;
  totalMinor: MinorUnits;
  /** When a scheduled batch pays; null: as soon as it may. */
  payAt: Date | null;
}

export async function batchRun(db: Queryable, batchId: string): Promise<BatchRunRow | undefined> {
  const { rows } = await db.query<BatchRunRow>(
    `SELECT id AS "batchId", status, approval_required AS "approvalRequired", approved_by AS "approvedBy",
            submitted_by AS "submittedBy", total_minor AS "totalMinor", pay_at AS "payAt"
       FROM batches WHERE id = $1`,
    [batchId],
  );
  return rows[0];
}

/** Current attempts of a batch by status: counts and amounts, plus what PesaWay would charge for those not yet accepted. */
export interface BatchTotals extends StatusTotals {
  /** Amount plus estimated fee of every payout PesaWay has not accepted yet (to be sent, being sent, parked). */
  unsentNeedMinor: MinorUnits;
  /** Amount plus estimated fee of the payouts parked on 455.001. */
  parkedNeedMinor: MinorUnits;
}

export async function statusTotals(db: Queryable, batchId: string): Promise<BatchTotals> {
  const { rows } = await db.query<{ status: PayoutStatus; n: number; amount: MinorUnits; fee: MinorUnits }>(
    `SELECT status, count(*)::int AS n, COALESCE(sum(amount_minor), 0)::bigint AS amount, COALESCE(sum(fee_estimate_minor), 0)::bigint AS fee
       FROM payouts WHERE batch_id = $1 AND is_current GROUP BY status`,
    [batchId],
  );
  const totals = emptyTotals();
  let unsentNeedMinor = 0;
  let parkedNeedMinor = 0;
  for (const r of rows) {
    totals.counts[r.status] = r.n;
    totals.amounts[r.status] = r.amount;
    if (UNSENT.includes(r.status)) unsentNeedMinor += r.amount + r.fee;
    if (r.status === 'awaiting_funds') parkedNeedMinor += r.amount + r.fee;
  }
  return { ...totals, unsentNeedMinor, parkedNeedMinor };
}

const UNSENT: readonly PayoutStatus[] = ['pending', 'submitting', 'awaiting_funds'];

/** Statuses whose entry is an event of its own (webhooks carry it); the others are visible on the batch only. */
const LOGGED_ENTRIES: readonly BatchStatus[] = ['AWAITING_APPROVAL'];

/**
 * Writes the batch's status. Entering a logged status (AWAITING_APPROVAL) also appends `batch.<status>`
 * in the same statement, and only when the status really changed: a retried or repeated write logs nothing.
 */
export async function setBatchStatus(db: Queryable, batchId: string, status: BatchStatus): Promise<void> {
  await db.query(
    `WITH before AS (SELECT id, status FROM batches WHERE id = $1 FOR UPDATE),
     moved AS (
       UPDATE batches b SET status = $2, updated_at = now(),
              finished_at = CASE WHEN $2 IN ('COMPLETED', 'CANCELLED') THEN COALESCE(b.finished_at, now()) ELSE NULL END
         FROM before WHERE b.id = before.id
       RETURNING b.id, before.status AS was
     )
     INSERT INTO events (batch_id, kind, actor, detail)
     SELECT id, 'batch.' || lower($2), 'batch', jsonb_build_object('from', was) FROM moved WHERE was IS DISTINCT FROM $2 AND $2 = ANY($3::text[])`,
    [batchId, status, LOGGED_ENTRIES],
  );
}

/** Records the approver once. Returns false when the approver is the submitter (the table refuses it too). */
export async function recordApproval(db: Queryable, batchId: string, by: string): Promise<boolean> {
  const { rows } = await db.query<{ submitted_by: string | null; approved_by: string | null }>(
    `UPDATE batches SET approved_by = COALESCE(approved_by, $2), approved_at = COALESCE(approved_at, now()), updated_at = now()
      WHERE id = $1 AND submitted_by IS DISTINCT FROM $2
     RETURNING submitted_by, approved_by`,
    [batchId, by],
  );
  if (rows.length === 0) return false;
  await db.query(`INSERT INTO events (batch_id, kind, actor) VALUES ($1, 'batch.approved', $2)`, [batchId, by]);
  return true;
}

export type RejectionRecord = 'recorded' | 'self_rejection' | 'decided';

/**
 * Records an approver's rejection once, with `batch.rejected` (who and why as detail) in the same statement.
 * `self_rejection`: the rejecter submitted the batch; `decided`: it was approved, or another rejection was
 * recorded first (a repeat of the same one, e.g. a retried activity, counts as recorded).
 */
export async function recordRejection(db: Queryable, batchId: string, rejection: { by: string; reason: string }): Promise<RejectionRecord> {
  const { rows } = await db.query<{ submitted_by: string | null; approved_by: string | null; rejected_by: string | null; moved: boolean }>(
    `WITH before AS (SELECT id, submitted_by, approved_by, rejected_by FROM batches WHERE id = $1 FOR UPDATE),
     moved AS (
       UPDATE batches b SET rejected_by = $2, rejected_at = now(), rejection_reason = $3, updated_at = now()
         FROM before
        WHERE b.id = before.id AND before.rejected_by IS NULL AND before.approved_by IS NULL AND before.submitted_by IS DISTINCT FROM $2
       RETURNING b.id
     ),
     logged AS (
       INSERT INTO events (batch_id, kind, actor, detail) SELECT id, 'batch.rejected', $2, jsonb_build_object('by', $2::text, 'reason', $3::text) FROM moved
     )
     SELECT before.submitted_by, before.approved_by, before.rejected_by, EXISTS (SELECT 1 FROM moved) AS moved FROM before`,
    [batchId, rejection.by, rejection.reason],
  );
  const r = rows[0];
  if (!r || r.moved || r.rejected_by === rejection.by) return 'recorded';
  return r.submitted_by === rejection.by ? 'self_rejection' : 'decided';
}

export async function recordEvent(db: Queryable, event: { batchId: string; reference?: string; kind: string; actor?: string; detail?: Record<string, unknown> }): Promise<void> {
  await db.query(`INSERT INTO events (batch_id, reference, kind, actor, detail) VALUES ($1, $2, $3, $4, $5::jsonb)`, [
    event.batchId,
    event.reference ?? null,
    event.kind,
    event.actor ?? null,
    JSON.stringify(event.detail ?? {}),
  ]);
}

/**
 * Ends the batch with its summary; `batch.completed` / `batch.cancelled` (the summary as detail) is appended
 * in the same statement when the status changes, so re-finalizing a finished batch logs nothing new.
 */
export async function finishBatch(db: Queryable, batchId: string, status: 'COMPLETED' | 'CANCELLED', summary: unknown): Promise<string> {
  const { rows } = await db.query<{ finished_at: Date }>(
    `WITH before AS (SELECT id, status FROM batches WHERE id = $1 FOR UPDATE),
     moved AS (
       UPDATE batches b SET status = $2, summary = $3::jsonb, updated_at = now(), finished_at = COALESCE(b.finished_at, now())
         FROM before WHERE b.id = before.id
       RETURNING b.id, b.finished_at, before.status AS was
     ),
     logged AS (
       INSERT INTO events (batch_id, kind, actor, detail)
       SELECT id, 'batch.' || lower($2), 'batch', $3::jsonb FROM moved WHERE was IS DISTINCT FROM $2
     )
     SELECT finished_at FROM moved`,
    [batchId, status, JSON.stringify(summary)],
  );
  return rows[0]!.finished_at.toISOString();
}
