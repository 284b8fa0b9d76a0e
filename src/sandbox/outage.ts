import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../common/log.js';
import { SandboxConfigError } from './errors.js';
import type { FaultController } from './faults.js';
import type { TimerSet } from './timers.js';

/**
 * `refuse`: every PesaWay connection is reset at once; `timeout`: requests are held unanswered until the
 * outage ends; `none`: PesaWay is up. Either outage also holds result callbacks back.
 */
export const OUTAGE_MODES = ['none', 'refuse', 'timeout'] as const;
export type OutageMode = (typeof OUTAGE_MODES)[number];
export type DownMode = Exclude<OutageMode, 'none'>;

/** One stretch of a single mode; `endedAt` is null (and `ms` the time so far) while it lasts. */
export interface OutagePeriod {
  mode: DownMode;
  startedAt: string;
  endedAt: string | null;
  ms: number;
}

/** What `GET /__sandbox/outage` answers: enough for a chaos run to report how long PesaWay was down. */
export interface OutageView {
  mode: OutageMode;
  /** When the current mode began; null when PesaWay is up. */
  since: string | null;
  periods: OutagePeriod[];
  /** Sum of every period's `ms`, the current one included. */
  downMs: number;
  /** Requests reset (`refuse`) and held (`timeout`) since the start, as in the fault counters. */
  refused: number;
  held: number;
  /** Requests held open right now. */
  holding: number;
  /** Callback deliveries waiting for the outage to end. */
  callbacksQueued: number;
}

/** `{"mode": "refuse" | "timeout" | "none"}`, as `PUT /__sandbox/outage` takes it. */
export function parseOutageRequest(input: unknown): OutageMode {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new SandboxConfigError('outage', 'must be a JSON object like {"mode": "refuse"}');
  const source = input as Record<string, unknown>;
  for (const key of Object.keys(source)) {
    if (key !== 'mode') throw new SandboxConfigError(`outage.${key}`, 'unknown field; the only field is mode');
  }
  return parseOutageMode(source['mode']);
}

export function parseOutageMode(mode: unknown): OutageMode {
  const known: readonly unknown[] = OUTAGE_MODES;
  if (!known.includes(mode)) throw new SandboxConfigError('outage.mode', `must be one of ${OUTAGE_MODES.join(', ')}, got ${JSON.stringify(mode)}`);
  return mode as OutageMode;
}

/** Admin paths stay reachable during an outage: they are the switch that ends it. */
export function isAdminPath(url: string, adminPrefix: string): boolean {
  const path = url.split('?')[0] ?? '';
  return path === adminPrefix || path.startsWith(`${adminPrefix}/`);
}

/**
 * A backlog released all at once would open thousands of sockets against the receiver in the same instant;
 * a provider drains its queue at a rate instead. 200 every 100 ms is 2,000 callbacks a second.
 */
const RELEASE_BATCH = 200;
const RELEASE_GAP_MS = 100;

export interface OutageDeps {
  faults: FaultController;
  timers: TimerSet;
  logger: Logger;
  now?: () => number;
}

interface Stretch {
  mode: DownMode;
  startedMs: number;
  endedMs: number | undefined;
}

/**
 * PesaWay unreachable at run time, while the admin API stays up. Holds the mode and its history, swallows
 * PesaWay requests (see `intercept`) and queues callback deliveries (see `defer`) until it ends.
 */
export class Outage {
  private readonly stretches: Stretch[] = [];
  private readonly heldSockets = new Set<Socket>();
  private readonly queued: Array<() => void> = [];
  private releaseScheduled = false;
  private readonly now: () => number;

  constructor(private readonly deps: OutageDeps) {
    this.now = deps.now ?? Date.now;
  }

  get mode(): OutageMode {
    return this.current()?.mode ?? 'none';
  }

  /** Switches mode; the same mode again changes nothing. Ending an outage cuts held requests and releases callbacks. */
  set(mode: OutageMode): OutageView {
    if (mode === this.mode) return this.view();
    const at = this.now();
    const current = this.current();
    if (current) current.endedMs = at;
    if (mode === 'none') {
      // Held clients timed out long ago; a socket closed now is all a dead gateway would ever send them.
      this.destroyHeld();
      this.release();
    } else {
      this.stretches.push({ mode, startedMs: at, endedMs: undefined });
    }
    this.deps.logger.info({ mode, queuedCallbacks: this.queued.length }, mode === 'none' ? 'outage ended' : 'outage started');
    return this.view();
  }

  /**
   * Called for every non-admin request before anything else sees it. True when the outage swallowed it:
   * the caller must then never answer (the socket is already reset, or held until the outage ends).
   */
  intercept(request: IncomingMessage): boolean {
    const mode = this.mode;
    if (mode === 'none') return false;
    const socket = request.socket;
    if (mode === 'refuse') {
      this.deps.faults.count('outageRefused');
      socket.resetAndDestroy();
      return true;
    }
    this.deps.faults.count('outageHeld');
    // Read and discard the body, so a large one cannot stall the connection's parser while it waits.
    request.resume();
    this.heldSockets.add(socket);
    socket.once('close', () => this.heldSockets.delete(socket));
    return true;
  }

  /** During an outage, queues `deliver` (in order) for when it ends and returns true; otherwise false. */
  defer(deliver: () => void): boolean {
    if (this.mode === 'none') return false;
    this.deps.faults.count('outageCallbacksHeld');
    this.queued.push(deliver);
    return true;
  }

  view(): OutageView {
    const now = this.now();
    const periods = this.stretches.map((s): OutagePeriod => ({
      mode: s.mode,
      startedAt: new Date(s.startedMs).toISOString(),
      endedAt: s.endedMs === undefined ? null : new Date(s.endedMs).toISOString(),
      ms: (s.endedMs ?? now) - s.startedMs,
    }));
    const counters = this.deps.faults.counters();
    const current = this.current();
    return {
      mode: this.mode,
      since: current ? new Date(current.startedMs).toISOString() : null,
      periods,
      downMs: periods.reduce((sum, p) => sum + p.ms, 0),
      refused: counters.outageRefused,
      held: counters.outageHeld,
      holding: this.heldSockets.size,
      callbacksQueued: this.queued.length,
    };
  }

  /** Held sockets would keep the server from closing; queued callbacks die with the sandbox. */
  close(): void {
    this.destroyHeld();
    this.queued.length = 0;
  }

  private current(): Stretch | undefined {
    const last = this.stretches.at(-1);
    return last && last.endedMs === undefined ? last : undefined;
  }

  private destroyHeld(): void {
    for (const socket of this.heldSockets) socket.destroy();
    this.heldSockets.clear();
  }

  /** Delivers the queue front first, a batch at a time; stops where it is if an outage starts again. */
  private release(): void {
    if (this.releaseScheduled || this.mode !== 'none') return;
    for (const deliver of this.queued.splice(0, RELEASE_BATCH)) deliver();
    if (this.queued.length === 0) return;
    this.releaseScheduled = true;
    this.deps.timers.after(RELEASE_GAP_MS, () => {
      this.releaseScheduled = false;
      this.release();
    });
  }
}
