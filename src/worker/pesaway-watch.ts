import type { Client } from '@temporalio/client';
import { Gauge, type Registry } from 'prom-client';
import type { Logger } from '../common/log.js';
import type { Pool } from '../db/pool.js';
import { PesaWayReachability, type ReachabilityChange } from '../pesaway/reachability.js';
import type { ReachabilityObserver } from '../pesaway/client.js';
import { pesawayReachabilitySignal, workflowIds } from '../workflows/definitions.js';

/** Batches with payouts that may still call PesaWay. */
const OPEN_STATUSES = ['RUNNING', 'PAUSED', 'AWAITING_FUNDS', 'CANCELLING'];

export interface PesaWayWatchDeps {
  pool: Pool;
  temporal: Client;
  log: Logger;
  registry?: Registry | undefined;
  unreachableAfterMs: number;
  /** How often silence is checked and batches started meanwhile are told (default 5 s). */
  tickMs?: number;
}

export interface PesaWayWatch extends ReachabilityObserver {
  stop(): void;
}

/**
 * The worker's eye on PesaWay as a whole: every call this process makes tells it whether PesaWay answered.
 * When nothing has answered for `unreachableAfterMs`, the open batches are told by signal (they show that
 * they wait on PesaWay, in the API, CLI, console and Web UI, and raise the alert after their own timer), and
 * told again when PesaWay answers. The payouts themselves need nothing: their activities keep retrying under
 * their references. Signals are best effort: a batch that misses one learns from the next tick or worker.
 */
export function startPesaWayWatch(deps: PesaWayWatchDeps): PesaWayWatch {
  const { pool, temporal, log } = deps;
  const reachability = new PesaWayReachability(deps.unreachableAfterMs);
  /** Batches told of the current outage. */
  const told = new Set<string>();
  let telling = Promise.resolve();
  /** Whether this process has seen PesaWay answer yet (see `observe`). */
  let answeredOnce = false;

  async function openBatches(): Promise<string[]> {
    const { rows } = await pool.query<{ id: string }>(`SELECT id FROM batches WHERE status = ANY($1)`, [OPEN_STATUSES]);
    return rows.map((r) => r.id);
  }

  async function signal(batchId: string, unreachableSince: string | null, lastError?: string): Promise<boolean> {
    try {
      await temporal.workflow.getHandle(workflowIds.batch(batchId)).signal(pesawayReachabilitySignal, { unreachableSince, lastError });
      return true;
    } catch (err) {
      log.debug({ batchId, error: (err as Error).message }, 'Could not tell a batch about PesaWay');
      return false;
    }
  }

  async function tellNewBatches(): Promise<void> {
    const outage = reachability.outage;
    if (!outage) return;
    const since = new Date(outage.since).toISOString();
    for (const id of await openBatches()) {
      if (!told.has(id) && (await signal(id, since, outage.lastError))) told.add(id);
    }
  }

  async function act(change: ReachabilityChange): Promise<void> {
    if (change.kind === 'unreachable') {
      log.warn({ since: new Date(change.since).toISOString(), lastError: change.lastError }, `PesaWay has not answered for ${Math.round(deps.unreachableAfterMs / 1000)} s; open batches wait on it and resume by themselves`);
      told.clear();
      await tellNewBatches();
      return;
    }
    log.info({ downMs: change.downMs }, `PesaWay answers again after ${Math.round(change.downMs / 1000)} s`);
    const batches = [...told];
    told.clear();
    await Promise.all(batches.map((id) => signal(id, null)));
  }

  /** Changes are acted on one at a time, in order (an outage's end never overtakes its start). */
  function enqueue(work: () => Promise<void>): void {
    telling = telling.then(work).catch((err: unknown) => log.warn({ error: (err as Error).message }, 'PesaWay watch could not reach PostgreSQL or Temporal; it tries again'));
  }

  const timer = setInterval(() => {
    const change = reachability.tick(Date.now());
    enqueue(change ? () => act(change) : tellNewBatches);
  }, deps.tickMs ?? 5000);
  timer.unref();

  if (deps.registry) {
    new Gauge({
      name: 'disburse_pesaway_unreachable_seconds',
      help: 'How long PesaWay has not answered this worker (0 while it answers)',
      registers: [deps.registry],
      collect() {
        const outage = reachability.outage;
        this.set(outage ? (Date.now() - outage.since) / 1000 : 0);
      },
    });
  }

  return {
    observe(answered, detail) {
      // The first answer this process sees also clears an outage a worker that died meanwhile could not.
      if (answered && !answeredOnce) {
        answeredOnce = true;
        enqueue(async () => void (await Promise.all((await openBatches()).map((id) => signal(id, null)))));
      }
      const change = reachability.observe(answered, detail, Date.now());
      if (change) enqueue(() => act(change));
    },
    stop: () => clearInterval(timer),
  };
}
