import { pino } from 'pino';
import type { Logger } from '../common/log.js';
import { AmountFormatError, type MinorUnits, parseDecimal } from '../domain/money.js';
import { DEFAULT_TARIFF, type FeeBand } from '../domain/fees.js';
import { SandboxConfigError } from './errors.js';
import { DEFAULT_FAULTS, type FaultConfig, validateFaultPatch } from './faults.js';
import { parseRange, type Range } from './range.js';

/**
 * Where the PesaWay docs are ambiguous (pesaway-api.md §12), the sandbox can speak each variant so the
 * client is tested against all of them.
 */
export interface Dialect {
  /** `{code, data:{token, expires_in}}` | `{token, expires_in}` | `{access_token, token_type, expires_in}`. */
  tokenShape: 'data.token' | 'token' | 'access_token';
  /** Errors as HTTP 4xx with the code in the body, or HTTP 200 with the code in the body. */
  errors: 'http-status' | 'http-200';
  balanceEnvelope: 'flat' | 'data';
  /** `variant`: `ResultType` (a string) instead of `ResultCode`, `Originator` instead of `OriginatorReference`. */
  callbackStyle: 'standard' | 'variant';
  /**
   * How `ReceiverPartyPublicName` writes the receiver's number: `masked` (`2547*****678 - JANE DOE`, what
   * integrators observe) or `unmasked`, the full number in one of the ways people write it (`254.711.000.109`,
   * `+254 711 000 109`, `0711-000-109`, ...), also in failure descriptions, so tests prove none of it
   * reaches Temporal or logs.
   */
  receiverNumber: 'masked' | 'unmasked';
}

export interface CallbackRetry {
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
}

export interface SandboxOptions {
  host: string;
  /** 0 = a free port chosen by the kernel. */
  port: number;
  consumerKey: string;
  consumerSecret: string;
  balanceMinor: MinorUnits;
  tokenTtlSeconds: number;
  /** Time from acceptance to settlement. */
  settleDelayMs: Range;
  /** Shorthand for `faults.callbackDelayMs` (used when `faults.callbackDelayMs` is not given). */
  callbackDelayMs: Range;
  callbackRetry: CallbackRetry;
  /** Per-attempt timeout of the callback POST. */
  callbackTimeoutMs: number;
  seed: number;
  /** When set, callbacks carry `signature: Base64(HMAC-SHA256(key, body))`. */
  signingKey: string | undefined;
  tariff: readonly FeeBand[];
  dialect: Dialect;
  faults: FaultConfig;
  logger: Logger;
}

/** What callers pass: everything optional, nested objects partial too. */
export type SandboxOptionsInput = Partial<Omit<SandboxOptions, 'dialect' | 'faults' | 'callbackRetry'>> & {
  dialect?: Partial<Dialect>;
  faults?: Partial<FaultConfig>;
  callbackRetry?: Partial<CallbackRetry>;
};

export const DEFAULT_DIALECT: Dialect = { tokenShape: 'data.token', errors: 'http-status', balanceEnvelope: 'flat', callbackStyle: 'standard', receiverNumber: 'masked' };

export const DIALECT_CHOICES = {
  tokenShape: ['data.token', 'token', 'access_token'],
  errors: ['http-status', 'http-200'],
  balanceEnvelope: ['flat', 'data'],
  callbackStyle: ['standard', 'variant'],
  receiverNumber: ['masked', 'unmasked'],
} as const satisfies { [K in keyof Dialect]: readonly Dialect[K][] };

export const DEFAULTS = {
  host: '127.0.0.1',
  port: 0,
  consumerKey: 'sandbox-key',
  consumerSecret: 'sandbox-secret',
  balanceMinor: 1_000_000_00,
  tokenTtlSeconds: 3600,
  settleDelayMs: { min: 200, max: 2000 },
  callbackDelayMs: { min: 0, max: 0 },
  callbackRetry: { maxAttempts: 8, baseMs: 500, maxMs: 30_000 },
  callbackTimeoutMs: 5000,
  seed: 1,
} as const;

function integer(field: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new SandboxConfigError(field, `must be an integer from ${min} to ${max}, got ${value}`);
  return value;
}

function choice<K extends keyof Dialect>(key: K, value: Dialect[K]): Dialect[K] {
  const allowed: readonly string[] = DIALECT_CHOICES[key];
  if (!allowed.includes(value)) throw new SandboxConfigError(`dialect.${key}`, `must be one of ${allowed.join(', ')}, got "${value}"`);
  return value;
}

/** Fills defaults and validates everything; throws SandboxConfigError naming the bad setting. */
export function resolveOptions(input: SandboxOptionsInput = {}): SandboxOptions {
  const dialectIn = { ...DEFAULT_DIALECT, ...input.dialect };
  const dialect: Dialect = {
    tokenShape: choice('tokenShape', dialectIn.tokenShape),
    errors: choice('errors', dialectIn.errors),
    balanceEnvelope: choice('balanceEnvelope', dialectIn.balanceEnvelope),
    callbackStyle: choice('callbackStyle', dialectIn.callbackStyle),
    receiverNumber: choice('receiverNumber', dialectIn.receiverNumber),
  };
  const retryIn = { ...DEFAULTS.callbackRetry, ...input.callbackRetry };
  const callbackDelayMs = parseRange('callbackDelayMs', input.callbackDelayMs ?? DEFAULTS.callbackDelayMs);
  const faultsIn = { ...DEFAULT_FAULTS, callbackDelayMs, ...input.faults };
  const faults: FaultConfig = { ...DEFAULT_FAULTS, callbackDelayMs, ...validateFaultPatch(faultsIn) };
  const tariff = input.tariff ?? DEFAULT_TARIFF;
  if (tariff.length === 0) throw new SandboxConfigError('tariff', 'needs at least one fee band');
  const signingKey = input.signingKey === '' ? undefined : input.signingKey;
  return {
    host: input.host ?? DEFAULTS.host,
    port: integer('port', input.port ?? DEFAULTS.port, 0, 65535),
    consumerKey: input.consumerKey ?? DEFAULTS.consumerKey,
    consumerSecret: input.consumerSecret ?? DEFAULTS.consumerSecret,
    balanceMinor: integer('balanceMinor', input.balanceMinor ?? DEFAULTS.balanceMinor, 0),
    tokenTtlSeconds: integer('tokenTtlSeconds', input.tokenTtlSeconds ?? DEFAULTS.tokenTtlSeconds, 1),
    settleDelayMs: parseRange('settleDelayMs', input.settleDelayMs ?? DEFAULTS.settleDelayMs),
    callbackDelayMs: faults.callbackDelayMs,
    callbackRetry: {
      maxAttempts: integer('callbackRetry.maxAttempts', retryIn.maxAttempts, 1),
      baseMs: integer('callbackRetry.baseMs', retryIn.baseMs, 0),
      maxMs: integer('callbackRetry.maxMs', retryIn.maxMs, 0),
    },
    callbackTimeoutMs: integer('callbackTimeoutMs', input.callbackTimeoutMs ?? DEFAULTS.callbackTimeoutMs, 1),
    seed: integer('seed', input.seed ?? DEFAULTS.seed, 0, 0xffffffff),
    signingKey,
    tariff,
    dialect,
    faults,
    logger: input.logger ?? pino({ level: 'silent' }),
  };
}

// ---- CLI flag values: each parser throws SandboxConfigError naming the flag and the rule. ----

export function parseIntegerFlag(flag: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\d+$/.test(value.trim())) throw new SandboxConfigError(flag, `expected a whole number, got "${value}"`);
  return integer(flag, Number(value.trim()), min, max);
}

export function parseRateFlag(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new SandboxConfigError(flag, `expected a probability from 0 to 1, got "${value}"`);
  return n;
}

export function parseAmountFlag(flag: string, value: string): MinorUnits {
  try {
    return parseDecimal(value.trim());
  } catch (err) {
    if (err instanceof AmountFormatError) throw new SandboxConfigError(flag, `expected KES like 100000.00, got "${value}"`);
    throw err;
  }
}

export function parseRangeFlag(flag: string, value: string): Range {
  return parseRange(flag, value);
}

/** `0` or `off` switches the limit off. */
export function parseRateLimitFlag(flag: string, value: string): number | undefined {
  if (value.trim().toLowerCase() === 'off') return undefined;
  const n = parseIntegerFlag(flag, value, 0);
  return n === 0 ? undefined : n;
}

export function parseChoiceFlag<K extends keyof Dialect>(flag: string, key: K, value: string): Dialect[K] {
  const allowed: readonly string[] = DIALECT_CHOICES[key];
  if (!allowed.includes(value)) throw new SandboxConfigError(flag, `must be one of ${allowed.join(', ')}, got "${value}"`);
  return value as Dialect[K];
}
