import type { Client } from '@temporalio/client';
import { getProgress } from '../client/batches.js';
import { statusTotals } from '../db/batch-runs.js';
import type { Batch } from '../db/batches.js';
import type { Pool } from '../db/pool.js';
import { isFinalBatchStatus } from '../domain/batch-status.js';
import { countsFrom } from '../workflows/batch-state.js';
import { type ProgressView, progressView } from './views.js';

/**
 * A batch's progress: live from its workflow while it runs (the query answers in milliseconds and shows
 * the shortfall while awaiting funds), otherwise from the database, which holds the final word.
 */
export async function batchProgress(pool: Pool, temporal: Client, batch: Batch): Promise<ProgressView> {
  if (!isFinalBatchStatus(batch.status) && batch.status !== 'CREATED') {
    try {
      const live = await Promise.race([
        getProgress(temporal, batch.id),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('progress query timed out')), 3000).unref()),
      ]);
      return progressView(live, 'workflow');
    } catch {
      // The worker may be down: the database still knows the counts.
    }
  }
  const { counts, amounts } = await statusTotals(pool, batch.id);
  const ended = amounts.succeeded + amounts.failed + amounts.rejected + amounts.cancelled + amounts.unresolved;
  return progressView(
    {
      batchId: batch.id,
      status: batch.status,
      paused: batch.status === 'PAUSED',
      cancelRequested: batch.status === 'CANCELLING',
      counts: countsFrom(counts, counts.submitting + counts.accepted + counts.awaiting_funds, counts.awaiting_funds),
      amounts: { totalMinor: batch.totalMinor, succeededMinor: amounts.succeeded, failedMinor: amounts.failed, pendingMinor: Math.max(0, batch.totalMinor - ended) },
      shortfallMinor: undefined,
      availableMinor: undefined,
      startedAt: batch.createdAt.toISOString(),
      updatedAt: batch.updatedAt.toISOString(),
      awaitingFundsSince: undefined,
      run: 0,
    },
    'database',
  );
}
