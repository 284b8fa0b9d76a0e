import { type MinorUnits, formatMinor } from '../domain/money.js';
import type { LedgerEntry } from './ledger.js';
import type { Dialect } from './options.js';

/** `2026-11-28 09:14:03.120000+00:00`: the completion-time format seen in callbacks (pesaway-api.md §10). */
export function completedDateTime(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds() * 1000, 6)}+00:00`;
}

/**
 * The final result of a settled payment, as the callback carries it and the transaction query returns it.
 * `standard` is the union integrators read (§6); `variant` is the look-alike platform's spelling
 * (`ResultType` as a string, `Originator`, plus `AccountAvailableFunds`). A failed payment has no receipt
 * and no receiver name.
 */
export function resultBody(entry: LedgerEntry, style: Dialect['callbackStyle'], availableMinor: MinorUnits): Record<string, unknown> {
  const code = entry.resultCode ?? 0;
  const head = style === 'variant'
    ? { ResultType: String(code), ResultDesc: entry.resultDesc ?? '', Originator: entry.reference }
    : { ResultCode: code, ResultDesc: entry.resultDesc ?? '', OriginatorReference: entry.reference };
  const body = {
    ...head,
    TransactionID: entry.transactionId,
    ...(entry.receipt === undefined ? {} : { TransactionReceipt: entry.receipt }),
    TransactionAmount: formatMinor(entry.amountMinor),
    ...(entry.receiverPartyPublicName === undefined ? {} : { ReceiverPartyPublicName: entry.receiverPartyPublicName }),
    TransactionCompletedDateTime: completedDateTime(entry.settledAt ?? entry.acceptedAt),
  };
  return style === 'variant' ? { ...body, AccountAvailableFunds: formatMinor(availableMinor) } : body;
}

/** A payment not settled yet: no result code at all, which is how a client tells pending from final. */
export function pendingBody(entry: LedgerEntry, style: Dialect['callbackStyle']): Record<string, unknown> {
  const reference = style === 'variant' ? { Originator: entry.reference } : { OriginatorReference: entry.reference };
  return { TransactionID: entry.transactionId, ...reference, TransactionStatus: 'Pending', ResultDesc: 'The transaction is being processed.' };
}
