/**
 * Which errors mean "PostgreSQL cannot take this now" rather than "this request is wrong" or "we have a bug":
 * the server is unreachable (refused, reset, timed out, shutting down or starting up), or it is up but
 * refuses writes (a read-only transaction or hot standby after a failover, a full disk, no resources).
 * Pure: it only looks at the error's shape, so routes and the callback receiver answer 503 with what to do,
 * instead of a 500 that sends someone looking for a bug.
 */

/**
 * `unavailable`: nothing reached PostgreSQL, or the connection broke. `read_only`: the server (or this
 * session) refuses writes. `full`: disk full or another insufficient-resource error (SQLSTATE class 53).
 * `code` is what said so (a SQLSTATE, a Node error code, or `connection` for pg's own connection errors);
 * `reason` names the cause in a few words, for a person (no hosts, no connection strings).
 */
export interface StorageFault {
  kind: 'unavailable' | 'read_only' | 'full';
  code: string;
  reason: string;
}

/** SQLSTATEs of a server that is going away, not there yet, or whose connection broke. */
const UNAVAILABLE_SQLSTATES: Record<string, string> = {
  '57P01': 'the server is shutting down',
  '57P02': 'the server crashed',
  '57P03': 'the server is starting up or cannot take connections now',
  // Class 53 otherwise means "full", but no free connection slot is a server that cannot be reached.
  '53300': 'the server has no free connection',
};

/** Node's socket errors for a server that cannot be reached. */
const UNREACHABLE_NODE_CODES: Record<string, string> = {
  ECONNREFUSED: 'the connection was refused',
  ECONNRESET: 'the connection was reset',
  ECONNABORTED: 'the connection was aborted',
  EPIPE: 'the connection was closed',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  EHOSTDOWN: 'the host is down',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name cannot be resolved now',
};

/** pg's own errors for a connection that failed, broke or timed out (they carry no code). */
const CONNECTION_MESSAGES: ReadonlyArray<[RegExp, string]> = [
  [/^Connection terminated due to connection timeout/, 'connecting timed out'],
  [/^timeout exceeded when trying to connect/, 'connecting timed out'],
  [/^Connection terminated/, 'the connection was closed'],
  [/^Client has encountered a connection error and is not queryable/, 'the connection broke'],
];

const SQLSTATE = /^[0-9A-Z]{5}$/;

const READ_ONLY = '25006';
const DISK_FULL = '53100';
const RESOURCE_REASONS: Record<string, string> = {
  [DISK_FULL]: 'disk full',
  '53200': 'out of memory',
  '53400': 'a configured limit is exceeded',
};

/** The error itself, then what it wraps (`cause`, an AggregateError's `errors`), a few levels deep. */
function* chain(err: unknown, depth = 0): Generator<Record<string, unknown>> {
  if (depth > 4 || typeof err !== 'object' || err === null) return;
  const e = err as Record<string, unknown>;
  yield e;
  if (Array.isArray(e['errors'])) for (const inner of e['errors']) yield* chain(inner, depth + 1);
  if (e['cause'] !== undefined) yield* chain(e['cause'], depth + 1);
}

function classify(e: Record<string, unknown>): StorageFault | undefined {
  const code = typeof e['code'] === 'string' ? e['code'] : undefined;
  // Before SQLSTATEs: a Node code can look like one (EPIPE is five capitals too).
  if (code !== undefined && UNREACHABLE_NODE_CODES[code]) return { kind: 'unavailable', code, reason: UNREACHABLE_NODE_CODES[code] };
  if (code !== undefined && SQLSTATE.test(code)) {
    if (code === READ_ONLY) return { kind: 'read_only', code, reason: 'read-only' };
    const unavailable = UNAVAILABLE_SQLSTATES[code];
    if (unavailable) return { kind: 'unavailable', code, reason: unavailable };
    if (code.startsWith('08')) return { kind: 'unavailable', code, reason: 'the connection failed' };
    if (code.startsWith('53')) return { kind: 'full', code, reason: RESOURCE_REASONS[code] ?? 'insufficient resources' };
    return undefined;
  }
  const message = typeof e['message'] === 'string' ? e['message'] : '';
  for (const [pattern, reason] of CONNECTION_MESSAGES) if (pattern.test(message)) return { kind: 'unavailable', code: 'connection', reason };
  return undefined;
}

/**
 * The storage fault behind `err`, or undefined for any other error (a constraint, a syntax error, a bug:
 * those stay what they are). Looks through `cause` and AggregateError's `errors` (Node reports a refused
 * connection to every address of a host name as one AggregateError).
 */
export function storageFault(err: unknown): StorageFault | undefined {
  for (const e of chain(err)) {
    const fault = classify(e);
    if (fault) return fault;
  }
  return undefined;
}
