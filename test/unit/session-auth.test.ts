import { describe, expect, it } from 'vitest';
import { loadApiConfig } from '../../src/api/config.js';
import { clearedSessionCookie, csrfTokenFor, newSessionId, sessionCookie, sessionIdFrom, sessionIdHash } from '../../src/api/session-auth.js';
import { ConfigError } from '../../src/common/errors.js';

describe('session cookie and CSRF token', () => {
  it('mints 32-byte base64url ids, each new', () => {
    const a = newSessionId();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a, 'base64url')).toHaveLength(32);
    expect(newSessionId()).not.toBe(a);
  });

  it('reads the session cookie among others and ignores malformed values', () => {
    const id = newSessionId();
    expect(sessionIdFrom(`a=1; disburse_session=${id}; b=2`)).toBe(id);
    expect(sessionIdFrom(`disburse_session_x=${id}`)).toBeUndefined();
    expect(sessionIdFrom('disburse_session=short')).toBeUndefined();
    expect(sessionIdFrom(`disburse_session=${id}x`)).toBeUndefined();
    expect(sessionIdFrom(undefined)).toBeUndefined();
  });

  it('derives a stable CSRF token per session, not from the stored hash', () => {
    const id = newSessionId();
    expect(csrfTokenFor(id)).toBe(csrfTokenFor(id));
    expect(csrfTokenFor(id)).not.toBe(csrfTokenFor(newSessionId()));
    expect(csrfTokenFor(id)).not.toBe(sessionIdHash(id).toString('base64url'));
  });

  it('writes the cookie attributes, Secure only when asked', () => {
    expect(sessionCookie('ID', 28800, false)).toBe('disburse_session=ID; HttpOnly; SameSite=Strict; Path=/; Max-Age=28800');
    expect(sessionCookie('ID', 60, true)).toMatch(/; Secure$/);
    expect(clearedSessionCookie(false)).toBe('disburse_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0');
  });

  it('reads SESSION_TTL_HOURS and SESSION_COOKIE_SECURE', () => {
    const env = { DATABASE_URL: 'postgres://x/y', CALLBACK_SECRET: '0123456789abcdef' };
    expect(loadApiConfig(env)).toMatchObject({ sessionTtlHours: 8, sessionCookieSecure: false });
    expect(loadApiConfig({ ...env, SESSION_TTL_HOURS: '12', SESSION_COOKIE_SECURE: 'true' })).toMatchObject({ sessionTtlHours: 12, sessionCookieSecure: true });
    expect(() => loadApiConfig({ ...env, SESSION_TTL_HOURS: '0' })).toThrow(ConfigError);
  });
});
