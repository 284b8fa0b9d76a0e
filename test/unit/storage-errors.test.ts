import { createServer } from 'node:net';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { storageProblem } from '../../src/api/problem.js';
import { AppError } from '../../src/common/errors.js';
import { storageFault } from '../../src/db/storage-errors.js';

/** An error as pg builds it from the server's ErrorResponse: a DatabaseError with the SQLSTATE in `code`. */
function databaseError(code: string, message: string, severity = 'ERROR'): pg.DatabaseError {
  const err = new pg.DatabaseError(message, message.length, 'error');
  return Object.assign(err, { code, severity });
}

/** A socket error as Node raises it (`code`, `errno`, `syscall`, and the address in the message). */
const socketError = (code: string, syscall = 'read'): NodeJS.ErrnoException =>
  Object.assign(new Error(`${syscall} ${code} 10.0.0.7:5432`), { code, errno: -1, syscall, address: '10.0.0.7', port: 5432 });

/** A loopback port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('storageFault: which errors mean PostgreSQL cannot take the request now', () => {
  it.each([
    ['25006', 'cannot execute INSERT in a read-only transaction', 'read_only', 'read-only'],
    ['53100', 'could not extend file "base/16384/16385": No space left on device', 'full', 'disk full'],
    ['53200', 'out of memory', 'full', 'out of memory'],
    ['53400', 'configuration limit exceeded', 'full', 'a configured limit is exceeded'],
    ['53000', 'insufficient resources', 'full', 'insufficient resources'],
    ['53300', 'sorry, too many clients already', 'unavailable', 'the server has no free connection'],
    ['57P01', 'terminating connection due to administrator command', 'unavailable', 'the server is shutting down'],
    ['57P02', 'terminating connection because of crash of another server process', 'unavailable', 'the server crashed'],
    ['57P03', 'the database system is starting up', 'unavailable', 'the server is starting up or cannot take connections now'],
    ['08006', 'connection failure', 'unavailable', 'the connection failed'],
    ['08001', 'could not connect to server', 'unavailable', 'the connection failed'],
    ['08P01', 'protocol violation', 'unavailable', 'the connection failed'],
  ] as const)('SQLSTATE %s (%s) is %s', (code, message, kind, reason) => {
    expect(storageFault(databaseError(code, message, code.startsWith('57') ? 'FATAL' : 'ERROR'))).toEqual({ kind, code, reason });
  });

  it.each([
    ['23505', 'duplicate key value violates unique constraint "payouts_pkey"'],
    ['23514', 'new row for relation "batches" violates check constraint'],
    ['42P01', 'relation "batches" does not exist'],
    ['40001', 'could not serialize access due to concurrent update'],
    ['57014', 'canceling statement due to statement timeout'],
    ['28P01', 'password authentication failed for user "postgres"'],
  ])('SQLSTATE %s (%s) is not a storage fault: it stays what it is', (code, message) => {
    expect(storageFault(databaseError(code, message))).toBeUndefined();
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN'])('a socket error %s is unavailable', (code) => {
    expect(storageFault(socketError(code))).toMatchObject({ kind: 'unavailable', code });
  });

  it('a real refused connection (pg.Client to a closed port) is unavailable', async () => {
    const client = new pg.Client({ host: '127.0.0.1', port: await closedPort(), user: 'u', password: 'p', database: 'd', connectionTimeoutMillis: 2000 });
    const err = await client.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(storageFault(err)).toEqual({ kind: 'unavailable', code: 'ECONNREFUSED', reason: 'the connection was refused' });
  });

  it("a refusal by every address of a host name (Node's AggregateError) is unavailable", () => {
    const err = new AggregateError([socketError('ECONNREFUSED', 'connect'), socketError('ECONNREFUSED', 'connect')], '');
    expect(storageFault(err)).toMatchObject({ kind: 'unavailable', code: 'ECONNREFUSED' });
  });

  it.each([
    ['Connection terminated unexpectedly', 'the connection was closed'],
    ['Connection terminated', 'the connection was closed'],
    ['Connection terminated due to connection timeout', 'connecting timed out'],
    ['timeout exceeded when trying to connect', 'connecting timed out'],
    ['Client has encountered a connection error and is not queryable', 'the connection broke'],
  ])("pg's own connection error %j is unavailable", (message, reason) => {
    expect(storageFault(new Error(message))).toEqual({ kind: 'unavailable', code: 'connection', reason });
  });

  it('looks through causes: the pool wraps a connection timeout, our errors wrap what they met', () => {
    const timeout = new Error('Connection terminated due to connection timeout', { cause: new Error('Connection terminated unexpectedly') });
    expect(storageFault(timeout)?.kind).toBe('unavailable');
    expect(storageFault(new AppError('ingest_failed', 'ingestion failed', { cause: databaseError('25006', 'cannot execute INSERT in a read-only transaction') }))?.kind).toBe('read_only');
  });

  it('anything else is not a storage fault', () => {
    const others: unknown[] = [new Error('boom'), new TypeError("Cannot read properties of undefined (reading 'id')"), new AppError('config_invalid', 'DATABASE_URL: missing'), 'a string', null, undefined, 42, { code: 25006 }];
    others.forEach((err, i) => expect(storageFault(err), `#${i}`).toBeUndefined());
  });
});

describe('storageProblem: the 503 a client gets', () => {
  const secret = 'postgres://disburse:s3cret@db.internal:5432/disburse';

  it.each([
    [{ kind: 'unavailable', code: 'ECONNREFUSED', reason: 'the connection was refused' }, 'storage_unavailable', 'PostgreSQL is not reachable; nothing of this request was stored. Retry in a few seconds. Operators: check the database (GET /readyz).'],
    [
      { kind: 'read_only', code: '25006', reason: 'read-only' },
      'storage_read_only',
      'PostgreSQL refuses writes (read-only); nothing of this request was stored. Retry once the database accepts writes. Operators: point DATABASE_URL at the primary, or turn default_transaction_read_only off.',
    ],
    [
      { kind: 'full', code: '53100', reason: 'disk full' },
      'storage_full',
      'PostgreSQL refuses writes (disk full); nothing of this request was stored. Retry once the database has room again. Operators: free disk space (or memory) on the database server.',
    ],
  ] as const)('%o answers 503 %s with Retry-After and what to do', (fault, code, detail) => {
    const problem = storageProblem(fault, 'request', new Error(`connect ECONNREFUSED ${secret}`));
    expect(problem).toMatchObject({ status: 503, code, message: detail });
    expect(Number(problem.headers['retry-after'])).toBeGreaterThan(0);
    expect(problem.message).not.toMatch(/s3cret|db\.internal|5432|postgres:\/\//);
  });

  it('tells an uploader how to retry so that the retry becomes the same batch', () => {
    expect(storageProblem({ kind: 'read_only', code: '25006', reason: 'read-only' }, 'upload').message).toBe(
      'PostgreSQL refuses writes (read-only); nothing of this upload was stored. Retry the same file with the same batch id (or Idempotency-Key) once the database accepts writes: it becomes the same batch. ' +
        'Operators: point DATABASE_URL at the primary, or turn default_transaction_read_only off.',
    );
  });
});
