/**
 * Raw-HTTP helpers for the sandbox tests: a token, JSON calls, a real callback receiver on a free port,
 * and polling. Deliberately not the PesaWay client: these tests pin the sandbox's wire behaviour itself.
 */
import { startSandbox, type SandboxHandle } from '../../src/sandbox/server.js';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { PATHS } from '../../src/pesaway/wire.js';

/** Typed stand-ins for vitest's asymmetric matchers, usable inside object literals. */
export const anyString: unknown = expect.any(String);
export const anyNumber: unknown = expect.any(Number);
export function matching(pattern: RegExp): unknown {
  return expect.stringMatching(pattern) as unknown;
}

export type WireBody = Record<string, unknown>;

export interface JsonResponse<T = WireBody> {
  status: number;
  /** The parsed JSON body (undefined when the body is not JSON). */
  body: T;
  text: string;
  headers: Headers;
}

/** What send-payment and error answers carry. */
export interface Answer {
  code?: string;
  message?: string;
  TransactionID?: string;
  OriginatorReference?: string;
  [key: string]: unknown;
}

export async function call<T = Answer>(baseUrl: string, method: string, path: string, options: { body?: unknown; token?: string; headers?: Record<string, string> } = {}): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await res.text();
  let body: T;
  try {
    body = JSON.parse(text) as T;
  } catch {
    body = undefined as T;
  }
  return { status: res.status, body, text, headers: res.headers };
}

export const CREDENTIALS = { consumer_key: 'sandbox-key', consumer_secret: 'sandbox-secret', grant_type: 'client_credentials' };

/** A token from the default `data.token` shape. */
export async function getToken(baseUrl: string): Promise<string> {
  const res = await call<{ data?: { token?: string } }>(baseUrl, 'POST', PATHS.token, { body: CREDENTIALS });
  const token = res.body?.data?.token;
  if (res.status !== 200 || typeof token !== 'string') throw new Error(`token request failed: ${res.status} ${res.text}`);
  return token;
}

export function mobileBody(reference: string, resultsUrl: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ExternalReference: reference, Amount: 1500, PhoneNumber: '254712345678', Channel: 'MPESA', Reason: 'Salary March', ResultsUrl: resultsUrl, ...overrides };
}

export function bankBody(reference: string, resultsUrl: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ExternalReference: reference, Amount: 85000, AccountNumber: '0123456789012', Channel: 'Bank', BankCode: '01', Currency: 'KES',
    Reason: 'Salary March', ResultsUrl: resultsUrl, ...overrides,
  };
}

export interface ReceivedCallback {
  raw: string;
  body: WireBody;
  headers: IncomingHttpHeaders;
  at: number;
}

export interface CallbackReceiver {
  url: string;
  received: ReceivedCallback[];
  /** Every request, including those answered with an error status. */
  attempts: number;
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedCallback[]>;
  /** The first callback for this reference (`OriginatorReference` or `Originator`). */
  waitForReference(reference: string, timeoutMs?: number): Promise<ReceivedCallback>;
  forReference(reference: string): ReceivedCallback[];
  close(): Promise<void>;
}

/**
 * A real HTTP server receiving callbacks. `respond(attempt)` picks the status of each request (1-based);
 * only 2xx-answered callbacks are recorded in `received`.
 */
export async function startCallbackReceiver(respond: (attempt: number) => number = () => 200): Promise<CallbackReceiver> {
  const received: ReceivedCallback[] = [];
  let attempts = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      attempts += 1;
      const status = respond(attempts);
      const raw = Buffer.concat(chunks).toString('utf8');
      if (status >= 200 && status < 300) received.push({ raw, body: JSON.parse(raw) as WireBody, headers: req.headers, at: Date.now() });
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'received' }));
    });
  });
  const forReference = (reference: string): ReceivedCallback[] =>
    received.filter((c) => (c.body['OriginatorReference'] ?? c.body['Originator']) === reference);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/pesaway/results`,
    received,
    get attempts() {
      return attempts;
    },
    async waitFor(count, timeoutMs = 10_000) {
      await waitUntil(() => received.length >= count, timeoutMs, `${count} callbacks (got ${received.length})`);
      return received;
    },
    forReference,
    async waitForReference(reference, timeoutMs = 10_000) {
      await waitUntil(() => forReference(reference).length > 0, timeoutMs, `the callback for ${reference}`);
      return forReference(reference)[0]!;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function waitUntil(predicate: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A results URL nobody listens on: for sends whose callback the test does not read. */
export const NOWHERE = 'http://127.0.0.1:9/results';

/** A sandbox for one test, with a token already issued; closed afterwards whatever happens. */
export async function withSandbox(options: Parameters<typeof startSandbox>[0], test: (sandbox: SandboxHandle, token: string) => Promise<void>): Promise<void> {
  const sandbox = await startSandbox(options);
  try {
    await test(sandbox, await getToken(sandbox.url));
  } finally {
    await sandbox.close();
  }
}
