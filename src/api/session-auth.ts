/**
 * Console sessions: the cookie, the session id's hash, the CSRF token, and the principal a cookie stands for.
 * A session is only as good as the key it was opened with: each use re-checks that key is still configured.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { endSession, touchSession } from '../db/sessions.js';
import type { Pool } from '../db/pool.js';
import { type ApiKey, type Principal, type Role, keyHash } from './auth.js';
import { Problem } from './problem.js';

export const SESSION_COOKIE = 'disburse_session';
export const CSRF_HEADER = 'x-csrf-token';
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A new session id: 32 random bytes, base64url (43 characters). */
export const newSessionId = (): string => randomBytes(32).toString('base64url');

/** What the database keeps instead of the session id. */
export const sessionIdHash = (id: string): Buffer => createHash('sha256').update(id).digest();

/**
 * The session's CSRF token, derived from the session id (HMAC keyed by it): nothing to store, the same token
 * whenever asked, unknowable without the id (which only the HttpOnly cookie carries), and not derivable from
 * the hash the database keeps.
 */
export const csrfTokenFor = (id: string): string => createHmac('sha256', id).update('disburse-csrf-v1').digest('base64url');

/** The session id from the request's Cookie header, if it has one of the right shape. */
export function sessionIdFrom(cookieHeader: string | undefined): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    if (/^[A-Za-z0-9_-]{43}$/.test(value)) return value;
  }
  return undefined;
}

export function sessionCookie(id: string, maxAgeSeconds: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}

export const clearedSessionCookie = (secure: boolean): string => sessionCookie('', 0, secure);

export interface Session extends Principal {
  id: string;
  expiresAt: Date;
}

/**
 * The live session the id names, or undefined: unknown, expired (deleted), or opened with a key no longer
 * configured for that user and role (deleted too, so it stays ended if the key comes back).
 */
export async function resolveSession(pool: Pool, keys: readonly ApiKey[], id: string): Promise<Session | undefined> {
  const idHash = sessionIdHash(id);
  const row = await touchSession(pool, idHash);
  if (!row) return undefined;
  const stillConfigured = keys.some((k) => k.user === row.user && k.role === row.role && timingSafeEqual(keyHash(k), row.keyHash));
  if (!stillConfigured) {
    await endSession(pool, idHash);
    return undefined;
  }
  return { id, user: row.user, role: row.role as Role, expiresAt: row.expiresAt };
}

const safeEqual = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Refuses a state-changing request made with the cookie but without the session's CSRF token. */
export function checkCsrf(request: FastifyRequest, session: Session): void {
  if (!MUTATING.has(request.method)) return;
  if (request.method === 'POST' && request.url.split('?')[0] === '/v1/session') return;
  const sent = request.headers[CSRF_HEADER];
  const hint = 'Send the csrfToken that POST /v1/session (or GET /v1/session) answered as the X-CSRF-Token header.';
  if (typeof sent !== 'string' || sent === '') throw new Problem(403, 'csrf_token_missing', 'CSRF token missing', `A ${request.method} with the session cookie needs an X-CSRF-Token header. ${hint}`);
  if (!safeEqual(sent, csrfTokenFor(session.id))) throw new Problem(403, 'csrf_token_invalid', 'CSRF token invalid', `The X-CSRF-Token header does not match this session. ${hint}`);
}
