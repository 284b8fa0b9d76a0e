import type { EngineMetrics } from '../metrics/engine-metrics.js';
import type { Client } from '@temporalio/client';
import type { FastifyPluginCallback, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { Logger } from '../common/log.js';
import { CallbackWriter, createCallbackStorePool, warnIfNotDurable } from '../db/callback-writer.js';
import { type CallbackOutcome, recordForgedCallback } from '../db/callbacks.js';
import type { Pool } from '../db/pool.js';
import { type StorageFault, storageFault } from '../db/storage-errors.js';
import { parseResultBody } from '../pesaway/result.js';
import { verifyResultsToken } from '../pesaway/results-url.js';
import { verifySignature } from '../pesaway/signature.js';
import { SIGNATURE_HEADER } from '../pesaway/wire.js';
import { CallbackDelivery, safeJson } from './callback-delivery.js';
import { problemResponses, problemSchema, retryAfterHeader } from './schemas.js';

export interface CallbackStats {
  received: number;
  forged: number;
  badSignature: number;
  /** Waiting payout activities completed by a callback's result. */
  completed: number;
  applied: number;
  stored: number;
}

export interface CallbackReceiverOptions {
  pool: Pool;
  temporal: Client;
  /** Defaults to the app's logger. */
  log?: Logger;
  callbackSecret: string;
  /** When PesaWay signs callbacks (merchant setting), the key; then unsigned or badly signed ones are refused. */
  signingKey?: string | undefined;
  stats: CallbackStats;
  /** Counts callbacks by outcome: refused at the door here, delivered in CallbackDelivery (src/metrics). */
  metrics?: Pick<EngineMetrics, 'callbacks'> | undefined;
  /**
   * When given, callbacks are stored through connections of their own (`storeConnections`, default 2),
   * so deliveries and API reads holding `pool` never make PesaWay wait; otherwise through `pool`.
   */
  databaseUrl?: string | undefined;
  storeConnections?: number;
}

export function emptyCallbackStats(): CallbackStats {
  return { received: 0, forged: 0, badSignature: 0, completed: 0, applied: 0, stored: 0 };
}

/** The `content-type` header of each callback request as PesaWay sent it (see the onRequest hook). */
const sentContentType = new WeakMap<IncomingMessage, string>();

/** Serialised once: the same bytes for every acknowledgement. */
const ACK = JSON.stringify({ code: '200.001', status: 'received' });

/** PesaWay-style answers (not problems: the caller is PesaWay, which reads `code`). */
const pesawayAnswer = (description: string, message: 'status' | 'message') =>
  ({ description, type: 'object', properties: { code: { type: 'string' }, [message]: { type: 'string' } }, required: ['code', message] }) as const;

const callbackSchema = {
  operationId: 'receivePesaWayResult',
  summary: "PesaWay's result for one payout attempt (its ResultsUrl)",
  description:
    'Authenticated by the URL itself: `token` is an HMAC of `reference` under CALLBACK_SECRET (and, when PESAWAY_CALLBACK_SIGNING_KEY is set, ' +
    'the `signature` header over the raw body). Any content type is kept as the bytes sent, up to 64 KB.',
  tags: ['callbacks'],
  security: [],
  params: {
    type: 'object',
    properties: {
      reference: { type: 'string', description: 'the payout attempt’s ExternalReference' },
      token: { type: 'string', description: 'the HMAC the results URL was minted with' },
    },
    required: ['reference', 'token'],
  },
  response: {
    200: pesawayAnswer('Stored; delivered to its payout in the background', 'status'),
    401: pesawayAnswer('The URL token (or the signature) is not valid: refused and counted as forged', 'message'),
    ...problemResponses([413, 415, 500], { 413: 'The body is larger than 64 KB', 415: 'The Content-Type header cannot be parsed (any well-formed type is kept)' }),
    // After the problems: PesaWay reads `code`, and a non-2xx answer is what makes it send the callback again.
    503: {
      ...pesawayAnswer('Not stored: PostgreSQL is unreachable or refuses writes (`503.001`). Nothing was acknowledged; PesaWay sends the callback again later', 'message'),
      headers: retryAfterHeader,
    },
  },
} as const;

/** Seconds PesaWay is asked to wait; it retries with its own backoff anyway. */
const RETRY_AFTER_SECONDS = 10;

/** The callback was not stored, so it is not acknowledged: PesaWay retries a non-2xx answer. */
function notStoredMessage(fault: StorageFault): string {
  const why = fault.kind === 'unavailable' ? 'the database is not reachable' : fault.kind === 'read_only' ? 'the database refuses writes (read-only)' : `the database refuses writes (${fault.reason})`;
  return `callback not stored: ${why}; send it again later`;
}

/** The body as the document shows it; Fastify is not given it as `schema.body`, which would validate raw bytes as JSON. */
const documentCallbackBody = ({ schema, url }: { schema: object; url: string }) => ({
  url,
  schema: {
    ...schema,
    // Unconstrained on purpose: whatever arrives is stored as sent and acknowledged; one that is not a
    // usable result is classified `malformed` with the reason, never refused (PesaWay would only retry it).
    body: {
      description: 'the result as PesaWay sends it, usually a JSON object (ResultCode, ResultDesc, TransactionID, OriginatorReference, …); any body of any type is kept',
      examples: [{ ResultCode: 0, ResultDesc: 'The service request is processed successfully.', OriginatorReference: '01JZ0000AAR1A1', TransactionID: 'PWY0000001', TransactionReceipt: 'SKM0000001', TransactionAmount: '1500.00' }],
    },
  },
});

/**
 * `POST /callbacks/pesaway/:reference/:token`. The raw body is stored, then acknowledged: PesaWay gets its
 * answer once its row is committed (grouped with the callbacks arriving at the same time into one INSERT,
 * `CallbackWriter`), and the delivery to the payout (record, then signal) follows in the background
 * (`CallbackDelivery`). A callback for a finished or unknown payout is kept and acknowledged (a late final
 * answer still settles an `unresolved` payout, forward-only).
 */
export const callbackReceiver: FastifyPluginCallback<CallbackReceiverOptions> = (app, opts, done) => {
  const { pool, stats } = opts;
  const log = opts.log ?? (app.log as Logger);
  const delivery = new CallbackDelivery({ pool, temporal: opts.temporal, stats, metrics: opts.metrics, log });
  const count = (outcome: string): void => opts.metrics?.callbacks.inc({ outcome });
  const storePool = opts.databaseUrl ? createCallbackStorePool(opts.databaseUrl, opts.storeConnections ?? 2, log) : undefined;
  const writer = new CallbackWriter(storePool ?? pool, { maxInFlight: opts.storeConnections ?? 2 });
  app.addHook('onReady', async () => {
    delivery.start();
    await warnIfNotDurable(storePool ?? pool, log).catch(() => undefined);
  });
  app.addHook('onClose', async () => {
    await delivery.stop();
    await storePool?.end();
  });

  // Raw bytes whatever the content type (PesaWay documents none): the signature is computed over exactly
  // what was sent, and a body is never thrown away because of its label. Only in this plugin's scope.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 64 * 1024 }, (_req, body, done) => done(null, body));
  // Fastify answers 415 to a content type it cannot parse as a media type ("", "application/", ";;;")
  // before any parser runs: the header as sent is put aside (it is stored) and the body read as bytes.
  app.addHook('onRequest', (req, _reply, next) => {
    const headers = req.raw.headers;
    if (headers['content-type'] !== undefined) {
      sentContentType.set(req.raw, headers['content-type']);
      headers['content-type'] = 'application/octet-stream';
    }
    next();
  });

  /**
   * Keeps a refused callback for the forged-callback counts. The answer is 401 whatever happens here: with
   * PostgreSQL unreachable or refusing writes that record is lost (and said so in the log), never the refusal.
   */
  async function recordForged(req: FastifyRequest, reference: string, reason: 'token' | 'signature'): Promise<void> {
    try {
      await recordForgedCallback(pool, reference, reason);
    } catch (err) {
      const fault = storageFault(err);
      if (!fault) throw err;
      req.log.warn({ reference: reference.slice(0, 64), reason, storage: fault.kind, code: fault.code }, 'Refused callback not recorded: PostgreSQL cannot take it now');
    }
  }

  if (!app.getSchema('Problem')) app.addSchema(problemSchema);
  app.post<{ Params: { reference: string; token: string } }>('/callbacks/pesaway/:reference/:token', { schema: callbackSchema, config: { swaggerTransform: documentCallbackBody } }, async (req, reply) => {
    stats.received += 1;
    const { reference, token } = req.params;
    if (!/^[A-Za-z0-9]{1,64}$/.test(reference) || !verifyResultsToken(opts.callbackSecret, reference, token)) {
      stats.forged += 1;
      count('forged');
      await recordForged(req, reference, 'token');
      req.log.warn({ reference: reference.slice(0, 64) }, 'Callback with an invalid token refused');
      return reply.code(401).send({ code: '401.001', message: 'invalid callback token' });
    }
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.from('');
    const signatureValid = opts.signingKey ? verifySignature(raw, req.headers[SIGNATURE_HEADER] as string | undefined, opts.signingKey) : undefined;
    if (signatureValid === false) {
      stats.badSignature += 1;
      count('bad_signature');
      await recordForged(req, reference, 'signature');
      req.log.warn({ reference }, 'Callback with a bad signature refused');
      return reply.code(401).send({ code: '401.001', message: 'invalid signature' });
    }

    const parsed = parseResultBody(safeJson(raw.toString('utf8')));
    // Nothing more to do for these than keep them; a final result is delivered to its payout next.
    let settled: CallbackOutcome | undefined;
    if (parsed.kind === 'malformed') settled = 'malformed';
    else if (parsed.kind === 'pending') settled = 'pending';
    else if (parsed.result.reference !== undefined && parsed.result.reference !== reference) settled = 'mismatch';
    const resultCode = parsed.kind === 'final' ? parsed.result.resultCode : undefined;
    let id: number;
    try {
      id = await writer.store({
        reference,
        body: raw,
        contentType: sentContentType.get(req.raw)?.slice(0, 200),
        signatureValid,
        resultCode,
        ...(settled ? { outcome: settled } : {}),
        problem: parsed.kind === 'malformed' ? parsed.problem : undefined,
      });
    } catch (err) {
      const fault = storageFault(err);
      if (!fault) throw err;
      // Never a 200 for a callback that is not stored: PesaWay keeps it and sends it again.
      count('not_stored');
      req.log.warn({ reference, storage: fault.kind, code: fault.code, reason: fault.reason }, 'Callback not stored: PostgreSQL cannot take it now; answered 503 so PesaWay sends it again');
      return reply.code(503).header('retry-after', String(RETRY_AFTER_SECONDS)).send({ code: '503.001', message: notStoredMessage(fault) });
    }
    stats.stored += 1;
    if (settled) count(settled);
    if (parsed.kind === 'final' && settled === undefined) delivery.offer({ id, reference, result: { ...parsed.result, reference } });
    req.log.debug({ reference, outcome: settled ?? 'received' }, 'Callback stored');
    return reply.type('application/json; charset=utf-8').send(ACK);
  });

  done();
};
