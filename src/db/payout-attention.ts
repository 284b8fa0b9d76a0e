/**
 * The writer of a payout's attention flags and of the confirmation a retry needs (invariant 7). A flag is
 * raised with its evidence and an event (`payout.attention`, which the outgoing webhooks carry) in one
 * statement; the engine never clears one, a person resolves it (who, when, what they found). A contradiction
 * also withdraws any confirmation of a failure, so a row whose failure is in doubt is not resent until a fresh
 * query confirms it again; resolving a flag does not change that.
 */
import type { AttentionReason } from '../domain/attention.js';
import type { Channel } from '../domain/channel.js';
import type { SettlementResult } from '../domain/settlement.js';
import type { Queryable } from './batches.js';

export interface Flag {
  reference: string;
  reason: AttentionReason;
  /** Who or what raised it: 'callback', 'query', 'retry'. */
  source: string;
  /** Merged into the payout's evidence under the reason's key, and logged with the event. No personal data. */
  detail: Record<string, unknown>;
  /** Only when PesaWay's amount differs from the payout's (a duplicate answer reporting another amount). */
  onlyIfAmountDiffersFrom?: number | undefined;
}

const EVIDENCE_KEY: Record<AttentionReason, string> = {
  contradiction: 'contradiction',
  amount_mismatch: 'amountMismatch',
  callback_undeliverable: 'callbackUndeliverable',
  failure_unconfirmed: 'failureUnconfirmed',
};

/** Flags a payout for a person. Returns false when there is no such payout (or the amount condition did not hold). */
export async function flagPayout(db: Queryable, f: Flag): Promise<boolean> {
  const detail = { reason: f.reason, ...f.detail };
  const { rowCount } = await db.query(
    `WITH flagged AS (
       UPDATE payouts SET
         attention = CASE WHEN $2 = ANY(attention) THEN attention ELSE attention || $2::text END,
         attention_at = now(),
         updated_at = now(),
         evidence = COALESCE(evidence, '{}'::jsonb) || jsonb_build_object($3::text, $4::jsonb),
         failure_confirmed_at = CASE WHEN $2 = 'contradiction' THEN NULL ELSE failure_confirmed_at END
        WHERE reference = $1 AND ($6::bigint IS NULL OR amount_minor <> $6::bigint)
       RETURNING batch_id)
     INSERT INTO events (batch_id, reference, kind, actor, detail) SELECT batch_id, $1, 'payout.attention', $5, $7::jsonb FROM flagged`,
    [f.reference, f.reason, EVIDENCE_KEY[f.reason], JSON.stringify(f.detail), f.source, f.onlyIfAmountDiffersFrom ?? null, JSON.stringify(detail)],
  );
  return (rowCount ?? 0) > 0;
}

/** A fresh transaction query confirmed the failure: the row may get a next attempt. False if it is no longer a current failure. */
export async function confirmFailure(db: Queryable, reference: string, result: SettlementResult): Promise<boolean> {
  const { rowCount } = await db.query(
    `WITH confirmed AS (
       UPDATE payouts SET failure_confirmed_at = now(), updated_at = now(), result_code = $2
        WHERE reference = $1 AND is_current AND status = 'failed'
       RETURNING batch_id)
     INSERT INTO events (batch_id, reference, kind, actor, detail)
     SELECT batch_id, $1, 'payout.failure_confirmed', 'retry', jsonb_build_object('resultCode', $2::int) FROM confirmed`,
    [reference, result.resultCode],
  );
  return (rowCount ?? 0) > 0;
}

/** Current failed attempts of a batch, in row order after `afterRowNo`: what a retry must confirm first. */
export async function failedPayouts(db: Queryable, batchId: string, afterRowNo: number, limit: number): Promise<Array<{ reference: string; rowNo: number; channel: Channel; transactionId: string | null }>> {
  const { rows } = await db.query<{ reference: string; rowNo: number; channel: Channel; transactionId: string | null }>(
    `SELECT reference, row_no AS "rowNo", channel, transaction_id AS "transactionId" FROM payouts
      WHERE batch_id = $1 AND is_current AND status = 'failed' AND row_no > $2 ORDER BY row_no LIMIT $3`,
    [batchId, afterRowNo, limit],
  );
  return rows;
}

/** An open flag: raised and not yet resolved (a flag raised after a resolution reopens the payout). */
export const OPEN_ATTENTION = '(attention_at IS NOT NULL AND (attention_resolved_at IS NULL OR attention_resolved_at < attention_at))';

export type Resolution = { kind: 'resolved'; reasons: string[] } | { kind: 'not_found' } | { kind: 'nothing_open' };

/**
 * A person checked a flagged payout and says what they found: recorded with an event
 * (`payout.attention_resolved`) in one statement. It takes the payout off the flagged list; it authorises
 * nothing (a retry still confirms the failure with PesaWay first).
 */
export async function resolveAttention(db: Queryable, reference: string, by: string, note: string): Promise<Resolution> {
  const { rows } = await db.query<{ reasons: string[] }>(
    `WITH resolved AS (
       UPDATE payouts SET attention_resolved_at = now(), attention_resolved_by = $2, attention_resolution = $3, updated_at = now()
        WHERE reference = $1 AND ${OPEN_ATTENTION}
       RETURNING batch_id, attention),
     logged AS (
       INSERT INTO events (batch_id, reference, kind, actor, detail)
       SELECT batch_id, $1, 'payout.attention_resolved', $2, jsonb_build_object('reasons', to_jsonb(attention), 'note', $3::text) FROM resolved)
     SELECT attention AS reasons FROM resolved`,
    [reference, by, note],
  );
  if (rows[0]) return { kind: 'resolved', reasons: rows[0].reasons };
  const exists = await db.query('SELECT 1 FROM payouts WHERE reference = $1', [reference]);
  return exists.rowCount ? { kind: 'nothing_open' } : { kind: 'not_found' };
}
