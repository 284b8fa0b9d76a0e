/**
 * The console's one way to the API: same origin, the HttpOnly session cookie does the authentication (the
 * API key is sent once, to POST /v1/session, and kept nowhere), and every mutating call carries the session's
 * CSRF token. Errors come back as the API's problems, with the `detail` that says what to do.
 */
import type { Batch, DryRunAnswer, Page, Payout, PayoutRecord, Session, SubmitAnswer, TimelineEntry } from './types.js';

/** An API refusal (RFC 9457 problem details), shown to the user as its detail. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    detail: string,
    readonly body: Record<string, unknown>,
  ) {
    super(detail);
  }
}

let csrfToken: string | null = null;
/** Called when a call answers 401 (the session expired or was ended elsewhere): the app shows the sign-in page. */
let onSignedOut: () => void = () => undefined;

export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler;
}

type Query = Record<string, string | number | boolean | undefined | null>;

function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

async function call<T>(method: string, path: string, options: { query?: Query; json?: unknown; body?: FormData | string } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let body = options.body;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  const res = await fetch(withQuery(path, options.query), { method, headers, credentials: 'same-origin', ...(body !== undefined ? { body } : {}) });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    const p = (parsed ?? {}) as Record<string, unknown>;
    const str = (v: unknown, fallback: string): string => (typeof v === 'string' ? v : fallback);
    const problem = new ApiProblem(res.status, str(p['code'], `http_${res.status}`), str(p['title'], res.statusText), str(p['detail'], text || res.statusText), p);
    if (res.status === 401 && path !== '/v1/session') onSignedOut();
    throw problem;
  }
  return parsed as T;
}

export const api = {
  async signIn(apiKey: string): Promise<Session> {
    const s = await call<Session>('POST', '/v1/session', { json: { apiKey } });
    csrfToken = s.csrfToken;
    return s;
  },
  /** Who is signed in (after a reload the cookie is still there; the CSRF token comes back with it). */
  async whoAmI(): Promise<Session | null> {
    try {
      const s = await call<Session>('GET', '/v1/session');
      csrfToken = s.csrfToken;
      return s;
    } catch (err) {
      if (err instanceof ApiProblem && err.status === 401) return null;
      throw err;
    }
  },
  async signOut(): Promise<void> {
    await call<void>('DELETE', '/v1/session');
    csrfToken = null;
  },

  listBatches: (q: { status?: string; cursor?: string | null; limit?: number }) => call<Page<Batch, string>>('GET', '/v1/batches', { query: q }),
  batch: (id: string) => call<Batch>('GET', `/v1/batches/${encodeURIComponent(id)}`),
  payouts: (id: string, q: { status?: string; q?: string; cursor?: number | null; limit?: number }) =>
    call<Page<Payout, number>>('GET', `/v1/batches/${encodeURIComponent(id)}/payouts`, { query: q }),
  payout: (reference: string) => call<{ payout: PayoutRecord; timeline: TimelineEntry[] }>('GET', `/v1/payouts/${encodeURIComponent(reference)}`),
  attention: (q: { status: string; cursor?: string | null; limit?: number }) => call<Page<PayoutRecord, string>>('GET', '/v1/payouts', { query: q }),
  resolveAttention: (reference: string, note: string) => call<PayoutRecord>('POST', `/v1/payouts/${encodeURIComponent(reference)}/attention/resolve`, { json: { note } }),

  /** POST /v1/batches with the file as multipart; `dryRun` answers the preview, otherwise the stored batch. */
  upload<T extends DryRunAnswer | SubmitAnswer>(file: File, query: Query): Promise<T> {
    const form = new FormData();
    form.append('file', file, file.name);
    return call<T>('POST', '/v1/batches', { query, body: form });
  },
  /** approve, pause, resume, cancel, funds-added, retry-failed, reject (`reject` takes `{reason}`). */
  action: (id: string, action: string, json?: unknown) => call<unknown>('POST', `/v1/batches/${encodeURIComponent(id)}/${action}`, json === undefined ? {} : { json }),
};

export const downloadUrl = (id: string, file: 'report.csv' | 'errors.csv'): string => `/v1/batches/${encodeURIComponent(id)}/${file}`;
