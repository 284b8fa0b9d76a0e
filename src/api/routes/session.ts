import type {} from '@fastify/swagger';
import type { FastifyPluginCallback } from 'fastify';
import { createSession, endSession } from '../../db/sessions.js';
import { ANY_ROLE, findKey, keyHash, requireRole } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { problems } from '../problem.js';
import { problemResponses } from '../schemas.js';
import { clearedSessionCookie, csrfTokenFor, newSessionId, sessionCookie, sessionIdFrom, sessionIdHash } from '../session-auth.js';

/** Default session lifetime (SESSION_TTL_HOURS). */
export const DEFAULT_SESSION_TTL_HOURS = 8;

const role = { type: 'string', enum: ['submitter', 'approver', 'viewer'] } as const;
const signedIn = {
  type: 'object',
  properties: {
    user: { type: 'string' },
    role,
    expiresAt: { type: 'string', format: 'date-time' },
    csrfToken: { type: 'string', description: 'send as the X-CSRF-Token header on every POST, PUT, PATCH and DELETE made with the session cookie' },
  },
  required: ['user', 'role', 'expiresAt', 'csrfToken'],
} as const;

/** `POST/GET/DELETE /v1/session`: the web console signs in with an API key once and then rides a cookie. */
export function sessionRoutes(deps: ApiDeps): FastifyPluginCallback {
  const { pool, config } = deps;
  const ttlHours = config.sessionTtlHours ?? DEFAULT_SESSION_TTL_HOURS;
  const secureCookie = (protocol: string): boolean => protocol === 'https' || config.sessionCookieSecure === true;

  return (app, _opts, done) => {
    app.post<{ Body: { apiKey: string } }>(
      '/v1/session',
      {
        schema: {
          operationId: 'createSession',
          summary: 'Sign in with an API key: sets the HttpOnly session cookie and answers the CSRF token',
          tags: ['session'],
          security: [],
          body: { type: 'object', properties: { apiKey: { type: 'string', minLength: 1, maxLength: 512 } }, required: ['apiKey'], additionalProperties: false },
          response: {
            201: {
              description: 'Signed in; `Set-Cookie: disburse_session=…; HttpOnly; SameSite=Strict; Path=/; Max-Age=…`',
              headers: { 'set-cookie': { type: 'string' } },
              ...signedIn,
            },
            ...problemResponses([400, 401, 415, 500], { 401: 'The API key is not one of API_KEYS' }),
          },
        },
      },
      async (request, reply) => {
        const key = findKey(config.apiKeys, request.body.apiKey);
        if (!key) throw problems.unauthorized();
        // A sign-in replaces the session this browser had, if any.
        const previous = sessionIdFrom(request.headers.cookie);
        if (previous) await endSession(pool, sessionIdHash(previous));
        const id = newSessionId();
        const expiresAt = await createSession(pool, { idHash: sessionIdHash(id), user: key.user, role: key.role, keyHash: keyHash(key), ttlMs: ttlHours * 3_600_000 });
        request.log.info({ user: key.user, role: key.role }, 'session opened');
        return reply
          .code(201)
          .header('set-cookie', sessionCookie(id, ttlHours * 3600, secureCookie(request.protocol)))
          .header('cache-control', 'no-store')
          .send({ user: key.user, role: key.role, expiresAt: expiresAt.toISOString(), csrfToken: csrfTokenFor(id) });
      },
    );

    app.get(
      '/v1/session',
      {
        schema: {
          operationId: 'getSession',
          summary: 'Who is signed in: the session (with its CSRF token, e.g. after a page reload) or the bearer key',
          tags: ['session'],
          response: {
            200: {
              description: 'Signed in; `expiresAt` and `csrfToken` are null for a bearer key',
              type: 'object',
              properties: {
                user: { type: 'string' },
                role,
                via: { type: 'string', enum: ['session', 'bearer'] },
                expiresAt: { type: ['string', 'null'], format: 'date-time' },
                csrfToken: { type: ['string', 'null'] },
              },
              required: ['user', 'role', 'via', 'expiresAt', 'csrfToken'],
            },
            ...problemResponses([401, 500], { 401: 'No session cookie or API key, or one that expired, was ended or is no longer configured' }),
          },
        },
      },
      async (request, reply) => {
        const p = requireRole(request, ANY_ROLE);
        const s = request.consoleSession;
        void reply.header('cache-control', 'no-store');
        return s
          ? { user: p.user, role: p.role, via: 'session', expiresAt: s.expiresAt.toISOString(), csrfToken: csrfTokenFor(s.id) }
          : { user: p.user, role: p.role, via: 'bearer', expiresAt: null, csrfToken: null };
      },
    );

    app.delete(
      '/v1/session',
      {
        schema: {
          operationId: 'deleteSession',
          summary: 'Sign out: ends the session server-side and clears the cookie (204 also when there was none)',
          tags: ['session'],
          security: [],
          response: {
            204: { description: 'Signed out (or was not signed in); `Set-Cookie` clears the cookie', headers: { 'set-cookie': { type: 'string' } }, type: 'null' },
            ...problemResponses([403, 500], { 403: 'The session cookie was sent without its X-CSRF-Token (`csrf_token_missing`) or with another (`csrf_token_invalid`)' }),
          },
        },
      },
      async (request, reply) => {
        const id = sessionIdFrom(request.headers.cookie);
        if (id) await endSession(pool, sessionIdHash(id));
        if (request.consoleSession) request.log.info({ user: request.consoleSession.user }, 'session ended');
        return reply.code(204).header('set-cookie', clearedSessionCookie(secureCookie(request.protocol))).send();
      },
    );
    done();
  };
}
