import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import { errorMessage } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import { type CallbackOutcome, markCallback, undeliveredCallbacks } from '../db/callbacks.js';
import { UnknownPayoutError, transitionPayout } from '../db/payouts.js';
import type { Pool } from '../db/pool.js';
import type { PayoutStatus } from '../domain/payout-status.js';
import type { SettlementResult } from '../domain/settlement.js';
import { parseResultBody } from '../pesaway/result.js';
import { settlementSignal, workflowIds } from '../workflows/definitions.js';
import type { CallbackStats } from './callbacks.js';

export interface StoredCallback {
  id: number;
  reference: string;
  result: SettlementResult;
}

export interface CallbackDeliveryOptions {
  pool: Pool;
  temporal: Client;
  stats: CallbackStats;
  log: Logger;
  /** Deliveries in flight at once (each: one transaction in PostgreSQL and one signal). */
  concurrency?: number;
  /** Held in memory beyond that; more waits in PostgreSQL for the sweep. */
  maxQueued?: number;
  /** How often stored but undelivered callbacks are looked for (after a crash, a full queue, an outage). */
  sweepEveryMs?: number;
}

/**
 * Delivers stored callbacks to their payouts, after PesaWay has had its answer: records the final result
 * (forward-only, so a duplicate or a stale one changes nothing), then tells the payout workflow where the
 * record stands. The receiver only stores and acknowledges, so PesaWay never waits on PostgreSQL
 * transactions or Temporal. A callback whose delivery failed, or that the API never got to (a crash, a
 * full queue), stays `received` in PostgreSQL and the sweep delivers it; meanwhile the payout workflow
 * falls back to the transaction query, so a lost delivery delays a settlement but never loses it.
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

  constructor(private readonly o: CallbackDeliveryOptions) {
    this.concurrency = o.concurrency ?? 16;
    this.maxQueued = o.maxQueued ?? 10_000;
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
      const parsed = parseResultBody(safeJson(row.body));
      if (parsed.kind !== 'final') continue; // stored with its outcome already; not expected here
      if (this.offer({ id: row.id, reference: row.reference, result: { ...parsed.result, reference: row.reference } })) queued += 1;
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
      const outcome = await this.settle(c.reference, c.result);
      await markCallback(this.o.pool, c.id, outcome);
      this.o.log.debug({ reference: c.reference, outcome }, 'Callback delivered');
    } catch (err) {
      // Left `received`: the sweep tries again, and the payout's own polling does not depend on it.
      this.o.log.warn({ reference: c.reference, error: errorMessage(err) }, 'Callback delivery failed; the sweep will retry');
    }
  }

  /** A finished or unknown payout needs no signal: a late final answer still settles an `unresolved` one. */
  private async settle(reference: string, result: SettlementResult): Promise<CallbackOutcome> {
    const { pool, temporal, stats } = this.o;
    const failed = result.resultCode !== 0;
    let moved: { applied: boolean; current: PayoutStatus };
    try {
      moved = await transitionPayout(pool, {
        reference,
        to: failed ? 'failed' : 'succeeded',
        result,
        ...(failed ? { failureReason: result.resultDesc || `ResultCode ${result.resultCode}` } : {}),
        source: 'callback',
      });
    } catch (err) {
      if (err instanceof UnknownPayoutError) return 'unknown_payout';
      throw err;
    }
    if (moved.applied) stats.applied += 1;
    try {
      await temporal.workflow.getHandle(workflowIds.payout(reference)).signal(settlementSignal, { result, recordedStatus: moved.current });
      stats.signalled += 1;
      return 'signalled';
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      return moved.applied ? 'applied' : 'ignored';
    }
  }
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
