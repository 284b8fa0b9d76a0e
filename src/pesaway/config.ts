import { type Env, readInt, readOptionalString, readString } from '../common/env.js';
import { ConfigError } from '../common/errors.js';

export interface PesaWayConfig {
  /** Host only, e.g. `https://api.sandbox.pesaway.com`; a trailing `/api/v1` is tolerated and removed. */
  baseUrl: string;
  consumerKey: string;
  consumerSecret: string;
  /** `X-Region` header on every call (newest doc revisions), e.g. `ke`. */
  region: string | undefined;
  /** `MerchantCode` sent with payments and balance (newest doc revisions). */
  merchantCode: string | undefined;
  currency: string;
  /** Per-request timeout. A send that times out is *ambiguous*: it may have been paid. */
  timeoutMs: number;
}

export function normaliseBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('PESAWAY_BASE_URL', `"${raw}" is not a URL`);
  }
  return url.toString().replace(/\/+$/, '').replace(/\/api\/v1$/, '');
}

export function loadPesaWayConfig(env: Env): PesaWayConfig {
  const consumerKey = readOptionalString(env, 'PESAWAY_CONSUMER_KEY');
  const consumerSecret = readOptionalString(env, 'PESAWAY_CONSUMER_SECRET');
  if (!consumerKey) throw new ConfigError('PESAWAY_CONSUMER_KEY', 'is required', 'Set the consumer key PesaWay issued you (sandbox or production).');
  if (!consumerSecret) throw new ConfigError('PESAWAY_CONSUMER_SECRET', 'is required', 'Set the consumer secret PesaWay issued you.');
  return {
    baseUrl: normaliseBaseUrl(readString(env, 'PESAWAY_BASE_URL', 'http://127.0.0.1:4010')),
    consumerKey,
    consumerSecret,
    region: readOptionalString(env, 'PESAWAY_REGION'),
    merchantCode: readOptionalString(env, 'PESAWAY_MERCHANT_CODE'),
    currency: readString(env, 'PESAWAY_CURRENCY', 'KES'),
    timeoutMs: readInt(env, 'PESAWAY_TIMEOUT_MS', 15_000, { min: 100, max: 120_000 }),
  };
}
