import { EXIT } from './context.js';
import { CliError } from './errors.js';

/** A service the CLI talks to, named in errors with what to do when it cannot be reached. */
export interface Service {
  /** "the API", "the PesaWay sandbox" */
  name: string;
  /** What to do when nothing answers, e.g. "Is the API running? Start it with `npm start`." */
  unreachableHint: string;
}

/** Nothing answered at the URL (connection refused, DNS, reset) or the answer did not come in time. */
export class ServiceUnreachableError extends CliError {
  constructor(
    service: Service,
    url: URL,
    /** ECONNREFUSED, ENOTFOUND, ECONNRESET, "no answer within 30 s", ... */
    readonly reason: string,
    hint: string,
  ) {
    super(EXIT.failure, 'service_unreachable', `Cannot reach ${service.name} at ${displayUrl(url)}: ${reason}.`, hint);
  }

  /** The connection was made and then cut (reset, broken pipe): the service is there but hung up. */
  get hungUp(): boolean {
    return /ECONNRESET|EPIPE|UND_ERR_SOCKET|other side closed/i.test(this.reason);
  }
}

/** The URL without credentials or query, fit for a message. */
export function displayUrl(url: URL): string {
  const shown = new URL(url);
  shown.username = '';
  shown.password = '';
  shown.search = '';
  return shown.href;
}

/** Our own deadline (AbortSignal.timeout), or undici's (UND_ERR_HEADERS_TIMEOUT, UND_ERR_CONNECT_TIMEOUT, ...). */
function isTimeout(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err.cause as { code?: unknown } | undefined)?.code;
  return err.name === 'TimeoutError' || (typeof code === 'string' && code.endsWith('_TIMEOUT'));
}

/** `fetch failed` hides the reason in `cause` (ECONNREFUSED, ENOTFOUND, ...). */
function reasonOf(err: unknown): string {
  const cause = err instanceof Error ? (err.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string' && cause.message !== '') return cause.message;
  return err instanceof Error ? err.message : String(err);
}

/** Turns a failed fetch (or body read) into an error naming the URL and saying what to do. */
export function unreachable(service: Service, url: URL, err: unknown, timeoutMs: number): ServiceUnreachableError {
  if (isTimeout(err)) {
    const within = err instanceof Error && err.name === 'TimeoutError' ? ` within ${Math.round(timeoutMs / 1000)} s` : ' in time';
    return new ServiceUnreachableError(service, url, `no answer${within}`, `${service.name[0]!.toUpperCase()}${service.name.slice(1)} may be overloaded or stuck; retry, and check its log.`);
  }
  return new ServiceUnreachableError(service, url, reasonOf(err), service.unreachableHint);
}

export interface SendOptions {
  timeoutMs: number;
  /** Aborts the request early (e.g. Ctrl-C while watching). */
  signal?: AbortSignal | undefined;
}

/** `fetch` with a timeout; network failures become a ServiceUnreachableError. */
export async function send(service: Service, url: URL, init: RequestInit, options: SendOptions): Promise<Response> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  try {
    return await fetch(url, { ...init, signal: options.signal ? AbortSignal.any([timeout, options.signal]) : timeout });
  } catch (err) {
    if (options.signal?.aborted) throw err;
    throw unreachable(service, url, err, options.timeoutMs);
  }
}

/** Reads a response body as text, with the same error mapping as `send`. */
export async function readText(service: Service, url: URL, response: Response, timeoutMs: number): Promise<string> {
  try {
    return await response.text();
  } catch (err) {
    throw unreachable(service, url, err, timeoutMs);
  }
}
