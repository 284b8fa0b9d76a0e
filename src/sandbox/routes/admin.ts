import type { FastifyPluginCallback } from 'fastify';
import { type MinorUnits, parseDecimal, parseProviderAmount } from '../../domain/money.js';
import type { SandboxContext } from '../context.js';
import { SandboxConfigError } from '../errors.js';
import { parseOutageRequest } from '../outage.js';
import { balanceFields } from './balance.js';

export const ADMIN_PREFIX = '/__sandbox';

/** `{"amount": "5000.00"}` (or a JSON number) in minor units; zero only where `allowZero`. */
function amountOf(body: unknown, allowZero: boolean): MinorUnits {
  const raw = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['amount'] : undefined;
  let minor: MinorUnits | undefined;
  if (typeof raw === 'string') {
    try {
      minor = parseDecimal(raw.trim());
    } catch {
      minor = undefined;
    }
  } else if (typeof raw === 'number') {
    minor = parseProviderAmount(raw);
  }
  if (minor === undefined) throw new SandboxConfigError('amount', 'expected {"amount": "5000.00"}: KES with at most two decimals');
  if (minor === 0 && !allowZero) throw new SandboxConfigError('amount', 'a top-up must be more than 0');
  return minor;
}

/**
 * Test and operator controls. No auth, never rate limited or faulted (they are not part of PesaWay's API),
 * and always plain HTTP statuses whatever the error dialect.
 */
export function adminRoutes(ctx: SandboxContext): FastifyPluginCallback {
  return (app, _opts, done) => {
    app.get('/health', () => ({ ok: true }));

    app.post('/top-up', (request) => balanceFields(ctx.ledger.topUp(amountOf(request.body, false))));

    app.put('/balance', (request) => balanceFields(ctx.ledger.setBalance(amountOf(request.body, true))));

    app.get('/ledger', () => ctx.ledger.report());

    app.get('/stats', () => ({ requests: ctx.stats.snapshot(), faults: ctx.faults.counters() }));

    // JSON has no undefined: "no rate limit" shows as null (and PUT accepts null to switch it off).
    const faultsView = (): Record<string, unknown> => {
      const faults = ctx.faults.get();
      return { ...faults, rateLimitPerSecond: faults.rateLimitPerSecond ?? null, counters: ctx.faults.counters() };
    };

    app.get('/faults', () => faultsView());

    app.put('/faults', (request) => {
      ctx.faults.set(request.body);
      ctx.logger.info({ faults: ctx.faults.get() }, 'faults changed');
      return faultsView();
    });

    // PesaWay down while these stay up: {"mode": "refuse" | "timeout" | "none"}; the state lists every period.
    app.get('/outage', () => ctx.outage.view());

    app.put('/outage', (request) => ctx.outage.set(parseOutageRequest(request.body)));

    app.post('/settle-now', () => ({ settled: ctx.settler.settleNow() }));

    app.post('/revoke-tokens', () => ({ revoked: ctx.tokens.revokeAll() }));
    done();
  };
}
