/**
 * A payout's story: the kinds of entry in its append-only event log (`events`, by reference), and how
 * each reads for a person (API, CLI, console). Status changes are `payout.<status>`; the others record
 * what PesaWay or the callback receiver said without moving the payout.
 */
import { ATTENTION_TEXT, isAttentionReason } from './attention.js';
import { type PayoutStatus, isPayoutStatus } from './payout-status.js';

export const NOTE_KINDS = [
  'payout.reference_used', // 403.002: accepted on an earlier try whose answer was lost
  'payout.send_failed', // no definite answer (timeout, 5xx, 429): resent under the same reference
  'payout.query', // a transaction query's answer while waiting
  'payout.duplicate_answer', // a second final answer that agrees with the recorded one
  'payout.contradiction', // a final answer that disagrees with the recorded one: for a person
  'payout.retry', // an operator's retry created this attempt
  'payout.callback_undeliverable', // a stored callback failed delivery every time: for a person (older logs)
  'payout.attention', // flagged for a person: detail.reason is an AttentionReason
  'payout.failure_confirmed', // a fresh query before a retry confirmed the failure
  'payout.attention_resolved', // a person checked the flags: detail.note says what they found
] as const;
export type NoteKind = (typeof NOTE_KINDS)[number];
export type StatusEventKind = `payout.${PayoutStatus}`;
export type PayoutEventKind = StatusEventKind | NoteKind;

/** Timeline entries that come from the stored callbacks rather than the event log. */
export const CALLBACK_ENTRY = 'callback';

export function statusEvent(status: PayoutStatus): StatusEventKind {
  return `payout.${status}`;
}

/** The status a status-change event moved to; undefined for notes. */
export function statusOfEvent(kind: string): PayoutStatus | undefined {
  const s = kind.startsWith('payout.') ? kind.slice('payout.'.length) : '';
  return isPayoutStatus(s) ? s : undefined;
}

const STATUS_LABELS: Record<PayoutStatus, string> = {
  pending: 'waiting to be sent',
  submitting: 'sent to PesaWay',
  awaiting_funds: 'parked: insufficient balance (455.001), nothing paid',
  accepted: 'accepted by PesaWay (200.001), waiting for the result',
  succeeded: 'paid',
  failed: 'failed at PesaWay',
  rejected: 'rejected by PesaWay (400.001), never paid',
  cancelled: 'cancelled, never sent',
  unresolved: 'unresolved: no final answer before the settle deadline, never resent',
};

const NOTE_LABELS: Record<NoteKind, string> = {
  'payout.reference_used': 'PesaWay already had this reference (403.002): accepted earlier, not paid again',
  'payout.send_failed': 'no definite answer to the send; resent under the same reference',
  'payout.query': 'transaction query answered',
  'payout.duplicate_answer': 'the same final answer again (ignored)',
  'payout.contradiction': 'a final answer that contradicts the recorded one (not applied; needs a person)',
  'payout.retry': 'new attempt created by a retry of failed rows',
  'payout.callback_undeliverable': 'a stored result callback could not be delivered after every retry (needs a person)',
  'payout.attention': 'flagged for a person',
  'payout.attention_resolved': 'a person resolved the flags',
  'payout.failure_confirmed': 'PesaWay confirmed the failure (fresh transaction query before the retry)',
};

const scalar = (v: unknown, otherwise: string): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : otherwise);

/** One line for a person; `from` is the status before, when known (a resend after a top-up reads differently). */
export function describeEvent(kind: string, detail: Record<string, unknown> = {}): string {
  const status = statusOfEvent(kind);
  if (status === 'submitting' && detail['from'] === 'awaiting_funds') return 'resent after the wallet was topped up (same reference)';
  if (status === 'submitting' && detail['from'] === 'submitting') return 'sent again (same reference)';
  if (status === 'succeeded' && detail['correctedFrom'] === 'failed') return 'paid: PesaWay’s transaction query says it succeeded though a callback said it failed (corrected, never resent)';
  if (status) return STATUS_LABELS[status];
  if (kind === 'payout.query' && typeof detail['answer'] === 'string') return `transaction query: ${detail['answer']}`;
  if (kind === 'payout.attention' && isAttentionReason(detail['reason'])) return `flagged for a person (${detail['reason']}): ${ATTENTION_TEXT[detail['reason']]}`;
  if (kind === 'payout.attention_resolved' && typeof detail['note'] === 'string') return `a person resolved the flags: ${detail['note']}`;
  if (kind === CALLBACK_ENTRY) return `result callback received (ResultCode ${scalar(detail['resultCode'], '?')}): ${scalar(detail['outcome'], 'stored')}`;
  return (NOTE_LABELS as Record<string, string>)[kind] ?? kind;
}
