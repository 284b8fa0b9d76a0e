import { observePayoutMoves } from '../db/payout-transitions.js';
import { createEngineMetrics, payoutMoveCounter } from '../metrics/engine-metrics.js';
import { metricsRoutes } from './routes/metrics.js';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { CODEC_PREFIX, codecRoutes } from './routes/codec.js';
import { authenticate } from './auth.js';
import { checkCsrf, resolveSession, sessionIdFrom } from './session-auth.js';
import { callbackReceiver } from './callbacks.js';
import { consoleStatic } from './console-static.js';
import type { ApiDeps } from './deps.js';
import { finishDocument } from './openapi-document.js';
import { comparisonSchema, previewSchema } from './preview-schemas.js';
import { installProblemHandler } from './problem.js';
import { actionRoutes } from './routes/actions.js';
import { attentionRoutes } from './routes/attention.js';
import { batchRoutes } from './routes/batches.js';
import { comparisonRoutes } from './routes/comparison.js';
import { healthRoutes } from './routes/health.js';
import { payoutRoutes } from './routes/payouts.js';
import { sessionRoutes } from './routes/session.js';
import { webhookRoutes } from './routes/webhooks.js';
import { batchSchema, payoutRecordSchema, payoutSchema, problemSchema, progressSchema, reportSchema, timelineEntrySchema } from './schemas.js';

/** The HTTP API and the PesaWay callback receiver, as one Fastify app. */
export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const metrics = deps.metrics ?? createEngineMetrics('api');
  // The callback deliveries move payouts in this process: counted here (the worker counts its own moves).
  observePayoutMoves(payoutMoveCounter(metrics));
  deps = { ...deps, metrics };
  const app = Fastify({
    // Our pino logger (redaction, masking), typed as Fastify's base logger so the app keeps the default
    // instance type that plugins expect.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    loggerInstance: deps.log as FastifyBaseLogger,
    // One line per request is written by the onResponse hook below (without query strings).
    logController: new LogController({ disableRequestLogging: true }),
    // Keys and references in URLs never need more; a long URL is an attack or a mistake.
    routerOptions: { maxParamLength: 200 },
    // A body with a property its schema does not allow is refused (400), not silently trimmed: what the
    // OpenAPI document promises (`additionalProperties: false`) is what the API does.
    ajv: { customOptions: { removeAdditional: false } },
  });
  app.decorateRequest('principal', undefined);
  app.decorateRequest('consoleSession', undefined);
  // Who calls: a bearer key (unchanged, and it wins when both are sent) or the console's session cookie, whose
  // state-changing calls must carry the session's CSRF token. PesaWay's callbacks never use either.
  app.addHook('onRequest', async (request) => {
    if (request.url.startsWith('/callbacks/')) return;
    if (request.headers.authorization !== undefined) {
      request.principal = authenticate(deps.config.apiKeys, request.headers.authorization);
      return;
    }
    const id = sessionIdFrom(request.headers.cookie);
    if (!id) return;
    const session = await resolveSession(deps.pool, deps.config.apiKeys, id);
    if (!session) return;
    // The codec server changes nothing: the Web UI calls it with the cookie and cannot send our CSRF header.
    if (!request.url.startsWith(CODEC_PREFIX)) checkCsrf(request, session);
    request.consoleSession = session;
    request.principal = { user: session.user, role: session.role };
  });
  app.addHook('onResponse', (request, reply, done) => {
    if (!request.url.startsWith('/callbacks/')) request.log.info({ method: request.method, url: request.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime), user: request.principal?.user }, 'request');
    done();
  });
  installProblemHandler(app);

  for (const schema of [problemSchema, progressSchema, batchSchema, reportSchema, payoutSchema, payoutRecordSchema, timelineEntrySchema]) app.addSchema(schema);
  for (const schema of [comparisonSchema, previewSchema]) app.addSchema(schema);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'PesaWay bulk disbursement API',
        version: '1.0.0',
        description: 'Submit payroll CSVs, watch and steer their batches, download row-by-row reports. Amounts are decimal strings in KES.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'API key from API_KEYS' },
          session: { type: 'apiKey', in: 'cookie', name: 'disburse_session', description: 'the web console\'s session (POST /v1/session); POST, PUT, PATCH and DELETE also need the X-CSRF-Token header' },
        },
      },
      // Every operation needs a key or a session unless it says otherwise (`security: []`: health, this
      // document, callbacks, signing in and out).
      security: [{ apiKey: [] }, { session: [] }],
      tags: [{ name: 'batches' }, { name: 'operations' }, { name: 'reports' }, { name: 'payouts' }, { name: 'webhooks', description: 'signed outbound webhooks: see the README, "Webhooks"' }, { name: 'session', description: 'the web console\'s sign-in: see the README, "Console sessions"' }, { name: 'health' }, { name: 'callbacks' }],
    },
    // Components named after the schemas' $id (`Problem`, `Batch`, …) rather than `def-0`, `def-1`: generated clients get real type names.
    transformObject: (document) => finishDocument('openapiObject' in document ? document.openapiObject : document.swaggerObject),
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json['$id'] === 'string' ? json['$id'] : `def-${i}`) },
  });
  await app.register(multipart, { limits: { fileSize: deps.config.maxUploadBytes, files: 1, fields: 20 } });

  await app.register(healthRoutes(deps));
  await app.register(batchRoutes(deps));
  await app.register(comparisonRoutes(deps));
  await app.register(actionRoutes(deps));
  await app.register(payoutRoutes(deps));
  await app.register(attentionRoutes(deps));
  await app.register(webhookRoutes(deps));
  await app.register(sessionRoutes(deps));
  await app.register(codecRoutes(deps.config));
  await app.register(metricsRoutes(deps, metrics));
  await app.register(callbackReceiver, {
    pool: deps.pool,
    temporal: deps.temporal,
    callbackSecret: deps.config.callbackSecret,
    signingKey: deps.config.callbackSigningKey,
    stats: deps.callbackStats,
    metrics,
    databaseUrl: deps.config.databaseUrl,
    ...(deps.config.callbackStoreConnections ? { storeConnections: deps.config.callbackStoreConnections } : {}),
  });
  // The web console for payroll officers, at `/` on the same origin (its cookie is SameSite=Strict).
  await app.register(consoleStatic(deps.config.consoleDir ? { dir: deps.config.consoleDir } : {}));
  app.get('/openapi.json', { schema: { operationId: 'getOpenApi', summary: 'This OpenAPI document', tags: ['health'], security: [], response: { 200: { description: 'OpenAPI 3.1', type: 'object', additionalProperties: true } } } }, () => app.swagger());
  return app;
}
