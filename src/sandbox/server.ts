import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { MinorUnits } from '../domain/money.js';
import { MAX_PAYOUT_MINOR } from '../domain/fees.js';
import { CODES } from '../pesaway/wire.js';
import { CallbackDispatcher } from './callbacks.js';
import type { SandboxContext } from './context.js';
import { SandboxConfigError } from './errors.js';
import { FaultController } from './faults.js';
import { Ledger } from './ledger.js';
import { resolveOptions, type SandboxOptionsInput } from './options.js';
import { isAdminPath, Outage, parseOutageMode, type OutageMode, type OutageView } from './outage.js';
import { replyError } from './replies.js';
import { streamFor } from './rng.js';
import { ADMIN_PREFIX, adminRoutes } from './routes/admin.js';
import { apiRoutes } from './routes/api.js';
import { Settler } from './settlement.js';
import { RequestStats, type SandboxStats } from './stats.js';
import { TimerSet } from './timers.js';
import { TokenStore } from './tokens.js';

export type { SandboxStats } from './stats.js';
export type { SandboxOptions, SandboxOptionsInput } from './options.js';
export type { OutageMode, OutagePeriod, OutageView } from './outage.js';

export interface SandboxHandle {
  /** e.g. `http://127.0.0.1:40123` (no trailing slash). */
  url: string;
  /** Direct in-process access for tests: the same data as `GET /__sandbox/ledger`. */
  ledger: Ledger;
  /** Get and set faults at run time (same as `PUT /__sandbox/faults`), and the injected counters. */
  faults: FaultController;
  stats(): SandboxStats;
  topUp(amountMinor: MinorUnits): void;
  setBalance(amountMinor: MinorUnits): void;
  /**
   * Makes PesaWay unreachable (`refuse`: connections reset; `timeout`: requests held unanswered) or reachable
   * again (`none`), like `PUT /__sandbox/outage`. Callbacks wait while it is down. Returns the new state.
   */
  outage(mode: OutageMode): OutageView;
  /** The outage state and history, as `GET /__sandbox/outage`. */
  outageState(): OutageView;
  /** Invalidates every issued token (next calls get 401.001), like a credential rotation. */
  revokeTokens(): void;
  /**
   * Stops the server and every pending timer (settlements, callback retries); callbacks in flight are aborted,
   * requests held by a `timeout` outage are cut and queued callbacks discarded.
   */
  close(): Promise<void>;
}

/** Starts a PesaWay double on `host:port` (a free port by default). */
export async function startSandbox(input: SandboxOptionsInput = {}): Promise<SandboxHandle> {
  const options = resolveOptions(input);
  const { logger } = options;
  const timers = new TimerSet();
  const faults = new FaultController(options.faults, options.seed);
  const outage = new Outage({ faults, timers, logger });
  const ledger = new Ledger(options.balanceMinor, options.tariff, streamFor(options.seed, 'ids/transaction'));
  const dispatcher = new CallbackDispatcher({
    faults, timers, logger, outage, retry: options.callbackRetry, timeoutMs: options.callbackTimeoutMs, signingKey: options.signingKey,
  });
  const settler = new Settler({
    ledger, dispatcher, timers, logger,
    delays: streamFor(options.seed, 'settle/delay'),
    receipts: streamFor(options.seed, 'ids/receipt'),
    settleDelayMs: options.settleDelayMs,
    callbackStyle: options.dialect.callbackStyle,
  });
  const tariffCeiling = options.tariff.at(-1)!.upToMinor;
  const ctx: SandboxContext = {
    options, ledger, faults, settler, outage, timers, logger,
    tokens: new TokenStore({ key: options.consumerKey, secret: options.consumerSecret }, options.tokenTtlSeconds),
    stats: new RequestStats(),
    maxAmountMinor: Math.min(MAX_PAYOUT_MINOR, tariffCeiling),
  };

  const app = buildApp(ctx);
  let url: string;
  try {
    await app.listen({ host: options.host, port: options.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : options.port;
    url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
  } catch (err) {
    timers.close();
    await app.close();
    throw err;
  }
  logger.info({ url, seed: options.seed, dialect: options.dialect }, 'PesaWay sandbox listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    ledger,
    faults,
    stats: () => ({ requests: ctx.stats.snapshot(), faults: faults.counters() }),
    topUp: (amountMinor) => void ledger.topUp(amountMinor),
    setBalance: (amountMinor) => void ledger.setBalance(amountMinor),
    revokeTokens: () => void ctx.tokens.revokeAll(),
    outage: (mode) => outage.set(parseOutageMode(mode)),
    outageState: () => outage.view(),
    close() {
      // Timers first: pending latency sleeps resolve at once, and nothing new can be scheduled.
      closing ??= (async () => {
        timers.close();
        outage.close();
        dispatcher.close();
        await app.close();
      })();
      return closing;
    },
  };
}

function buildApp(ctx: SandboxContext): FastifyInstance {
  // No Fastify logger, hence no per-request logging (10,000 payouts would mean 20,000 lines); the sandbox
  // logs its own events through the injected logger. Connections are cut on close so close() is prompt.
  const app = Fastify({ logger: false, forceCloseConnections: true });
  app.decorateRequest('sandboxOutcome', '');

  // First of all hooks, before body parsing, stats, the rate limit and every other fault: during an
  // outage a PesaWay call never reaches the API at all. The reply is taken over so Fastify never answers.
  app.addHook('onRequest', (request, reply, done) => {
    if (!isAdminPath(request.url, ADMIN_PREFIX) && ctx.outage.intercept(request.raw)) {
      reply.hijack();
      return;
    }
    done();
  });

  // Integrators send `Content-Type: application/json` on every call, GETs and empty POSTs included.
  const defaultJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    void defaultJson(request, text, done);
  });

  app.setErrorHandler((err: FastifyError, request, reply) => {
    const endpoint = request.routeOptions.config.endpoint;
    const badInput = err instanceof SandboxConfigError || (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500);
    if (badInput) {
      const message = err instanceof SandboxConfigError ? err.message : `the request body must be valid JSON (${err.message})`;
      if (endpoint !== undefined) return replyError(ctx.options.dialect, request, reply, CODES.invalidParameter, `Invalid parameter: ${message}`);
      return reply.code(400).send({ code: CODES.invalidParameter, message });
    }
    ctx.logger.error({ err, url: request.url }, 'sandbox handler failed');
    request.sandboxOutcome = '5xx';
    return reply.code(500).send({ code: '999.999.999', message: 'Internal server error' });
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ code: CODES.notFound, message: `No such endpoint: ${request.method} ${request.url.split('?')[0]}` }),
  );

  void app.register(apiRoutes(ctx));
  void app.register(adminRoutes(ctx), { prefix: ADMIN_PREFIX });
  return app;
}
