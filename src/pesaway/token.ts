import type { Classified } from './classify.js';

export interface Token {
  value: string;
  /** Epoch ms after which we no longer use it (expiry minus a safety margin). */
  refreshAt: number;
}

export type TokenResult = { kind: 'token'; token: Token } | { kind: 'failure'; failure: Exclude<Classified, { kind: 'ok' }> };

const DEFAULT_LIFETIME_S = 3600;

function obj(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function seconds(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : undefined;
}

/**
 * Reads every token response shape in circulation (pesaway-api.md §3): `{token, expires_in}`,
 * `{access_token, expires_in | expires_at}`, `{data: {token, expires_in}}`. Refreshes a little early:
 * 10% of the lifetime, at most five minutes.
 */
export function parseTokenBody(body: unknown, now: number): Token | undefined {
  const top = obj(body);
  const data = obj(top?.['data']);
  const sources = [data, top].filter((s): s is Record<string, unknown> => s !== undefined);
  let value: string | undefined;
  let lifetime: number | undefined;
  for (const s of sources) {
    const v = s['token'] ?? s['access_token'];
    if (value === undefined && typeof v === 'string' && v !== '') value = v;
    lifetime ??= seconds(s['expires_in']);
    if (lifetime === undefined && s['expires_at'] !== undefined) {
      const at = s['expires_at'];
      const epochMs = typeof at === 'number' ? (at > 1e12 ? at : at * 1000) : typeof at === 'string' ? Date.parse(at) : NaN;
      if (Number.isFinite(epochMs) && epochMs > now) lifetime = (epochMs - now) / 1000;
    }
  }
  if (value === undefined) return undefined;
  const life = lifetime ?? DEFAULT_LIFETIME_S;
  const margin = Math.min(300, life * 0.1);
  return { value, refreshAt: now + (life - margin) * 1000 };
}

/**
 * Caches the bearer token and refreshes it once for everybody: concurrent callers share one in-flight
 * request (single flight), and a 401 invalidates only the token that was refused, so a burst of 401s
 * triggers one refresh, not one per request.
 */
export class TokenProvider {
  private current: Token | undefined;
  private inflight: Promise<TokenResult> | undefined;
  /** How many token requests were actually made (for tests and metrics). */
  fetches = 0;

  constructor(
    private readonly fetchToken: () => Promise<TokenResult>,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<TokenResult> {
    const cached = this.current;
    if (cached && this.now() < cached.refreshAt) return { kind: 'token', token: cached };
    this.inflight ??= this.refresh();
    return this.inflight;
  }

  invalidate(refused: string): void {
    if (this.current?.value === refused) this.current = undefined;
  }

  private async refresh(): Promise<TokenResult> {
    try {
      this.fetches += 1;
      const result = await this.fetchToken();
      if (result.kind === 'token') this.current = result.token;
      return result;
    } finally {
      this.inflight = undefined;
    }
  }
}
