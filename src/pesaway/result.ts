import { maskPhonesInText } from '../common/mask.js';
import { parseProviderAmount } from '../domain/money.js';
import type { SettlementResult } from '../domain/settlement.js';

export type ResultParse =
  | { kind: 'final'; result: SettlementResult }
  /** No result code yet: the payment is still being processed. */
  | { kind: 'pending'; reference: string | undefined; transactionId: string | undefined }
  | { kind: 'malformed'; problem: string };

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** PostgreSQL text cannot hold NUL; control characters have no place in a provider's strings either. */
// eslint-disable-next-line no-control-regex -- matching them is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

function firstString(obj: Record<string, unknown>, keys: string[]): string | undefined {
  for (const key of keys) {
    const v = obj[key];
    if (typeof v === 'string' && v.trim() !== '') return v.replace(CONTROL, '\uFFFD').trim();
    if (typeof v === 'number') return String(v);
  }
  return undefined;
}

/** PesaWay's result codes are small integers; anything outside a 32-bit integer is not one. */
const MAX_RESULT_CODE = 2_147_483_647;

function resultCode(value: unknown): number | undefined | 'invalid' {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d{1,10}$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  return Number.isSafeInteger(n) && Math.abs(n) <= MAX_RESULT_CODE ? n : 'invalid';
}

/**
 * Reads a callback or query body. Accepts a flat object or one wrapped in `data` / `Result`;
 * `ResultCode` or `ResultType` as number or numeric string; `OriginatorReference`, `Originator` or
 * `ExternalReference`; amounts as decimal strings. A body without a result code is `pending`.
 */
export function parseResultBody(body: unknown): ResultParse {
  const outer = record(body);
  if (!outer) return { kind: 'malformed', problem: 'body is not a JSON object' };
  const obj = record(outer['data']) ?? record(outer['Result']) ?? outer;
  const reference = firstString(obj, ['OriginatorReference', 'Originator', 'ExternalReference', 'TransactionReference']);
  const transactionId = firstString(obj, ['TransactionID', 'TransactionId', 'transaction_id']);
  const code = resultCode(obj['ResultCode'] ?? obj['ResultType'] ?? obj['resultCode']);
  if (code === 'invalid') return { kind: 'malformed', problem: 'ResultCode is not an integer in range' };
  if (code === undefined) {
    if (!reference && !transactionId) return { kind: 'malformed', problem: 'neither a result code nor a reference' };
    return { kind: 'pending', reference, transactionId };
  }
  const amountRaw = obj['TransactionAmount'] ?? obj['Amount'];
  return {
    kind: 'final',
    result: {
      reference,
      transactionId,
      resultCode: code,
      resultDesc: maskPhonesInText(firstString(obj, ['ResultDesc', 'ResultDescription', 'message']) ?? ''),
      receipt: firstString(obj, ['TransactionReceipt', 'Receipt', 'ReceiptNumber']),
      amountMinor: amountRaw === undefined ? undefined : parseProviderAmount(amountRaw),
      receiverName: maskOptional(firstString(obj, ['ReceiverPartyPublicName', 'Recipient'])),
      completedAt: firstString(obj, ['TransactionCompletedDateTime', 'TransactionDate', 'CompletedAt']),
    },
  };
}

function maskOptional(text: string | undefined): string | undefined {
  return text === undefined ? undefined : maskPhonesInText(text);
}
