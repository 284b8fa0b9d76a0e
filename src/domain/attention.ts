/**
 * Why a payout is flagged for a person (invariant 7: contradictions reach a person). The engine raises a
 * flag with its evidence and never clears one; a flagged failure is not resent until a fresh transaction
 * query confirms it failed.
 */
import { ATTENTION_STATUSES } from './payout-status.js';

export const ATTENTION_REASONS = ['contradiction', 'amount_mismatch', 'callback_undeliverable', 'failure_unconfirmed'] as const;
export type AttentionReason = (typeof ATTENTION_REASONS)[number];

export function isAttentionReason(value: unknown): value is AttentionReason {
  return typeof value === 'string' && (ATTENTION_REASONS as readonly string[]).includes(value);
}

/** What each reason means and what a person does about it (API, CLI, report, console). */
export const ATTENTION_TEXT: Record<AttentionReason, string> = {
  contradiction: 'PesaWay gave two final answers that disagree; check the transaction with PesaWay before anything is paid again',
  amount_mismatch: 'PesaWay reported another amount than the payout’s; check what was really paid',
  callback_undeliverable: 'a stored result callback could not be applied after every retry; check the payout against PesaWay',
  failure_unconfirmed: 'a retry was asked, but a fresh transaction query did not confirm the failure; not resent',
};

/**
 * The flags as one line for a report cell: `contradiction; amount_mismatch`, and who resolved them when no
 * flag is open any more: `contradiction (resolved by bob: PesaWay confirmed one payment)`.
 */
export function attentionText(reasons: readonly string[], resolved?: { by: string; note: string } | null): string | null {
  if (reasons.length === 0) return null;
  return resolved ? `${reasons.join('; ')} (resolved by ${resolved.by}: ${resolved.note})` : reasons.join('; ');
}

/**
 * The lists of payouts that need a person: `flagged` (any attempt with a flag above, newest flag first) and
 * the current attempts in a status that calls for action (unresolved, failed, rejected, awaiting funds).
 */
export const ATTENTION_LISTS = ['flagged', ...ATTENTION_STATUSES] as const;
export type AttentionList = (typeof ATTENTION_LISTS)[number];
