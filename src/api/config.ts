import { type Env, readBool, readInt, readOptionalString, readString } from '../common/env.js';
import { ConfigError } from '../common/errors.js';
import { type CodecKey, parseCodecKeys } from '../temporal/payload-codec.js';
import { type ApiKey, parseApiKeys } from './auth.js';

export interface ApiConfig {
  host: string;
  port: number;
  databaseUrl: string;
  apiKeys: ApiKey[];
  /** Largest CSV upload accepted, in bytes. */
  maxUploadBytes: number;
  callbackSecret: string;
  /** PesaWay's callback signing key, when the merchant turned signing on. */
  callbackSigningKey: string | undefined;
  /** Temporal Web UI, for links to each batch's workflow. */
  temporalUiUrl: string | undefined;
  /** PostgreSQL connections of the callback receiver's own (its INSERTs in flight at once); default 2. */
  callbackStoreConnections?: number;
  /** Console session lifetime in hours (SESSION_TTL_HOURS); default 8. */
  sessionTtlHours?: number;
  /** Mark the session cookie Secure even on plain HTTP (SESSION_COOKIE_SECURE, e.g. behind a TLS proxy). */
  sessionCookieSecure?: boolean;
  /** The built web console served at `/` (CONSOLE_DIR); default dist/console of this project. */
  consoleDir?: string;
  /** The codec server (/codec/encode, /codec/decode): the payload keys (TEMPORAL_PAYLOAD_KEYS, the same as
   * worker's) and the Web UI origins allowed to call it from a browser (CODEC_CORS_ORIGINS). */
  codec?: { keys: CodecKey[] | undefined; corsOrigins: string[] };
  /** When set, GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>` (METRICS_TOKEN). */
  metricsToken?: string | undefined;
}

/** The Temporal dev server's Web UI, under both names of this machine. */
const DEV_UI_ORIGINS = 'http://localhost:8233,http://127.0.0.1:8233';

export function loadApiConfig(env: Env): ApiConfig {
  const databaseUrl = readOptionalString(env, 'DATABASE_URL');
  if (!databaseUrl) throw new ConfigError('DATABASE_URL', 'is required for the API');
  const callbackSecret = readOptionalString(env, 'CALLBACK_SECRET');
  if (!callbackSecret || callbackSecret.length < 16) {
    throw new ConfigError('CALLBACK_SECRET', 'must be set to at least 16 random characters', 'Use the same value as the worker: openssl rand -hex 32');
  }
  return {
    host: readString(env, 'API_HOST', '127.0.0.1'),
    port: readInt(env, 'API_PORT', 3000, { min: 0, max: 65535 }),
    databaseUrl,
    apiKeys: parseApiKeys(readOptionalString(env, 'API_KEYS') ?? ''),
    maxUploadBytes: readInt(env, 'MAX_UPLOAD_MB', 100, { min: 1, max: 2048 }) * 1024 * 1024,
    callbackSecret,
    callbackSigningKey: readOptionalString(env, 'PESAWAY_CALLBACK_SIGNING_KEY'),
    temporalUiUrl: readOptionalString(env, 'TEMPORAL_UI_URL'),
    callbackStoreConnections: readInt(env, 'CALLBACK_STORE_CONNECTIONS', 2, { min: 1, max: 32 }),
    sessionTtlHours: readInt(env, 'SESSION_TTL_HOURS', 8, { min: 1, max: 24 * 30 }),
    sessionCookieSecure: readBool(env, 'SESSION_COOKIE_SECURE', false),
    ...(readOptionalString(env, 'CONSOLE_DIR') ? { consoleDir: readOptionalString(env, 'CONSOLE_DIR') } : {}),
    metricsToken: readOptionalString(env, 'METRICS_TOKEN'),
    codec: { keys: parseCodecKeys(readOptionalString(env, 'TEMPORAL_PAYLOAD_KEYS')), corsOrigins: parseOrigins(readString(env, 'CODEC_CORS_ORIGINS', DEV_UI_ORIGINS)) },
  };
}

/** `https://cloud.temporal.io,http://localhost:8233`: exact origins (scheme, host, port), no paths, no wildcards. */
function parseOrigins(raw: string): string[] {
  const origins = raw.split(',').map((o) => o.trim()).filter(Boolean);
  for (const o of origins) {
    let url: URL | undefined;
    try {
      url = new URL(o);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== o) {
      throw new ConfigError('CODEC_CORS_ORIGINS', `"${o}" is not an origin (scheme://host[:port], no path or trailing slash)`, 'Example: CODEC_CORS_ORIGINS=https://cloud.temporal.io,http://localhost:8233');
    }
  }
  return origins;
}
