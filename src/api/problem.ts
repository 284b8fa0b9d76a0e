import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../common/errors.js';
import { maskPhonesInText } from '../common/mask.js';
import { type StorageFault, storageFault } from '../db/storage-errors.js';
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
    /** Response headers that belong to the answer (e.g. `retry-after`). */
    readonly headers: Record<string, string> = {},
  ) {
    super(code, detail);
  }
}

/** Seconds a client waits before retrying, by fault: a restart or failover takes seconds; a full disk needs a person. */
const STORAGE_RETRY_AFTER: Record<StorageFault['kind'], number> = { unavailable: 10, read_only: 10, full: 60 };

const STORAGE_PROBLEM: Record<StorageFault['kind'], { code: string; title: string; happened: (f: StorageFault) => string; when: string; operators: string }> = {
  unavailable: { code: 'storage_unavailable', title: 'Database unavailable', happened: () => 'PostgreSQL is not reachable', when: 'in a few seconds', operators: 'check the database (GET /readyz)' },
  read_only: {
    code: 'storage_read_only',
    title: 'Database refuses writes',
    happened: () => 'PostgreSQL refuses writes (read-only)',
    when: 'once the database accepts writes',
    operators: 'point DATABASE_URL at the primary, or turn default_transaction_read_only off',
  },
  full: { code: 'storage_full', title: 'Database refuses writes', happened: (f) => `PostgreSQL refuses writes (${f.reason})`, when: 'once the database has room again', operators: 'free disk space (or memory) on the database server' },
};

/**
 * PostgreSQL cannot take the request now (unreachable, or refusing writes): 503 with `Retry-After`, saying
 * what happened and what to do. `subject` is what was not stored: for an upload it says how to retry so that
 * the retry becomes the same batch. Nothing in it comes from the error's text (no hosts, no connection
 * strings); `cause` is the error, for the log.
 */
export function storageProblem(fault: StorageFault, subject: 'request' | 'upload' = 'request', cause?: unknown): Problem {
  const p = STORAGE_PROBLEM[fault.kind];
  const retry = subject === 'upload' ? `Retry the same file with the same batch id (or Idempotency-Key) ${p.when}: it becomes the same batch.` : `Retry ${p.when}.`;
  const detail = `${p.happened(fault)}; nothing of this ${subject} was stored. ${retry} Operators: ${p.operators}.`;
  const problem = new Problem(503, p.code, p.title, detail, {}, { 'retry-after': String(STORAGE_RETRY_AFTER[fault.kind]) });
  if (cause !== undefined) problem.cause = cause;
  return problem;
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

const problemBody = (p: Problem, instance: string): ProblemBody => ({ type: `about:blank#${p.code}`, title: p.title, status: p.status, detail: p.message, code: p.code, instance, ...p.extra });

/** A storage fault is a production fault, not a bug: a warning without a stack, saying which. */
function warnStorageFault(request: FastifyRequest, fault: StorageFault, err: unknown): void {
  request.log.warn({ storage: fault.kind, code: fault.code, reason: fault.reason, error: err instanceof Error ? err.message : undefined }, 'request refused: PostgreSQL cannot take it now');
}

/**
 * Every error leaves as problem+json; internal ones without their internals (the log has them). PostgreSQL
 * unreachable or refusing writes is not internal: a 503 with Retry-After (`storage_unavailable`,
 * `storage_read_only`, `storage_full`), logged as a warning. A known path asked with another method is a
 * 405 with `Allow`. Install before the routes.
 */
export function installProblemHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | Problem, request, reply) => {
    let body: ProblemBody;
    let fault: StorageFault | undefined;
    if (err instanceof Problem) {
      // A route that said itself what a storage fault means for it (e.g. the upload) still gets its warning.
      if (err.status === 503 && (fault = storageFault(err.cause))) warnStorageFault(request, fault, err.cause);
      body = problemBody(err, request.url);
      void reply.headers(err.headers);
    } else if ((fault = storageFault(err))) {
      warnStorageFault(request, fault, err);
      const problem = storageProblem(fault, 'request', err);
      body = problemBody(problem, request.url);
      void reply.headers(problem.headers);
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
