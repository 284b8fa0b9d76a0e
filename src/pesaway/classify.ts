import { maskPhonesInText } from '../common/mask.js';
import type { Exchange } from './http.js';
import type { AmbiguityReason } from './outcomes.js';
import { CODES } from './wire.js';

/** PesaWay codes that mean something definite, whichever HTTP status carried them. */
export type DefiniteCode = '400.001' | '401.001' | '403.002' | '404.000' | '455.001' | '429.001';

const DEFINITE = new Set<string>([
  CODES.invalidParameter,
  CODES.unauthorized,
  CODES.referenceUsed,
  CODES.notFound,
  CODES.insufficientBalance,
  CODES.rateLimited,
]);

export type Classified =
  | { kind: 'ok'; body: unknown }
  | { kind: 'code'; code: DefiniteCode; message: string }
  | { kind: 'ambiguous'; reason: AmbiguityReason; httpStatus: number | undefined; detail: string };

function obj(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The PesaWay status code in a body: top-level `code`, or inside `data`. */
export function bodyCode(body: unknown): string | undefined {
  const o = obj(body);
  const code = o?.['code'] ?? obj(o?.['data'])?.['code'];
  return typeof code === 'string' ? code : typeof code === 'number' ? String(code) : undefined;
}

export function bodyMessage(body: unknown, fallback: string): string {
  const o = obj(body);
  for (const key of ['message', 'description', 'error', 'detail', 'ResultDesc']) {
    const v = o?.[key];
    if (typeof v === 'string' && v.trim()) return maskPhonesInText(v.trim());
  }
  return fallback;
}

/**
 * Turns an HTTP exchange into a definite answer or an ambiguity. Works whether PesaWay reports errors as
 * HTTP 4xx with a body code or as HTTP 200 with a non-`200.001` code (the docs do not say which).
 * Without a body code only 401 and 429 are taken at their HTTP word; anything else unexpected is
 * ambiguous, so a send is queried before anyone concludes it was not paid.
 */
export function classify(ex: Exchange): Classified {
  if (ex.kind === 'timeout') return { kind: 'ambiguous', reason: 'timeout', httpStatus: undefined, detail: ex.detail };
  if (ex.kind === 'connection') return { kind: 'ambiguous', reason: 'connection', httpStatus: undefined, detail: ex.detail };
  const { status, body, text } = ex;
  const code = bodyCode(body);
  const ok2xx = status >= 200 && status < 300;
  if (code !== undefined) {
    if (code === CODES.success) {
      return ok2xx ? { kind: 'ok', body } : { kind: 'ambiguous', reason: 'unexpected-code', httpStatus: status, detail: `code 200.001 with HTTP ${status}` };
    }
    if (DEFINITE.has(code)) return { kind: 'code', code: code as DefiniteCode, message: bodyMessage(body, `PesaWay answered ${code}`) };
    if (status >= 500) return { kind: 'ambiguous', reason: 'server-error', httpStatus: status, detail: `HTTP ${status} (code ${code})` };
    return { kind: 'ambiguous', reason: 'unexpected-code', httpStatus: status, detail: `unknown code ${code}: ${bodyMessage(body, '')}`.trim() };
  }
  if (status === 401) return { kind: 'code', code: '401.001', message: bodyMessage(body, 'HTTP 401 Unauthorized') };
  if (status === 429) return { kind: 'code', code: '429.001', message: bodyMessage(body, 'HTTP 429 Too Many Requests') };
  if (status >= 500) return { kind: 'ambiguous', reason: 'server-error', httpStatus: status, detail: `HTTP ${status}` };
  if (ok2xx) {
    if (body === undefined) return { kind: 'ambiguous', reason: 'unparseable', httpStatus: status, detail: `HTTP ${status} with a body that is not JSON (${text.length} bytes)` };
    return { kind: 'ok', body };
  }
  return { kind: 'ambiguous', reason: 'unexpected-code', httpStatus: status, detail: `HTTP ${status} without a PesaWay code` };
}
