import type { FastifyReply, FastifyRequest } from 'fastify';
import { CODES, type PesaWayCode } from '../pesaway/wire.js';
import type { Dialect } from './options.js';
import type { ServerErrorStatus } from './faults.js';

type ErrorCode = Exclude<PesaWayCode, typeof CODES.success>;

/**
 * HTTP status for each PesaWay error code in the `http-status` dialect. There is no HTTP 455, so
 * `455.001` (insufficient balance) travels as 402 Payment Required, the nearest standard status.
 */
const HTTP_STATUS: Record<ErrorCode, number> = {
  [CODES.invalidParameter]: 400,
  [CODES.unauthorized]: 401,
  [CODES.referenceUsed]: 403,
  [CODES.notFound]: 404,
  [CODES.insufficientBalance]: 402,
  [CODES.rateLimited]: 429,
};

export function replyError(dialect: Dialect, request: FastifyRequest, reply: FastifyReply, code: ErrorCode, message: string): FastifyReply {
  request.sandboxOutcome = code;
  if (code === CODES.rateLimited) void reply.header('retry-after', '1');
  return reply.code(dialect.errors === 'http-200' ? 200 : HTTP_STATUS[code]).send({ code, message });
}

export function replyOk(request: FastifyRequest, reply: FastifyReply, body: unknown): FastifyReply {
  request.sandboxOutcome = CODES.success;
  return reply.code(200).send(body);
}

/**
 * An injected infrastructure failure, as a gateway in front of PesaWay would produce it: 502 with an
 * HTML page, 503 with plain text, 500 with a JSON body carrying the internal-error code integrators met.
 */
export function replyServerError(request: FastifyRequest, reply: FastifyReply, status: ServerErrorStatus): FastifyReply {
  request.sandboxOutcome = '5xx';
  if (status === 502) {
    return reply.code(502).type('text/html').send('<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>');
  }
  if (status === 503) return reply.code(503).type('text/plain').send('Service Temporarily Unavailable');
  return reply.code(500).send({ code: '999.999.999', message: 'Internal server error' });
}
