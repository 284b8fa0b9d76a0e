/**
 * Webhook signatures, Stripe-like: `PesaWay-Disburse-Signature: t=<unix seconds>,v1=<hex>` where the hex
 * is HMAC-SHA256(endpoint secret, "<t>.<raw body>"). The timestamp is signed with the body, so a captured
 * delivery cannot be replayed later with a fresh `t`; receivers reject a `t` too far from their clock.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'PesaWay-Disburse-Signature';
export const EVENT_ID_HEADER = 'PesaWay-Disburse-Event-Id';
/** How far a signature's timestamp may be from the receiver's clock (Stripe's default too). */
export const DEFAULT_TOLERANCE_SECONDS = 300;

function hmacHex(secret: string, timestamp: number, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/** The header value for `body` (the exact bytes sent) at `timestamp` (unix seconds). */
export function signWebhook(secret: string, timestamp: number, body: string | Buffer): string {
  return `t=${timestamp},v1=${hmacHex(secret, timestamp, body)}`;
}

export type VerifyResult = { ok: true; timestamp: number } | { ok: false; reason: 'malformed' | 'stale' | 'mismatch' };

/**
 * Checks a signature header against the raw body: any `v1` may match (several appear while a secret is
 * rotated), compared in constant time; a timestamp more than `toleranceSeconds` from `nowSeconds` is stale.
 */
export function verifyWebhook(
  secret: string,
  header: string | undefined,
  body: string | Buffer,
  options: { nowSeconds?: number; toleranceSeconds?: number } = {},
): VerifyResult {
  const parts = (header ?? '').split(',').map((p) => p.trim().split('='));
  const t = parts.find(([k]) => k === 't')?.[1];
  const signatures = parts.filter(([k, v]) => k === 'v1' && v && /^[0-9a-f]{64}$/.test(v)).map(([, v]) => Buffer.from(v!, 'hex'));
  if (!t || !/^\d{1,12}$/.test(t) || signatures.length === 0) return { ok: false, reason: 'malformed' };
  const timestamp = Number(t);
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(hmacHex(secret, timestamp, body), 'hex');
  // Every candidate is compared, so timing does not tell which one matched.
  let match = false;
  for (const s of signatures) if (timingSafeEqual(s, expected)) match = true;
  return match ? { ok: true, timestamp } : { ok: false, reason: 'mismatch' };
}
