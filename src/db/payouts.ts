/** Reading payouts: what the payout activity and the shards need, a payout's story, and the attention list. */
import { maskPhone } from '../common/mask.js';
import type { Channel } from '../domain/channel.js';
import type { MinorUnits } from '../domain/money.js';
import type { AttentionList } from '../domain/attention.js';
import type { AttentionStatus, PayoutStatus } from '../domain/payout-status.js';
import { CALLBACK_ENTRY } from '../domain/payout-events.js';
import { OPEN_PAYOUT_STATUSES } from '../domain/tally.js';
import type { PayoutTicket, RowRange } from '../workflows/types.js';

export type { RowRange };
import type { Queryable } from './batches.js';
import { OPEN_ATTENTION } from './payout-attention.js';
import { REPORT_COLUMNS, type ReportRow } from './reports.js';

export { UnknownPayoutError } from './payout-transitions.js';

/** What the payout activity needs; personal data, read here and never put in a workflow. */
export interface PayoutForSend {
  reference: string;
  batchId: string;
  rowNo: number;
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
    `SELECT reference, batch_id AS "batchId", row_no AS "rowNo", channel, phone, account_number AS "accountNumber", bank_code AS "bankCode",
            bank_name AS "bankName", reason, amount_minor AS "amountMinor", status, transaction_id AS "transactionId"
       FROM payouts WHERE reference = $1`,
    [reference],
  );
  return rows[0];
}

/**
 * The next page of payouts a shard still has to move (current attempts not settled: not sent, sent
 * without an answer, accepted, parked) after `afterRowNo` within its range, in file order.
 */
export async function nextOpenPayouts(db: Queryable, batchId: string, range: RowRange, afterRowNo: number, limit: number): Promise<PayoutTicket[]> {
  const { rows } = await db.query<Omit<PayoutTicket, 'maskedDestination'> & { phone: string | null; accountNumber: string | null }>(
    `SELECT reference, row_no AS "rowNo", attempt, channel, amount_minor AS "amountMinor", phone, account_number AS "accountNumber"
       FROM payouts
      WHERE batch_id = $1 AND is_current AND status = ANY($5::text[]) AND row_no > $2 AND row_no <= $3
      ORDER BY row_no
      LIMIT $4`,
    [batchId, Math.max(afterRowNo, range.fromRow - 1), range.toRow, limit, OPEN_PAYOUT_STATUSES],
  );
  return rows.map(({ phone, accountNumber, ...r }) => ({ ...r, maskedDestination: maskPhone(phone ?? accountNumber ?? '') }));
}

/**
 * Splits a batch's open payouts into at most `shards` contiguous row ranges holding about as many payouts
 * each, and never fewer than `minPerShard` a range (a few retried rows take one shard).
 */
export async function planShards(db: Queryable, batchId: string, shards: number, minPerShard: number): Promise<RowRange[]> {
  const { rows } = await db.query<{ open: number }>(
    `SELECT count(*)::int AS open FROM payouts WHERE batch_id = $1 AND is_current AND status = ANY($2::text[])`,
    [batchId, OPEN_PAYOUT_STATUSES],
  );
  const open = rows[0]?.open ?? 0;
  if (open === 0) return [];
  const n = Math.max(1, Math.min(shards, Math.floor(open / Math.max(1, minPerShard))));
  const ranges = await db.query<{ fromRow: number; toRow: number }>(
    `SELECT min(row_no)::int AS "fromRow", max(row_no)::int AS "toRow"
       FROM (SELECT row_no, ntile($2::int) OVER (ORDER BY row_no) AS tile
               FROM payouts WHERE batch_id = $1 AND is_current AND status = ANY($3::text[])) t
      GROUP BY tile ORDER BY 1`,
    [batchId, n, OPEN_PAYOUT_STATUSES],
  );
  return ranges.rows;
}

/** One entry of a payout's story: a status change or a PesaWay answer (events), or a callback as received. */
export interface TimelineEntry {
  at: Date;
  kind: string;
  source: string | null;
  detail: Record<string, unknown>;
}

/** Every event and callback of one payout attempt, oldest first. */
export async function payoutTimeline(db: Queryable, reference: string): Promise<TimelineEntry[]> {
  const { rows } = await db.query<TimelineEntry>(
    `SELECT at, kind, source, detail FROM (
       SELECT created_at AS at, id AS seq, 0 AS tie, kind, actor AS source, detail FROM events WHERE reference = $1
       UNION ALL
       SELECT received_at, id, 1, '${CALLBACK_ENTRY}', 'pesaway',
              jsonb_build_object('outcome', outcome, 'resultCode', result_code, 'signatureValid', signature_valid)
         FROM callbacks WHERE reference = $1
     ) t ORDER BY at, tie, seq`,
    [reference],
  );
  return rows;
}

/** A payout attempt in full (for one payout's page and the attention list): its report row, batch and attempt. */
export interface PayoutRow extends ReportRow {
  batchId: string;
  isCurrent: boolean;
  updatedAt: Date;
}

export const PAYOUT_COLUMNS = `${REPORT_COLUMNS}, batch_id AS "batchId", is_current AS "isCurrent", updated_at AS "updatedAt"`;

export async function getPayout(db: Queryable, reference: string): Promise<PayoutRow | undefined> {
  const { rows } = await db.query<PayoutRow>(`SELECT ${PAYOUT_COLUMNS} FROM payouts WHERE reference = $1`, [reference]);
  return rows[0];
}

/**
 * A list of payouts that need a person, across batches (both served by partial indexes): `flagged`, every
 * attempt with an open (unresolved) attention flag, newest flag first (a flag on an attempt already retried matters most);
 * otherwise current attempts in that status, most recently changed first. `before`: the previous page's last reference.
 */
export async function payoutsNeedingAttention(db: Queryable, q: { list: AttentionList; limit: number; before?: string | undefined }): Promise<PayoutRow[]> {
  if (q.list === 'flagged') return flaggedPayouts(db, q);
  return payoutsByStatus(db, { status: q.list, limit: q.limit, before: q.before });
}

/** How many payouts of a batch (any attempt) are flagged for a person and not yet resolved. */
export async function flaggedCount(db: Queryable, batchId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM payouts WHERE ${OPEN_ATTENTION} AND batch_id = $1`, [batchId]);
  return rows[0]?.n ?? 0;
}

async function flaggedPayouts(db: Queryable, q: { limit: number; before?: string | undefined }): Promise<PayoutRow[]> {
  const params: unknown[] = [q.limit];
  const after = q.before
    ? `AND (attention_at, reference) < (SELECT attention_at, reference FROM payouts WHERE reference = $${params.push(q.before)})`
    : '';
  const { rows } = await db.query<PayoutRow>(
    `SELECT ${PAYOUT_COLUMNS} FROM payouts WHERE ${OPEN_ATTENTION} ${after} ORDER BY attention_at DESC, reference DESC LIMIT $1`,
    params,
  );
  return rows;
}

async function payoutsByStatus(db: Queryable, q: { status: AttentionStatus; limit: number; before?: string | undefined }): Promise<PayoutRow[]> {
  const params: unknown[] = [q.status, q.limit];
  const after = q.before
    ? `AND (updated_at, reference) < (SELECT updated_at, reference FROM payouts WHERE reference = $${params.push(q.before)})`
    : '';
  const { rows } = await db.query<PayoutRow>(
    `SELECT ${PAYOUT_COLUMNS} FROM payouts WHERE is_current AND status = $1 ${after} ORDER BY updated_at DESC, reference DESC LIMIT $2`,
    params,
  );
  return rows;
}
