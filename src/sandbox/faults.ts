import { SandboxConfigError } from './errors.js';
import { parseRange, type Range } from './range.js';
import { SlidingWindowLimiter } from './rate-limit.js';
import { streamFor, type Rng } from './rng.js';

/** Faults the sandbox injects, settable at start and at run time. Rates are probabilities in [0, 1]. */
export interface FaultConfig {
  /** Added before every API response. */
  latencyMs: Range;
  /** Answer 500/502/503 without processing the request. */
  serverErrorRate: number;
  /** Sends only: accept the payment, then destroy the socket instead of answering. */
  lostResponseRate: number;
  /** Sends only: hold the answer to an accepted send this long, so its callback can arrive first. */
  acceptedReplyDelayMs: number;
  /** API requests admitted per sliding second; beyond it `429.001`. `undefined` = no limit. */
  rateLimitPerSecond: number | undefined;
  callbackDropRate: number;
  /** Deliver the same callback a second time, 50–500 ms after the first. */
  callbackDuplicateRate: number;
  /** Hold a callback back by `reorderDelayMs` so that later events overtake it. */
  callbackReorderRate: number;
  reorderDelayMs: number;
  /** Extra wait between settlement and the callback POST. */
  callbackDelayMs: Range;
}

export const DEFAULT_FAULTS: FaultConfig = {
  latencyMs: { min: 0, max: 0 },
  serverErrorRate: 0,
  lostResponseRate: 0,
  acceptedReplyDelayMs: 0,
  rateLimitPerSecond: undefined,
  callbackDropRate: 0,
  callbackDuplicateRate: 0,
  callbackReorderRate: 0,
  reorderDelayMs: 3000,
  callbackDelayMs: { min: 0, max: 0 },
};

/** How often each fault was actually injected, plus callback delivery counts. */
export interface FaultCounters {
  serverErrors: number;
  lostResponses: number;
  rateLimited: number;
  callbacksDropped: number;
  callbacksDuplicated: number;
  callbacksReordered: number;
  callbackRetries: number;
  callbacksDelivered: number;
  /** Callbacks given up after `callbackRetry.maxAttempts` failed attempts. */
  callbacksAbandoned: number;
  /** PesaWay requests reset (`refuse`) or held unanswered (`timeout`) during an outage (see outage.ts). */
  outageRefused: number;
  outageHeld: number;
  /** Callback deliveries that came due during an outage and waited for its end. */
  outageCallbacksHeld: number;
}

export type FaultPatch = Partial<FaultConfig>;

const RATE_KEYS = ['serverErrorRate', 'lostResponseRate', 'callbackDropRate', 'callbackDuplicateRate', 'callbackReorderRate'] as const;
const RANGE_KEYS = ['latencyMs', 'callbackDelayMs'] as const;
const DELAY_KEYS = ['reorderDelayMs', 'acceptedReplyDelayMs'] as const;
const KNOWN_KEYS = new Set<string>([...RATE_KEYS, ...RANGE_KEYS, ...DELAY_KEYS, 'rateLimitPerSecond']);

function rate(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new SandboxConfigError(field, `must be a number from 0 to 1, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Checks a partial fault update (from code or from `PUT /__sandbox/faults`). Unknown keys are refused so a
 * typo never silently does nothing. `rateLimitPerSecond: null` (or explicitly undefined) switches it off.
 */
export function validateFaultPatch(input: unknown): FaultPatch {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new SandboxConfigError('faults', 'must be a JSON object');
  const source = input as Record<string, unknown>;
  const patch: FaultPatch = {};
  for (const key of Object.keys(source)) {
    if (!KNOWN_KEYS.has(key)) throw new SandboxConfigError(`faults.${key}`, `unknown fault; known: ${[...KNOWN_KEYS].join(', ')}`);
  }
  for (const key of RATE_KEYS) if (key in source) patch[key] = rate(`faults.${key}`, source[key]);
  for (const key of RANGE_KEYS) if (key in source) patch[key] = parseRange(`faults.${key}`, source[key]);
  if ('rateLimitPerSecond' in source) {
    const limit = source['rateLimitPerSecond'];
    if (limit === null || limit === undefined) patch.rateLimitPerSecond = undefined;
    else if (typeof limit === 'number' && Number.isSafeInteger(limit) && limit > 0) patch.rateLimitPerSecond = limit;
    else throw new SandboxConfigError('faults.rateLimitPerSecond', 'must be a positive integer, or null for no limit');
  }
  for (const key of DELAY_KEYS) {
    if (!(key in source)) continue;
    const delay = source[key];
    if (typeof delay !== 'number' || !Number.isSafeInteger(delay) || delay < 0) throw new SandboxConfigError(`faults.${key}`, 'must be a non-negative integer (milliseconds)');
    patch[key] = delay;
  }
  return patch;
}

export type ServerErrorStatus = 500 | 502 | 503;

/** What happens to one callback: decided once, when the payment settles. */
export interface CallbackPlan {
  drop: boolean;
  delayMs: number;
  /** Delay of the second, duplicate delivery; undefined when not duplicated. */
  duplicateDelayMs: number | undefined;
  reordered: boolean;
}

/**
 * The fault configuration and its seeded decisions. Each fault kind draws from its own stream, and draws on
 * every opportunity whatever the rate, so that a given seed and request sequence gives the same decisions.
 */
export class FaultController {
  private config: FaultConfig;
  private limiter: SlidingWindowLimiter | undefined;
  private readonly tally: FaultCounters = {
    serverErrors: 0, lostResponses: 0, rateLimited: 0, callbacksDropped: 0, callbacksDuplicated: 0,
    callbacksReordered: 0, callbackRetries: 0, callbacksDelivered: 0, callbacksAbandoned: 0,
    outageRefused: 0, outageHeld: 0, outageCallbacksHeld: 0,
  };
  private readonly streams: Record<'latency' | 'serverError' | 'lost' | 'callback', Rng>;

  constructor(initial: FaultConfig, seed: number) {
    this.config = { ...initial };
    this.limiter = initial.rateLimitPerSecond === undefined ? undefined : new SlidingWindowLimiter(initial.rateLimitPerSecond);
    this.streams = {
      latency: streamFor(seed, 'faults/latency'),
      serverError: streamFor(seed, 'faults/server-error'),
      lost: streamFor(seed, 'faults/lost-response'),
      callback: streamFor(seed, 'faults/callback'),
    };
  }

  get(): FaultConfig {
    return { ...this.config, latencyMs: { ...this.config.latencyMs }, callbackDelayMs: { ...this.config.callbackDelayMs } };
  }

  /** Applies a partial update (validated; nothing changes if any field is invalid) and returns the result. */
  set(patch: unknown): FaultConfig {
    const valid = validateFaultPatch(patch);
    const next: FaultConfig = { ...this.config, ...valid };
    if ('rateLimitPerSecond' in valid && next.rateLimitPerSecond !== this.config.rateLimitPerSecond) {
      this.limiter = next.rateLimitPerSecond === undefined ? undefined : new SlidingWindowLimiter(next.rateLimitPerSecond);
    }
    this.config = next;
    return this.get();
  }

  counters(): FaultCounters {
    return { ...this.tally };
  }

  count(counter: keyof FaultCounters): void {
    this.tally[counter] += 1;
  }

  /** False when the request is over the rate limit (counted as rate limited). */
  admit(nowMs: number): boolean {
    if (!this.limiter || this.limiter.admit(nowMs)) return true;
    this.count('rateLimited');
    return false;
  }

  latencyMs(): number {
    const { min, max } = this.config.latencyMs;
    return this.streams.latency.between(min, max);
  }

  /** The 5xx status to answer with instead of processing, or undefined (counted when injected). */
  serverError(): ServerErrorStatus | undefined {
    const rng = this.streams.serverError;
    const hit = rng.chance(this.config.serverErrorRate);
    const status = rng.pick([500, 502, 503] as const);
    if (!hit) return undefined;
    this.count('serverErrors');
    return status;
  }

  /** Whether to lose the response of an accepted send. The caller counts it once the socket is gone. */
  loseResponse(): boolean {
    return this.streams.lost.chance(this.config.lostResponseRate);
  }

  callbackPlan(): CallbackPlan {
    const rng = this.streams.callback;
    const c = this.config;
    const drop = rng.chance(c.callbackDropRate);
    const duplicate = rng.chance(c.callbackDuplicateRate);
    const reordered = rng.chance(c.callbackReorderRate);
    const delay = rng.between(c.callbackDelayMs.min, c.callbackDelayMs.max);
    const gap = rng.between(50, 500);
    if (drop) {
      this.count('callbacksDropped');
      return { drop, delayMs: 0, duplicateDelayMs: undefined, reordered: false };
    }
    if (duplicate) this.count('callbacksDuplicated');
    if (reordered) this.count('callbacksReordered');
    const delayMs = delay + (reordered ? c.reorderDelayMs : 0);
    return { drop, delayMs, duplicateDelayMs: duplicate ? delayMs + gap : undefined, reordered };
  }
}
