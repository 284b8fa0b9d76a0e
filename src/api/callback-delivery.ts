import type { EngineMetrics } from '../metrics/engine-metrics.js';
import type { Client } from '@temporalio/client';
import { ActivityNotFoundError } from '@temporalio/client';
import { errorMessage } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import { type CallbackOutcome, deliveryFailed, markCallback, markCallbacks, undeliveredCallbacks } from '../db/callbacks.js';
import { GroupedWrites } from '../db/grouped-writes.js';
import { flagPayout } from '../db/payout-attention.js';
import { UnknownPayoutError, recordSettlement } from '../db/payout-transitions.js';
import type { Pool } from '../db/pool.js';
import { outcomeOf } from '../domain/payout-outcome.js';
import type { SettlementResult } from '../domain/settlement.js';
import { parseResultBody } from '../pesaway/result.js';
import type { CallbackStats } from './callbacks.js';

export interface StoredCallback {
  id: number;
  reference: string;
  result: SettlementResult;
  /** Found undelivered by the sweep (a delivery that failed, or never ran): it may owe a wake-up. */
  redelivery?: boolean;
}

export interface CallbackDeliveryOptions {
  pool: Pool;
  temporal: Client;
  stats: CallbackStats;
  /** Counts each delivered callback's outcome (src/metrics). */
  metrics?: Pick<EngineMetrics, 'callbacks'> | undefined;
  log: Logger;
  /** Deliveries in flight at once (each: one statement in PostgreSQL and one activity completion). */
  concurrency?: number;
  /** Held in memory beyond that; more waits in PostgreSQL for the sweep. */
  maxQueued?: number;
  /** How often stored but undelivered callbacks are looked for (after a crash, a full queue, an outage). */
  sweepEveryMs?: number;
  /** Waits after each failed delivery; past the last, the callback is `undeliverable` (for a person). */
  retryDelaysMs?: readonly number[];
}

/** About two hours of retries, backing off; meanwhile the payout activity's own polling settles the payout. */
export const DELIVERY_RETRY_DELAYS_MS = [15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000] as const;

/**
 * Delivers stored callbacks to their payouts, after PesaWay has had its answer: records the final result
 * (forward-only, so a duplicate or a stale one changes nothing), then completes the payout's waiting
 * activity. The receiver only stores and acknowledges, so PesaWay never waits on PostgreSQL or Temporal.
 * A callback whose delivery failed, or that the API never got to (a crash, a full queue), stays `received`
 * in PostgreSQL and the sweep delivers it; meanwhile the payout activity's next attempt queries PesaWay,
 * so a lost delivery delays a settlement but never loses it.
 */
export class CallbackDelivery {
  private readonly queue: StoredCallback[] = [];
  /** Ids queued or being delivered, so the sweep does not queue them twice. */
  private readonly pending = new Set<number>();
  private active = 0;
  private idle: Array<() => void> = [];
  private sweeper: NodeJS.Timeout | undefined;
  private readonly concurrency: number;
  private readonly maxQueued: number;

  /** Outcomes of deliveries finishing together, written by one UPDATE (speed: one commit, not one each). */
  private readonly marks: GroupedWrites<{ id: number; outcome: CallbackOutcome }>;

  constructor(private readonly o: CallbackDeliveryOptions) {
    this.concurrency = o.concurrency ?? 16;
    this.maxQueued = o.maxQueued ?? 10_000;
    this.marks = new GroupedWrites(
      (marks) => markCallbacks(o.pool, marks),
      (m) => markCallback(o.pool, m.id, m.outcome),
    );
  }

  /** Queues a stored callback; false when the queue is full (the sweep will find it in PostgreSQL). */
  offer(callback: StoredCallback): boolean {
    if (this.queue.length >= this.maxQueued || this.pending.has(callback.id)) return false;
    this.pending.add(callback.id);
    this.queue.push(callback);
    this.pump();
    return true;
  }

  start(): void {
    const every = this.o.sweepEveryMs ?? 15_000;
    const sweep = (): void => {
      this.sweep(every).catch((err: unknown) => this.o.log.warn({ error: errorMessage(err) }, 'Callback sweep failed; retrying later'));
    };
    sweep();
    this.sweeper = setInterval(sweep, every);
    this.sweeper.unref();
  }

  /** Stops sweeping and waits (up to `timeoutMs`) for queued deliveries to finish. */
  async stop(timeoutMs = 10_000): Promise<void> {
    clearInterval(this.sweeper);
    if (this.active === 0 && this.queue.length === 0) return;
    await Promise.race([new Promise<void>((resolve) => this.idle.push(resolve)), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  /** Callbacks stored at least `ageMs` ago and still undelivered: queued again. */
  async sweep(ageMs: number): Promise<number> {
    const room = this.maxQueued - this.queue.length;
    if (room <= 0) return 0;
    let queued = 0;
    for (const row of await undeliveredCallbacks(this.o.pool, ageMs, Math.min(room, 1000))) {
      const parsed = parseResultBody(safeJson(row.body.toString('utf8')));
      if (parsed.kind !== 'final') continue; // stored with its outcome already; not expected here
      if (this.offer({ id: row.id, reference: row.reference, result: { ...parsed.result, reference: row.reference }, redelivery: true })) queued += 1;
    }
    if (queued > 0) this.o.log.info({ queued }, 'Delivering stored callbacks found undelivered');
    return queued;
  }

  private pump(): void {
    while (this.active < this.concurrency && this.queue.length > 0) {
      const next = this.queue.shift()!;
      this.active += 1;
      void this.deliver(next).finally(() => {
        this.active -= 1;
        this.pending.delete(next.id);
        this.pump();
        if (this.active === 0 && this.queue.length === 0) for (const resolve of this.idle.splice(0)) resolve();
      });
    }
  }

  private async deliver(c: StoredCallback): Promise<void> {
    try {
      const outcome = await this.settle(c.reference, c.result, c.redelivery ?? false);
      this.o.metrics?.callbacks.inc({ outcome });
      await this.marks.add({ id: c.id, outcome });
      this.o.log.debug({ reference: c.reference, outcome }, 'Callback delivered');
    } catch (err) {
      // Left `received` and put off with backoff: the sweep tries again, up to a bound. The payout's own
      // polling does not depend on it.
      const error = errorMessage(err);
      const failed = await deliveryFailed(this.o.pool, c.id, error, this.o.retryDelaysMs ?? DELIVERY_RETRY_DELAYS_MS).catch(() => undefined);
      if (!failed?.gaveUp) {
        this.o.log.warn({ reference: c.reference, error, attempts: failed?.attempts }, 'Callback delivery failed; the sweep will retry');
        return;
      }
      this.o.log.error({ reference: c.reference, error, attempts: failed.attempts }, 'Callback undeliverable after every retry: a person must look at it');
      await flagPayout(this.o.pool, { reference: c.reference, reason: 'callback_undeliverable', source: 'callback', detail: { callbackId: c.id, error: error.slice(0, 300), attempts: failed.attempts } }).catch(() => undefined);
    }
  }

  /**
   * Records the result (forward-only: a duplicate or a stale answer changes nothing), then completes the
   * payout's waiting activity by its task token, read in the same statement. When the activity is not
   * waiting (its attempt timed out, or it already returned), the next attempt finds the result recorded.
   */
  private async settle(reference: string, result: SettlementResult, redelivery: boolean): Promise<CallbackOutcome> {
    const { pool, temporal, stats } = this.o;
    let settled: Awaited<ReturnType<typeof recordSettlement>>;
    try {
      settled = await recordSettlement(pool, reference, result, 'callback');
    } catch (err) {
      if (err instanceof UnknownPayoutError) return 'unknown_payout';
      throw err;
    }
    if (settled.applied) stats.applied += 1;
    if (settled.verdict === 'contradiction') this.o.log.error({ reference, recorded: settled.current, resultCode: result.resultCode }, 'A callback contradicts the recorded result: the first one stands, the payout is flagged for a person and not resent until PesaWay confirms');
    const verdict: CallbackOutcome = settled.verdict === 'duplicate' || settled.verdict === 'contradiction' ? settled.verdict : settled.applied ? 'applied' : 'ignored';
    const outcome = outcomeOf(reference, settled.current);
    // Completed when this callback settled the payout, or when it is a redelivery (its first try may have
    // recorded the result and then failed to wake the activity). A duplicate PesaWay sent again costs no
    // Temporal call: whoever settled the payout woke the activity, or its next attempt finds the result.
    if (settled.taskToken && outcome && (settled.applied || redelivery)) {
      try {
        await temporal.activity.complete(settled.taskToken, outcome);
        if (settled.applied) {
          stats.completed += 1;
          return 'completed';
        }
      } catch (err) {
        if (!(err instanceof ActivityNotFoundError)) throw err;
      }
    }
    return verdict;
  }
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
