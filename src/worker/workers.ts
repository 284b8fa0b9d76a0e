import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PayloadCodec } from '@temporalio/common';
import { type NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { type Activities, PESAWAY_ACTIVITIES } from '../activities/index.js';
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
  /** The payload codec (TEMPORAL_PAYLOAD_KEYS) when payloads are encrypted; the SDK's default otherwise. */
  dataConverter?: { payloadCodecs: PayloadCodec[] } | undefined;
}

/** Picks some activities out of the full set, so each queue serves only its own. */
function pick(all: Activities, keep: (name: string) => boolean): Partial<Activities> {
  return Object.fromEntries(Object.entries(all).filter(([name]) => keep(name)));
}

const isPesaWay = (name: string): boolean => (PESAWAY_ACTIVITIES as readonly string[]).includes(name);

/**
 * Three workers in one process, one per task queue: batch and shard workflows; database activities; the
 * payout activity and balance checks, rate-limited on the server for every worker polling that queue (so
 * scaling workers out never exceeds PesaWay's limit). A payout activity waiting for its callback holds no
 * slot: it completes asynchronously.
 */
export async function createWorkers(o: WorkerSetOptions): Promise<Worker[]> {
  const workflowSource = o.workflowBundle ? { workflowBundle: o.workflowBundle } : { workflowsPath: WORKFLOWS_PATH };
  const common = { connection: o.connection, namespace: o.namespace, ...(o.dataConverter ? { dataConverter: o.dataConverter } : {}) };
  return Promise.all([
    Worker.create({
      ...common,
      taskQueue: o.taskQueues.batches,
      ...workflowSource,
      maxConcurrentWorkflowTaskExecutions: o.workflowConcurrency,
      maxCachedWorkflows: Math.max(100, o.workflowConcurrency * 4),
    }),
    Worker.create({
      ...common,
      taskQueue: o.taskQueues.db,
      activities: pick(o.activities, (name) => !isPesaWay(name)),
      maxConcurrentActivityTaskExecutions: o.dbConcurrency,
    }),
    Worker.create({
      ...common,
      taskQueue: o.taskQueues.pesaway,
      activities: pick(o.activities, isPesaWay),
      maxConcurrentActivityTaskExecutions: o.pesawayConcurrency,
      maxTaskQueueActivitiesPerSecond: o.pesawayRatePerSecond,
    }),
  ]);
}
