/** The options every API command shares, and the client they configure. */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { readOptionalString } from '../../common/env.js';
import { PAYROLL_LABEL_PATTERN } from '../../payroll/payroll-label.js';
import { ApiClient } from './api-client.js';
import { UsageError, type CliContext } from './context.js';

export const DEFAULT_API_URL = 'http://127.0.0.1:3000';
export const CONNECTION_GROUP = 'Connection:';

export interface ApiFlags {
  apiUrl?: string;
  apiKey?: string;
}

/** Adds `--api-url` and `--api-key` (read from DISBURSE_API_URL / DISBURSE_API_KEY when absent). */
export function withApiOptions(command: Command): Command {
  return command
    .addOption(new Option('--api-url <url>', `the disbursement API (default: $DISBURSE_API_URL or ${DEFAULT_API_URL})`).helpGroup(CONNECTION_GROUP))
    .addOption(new Option('--api-key <key>', 'your API key (default: $DISBURSE_API_KEY, which keeps it out of shell history)').helpGroup(CONNECTION_GROUP));
}

/** An http(s) URL from a flag or variable, or a usage error naming where it came from. */
export function parseServiceUrl(raw: string, source: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`${source}: "${raw}" is not a URL`, 'Give the full address, e.g. http://127.0.0.1:3000');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${source}: "${raw}" is not an http(s) URL`, 'Give the full address, e.g. http://127.0.0.1:3000');
  return url;
}

export function apiUrlFrom(flags: ApiFlags, cli: CliContext): URL {
  if (flags.apiUrl !== undefined) return parseServiceUrl(flags.apiUrl, '--api-url');
  const fromEnv = readOptionalString(cli.env, 'DISBURSE_API_URL');
  return fromEnv === undefined ? new URL(DEFAULT_API_URL) : parseServiceUrl(fromEnv, 'DISBURSE_API_URL');
}

function apiKeyFrom(flags: ApiFlags, cli: CliContext): string {
  const key = flags.apiKey?.trim() || readOptionalString(cli.env, 'DISBURSE_API_KEY');
  if (key === undefined || key === '') {
    throw new UsageError(
      'No API key: set DISBURSE_API_KEY (or pass --api-key <key>).',
      'Ask an operator for a key with the role you need (the API reads them from API_KEYS); with `npm start` the demo keys are in .data/dev-secrets.json.',
    );
  }
  return key;
}

/** The client for the flags and environment; every API command needs a key. */
export function apiClient(flags: ApiFlags, cli: CliContext): ApiClient {
  const baseUrl = apiUrlFrom(flags, cli);
  return new ApiClient({ baseUrl, apiKey: apiKeyFrom(flags, cli) });
}

/** Batch ids as the API accepts them; checked here so a typo is a usage error, not a server round trip. */
const BATCH_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function parseBatchId(raw: string): string {
  if (!BATCH_ID.test(raw)) throw new InvalidArgumentError('a batch id is 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit.');
  return raw;
}

export function parsePayrollLabel(raw: string): string {
  if (!PAYROLL_LABEL_PATTERN.test(raw)) throw new InvalidArgumentError('a payroll label is 1-64 letters, digits, spaces, ".", "_" or "-", starting with a letter or digit (e.g. acme-monthly).');
  return raw;
}

/** A whole number within bounds, for commander options. */
export function intParser(min: number, max: number): (raw: string) => number {
  return (raw) => {
    const value = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}.`);
    return value;
  };
}
