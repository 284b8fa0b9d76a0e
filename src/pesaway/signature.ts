import { createHmac, timingSafeEqual } from 'node:crypto';

/** Base64(HMAC-SHA256(key, raw body)): PesaWay's optional callback signature (pesaway-api.md §6). */
export function signBody(rawBody: string | Buffer, key: string): string {
  return createHmac('sha256', key).update(rawBody).digest('base64');
}

/**
 * Verifies the `signature` header against the exact raw bytes received (never a re-serialised JSON),
 * in constant time. A missing or malformed header is simply not valid.
 */
export function verifySignature(rawBody: string | Buffer, header: string | undefined, key: string): boolean {
  if (!header) return false;
  const expected = createHmac('sha256', key).update(rawBody).digest();
  let given: Buffer;
  try {
    given = Buffer.from(header.trim(), 'base64');
  } catch {
    return false;
  }
  return given.length === expected.length && timingSafeEqual(given, expected);
}
