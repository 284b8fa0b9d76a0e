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

function firstString(obj: Record<string, unknown>, keys: string[]): string | undefined {
  for (const key of keys) {
    const v = obj[key];
    if (typeof v === 'string' && v.trim() !== '') return v.trim();
    if (typeof v === 'number') return String(v);
  }
  return undefined;
}

function resultCode(value: unknown): number | undefined | 'invalid' {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number') return Number.isInteger(value) ? value : 'invalid';
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  return 'invalid';
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
  if (code === 'invalid') return { kind: 'malformed', problem: 'ResultCode is not an integer' };
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
