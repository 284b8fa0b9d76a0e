/**
 * Webhook endpoints from the environment: `WEBHOOK_ENDPOINTS="<url>|<secret>|<types>,…"`, types joined by
 * `+` (`batch.completed+payout.failed`), `*` or nothing for all. Parsed strictly at start: a typo stops the
 * process with what to fix, rather than silently dropping an endpoint's events.
 */
import { createHash, randomBytes } from 'node:crypto';
import { type Env, readOptionalString } from '../common/env.js';
import { ConfigError } from '../common/errors.js';
import { ALL_WEBHOOK_EVENTS, WEBHOOK_EVENT_TYPES, isWebhookEventType } from '../domain/webhook-events.js';

export const MIN_SECRET_LENGTH = 16;

export interface ConfiguredEndpoint {
  /** `we_env_<hash of the url>`: the same url keeps its id (and its cursor) across restarts. */
  id: string;
  url: string;
  secret: string;
  eventTypes: string[];
}

const LABEL = '[A-Za-z0-9]{1,30}(?:-[A-Za-z0-9]{1,30}){0,3}';
const LAST_LABEL = '[A-Za-z][A-Za-z0-9]{0,29}(?:-[A-Za-z0-9]{1,30}){0,3}';
const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
const PORT = '(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4})';
/**
 * An http(s) URL without credentials, as the API's schema states it (so a client generator or a fuzzer
 * knows what is accepted): a host name of plain labels (single hyphens: `xn--` punycode is left out), whose
 * last label starts with a letter (a numeric one would be read as an IPv4 address) or a dotted IPv4
 * address; an optional port (0–65535), path and query.
 */
export const WEBHOOK_URL_PATTERN =
  `^https?://(?:(?:${LABEL}\\.)*${LAST_LABEL}|${OCTET}(?:\\.${OCTET}){3})(?::${PORT})?` +
  "(?:/[A-Za-z0-9._~%!$&()*+,;=:@/-]*)?(?:\\?[A-Za-z0-9._~%!$&()*+,;=:@/?-]*)?$";

/** Problems with a url, a secret or the types, shared by the environment and the API. */
export function urlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return 'must be http or https';
  if (parsed.username || parsed.password) return 'must not carry credentials (the signature authenticates deliveries)';
  return undefined;
}

export function typesProblem(types: readonly string[]): string | undefined {
  if (types.length === 0) return `lists no event types (use ${ALL_WEBHOOK_EVENTS} for all)`;
  const unknown = types.filter((t) => t !== ALL_WEBHOOK_EVENTS && !isWebhookEventType(t));
  return unknown.length > 0 ? `has unknown event types ${unknown.join(', ')} (known: ${WEBHOOK_EVENT_TYPES.join(', ')}, or ${ALL_WEBHOOK_EVENTS})` : undefined;
}

/** Shown in logs and errors instead of the url: its query string may carry a token. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '<invalid url>';
  }
}

/** A fresh secret, Stripe-like: `whsec_` and 32 random bytes. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

export function parseWebhookEndpoints(raw: string | undefined): ConfiguredEndpoint[] {
  const variable = 'WEBHOOK_ENDPOINTS';
  const example = 'Example: WEBHOOK_ENDPOINTS="https://ops.example.com/hooks|whsec_<32+ random chars>|batch.completed+payout.failed"';
  const endpoints: ConfiguredEndpoint[] = [];
  const entries = (raw ?? '').split(',').map((e) => e.trim()).filter(Boolean);
  entries.forEach((entry, i) => {
    const where = `entry ${i + 1}`;
    const [url, secret, types, ...rest] = entry.split('|').map((f) => f.trim());
    if (!url || !secret || rest.length > 0) throw new ConfigError(variable, `${where} must be <url>|<secret>|<types>`, example);
    const badUrl = urlProblem(url);
    if (badUrl) throw new ConfigError(variable, `${where}: the url ${badUrl}`, example);
    if (secret.length < MIN_SECRET_LENGTH) throw new ConfigError(variable, `${where} (${safeUrl(url)}): the secret is shorter than ${MIN_SECRET_LENGTH} characters`, 'Generate one: echo whsec_$(openssl rand -hex 32)');
    const eventTypes = !types ? [ALL_WEBHOOK_EVENTS] : types.split('+').map((t) => t.trim());
    const badTypes = typesProblem(eventTypes);
    if (badTypes) throw new ConfigError(variable, `${where} (${safeUrl(url)}) ${badTypes}`, example);
    const id = `we_env_${createHash('sha256').update(url).digest('hex').slice(0, 16)}`;
    if (endpoints.some((e) => e.id === id)) throw new ConfigError(variable, `${where}: ${safeUrl(url)} is listed twice`, 'List each url once, with every type it wants.');
    endpoints.push({ id, url, secret, eventTypes });
  });
  return endpoints;
}

/** WEBHOOK_ENDPOINTS, refusing the old unsigned FUNDS_ALERT_WEBHOOK_URL rather than silently dropping its alerts. */
export function loadWebhookEndpoints(env: Env): ConfiguredEndpoint[] {
  if (readOptionalString(env, 'FUNDS_ALERT_WEBHOOK_URL')) {
    throw new ConfigError(
      'FUNDS_ALERT_WEBHOOK_URL',
      'is no longer supported: funds alerts are signed webhooks now',
      'Replace it with WEBHOOK_ENDPOINTS="<url>|whsec_<32+ random chars>|batch.awaiting_funds" and verify the signature (README, "Webhooks").',
    );
  }
  return parseWebhookEndpoints(readOptionalString(env, 'WEBHOOK_ENDPOINTS'));
}
