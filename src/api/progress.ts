import type { Client } from '@temporalio/client';
import { getProgress } from '../client/batches.js';
import { statusTotals } from '../db/batch-runs.js';
import type { Batch } from '../db/batches.js';
import { flaggedCount } from '../db/payouts.js';
import type { Pool } from '../db/pool.js';
import { isFinalBatchStatus } from '../domain/batch-status.js';
import { amountsOf, countsOf } from '../domain/tally.js';
import type { Progress } from '../workflows/types.js';
import { type ProgressView, progressView } from './views.js';

/**
 * A batch's progress. Counts and amounts are always read from PostgreSQL, which holds every payout's
 * status (so they are current to the statement); the state the workflow alone knows (paused, the
 * shortfall while awaiting funds, the wallet's balance) comes from its `progress` query while it runs.
 */
export async function batchProgress(pool: Pool, temporal: Client, batch: Batch): Promise<ProgressView> {
  const live = !isFinalBatchStatus(batch.status) && batch.status !== 'CREATED' ? await liveProgress(temporal, batch.id) : undefined;
  const [totals, flagged] = await Promise.all([statusTotals(pool, batch.id), flaggedCount(pool, batch.id)]);
  const counted = { counts: countsOf(totals), amounts: amountsOf(totals), countsAt: new Date().toISOString() };
  if (live) return progressView({ ...live, ...counted, payAt: batch.payAt?.toISOString() }, 'workflow', flagged);
  return progressView(
    {
      batchId: batch.id,
      status: batch.status,
      paused: batch.status === 'PAUSED',
      cancelRequested: batch.status === 'CANCELLING',
      ...counted,
      shortfallMinor: undefined,
      availableMinor: undefined,
      availableAt: undefined,
      startedAt: batch.createdAt.toISOString(),
      updatedAt: batch.updatedAt.toISOString(),
      awaitingFundsSince: undefined,
      payAt: batch.payAt?.toISOString(),
      shardsRunning: 0,
      run: 0,
    },
    'database',
    flagged,
  );
}

async function liveProgress(temporal: Client, batchId: string): Promise<Progress | undefined> {
  try {
    return await Promise.race([
      getProgress(temporal, batchId),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('progress query timed out')), 3000).unref()),
    ]);
  } catch {
    return undefined; // the worker may be down: the database still knows the counts
  }
}
