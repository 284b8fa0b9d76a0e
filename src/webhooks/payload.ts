/**
 * The body of a webhook: `{id, type, createdAt, data}` built from one `events` entry and the batch or
 * payout it is about. No personal data: no names, phone or account numbers (not even masked), only ids,
 * rows, amounts (integer minor units and KES decimal strings), statuses and PesaWay's result codes.
 */
import { maskPhonesInText } from '../common/mask.js';
import { type MinorUnits, formatMinor } from '../domain/money.js';
import { webhookEventId } from '../domain/webhook-events.js';

/** One `events` entry as the delivery reads it, with its batch and payout (when it has them). */
export interface WebhookSourceEvent {
  id: string;
  kind: string;
  batchId: string | null;
  reference: string | null;
  detail: Record<string, unknown>;
  createdAt: Date;
  batch: { status: string; payouts: number; totalMinor: MinorUnits } | null;
  payout: {
    rowNo: number;
    attempt: number;
    channel: string;
    amountMinor: MinorUnits;
    status: string;
    resultCode: number | null;
    resultDesc: string | null;
    failureReason: string | null;
    transactionId: string | null;
  } | null;
}

export interface WebhookPayload {
  id: string;
  type: string;
  createdAt: string;
  data: Record<string, unknown>;
}

const money = (minor: unknown): { minor: MinorUnits; kes: string } | undefined =>
  typeof minor === 'number' && Number.isSafeInteger(minor) ? { minor, kes: formatMinor(minor) } : undefined;

function withMoney(data: Record<string, unknown>, name: string, minor: unknown): void {
  const m = money(minor);
  if (!m) return;
  data[`${name}Minor`] = m.minor;
  data[name] = m.kes;
}

const text = (v: string | null | undefined): string | null => (v ? maskPhonesInText(v) : null);

function batchData(e: WebhookSourceEvent): Record<string, unknown> {
  const data: Record<string, unknown> = { batchId: e.batchId };
  if (e.batch) {
    data['payouts'] = e.batch.payouts;
    withMoney(data, 'totalAmount', e.batch.totalMinor);
  }
  const d = e.detail;
  switch (e.kind) {
    case 'batch.awaiting_approval':
      data['status'] = 'AWAITING_APPROVAL';
      break;
    case 'batch.rejected':
      // Ends CANCELLED, nothing paid (batch.cancelled follows); the reason is the approver's words, phones masked.
      data['status'] = 'CANCELLED';
      data['rejectedBy'] = typeof d['by'] === 'string' ? d['by'] : null;
      data['reason'] = typeof d['reason'] === 'string' ? text(d['reason']) : null;
      break;
    case 'batch.pesaway_unreachable':
    case 'batch.pesaway_reachable':
      // Our words only (a transport error code), never PesaWay's text.
      data['unreachableSince'] = typeof d['since'] === 'string' ? d['since'] : null;
      if (e.kind === 'batch.pesaway_unreachable') data['lastError'] = typeof d['lastError'] === 'string' ? d['lastError'] : null;
      else data['downSeconds'] = typeof d['downMs'] === 'number' ? Math.round(d['downMs'] / 1000) : null;
      break;
    case 'batch.awaiting_funds':
      data['status'] = 'AWAITING_FUNDS';
      withMoney(data, 'shortfall', d['shortfallMinor']);
      withMoney(data, 'available', d['availableMinor']);
      withMoney(data, 'needed', d['neededMinor']);
      break;
    default: {
      // batch.completed / batch.cancelled: the summary written with the status.
      data['status'] = e.kind === 'batch.completed' ? 'COMPLETED' : 'CANCELLED';
      if (d['counts'] && typeof d['counts'] === 'object') data['counts'] = d['counts'];
      const amounts = d['amounts'];
      if (amounts && typeof amounts === 'object') {
        data['amounts'] = Object.fromEntries(
          Object.entries(amounts as Record<string, unknown>).flatMap(([k, v]) => (typeof v === 'number' ? [[k.replace(/Minor$/, ''), formatMinor(v)]] : [])),
        );
      }
    }
  }
  return data;
}

function payoutData(e: WebhookSourceEvent): Record<string, unknown> {
  const data: Record<string, unknown> = { batchId: e.batchId, reference: e.reference };
  // The status the event recorded (the payout may have moved since: a late callback settles an unresolved one).
  data['status'] = e.kind === 'payout.attention' ? (e.payout?.status ?? null) : e.kind.slice('payout.'.length);
  const p = e.payout;
  if (p) {
    Object.assign(data, { row: p.rowNo, attempt: p.attempt, channel: p.channel });
    withMoney(data, 'amount', p.amountMinor);
    data['transactionId'] = p.transactionId;
    data['resultCode'] = p.resultCode;
    data['resultDesc'] = text(p.resultDesc);
    data['failureReason'] = text(p.failureReason);
  }
  if (e.kind === 'payout.attention') {
    data['reason'] = typeof e.detail['reason'] === 'string' ? text(e.detail['reason']) : null;
    data['evidence'] = attentionEvidence(e.detail);
  }
  if (e.kind === 'payout.unresolved' && typeof e.detail['queries'] === 'number') data['queries'] = e.detail['queries'];
  return data;
}

export function webhookPayload(e: WebhookSourceEvent): WebhookPayload {
  const data = e.kind.startsWith('batch.') ? batchData(e) : e.kind.startsWith('payout.') ? payoutData(e) : { message: 'Test event from the PesaWay disbursement engine' };
  return { id: webhookEventId(e.id), type: e.kind, createdAt: e.createdAt.toISOString(), data };
}

/** What a flag's event says beyond its reason (the answers that disagree, the amounts): codes and numbers only. */
const ATTENTION_EVIDENCE_KEYS = ['recorded', 'reported', 'resultCode', 'recordedResultCode', 'expected', 'answer', 'attempts', 'corrected'] as const;

function attentionEvidence(detail: Record<string, unknown>): Record<string, string | number | boolean> {
  const kept: Record<string, string | number | boolean> = {};
  for (const key of ATTENTION_EVIDENCE_KEYS) {
    const v = detail[key];
    if (typeof v === 'number' || typeof v === 'boolean') kept[key] = v;
    else if (typeof v === 'string') kept[key] = text(v) ?? '';
  }
  return kept;
}
