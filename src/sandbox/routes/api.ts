import type { FastifyPluginCallback } from 'fastify';
import { CODES } from '../../pesaway/wire.js';
import type { SandboxContext } from '../context.js';
import { replyError, replyServerError } from '../replies.js';
import { balanceRoutes } from './balance.js';
import { paymentRoutes } from './payments.js';
import { pullRoutes } from './pull.js';
import { queryRoutes } from './query.js';
import { tokenRoutes } from './token.js';

const AUTH_MESSAGES = {
  missing: 'Missing authentication credentials: send Authorization: Bearer <token>',
  unknown: 'Invalid access token',
  expired: 'Access token has expired',
} as const;

/**
 * The PesaWay API. In front of every endpoint, in this order: the rate limit (decided on arrival),
 * latency, injected server errors, then the bearer token (except on the token endpoint). Each response is
 * counted in stats by endpoint and outcome.
 */
export function apiRoutes(ctx: SandboxContext): FastifyPluginCallback {
  return (app, _opts, done) => {
    app.addHook('onRequest', async (request, reply) => {
      const endpoint = request.routeOptions.config.endpoint;
      if (endpoint === undefined) return;
      const admitted = ctx.faults.admit(Date.now());
      await ctx.timers.sleep(ctx.faults.latencyMs());
      if (!admitted) {
        const limit = ctx.faults.get().rateLimitPerSecond ?? 0;
        return replyError(ctx.options.dialect, request, reply, CODES.rateLimited, `Rate limit exceeded: at most ${limit} requests per second`);
      }
      const status = ctx.faults.serverError();
      if (status !== undefined) return replyServerError(request, reply, status);
      if (endpoint === 'token') return;
      const auth = ctx.tokens.check(request.headers.authorization);
      if (auth !== 'valid') return replyError(ctx.options.dialect, request, reply, CODES.unauthorized, AUTH_MESSAGES[auth]);
    });

    app.addHook('onResponse', (request, reply, next) => {
      const endpoint = request.routeOptions.config.endpoint;
      if (endpoint !== undefined && request.sandboxOutcome !== 'lost') ctx.stats.record(endpoint, request.sandboxOutcome || String(reply.statusCode));
      next();
    });

    void app.register(tokenRoutes(ctx));
    void app.register(paymentRoutes(ctx));
    void app.register(queryRoutes(ctx));
    void app.register(balanceRoutes(ctx));
    void app.register(pullRoutes(ctx));
    done();
  };
}
