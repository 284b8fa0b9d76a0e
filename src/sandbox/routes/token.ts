import type { FastifyPluginCallback } from 'fastify';
import { CODES, PATHS } from '../../pesaway/wire.js';
import type { SandboxContext } from '../context.js';
import { replyError, replyOk } from '../replies.js';
import { validateTokenRequest } from '../validation.js';

/** `POST /api/v1/token/`: client credentials for a bearer token, in the configured response shape. */
export function tokenRoutes(ctx: SandboxContext): FastifyPluginCallback {
  return (app, _opts, done) => {
    app.post(PATHS.token, { config: { endpoint: 'token' } }, (request, reply) => {
      const { dialect } = ctx.options;
      const checked = validateTokenRequest(request.body);
      if (!checked.ok) {
        const code = checked.code === 'missing-credentials' ? CODES.unauthorized : CODES.invalidParameter;
        replyError(dialect, request, reply, code, checked.message);
        return;
      }
      if (!ctx.tokens.credentialsMatch(checked.key, checked.secret)) {
        replyError(dialect, request, reply, CODES.unauthorized, 'Invalid consumer_key or consumer_secret');
        return;
      }
      const { token, expiresIn } = ctx.tokens.issue();
      const shapes = {
        'data.token': { code: CODES.success, data: { token, expires_in: expiresIn } },
        token: { token, expires_in: expiresIn },
        access_token: { access_token: token, token_type: 'Bearer', expires_in: expiresIn },
      } as const;
      replyOk(request, reply, shapes[dialect.tokenShape]);
    });
    done();
  };
}
