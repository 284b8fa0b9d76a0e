/** The PesaWay sandbox's admin endpoints (src/sandbox/routes/admin.ts): development and tests only. */
import { readOptionalString } from '../../common/env.js';
import { formatMinor, type MinorUnits } from '../../domain/money.js';
import { parseServiceUrl } from './api-options.js';
import type { CliContext } from './context.js';
import { EXIT } from './context.js';
import { CliError } from './errors.js';
import { displayUrl, readText, send, type Service } from './http.js';

export const DEFAULT_SANDBOX_URL = 'http://127.0.0.1:4010';
const TIMEOUT_MS = 15_000;

const SANDBOX_SERVICE: Service = {
  name: 'the PesaWay sandbox',
  unreachableHint: 'Is the sandbox running? `npm start` runs one on 127.0.0.1:4010 (or run `npx pesaway-sandbox`); point --sandbox-url (PESAWAY_BASE_URL) at it.',
};

/** The sandbox wallet as the admin endpoints show it, decimal strings in KES. */
export interface SandboxBalance {
  current: string;
  available: string;
  uncleared: string;
  reserved: string;
}

export function sandboxUrlFrom(flag: string | undefined, cli: CliContext): URL {
  if (flag !== undefined) return parseServiceUrl(flag, '--sandbox-url');
  const fromEnv = readOptionalString(cli.env, 'PESAWAY_BASE_URL');
  return fromEnv === undefined ? new URL(DEFAULT_SANDBOX_URL) : parseServiceUrl(fromEnv, 'PESAWAY_BASE_URL');
}

/** `POST /__sandbox/top-up {"amount": "500.00"}`: adds money to the sandbox wallet; answers the new balance. */
export async function topUpSandbox(base: URL, amountMinor: MinorUnits): Promise<SandboxBalance> {
  const url = new URL('__sandbox/top-up', base.href.endsWith('/') ? base : `${base.href}/`);
  const response = await send(SANDBOX_SERVICE, url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ amount: formatMinor(amountMinor) }) }, { timeoutMs: TIMEOUT_MS });
  const text = await readText(SANDBOX_SERVICE, url, response, TIMEOUT_MS);
  if (response.status === 404) {
    throw new CliError(EXIT.failure, 'not_a_sandbox', `${displayUrl(url)} has no sandbox top-up (HTTP 404).`, 'Is --sandbox-url (PESAWAY_BASE_URL) the PesaWay sandbox? A real PesaWay wallet is topped up through PesaWay itself.');
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const message = (body as { message?: unknown } | undefined)?.message;
    throw new CliError(EXIT.failure, 'sandbox_refused', `The sandbox refused the top-up (HTTP ${response.status}): ${typeof message === 'string' ? message : text.slice(0, 200)}`);
  }
  if (typeof (body as Partial<SandboxBalance> | undefined)?.current !== 'string') {
    throw new CliError(EXIT.failure, 'not_a_sandbox', `${displayUrl(url)} did not answer like the PesaWay sandbox.`, 'Is --sandbox-url (PESAWAY_BASE_URL) the PesaWay sandbox?');
  }
  return body as SandboxBalance;
}
