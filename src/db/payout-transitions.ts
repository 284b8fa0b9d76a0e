/**
 * The one writer of a payout's status. Every move is forward-only (the UPDATE matches only from a status
 * `to` may be reached from, so a replayed activity, a duplicated callback or a stale poll never moves a
 * payout backwards) and is logged in `events` by the same statement. The payout activity, the callback
 * receiver and the batch's bulk moves (cancel, retry) all come through here.
 */
import type pg from 'pg';
import { type PayoutStatus, TERMINAL_PAYOUT_STATUSES, isTerminal, predecessorsOf } from '../domain/payout-status.js';
import { type PayoutEventKind, statusEvent } from '../domain/payout-events.js';
import { payoutReference } from '../domain/reference.js';
import type { Channel } from '../domain/channel.js';
import type { SettlementResult } from '../domain/settlement.js';
import type { Queryable } from './batches.js';
import { flagPayout } from './payout-attention.js';

export class UnknownPayoutError extends Error {
  constructor(readonly reference: string) {
    super(`No payout with reference ${reference}`);
    this.name = 'UnknownPayoutError';
  }
}

export interface TransitionRequest {
  reference: string;
  to: PayoutStatus;
  /** Who or what caused it: 'payout' (its activity), 'callback', 'query', 'batch', an operator's name. */
  source: string;
  transactionId?: string | undefined;
  result?: SettlementResult | undefined;
  failureReason?: string | undefined;
  /** Merged into the payout's evidence (what an operator needs to chase it; no personal data). */
  evidence?: Record<string, unknown> | undefined;
  /** The waiting activity attempt's token, stored with the move. */
  taskToken?: Uint8Array | undefined;
  /** Extra detail for the event log. */
  detail?: Record<string, unknown> | undefined;
}

/** `applied`: this call moved it. Otherwise `current` says where it already is. `taskToken`: the waiting attempt, if any. */
export interface Moved {
  applied: boolean;
  current: PayoutStatus;
  taskToken: Uint8Array | null;
}

const TERMINAL: readonly string[] = TERMINAL_PAYOUT_STATUSES;

const MOVE = `WITH moved AS (
    UPDATE payouts SET
      status = $2,
      updated_at = now(),
      transaction_id = COALESCE($3, transaction_id),
      receipt = COALESCE($4, receipt),
      result_code = COALESCE($5, result_code),
      result_desc = COALESCE($6, result_desc),
      receiver_name = COALESCE($7, receiver_name),
      failure_reason = CASE WHEN $2 IN ('succeeded', 'submitting', 'accepted') THEN NULL ELSE COALESCE($8, failure_reason) END,
      evidence = CASE
        WHEN $9::jsonb IS NULL AND ($15::bigint IS NULL OR $15::bigint = amount_minor) THEN evidence
        ELSE COALESCE(evidence, '{}'::jsonb) || COALESCE($9::jsonb, '{}'::jsonb)
          || CASE WHEN $15::bigint IS NOT NULL AND $15::bigint <> amount_minor
               THEN jsonb_build_object('amountMismatch', jsonb_build_object('expected', amount_minor, 'reported', $15::bigint))
               ELSE '{}'::jsonb END
      END,
      attention = CASE WHEN $15::bigint IS NOT NULL AND $15::bigint <> amount_minor AND NOT ('amount_mismatch' = ANY(attention))
        THEN attention || 'amount_mismatch'::text ELSE attention END,
      attention_at = CASE WHEN $15::bigint IS NOT NULL AND $15::bigint <> amount_minor THEN now() ELSE attention_at END,
      task_token = COALESCE($14, task_token),
      submitted_at = CASE WHEN $2 = 'submitting' THEN COALESCE(submitted_at, now()) ELSE submitted_at END,
      settled_at = CASE WHEN $10 THEN now() ELSE settled_at END
    WHERE reference = $1 AND status = ANY($11::text[])
    RETURNING batch_id, status, task_token, amount_minor, channel, ($15::bigint IS NOT NULL AND $15::bigint <> amount_minor) AS mismatch,
      EXTRACT(EPOCH FROM (now() - submitted_at))::float8 AS since_submitted
  ), logged AS (
    INSERT INTO events (batch_id, reference, kind, actor, detail)
    SELECT batch_id, $1, $16, $12, $13::jsonb FROM moved
    UNION ALL
    SELECT batch_id, $1, 'payout.attention', $12, jsonb_build_object('reason', 'amount_mismatch', 'expected', amount_minor, 'reported', $15::bigint)
      FROM moved WHERE mismatch
  )
  SELECT status, task_token, channel, amount_minor, since_submitted FROM moved`;

/** A payout that moved: what the metrics count (src/metrics/payout-metrics.ts). */
export interface PayoutMove {
  to: PayoutStatus;
  channel: Channel;
  amountMinor: number;
  /** Since it was first sent to PesaWay; null before that. */
  secondsSinceSubmitted: number | null;
}

let moveObserver: ((move: PayoutMove) => void) | undefined;

/**
 * Who hears of every payout that moved in this process (its metrics). One per process: transitions happen
 * in the worker's activities and the API's callback deliveries alike, so each process counts its own.
 */
export function observePayoutMoves(observer: ((move: PayoutMove) => void) | undefined): void {
  moveObserver = observer;
}

/**
 * Moves a payout forward. When nothing moved, the current status is read by a second statement: its
 * fresh snapshot sees a concurrent writer's committed move (the first statement's snapshot might not).
 */
export async function transitionPayout(db: Queryable, t: TransitionRequest): Promise<Moved> {
  const r = t.result;
  const transactionId = t.transactionId ?? r?.transactionId;
  const detail = { ...(transactionId ? { transactionId } : {}), ...(r ? { resultCode: r.resultCode } : {}), ...(t.failureReason ? { reason: t.failureReason } : {}), ...t.detail };
  const { rows } = await db.query<{ status: PayoutStatus; task_token: Buffer | null; channel: Channel; amount_minor: string; since_submitted: number | null }>(MOVE, [
    t.reference,
    t.to,
    transactionId ?? null,
    r?.receipt ?? null,
    r?.resultCode ?? null,
    r?.resultDesc ?? null,
    r?.receiverName ?? null,
    t.failureReason ?? null,
    t.evidence ? JSON.stringify(t.evidence) : null,
    TERMINAL.includes(t.to),
    predecessorsOf(t.to),
    t.source,
    JSON.stringify(detail),
    t.taskToken ? Buffer.from(t.taskToken) : null,
    r?.amountMinor ?? null,
    statusEvent(t.to),
  ]);
  const moved = rows[0];
  if (moved) {
    moveObserver?.({ to: moved.status, channel: moved.channel, amountMinor: Number(moved.amount_minor), secondsSinceSubmitted: moved.since_submitted });
    return { applied: true, current: moved.status, taskToken: moved.task_token };
  }
  const now = await currentStatus(db, t.reference);
  return { applied: false, ...now };
}

async function currentStatus(db: Queryable, reference: string): Promise<{ current: PayoutStatus; taskToken: Uint8Array | null }> {
  const { rows } = await db.query<{ status: PayoutStatus; task_token: Buffer | null }>('SELECT status, task_token FROM payouts WHERE reference = $1', [reference]);
  if (!rows[0]) throw new UnknownPayoutError(reference);
  return { current: rows[0].status, taskToken: rows[0].task_token };
}

/** An event about a payout that is not a status change (a PesaWay answer, a duplicate callback). */
export async function notePayout(db: Queryable, note: { reference: string; kind: PayoutEventKind; source: string; detail?: Record<string, unknown> }): Promise<void> {
  await db.query(`INSERT INTO events (batch_id, reference, kind, actor, detail) SELECT batch_id, $1, $2, $3, $4::jsonb FROM payouts WHERE reference = $1`, [
    note.reference,
    note.kind,
    note.source,
    JSON.stringify(note.detail ?? {}),
  ]);
}

/**
 * The activity waits again (a poll found the payment still pending): stores the new attempt's token while
 * the payout is still `accepted`, with the query's answer in the event log. If a result was recorded
 * meanwhile, nothing is stored and the caller returns that result instead of waiting.
 */
export async function recordWaiting(db: Queryable, reference: string, taskToken: Uint8Array, answer?: { kind: string; transactionId?: string | undefined }): Promise<Moved> {
  const { rows } = await db.query<{ status: PayoutStatus; task_token: Buffer | null }>(
    `WITH waiting AS (
       UPDATE payouts SET task_token = $2, transaction_id = COALESCE($3, transaction_id), updated_at = now()
        WHERE reference = $1 AND status = 'accepted'
       RETURNING batch_id, status, task_token
     ), logged AS (
       INSERT INTO events (batch_id, reference, kind, actor, detail) SELECT batch_id, $1, 'payout.query', 'payout', $4::jsonb FROM waiting WHERE $4::jsonb IS NOT NULL
     )
     SELECT status, task_token FROM waiting`,
    [reference, Buffer.from(taskToken), answer?.transactionId ?? null, answer ? JSON.stringify({ answer: answer.kind, ...(answer.transactionId ? { transactionId: answer.transactionId } : {}) }) : null],
  );
  if (rows[0]) return { applied: true, current: rows[0].status, taskToken: rows[0].task_token };
  return { applied: false, ...(await currentStatus(db, reference)) };
}

/**
 * A final answer from PesaWay (callback or query), recorded forward-only. A second answer that agrees is a
 * duplicate; one that disagrees with the recorded end is a contradiction: logged for a person, never applied.
 */
export async function recordSettlement(db: Queryable, reference: string, result: SettlementResult, source: 'callback' | 'query'): Promise<Moved & { verdict: 'applied' | 'duplicate' | 'contradiction' | 'late' }> {
  const to: PayoutStatus = result.resultCode === 0 ? 'succeeded' : 'failed';
  const moved = await transitionPayout(db, {
    reference,
    to,
    source,
    result,
    ...(to === 'failed' ? { failureReason: result.resultDesc || `ResultCode ${result.resultCode}` } : {}),
  });
  if (moved.applied) return { ...moved, verdict: 'applied' };
  if (!isTerminal(moved.current)) return { ...moved, verdict: 'late' }; // e.g. still pending: not ours to settle
  const answer = { recorded: moved.current, reported: to, resultCode: result.resultCode, ...(result.transactionId ? { transactionId: result.transactionId } : {}) };
  if (moved.current !== to) {
    // Invariant 7: never applied, flagged for a person with the evidence; a failure in doubt is not resent.
    await flagPayout(db, { reference, reason: 'contradiction', source, detail: answer });
    return { ...moved, verdict: 'contradiction' };
  }
  await notePayout(db, { reference, kind: 'payout.duplicate_answer', source, detail: answer });
  if (result.amountMinor !== undefined) {
    await flagPayout(db, { reference, reason: 'amount_mismatch', source, detail: { reported: result.amountMinor }, onlyIfAmountDiffersFrom: result.amountMinor });
  }
  return { ...moved, verdict: 'duplicate' };
}

/**
 * The one move against the forward order, and only on PesaWay's word: a failure recorded from a callback
 * that a fresh transaction query (made before a retry) says succeeded. The money was paid; the row is
 * `succeeded` and never paid again, and it is flagged `contradiction` with both answers for a person.
 */
export async function correctFailureToSuccess(db: Queryable, reference: string, result: SettlementResult, source: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `WITH corrected AS (
       UPDATE payouts p SET status = 'succeeded', failure_reason = NULL, failure_confirmed_at = NULL,
              transaction_id = COALESCE($2, p.transaction_id), receipt = COALESCE($3, p.receipt), result_code = $4,
              result_desc = COALESCE($5, p.result_desc), updated_at = now(), settled_at = now(),
              attention = CASE WHEN 'contradiction' = ANY(p.attention) THEN p.attention ELSE p.attention || 'contradiction'::text END,
              attention_at = now(),
              evidence = COALESCE(p.evidence, '{}'::jsonb) || jsonb_build_object('contradiction',
                jsonb_build_object('recorded', 'failed', 'recordedResultCode', old.result_code, 'reported', 'succeeded', 'resultCode', $4::int, 'corrected', true))
         FROM payouts old WHERE old.reference = p.reference AND p.reference = $1 AND p.status = 'failed'
       RETURNING p.batch_id, old.result_code AS previous_code)
     INSERT INTO events (batch_id, reference, kind, actor, detail)
     SELECT batch_id, $1, 'payout.succeeded', $6, jsonb_build_object('correctedFrom', 'failed', 'resultCode', $4::int) FROM corrected
     UNION ALL
     SELECT batch_id, $1, 'payout.attention', $6, jsonb_build_object('reason', 'contradiction', 'recorded', 'failed', 'recordedResultCode', previous_code, 'reported', 'succeeded', 'corrected', true) FROM corrected`,
    [reference, result.transactionId ?? null, result.receipt ?? null, result.resultCode, result.resultDesc ?? null, source],
  );
  return (rowCount ?? 0) > 0;
}

/** The settle deadline passed with no final answer: `unresolved`, with its evidence; never resent. */
export async function markUnresolved(db: Queryable, reference: string, evidence: Record<string, unknown>): Promise<Moved> {
  return transitionPayout(db, { reference, to: 'unresolved', source: 'batch', evidence });
}

/** Cancels every not-yet-sent payout of a batch. */
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

/** Cancels payouts parked on 455.001 (nothing was paid for them). */
export async function cancelParkedPayouts(db: Queryable, references: readonly string[], actor: string): Promise<number> {
  if (references.length === 0) return 0;
  const { rowCount } = await db.query(
    `WITH cancelled AS (
       UPDATE payouts SET status = 'cancelled', failure_reason = 'batch cancelled while this payout awaited funds (never paid)',
              updated_at = now(), settled_at = now(), task_token = NULL
        WHERE reference = ANY($1::text[]) AND status = 'awaiting_funds'
       RETURNING batch_id, reference)
     INSERT INTO events (batch_id, reference, kind, actor) SELECT batch_id, reference, 'payout.cancelled', $2 FROM cancelled`,
    [references, actor],
  );
  return rowCount ?? 0;
}

/**
 * Retry of failed rows: only payouts whose failure a fresh transaction query confirmed since `confirmedSince`
 * (and no contradiction withdrew since) get a next attempt, under the next attempt's reference; the failed
 * attempt stays, no longer current. Without `confirmedSince` nothing is retried.
 */
export async function prepareRetry(pool: pg.Pool, batchId: string, actor: string, confirmedSince?: string): Promise<number> {
  if (confirmedSince === undefined) return 0;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{ reference: string; row_no: number; attempt: number }>(
      `UPDATE payouts SET is_current = false, updated_at = now()
        WHERE batch_id = $1 AND is_current AND status = 'failed' AND failure_confirmed_at >= $2::timestamptz
       RETURNING reference, row_no, attempt`,
      [batchId, confirmedSince],
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

