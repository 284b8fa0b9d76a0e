/**
 * The codec server: `POST /codec/decode` and `/codec/encode` in the protocol the Temporal Web UI and CLI speak
 * (`{"payloads": [{"metadata": {k: base64}, "data": base64}]}`), so operators read encrypted payloads in the
 * Web UI (its "codec endpoint" setting) or with `temporal workflow show --codec-endpoint`. Any role may call
 * it, with a bearer key or the console's session cookie (the Web UI's "include cross-origin credentials"); it
 * changes nothing, so it needs no CSRF token, and CORS lets only the configured Web UI origins read answers.
 */
import type { Payload } from '@temporalio/common';
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import { AesGcmPayloadCodec, PayloadDecryptError } from '../../temporal/payload-codec.js';
import { ANY_ROLE, requireRole } from '../auth.js';
import type { ApiConfig } from '../config.js';
import { Problem } from '../problem.js';
import { problemResponses } from '../schemas.js';

/** Paths under which the session cookie needs no CSRF token: nothing here changes state. */
export const CODEC_PREFIX = '/codec/';

interface WirePayload {
  metadata?: Record<string, string>;
  data?: string;
}

const base64 = { type: 'string', pattern: '^[A-Za-z0-9+/]*={0,2}$', maxLength: 16 * 1024 * 1024 } as const;
const payloadsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['payloads'],
  properties: {
    payloads: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          // Temporal's metadata keys (`encoding`, `messageType`, `encryption-key-id`); never `__proto__`.
          metadata: { type: 'object', propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9._/-]{0,99}$' }, additionalProperties: base64, maxProperties: 32 },
          data: base64,
        },
      },
    },
  },
} as const;

const fromWire = (p: WirePayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toWire = (p: Payload): WirePayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data ?? []).toString('base64'),
});

export function codecRoutes(config: Pick<ApiConfig, 'codec'>): FastifyPluginCallback {
  const keys = config.codec?.keys;
  const codec = keys ? new AesGcmPayloadCodec(keys) : undefined;
  const allowed = new Set(config.codec?.corsOrigins ?? []);

  /** CORS for the Web UI: its origin echoed (with credentials, so never `*`), others get no CORS headers. */
  const cors = (request: FastifyRequest, reply: FastifyReply): void => {
    const origin = request.headers.origin;
    reply.header('vary', 'Origin');
    if (!origin || !allowed.has(origin)) return;
    reply.header('access-control-allow-origin', origin);
    reply.header('access-control-allow-credentials', 'true');
  };

  return (app, _opts, done) => {
    for (const op of ['encode', 'decode'] as const) {
      app.options(`${CODEC_PREFIX}${op}`, { schema: { hide: true } }, (request, reply) => {
        cors(request, reply);
        reply.header('access-control-allow-methods', 'POST');
        reply.header('access-control-allow-headers', 'content-type, authorization, x-namespace');
        reply.header('access-control-max-age', '600');
        return reply.code(204).send();
      });
      app.post<{ Body: { payloads: WirePayload[] } }>(
        `${CODEC_PREFIX}${op}`,
        {
          bodyLimit: 32 * 1024 * 1024,
          schema: {
            operationId: op === 'decode' ? 'decodePayloads' : 'encodePayloads',
            summary: op === 'decode' ? 'Decrypt Temporal payloads (codec server)' : 'Encrypt Temporal payloads (codec server)',
            description:
              'The Temporal codec server protocol, for the Web UI\'s codec endpoint setting and `temporal --codec-endpoint`: payloads with base64 metadata and data. ' +
              (op === 'decode'
                ? 'Payloads encrypted with a key in TEMPORAL_PAYLOAD_KEYS come back as the original JSON payloads; others come back unchanged. '
                : 'Payloads come back encrypted with the first key of TEMPORAL_PAYLOAD_KEYS. ') +
              'Any role. 404 `codec_disabled` when payload encryption is off.',
            tags: ['operations'],
            body: payloadsSchema,
            response: {
              200: { description: 'The payloads, in the same order', ...payloadsSchema },
              ...problemResponses([400, 401, 404, 422], { 404: 'Payload encryption is off (`codec_disabled`)', 422: 'A payload cannot be decrypted: its key is not configured, or it was altered (`payload_undecryptable`)' }),
            },
          },
        },
        async (request, reply) => {
          cors(request, reply);
          requireRole(request, ANY_ROLE);
          if (!codec) {
            throw new Problem(404, 'codec_disabled', 'Payload encryption is off', 'TEMPORAL_PAYLOAD_KEYS is not set, so payloads are stored in clear and there is nothing to decode: set the same keys on the worker and the API to encrypt them.');
          }
          const payloads = request.body.payloads.map(fromWire);
          try {
            const out = op === 'decode' ? await codec.decode(payloads) : await codec.encode(payloads);
            return { payloads: out.map(toWire) };
          } catch (err) {
            if (err instanceof PayloadDecryptError) throw new Problem(422, 'payload_undecryptable', 'Payload cannot be decrypted', err.message);
            throw err;
          }
        },
      );
    }
    done();
  };
}
