import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The `ResultsUrl` we give PesaWay for one payout: `<base>/callbacks/pesaway/<reference>/<token>`, where the
 * token is an HMAC of the reference under our callback secret. PesaWay's own signature is optional and
 * merchant-configured; this token lets the receiver reject forged callbacks either way.
 */
export function resultsToken(secret: string, reference: string): string {
  return createHmac('sha256', secret).update(`results/${reference}`).digest('base64url').slice(0, 32);
}

export function resultsUrl(baseUrl: string, secret: string, reference: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/callbacks/pesaway/${encodeURIComponent(reference)}/${resultsToken(secret, reference)}`;
}

export function verifyResultsToken(secret: string, reference: string, token: string): boolean {
  const expected = Buffer.from(resultsToken(secret, reference));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
