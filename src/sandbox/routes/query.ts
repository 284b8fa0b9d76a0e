import type { FastifyPluginCallback } from 'fastify';
import { CODES, PATHS } from '../../pesaway/wire.js';
import type { SandboxContext } from '../context.js';
import type { PaymentKind } from '../ledger.js';
import { replyError, replyOk } from '../replies.js';
import { pendingBody, resultBody } from '../result-body.js';
import type { EndpointName } from '../stats.js';
import { validateQuery } from '../validation.js';

/**
 * Transaction query, by PesaWay `TransactionID` or by our `ExternalReference` (the docs leave open which one
 * works; the sandbox takes both). Each product answers for its own payments only: a bank payment queried on
 * the mobile-money path is `404.000`, so a client that mixes them up finds out here, not in production.
 */
export function queryRoutes(ctx: SandboxContext): FastifyPluginCallback {
  const { dialect } = ctx.options;
  return (app, _opts, done) => {
    const route = (path: string, endpoint: EndpointName, kind: PaymentKind, label: string): void => {
      app.post(path, { config: { endpoint } }, (request, reply) => {
        const checked = validateQuery(request.body);
        if (!checked.ok) {
          replyError(dialect, request, reply, CODES.invalidParameter, `Invalid parameter: ${checked.message}`);
          return;
        }
        const entry = ctx.ledger.find(checked.value);
        if (!entry || entry.kind !== kind) {
          replyError(dialect, request, reply, CODES.notFound, `No ${label} transaction found for TransactionReference ${checked.value}`);
          return;
        }
        const body = entry.status === 'pending'
          ? pendingBody(entry, dialect.callbackStyle)
          : resultBody(entry, dialect.callbackStyle, ctx.ledger.balance().availableMinor);
        replyOk(request, reply, { code: CODES.success, ...body });
      });
    };
    route(PATHS.mobileQuery, 'mobileQuery', 'mobile-money', 'mobile-money');
    route(PATHS.bankQuery, 'bankQuery', 'bank', 'bank');
    done();
  };
}
