import type {} from '@fastify/swagger';
import type { FastifyPluginCallback } from 'fastify';
import { forgedCallbackCounts } from '../../db/callbacks.js';
import { ANY_ROLE, requireRole } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { problemResponses } from '../schemas.js';

async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  return Promise.race([work, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms).unref())]);
}

const readiness = { type: 'object', properties: { ready: { type: 'boolean' }, postgres: { type: 'string' }, temporal: { type: 'string' } } } as const;

const count = { type: 'integer' } as const;
const callbackStatsResponse = {
  description: "This process's counters since it started; `forgedEver` from PostgreSQL",
  type: 'object',
  properties: {
    received: count,
    forged: count,
    badSignature: count,
    completed: count,
    applied: count,
    stored: count,
    forgedEver: { type: 'object', properties: { token: count, signature: count, lastAt: { type: ['string', 'null'], format: 'date-time' } } },
  },
} as const;

export function healthRoutes(deps: ApiDeps): FastifyPluginCallback {
  return (app, _opts, done) => {
    // For probes: no API key needed.
    app.get('/healthz', { schema: { operationId: 'getHealth', summary: 'The process is up', tags: ['health'], security: [], response: { 200: { description: 'Up', type: 'object', properties: { ok: { type: 'boolean' } } } } } }, () => ({ ok: true }));

    app.get('/readyz', { schema: { operationId: 'getReadiness', summary: 'PostgreSQL and Temporal are reachable', tags: ['health'], security: [], response: { 200: { description: 'Both reachable', ...readiness }, 503: { description: 'One is not; each says `ok` or why not', ...readiness } } } }, async (_request, reply) => {
      const check = async (work: () => Promise<unknown>): Promise<string> => {
        try {
          await within(2000, work());
          return 'ok';
        } catch (err) {
          return (err as Error).message;
        }
      };
      const [postgres, temporal] = await Promise.all([
        check(() => deps.pool.query('SELECT 1')),
        check(() => deps.temporal.workflowService.getSystemInfo({})),
      ]);
      const ready = postgres === 'ok' && temporal === 'ok';
      return reply.code(ready ? 200 : 503).send({ ready, postgres, temporal });
    });

    app.get('/v1/callbacks/stats', { schema: { operationId: 'getCallbackStats', summary: 'Callbacks received, forged, applied, and payouts they completed', tags: ['health'], response: { 200: callbackStatsResponse, ...problemResponses([401, 500]) } } }, async (request) => {
      requireRole(request, ANY_ROLE);
      // This process's counters since it started, and the forged ones ever refused (kept in PostgreSQL).
      return { ...deps.callbackStats, forgedEver: await forgedCallbackCounts(deps.pool) };
    });
    done();
  };
}
