import type {} from '@fastify/swagger';
import type { FastifyPluginCallback } from 'fastify';
import { forgedCallbackCounts } from '../../db/callbacks.js';
import { ANY_ROLE, requireRole } from '../auth.js';
import type { ApiDeps } from '../deps.js';

async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  return Promise.race([work, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms).unref())]);
}

export function healthRoutes(deps: ApiDeps): FastifyPluginCallback {
  return (app, _opts, done) => {
    app.get('/healthz', { schema: { summary: 'The process is up', tags: ['health'] } }, () => ({ ok: true }));

    app.get('/readyz', { schema: { summary: 'PostgreSQL and Temporal are reachable', tags: ['health'] } }, async (_request, reply) => {
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

    app.get('/v1/callbacks/stats', { schema: { summary: 'Callbacks received, forged, applied, and payouts they completed', tags: ['health'] } }, async (request) => {
      requireRole(request, ANY_ROLE);
      // This process's counters since it started, and the forged ones ever refused (kept in PostgreSQL).
      return { ...deps.callbackStats, forgedEver: await forgedCallbackCounts(deps.pool) };
    });
    done();
  };
}
