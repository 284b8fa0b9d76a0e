import type pg from 'pg';
import { maskPhone } from '../common/mask.js';
import type { MinorUnits } from '../domain/money.js';
import { type PayoutStatus, TERMINAL_PAYOUT_STATUSES, predecessorsOf } from '../domain/payout-status.js';
import { payoutReference } from '../domain/reference.js';
import type { SettlementResult } from '../domain/settlement.js';
import type { Channel } from '../domain/channel.js';
import type { PayoutTicket } from '../workflows/types.js';

type Queryable = pg.Pool | pg.PoolClient;

/** What the PesaWay send activity needs; personal data, read from here and never put in a workflow. */
export interface PayoutForSend {
  reference: string;
  batchId: string;
  channel: Channel;
  phone: string | null;
  accountNumber: string | null;
  bankCode: string | null;
  bankName: string | null;
  reason: string;
  amountMinor: MinorUnits;
  status: PayoutStatus;
  transactionId: string | null;
}

export async function payoutForSend(db: Queryable, reference: string): Promise<PayoutForSend | undefined> {
  const { rows } = await db.query<PayoutForSend>(
    `SELECT reference, batch_id AS "batchId", channel, phone, account_number AS "accountNumber", bank_code AS "bankCode",
            bank_name AS "bankName", reason, amount_minor AS "amountMinor", status, transaction_id AS "transactionId"
       FROM payouts WHERE reference = $1`,
    [reference],
  );
  return rows[0];
}

/** A not-yet-started payout: exactly what the batch hands its child workflow. */
export type PendingPayoutRow = PayoutTicket;

/** The next page of not-yet-started payouts (current attempts) after `afterRowNo`, in file order. */
export async function nextPendingPayouts(db: Queryable, batchId: string, afterRowNo: number, limit: number): Promise<PendingPayoutRow[]> {
  const { rows } = await db.query<Omit<PendingPayoutRow, 'maskedDestination'> & { phone: string | null; accountNumber: string | null }>(
    `SELECT reference, row_no AS "rowNo", attempt, channel, amount_minor AS "amountMinor", fee_estimate_minor AS "feeEstimateMinor",
            phone, account_number AS "accountNumber"
       FROM payouts
      WHERE batch_id = $1 AND is_current AND status = 'pending' AND row_no > $2
      ORDER BY row_no
      LIMIT $3`,
    [batchId, afterRowNo, limit],
  );
  return rows.map(({ phone, accountNumber, ...r }) => ({ ...r, maskedDestination: maskPhone(phone ?? accountNumber ?? '') }));
}

export interface TransitionRequest {
  reference: string;
  to: PayoutStatus;
  transactionId?: string | undefined;
  result?: SettlementResult | undefined;
  failureReason?: string | undefined;
  evidence?: Record<string, unknown> | undefined;
  /** Who or what caused it: 'workflow', 'callback', 'operator'. */
  source: string;
}

export class UnknownPayoutError extends Error {
  constructor(readonly reference: string) {
    super(`No payout with reference ${reference}`);
    this.name = 'UnknownPayoutError';
  }
}

/**
 * Moves a payout forward, atomically and idempotently: the UPDATE only matches when the current status is
 * one from which `to` may be reached, so a replayed activity, a duplicated callback or a stale poll can
 * never move it backwards. Every applied move is written to `events`.
 */
export async function transitionPayout(db: Queryable, t: TransitionRequest): Promise<{ applied: boolean; current: PayoutStatus }> {
  const settled = (TERMINAL_PAYOUT_STATUSES as readonly string[]).includes(t.to);
  const r = t.result;
  const { rows } = await db.query<{ status: PayoutStatus; applied: boolean }>(
    `WITH moved AS (
       UPDATE payouts SET
         status = $2,
         updated_at = now(),
         transaction_id = COALESCE($3, transaction_id),
         receipt = COALESCE($4, receipt),
         result_code = COALESCE($5, result_code),
         result_desc = COALESCE($6, result_desc),
         receiver_name = COALESCE($7, receiver_name),
         failure_reason = CASE WHEN $2 IN ('succeeded', 'submitting', 'accepted') THEN NULL ELSE COALESCE($8, failure_reason) END,
         evidence = COALESCE($9::jsonb, evidence),
         submitted_at = CASE WHEN $2 = 'submitting' THEN COALESCE(submitted_at, now()) ELSE submitted_at END,
         settled_at = CASE WHEN $10 THEN now() ELSE settled_at END
       WHERE reference = $1 AND status = ANY($11::text[])
       RETURNING batch_id, status
     ), logged AS (
       INSERT INTO events (batch_id, reference, kind, actor, detail)
       SELECT batch_id, $1, 'payout.' || $2, $12, $13::jsonb FROM moved
     )
     SELECT status, true AS applied FROM moved
     UNION ALL
     SELECT status, false AS applied FROM payouts WHERE reference = $1 AND NOT EXISTS (SELECT 1 FROM moved)`,
    [
      t.reference,
      t.to,
      t.transactionId ?? r?.transactionId ?? null,
      r?.receipt ?? null,
      r?.resultCode ?? null,
      r?.resultDesc ?? null,
      r?.receiverName ?? null,
      t.failureReason ?? null,
      t.evidence ? JSON.stringify(t.evidence) : null,
      settled,
      predecessorsOf(t.to),
      t.source,
      JSON.stringify({ transactionId: t.transactionId ?? r?.transactionId, resultCode: r?.resultCode, reason: t.failureReason }),
    ],
  );
  const row = rows[0];
  if (!row) throw new UnknownPayoutError(t.reference);
  return { applied: row.applied, current: row.status };
}

/** Cancels every not-yet-started payout of a batch. */
export async function cancelPendingPayouts(db: Queryable, batchId: string, actor: string): Promise<number> {
  const { rowCount } = await db.query(
    `WITH cancelled AS (
       UPDATE payouts SET status = 'cancelled', failure_reason = 'batch cancelled before this payout was sent',
              updated_at = now(), settled_at = now()
        WHERE batch_id = $1 AND is_current AND status = 'pending'
       RETURNING reference)
     INSERT INTO events (batch_id, reference, kind, actor) SELECT $1, reference, 'payout.cancelled', $2 FROM cancelled`,
    [batchId, actor],
  );
  return rowCount ?? 0;
}

/**
 * Retry of failed rows: only payouts PesaWay confirmed failed (a non-zero ResultCode) get a next attempt,
 * under the next attempt's reference; the failed attempt stays, no longer current.
 */
export async function prepareRetry(pool: pg.Pool, batchId: string, actor: string): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{ reference: string; row_no: number; attempt: number }>(
      `UPDATE payouts SET is_current = false, updated_at = now()
        WHERE batch_id = $1 AND is_current AND status = 'failed'
       RETURNING reference, row_no, attempt`,
      [batchId],
    );
    if (rows.length > 0) {
      const refs = rows.map((r) => payoutReference(batchId, r.row_no, r.attempt + 1));
      await client.query(
        `INSERT INTO payouts (reference, batch_id, row_no, line, attempt, is_current, channel, phone, account_number, bank_code,
                              bank_name, name, employee_id, reason, amount_minor, fee_estimate_minor)
         SELECT n.reference, p.batch_id, p.row_no, p.line, p.attempt + 1, true, p.channel, p.phone, p.account_number, p.bank_code,
                p.bank_name, p.name, p.employee_id, p.reason, p.amount_minor, p.fee_estimate_minor
           FROM unnest($1::text[], $2::text[]) AS n(old_reference, reference)
           JOIN payouts p ON p.reference = n.old_reference`,
        [rows.map((r) => r.reference), refs],
      );
      await client.query(
        `INSERT INTO events (batch_id, reference, kind, actor, detail)
         SELECT $1, n.reference, 'payout.retry', $2, jsonb_build_object('previous', n.old_reference)
           FROM unnest($3::text[], $4::text[]) AS n(old_reference, reference)`,
        [batchId, actor, rows.map((r) => r.reference), refs],
      );
    }
    await client.query('COMMIT');
    return rows.length;
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
}

export interface PayoutOutcomeRow {
  reference: string;
  rowNo: number;
  status: 'succeeded' | 'failed' | 'rejected' | 'cancelled' | 'unresolved';
  amountMinor: MinorUnits;
  transactionId: string | undefined;
  resultCode: number | undefined;
}

/** Those of the given payouts that have ended (for the batch), with their outcome. */
export async function payoutOutcomes(db: Queryable, references: string[]): Promise<PayoutOutcomeRow[]> {
  const { rows } = await db.query<PayoutOutcomeRow & { transactionId: string | null; resultCode: number | null }>(
    `SELECT reference, row_no AS "rowNo", status, amount_minor AS "amountMinor", transaction_id AS "transactionId", result_code AS "resultCode"
       FROM payouts
      WHERE reference = ANY($1::text[]) AND status IN ('succeeded', 'failed', 'rejected', 'cancelled', 'unresolved')`,
    [references],
  );
  return rows.map((r) => ({ ...r, transactionId: r.transactionId ?? undefined, resultCode: r.resultCode ?? undefined }));
}
