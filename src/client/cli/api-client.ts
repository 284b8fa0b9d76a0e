/**
 * A small typed client for the disbursement HTTP API (src/api/). Errors come back typed: ApiError for an
 * answer with problem details, ServiceUnreachableError when nothing answers. The API key goes in the
 * Authorization header only; it is never part of a message.
 */
import { ApiError } from './api-errors.js';
import { EXIT } from './context.js';
import { CliError } from './errors.js';
import { readText, send, type Service } from './http.js';

export const API_SERVICE: Service = {
  name: 'the API',
  unreachableHint: 'Is the API running? Start it with `npm start`, or point --api-url (DISBURSE_API_URL) at it.',
};

export const DEFAULT_TIMEOUT_MS = 30_000;

/** The path of a batch (or one of its sub-resources), its id escaped. */
export function batchPath(batchId: string, tail = ''): string {
  return `/v1/batches/${encodeURIComponent(batchId)}${tail}`;
}

export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

export interface ApiClientOptions {
  baseUrl: URL;
  apiKey: string | undefined;
  timeoutMs?: number;
}

export interface RequestOptions {
  query?: Query;
  headers?: Record<string, string>;
  body?: RequestInit['body'];
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface JsonAnswer<T> {
  status: number;
  body: T;
}

export class ApiClient {
  readonly baseUrl: URL;
  private readonly apiKey: string | undefined;
  private readonly timeoutMs: number;

  constructor(options: ApiClientOptions) {
    // A trailing slash keeps a path prefix (an API behind a proxy at /disburse/) when paths are joined.
    this.baseUrl = new URL(options.baseUrl.href.endsWith('/') ? options.baseUrl.href : `${options.baseUrl.href}/`);
    this.apiKey = options.apiKey;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** `path` like `/v1/batches/x`; undefined query values are left out. */
  url(path: string, query: Query = {}): URL {
    const url = new URL(path.replace(/^\/+/, ''), this.baseUrl);
    for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));
    return url;
  }

  async get<T>(path: string, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return (await this.json<T>('GET', path, options)).body;
  }

  async post<T>(path: string, options: RequestOptions = {}): Promise<JsonAnswer<T>> {
    return this.json<T>('POST', path, options);
  }

  /** A 2xx answer's body as a stream (CSV downloads); errors as for JSON calls. */
  async download(path: string, options: Omit<RequestOptions, 'body'> = {}): Promise<ReadableStream<Uint8Array>> {
    const { url, response } = await this.request('GET', path, options);
    if (!response.body) throw new CliError(EXIT.failure, 'empty_answer', `The API sent no body for ${url.pathname}.`);
    return response.body;
  }

  private async json<T>(method: string, path: string, options: RequestOptions): Promise<JsonAnswer<T>> {
    const { url, response, timeoutMs } = await this.request(method, path, { ...options, headers: { accept: 'application/json', ...options.headers } });
    const text = await readText(API_SERVICE, url, response, timeoutMs);
    try {
      return { status: response.status, body: JSON.parse(text) as T };
    } catch {
      throw new CliError(EXIT.failure, 'not_json', `${url.pathname} did not answer with JSON (HTTP ${response.status}).`, 'Is --api-url (DISBURSE_API_URL) the disbursement API?');
    }
  }

  private async request(method: string, path: string, options: RequestOptions): Promise<{ url: URL; response: Response; timeoutMs: number }> {
    const url = this.url(path, options.query);
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const headers: Record<string, string> = { ...options.headers };
    if (this.apiKey !== undefined) headers['authorization'] = `Bearer ${this.apiKey}`;
    const init: RequestInit & { duplex?: 'half' } = { method, headers };
    if (options.body !== undefined) {
      init.body = options.body;
      // A streamed body (a file being read) needs half duplex in Node's fetch.
      init.duplex = 'half';
    }
    const response = await send(API_SERVICE, url, init, { timeoutMs, signal: options.signal });
    if (!response.ok) throw ApiError.from(response, await readText(API_SERVICE, url, response, timeoutMs));
    return { url, response, timeoutMs };
  }
}
