import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import type { Activities } from '../activities/types.js';
import type { TaskQueues } from '../workflows/types.js';

const here = fileURLToPath(import.meta.url);
/** The workflows' entry module, in source (.ts under tsx/vitest) or compiled (.js) form. */
export const WORKFLOWS_PATH = join(dirname(here), '..', 'workflows', `index${extname(here)}`);

export interface WorkerSetOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueues: TaskQueues;
  activities: Activities;
  /** Prebuilt bundle; without it the workflows are bundled from source at start. */
  workflowBundle?: WorkflowBundleOption | undefined;
  workflowConcurrency: number;
  dbConcurrency: number;
  pesawayConcurrency: number;
  pesawayRatePerSecond: number;
}

/** Picks the database or the PesaWay activities out of the full set, so each queue serves only its own. */
function pick<K extends keyof Activities>(all: Activities, keys: K[]): Pick<Activities, K> {
  return Object.fromEntries(keys.map((k) => [k, all[k]])) as Pick<Activities, K>;
}

const PESAWAY_ACTIVITIES = ['sendPayout', 'queryPayout', 'getAvailableBalance'] as const;

/**
 * Four workers in one process, one per task queue: batch workflows; payout workflows (each worker has
 * its own workflow thread, so a burst of new payouts never starves a batch's workflow tasks); database
 * activities; PesaWay activities, rate-limited on the server for every worker polling the queue (so
 * scaling workers out never exceeds PesaWay's limit).
 */
export async function createWorkers(o: WorkerSetOptions): Promise<Worker[]> {
  const dbKeys = (Object.keys(o.activities) as Array<keyof Activities>).filter((k) => !(PESAWAY_ACTIVITIES as readonly string[]).includes(k));
  const workflowSource = o.workflowBundle ? { workflowBundle: o.workflowBundle } : { workflowsPath: WORKFLOWS_PATH };
  return Promise.all([
    Worker.create({
      connection: o.connection,
      namespace: o.namespace,
      taskQueue: o.taskQueues.batches,
      ...workflowSource,
      maxConcurrentWorkflowTaskExecutions: 10,
      maxCachedWorkflows: 100,
    }),
    Worker.create({
      connection: o.connection,
      namespace: o.namespace,
      taskQueue: o.taskQueues.payouts,
      ...workflowSource,
      // Local activities of the payout workflow (idempotent database transitions) run here.
      activities: pick(o.activities, ['recordPayoutTransition']),
      maxConcurrentWorkflowTaskExecutions: o.workflowConcurrency,
      maxCachedWorkflows: Math.max(1000, o.workflowConcurrency * 10),
    }),
    Worker.create({
      connection: o.connection,
      namespace: o.namespace,
      taskQueue: o.taskQueues.db,
      activities: pick(o.activities, dbKeys),
      maxConcurrentActivityTaskExecutions: o.dbConcurrency,
    }),
    Worker.create({
      connection: o.connection,
      namespace: o.namespace,
      taskQueue: o.taskQueues.pesaway,
      activities: pick(o.activities, [...PESAWAY_ACTIVITIES]),
      maxConcurrentActivityTaskExecutions: o.pesawayConcurrency,
      maxTaskQueueActivitiesPerSecond: o.pesawayRatePerSecond,
    }),
  ]);
}
