import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError } from '../common/errors.js';
import { maskPhonesInText } from '../common/mask.js';
import { trackRouteMethods } from './method-not-allowed.js';

/**
 * An HTTP error as RFC 9457 problem details (`application/problem+json`): a stable `code`, a title, and a
 * `detail` that says what was wrong and what to do. Extra members (e.g. a validation report) ride along.
 */
export class Problem extends AppError {
  constructor(
    readonly status: number,
    code: string,
    readonly title: string,
    detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(code, detail);
  }
}

export const problems = {
  unauthorized: () => new Problem(401, 'unauthorized', 'Unauthorized', 'Send an API key as `Authorization: Bearer <key>`, or sign in with POST /v1/session and send its cookie.'),
  forbidden: (user: string, role: string, needed: string[]) =>
    new Problem(403, 'forbidden', 'Forbidden', `${user} has the ${role} role; this needs ${needed.join(' or ')}.`),
  notFound: (what: string) => new Problem(404, 'not_found', 'Not found', `${what} does not exist.`),
};

interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance: string;
  [key: string]: unknown;
}

/**
 * Every error leaves as problem+json; internal ones without their internals (the log has them). A known path
 * asked with another method is a 405 with `Allow`. Install before the routes.
 */
export function installProblemHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | Problem, request, reply) => {
    let body: ProblemBody;
    if (err instanceof Problem) {
      body = { type: `about:blank#${err.code}`, title: err.title, status: err.status, detail: err.message, code: err.code, instance: request.url, ...err.extra };
    } else if ('validation' in err && err.validation) {
      body = { type: 'about:blank#invalid_request', title: 'Invalid request', status: 400, detail: err.message, code: 'invalid_request', instance: request.url };
    } else if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
      const code = err.code?.toLowerCase() ?? 'bad_request';
      body = { type: `about:blank#${code}`, title: STATUS_CODES[err.statusCode] ?? 'Bad request', status: err.statusCode, detail: maskPhonesInText(err.message), code, instance: request.url };
    } else {
      request.log.error({ err }, 'request failed');
      body = { type: 'about:blank#internal', title: 'Internal error', status: 500, detail: 'Something went wrong on our side; the log has the details. Retry, or tell the operators.', code: 'internal', instance: request.url };
    }
    // An upload refused part-way leaves unread bytes on the connection: close it rather than reuse it.
    if (body.status === 413) void reply.header('connection', 'close');
    return reply.code(body.status).type('application/problem+json').send(body);
  });
  const methodsOf = trackRouteMethods(app);
  // Before body parsing: a body-bearing method (e.g. QUERY) on a path that does not take it must not be
  // refused for its missing Content-Type first.
  app.addHook('onRequest', (request, reply, done) => {
    if (!request.is404) return done();
    const path = request.url.split('?')[0]!;
    const allowed = methodsOf(path);
    if (allowed.length === 0 || allowed.includes(request.method)) return done();
    void reply.code(405).header('allow', allowed.join(', ')).type('application/problem+json').send({
      type: 'about:blank#method_not_allowed', title: 'Method not allowed', status: 405, code: 'method_not_allowed', instance: path,
      detail: `${path} answers ${allowed.join(', ')}, not ${request.method}; see /openapi.json for the API.`,
    });
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    return reply.code(404).type('application/problem+json').send({
      type: 'about:blank#not_found', title: 'Not found', status: 404, code: 'not_found', instance: request.url,
      detail: `No route ${request.method} ${path}; see /openapi.json for the API.`,
    });
  });
}
