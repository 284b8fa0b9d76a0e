import { createHash } from 'node:crypto';

/**
 * The `ExternalReference` PesaWay sees for one payout attempt: a pure function of (batch id, row number,
 * attempt), so a retry after a timeout, 5xx, 429 or 455 resends the same reference, and re-ingesting the
 * same file gives the same references.
 *
 *   reference = tag + "R" + row + "A" + attempt      e.g.  7XK2M9QD4H R 123 A 1  ->  7XK2M9QD4HR123A1
 *   tag       = first 10 Crockford-base32 characters of SHA-256("disburse/v1\0" + batchId)
 *
 * Alphanumeric and at most ~24 characters. The tag's 50 bits make two batches sharing a tag unlikely
 * (about 1 in 200,000 after 100,000 batches); the database's unique constraint on references turns that
 * case into a refused ingestion, never a shared reference. The row and attempt stay readable so an
 * operator can go from a PesaWay statement line to the payroll row.
 */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export const REFERENCE_PATTERN = /^[0-9A-HJKMNP-TV-Z]{10}R[1-9]\d*A[1-9]\d*$/;

function base32(bytes: Uint8Array, length: number): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += CROCKFORD[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
    if (out.length >= length) break;
  }
  return out;
}

export function batchTag(batchId: string): string {
  return base32(createHash('sha256').update(`disburse/v1\0${batchId}`).digest(), 10);
}

export function payoutReference(batchId: string, row: number, attempt: number): string {
  if (!Number.isSafeInteger(row) || row < 1) throw new RangeError(`row must be a positive integer, got ${row}`);
  if (!Number.isSafeInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be a positive integer, got ${attempt}`);
  return `${batchTag(batchId)}R${row}A${attempt}`;
}

/** The row and attempt a reference names (the batch is only recoverable through the database). */
export function parseReference(reference: string): { tag: string; row: number; attempt: number } | undefined {
  if (!REFERENCE_PATTERN.test(reference)) return undefined;
  const match = /^(.{10})R(\d+)A(\d+)$/.exec(reference)!;
  return { tag: match[1]!, row: Number(match[2]), attempt: Number(match[3]) };
}
