import type { FastifyPluginCallback } from 'fastify';
import { formatMinor } from '../../domain/money.js';
import { CODES, PATHS } from '../../pesaway/wire.js';
import type { SandboxContext } from '../context.js';
import type { WalletBalance } from '../ledger.js';
import { replyOk } from '../replies.js';

/** The documented balance fields, as decimal strings with two places. */
export function balanceFields(balance: WalletBalance): Record<'current' | 'available' | 'uncleared' | 'reserved', string> {
  return {
    current: formatMinor(balance.currentMinor),
    available: formatMinor(balance.availableMinor),
    uncleared: formatMinor(balance.unclearedMinor),
    reserved: formatMinor(balance.reservedMinor),
  };
}

/** `GET /api/v1/account-balance/` as documented; POST with `{MerchantCode, Currency}` as a newer integrator sends it. */
export function balanceRoutes(ctx: SandboxContext): FastifyPluginCallback {
  return (app, _opts, done) => {
    app.route({
      method: ['GET', 'POST'],
      url: PATHS.balance,
      config: { endpoint: 'balance' },
      handler: (request, reply) => {
        const fields = balanceFields(ctx.ledger.balance());
        replyOk(request, reply, ctx.options.dialect.balanceEnvelope === 'data' ? { code: CODES.success, data: fields } : fields);
      },
    });
    done();
  };
}
