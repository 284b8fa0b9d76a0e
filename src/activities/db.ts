import { ApplicationFailure } from '@temporalio/activity';
import type { Logger } from '../common/log.js';
import { formatKes } from '../domain/money.js';
import { batchRun, finishBatch, fundsNeeded, recordApproval, recordEvent, setBatchStatus, statusTotals } from '../db/batch-runs.js';
import { cancelPendingPayouts, nextPendingPayouts, payoutOutcomes, prepareRetry, transitionPayout } from '../db/payouts.js';
import type { Pool } from '../db/pool.js';
import { countsFrom } from '../workflows/batch-state.js';
import type { BatchSummary } from '../workflows/types.js';
import type { DbActivities, FundsAlert } from './types.js';

export interface DbActivityDeps {
  pool: Pool;
  log: Logger;
  /** Optional: POSTed a JSON alert when a batch runs short of funds. */
  fundsAlertWebhookUrl?: string | undefined;
}

async function postAlert(url: string, alert: FundsAlert, log: Logger): Promise<void> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'batch.awaiting_funds', ...alert }),
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) log.warn({ batchId: alert.batchId, status: res.status }, 'Funds alert webhook answered with an error');
  } catch (err) {
    log.warn({ batchId: alert.batchId, err }, 'Funds alert webhook unreachable');
  }
}

export function createDbActivities(deps: DbActivityDeps): DbActivities {
  const { pool, log } = deps;
  return {
    async loadBatch(batchId) {
      const run = await batchRun(pool, batchId);
      if (!run) throw ApplicationFailure.nonRetryable(`Batch ${batchId} does not exist`, 'BatchNotFound');
      const { counts, amounts } = await statusTotals(pool, batchId);
      return {
        batchId,
        status: run.status,
        approvalRequired: run.approvalRequired,
        approvedBy: run.approvedBy ?? undefined,
        submittedBy: run.submittedBy ?? undefined,
        statusCounts: counts,
        totalMinor: run.totalMinor,
        succeededMinor: amounts.succeeded,
        failedMinor: amounts.failed,
        otherEndedMinor: amounts.rejected + amounts.cancelled + amounts.unresolved,
      };
    },

    async setBatchStatus(batchId, status) {
      await setBatchStatus(pool, batchId, status);
      log.info({ batchId, status }, 'Batch status');
    },

    async recordApproval(batchId, by) {
      if (!(await recordApproval(pool, batchId, by))) {
        throw ApplicationFailure.nonRetryable(`${by} submitted batch ${batchId} and cannot approve it`, 'SelfApproval');
      }
    },

    nextPendingPayouts: (batchId, afterRowNo, limit) => nextPendingPayouts(pool, batchId, afterRowNo, limit),

    async recordPayoutTransition(input) {
      return transitionPayout(pool, { ...input, source: 'workflow' });
    },

    async cancelPendingPayouts(batchId, actor) {
      return { cancelled: await cancelPendingPayouts(pool, batchId, actor) };
    },

    async prepareRetry(batchId, actor) {
      return { retried: await prepareRetry(pool, batchId, actor) };
    },

    async fundsNeeded(batchId) {
      return { neededMinor: await fundsNeeded(pool, batchId) };
    },

    async countOpen(batchId) {
      const { counts } = await statusTotals(pool, batchId);
      return { pending: counts.pending, moving: counts.submitting + counts.accepted + counts.awaiting_funds };
    },

    async raiseFundsAlert(alert) {
      log.warn(
        { batchId: alert.batchId, shortfallMinor: alert.shortfallMinor, availableMinor: alert.availableMinor },
        `Batch ${alert.batchId} is awaiting funds: top up at least ${formatKes(alert.shortfallMinor)} (available ${formatKes(alert.availableMinor)}, needed ${formatKes(alert.neededMinor)})`,
      );
      await recordEvent(pool, { batchId: alert.batchId, kind: 'batch.awaiting_funds', detail: { ...alert } });
      if (deps.fundsAlertWebhookUrl) await postAlert(deps.fundsAlertWebhookUrl, alert, log);
    },

    payoutOutcomes: (references) => payoutOutcomes(pool, references),

    async finalizeBatch(batchId, status) {
      const run = await batchRun(pool, batchId);
      if (!run) throw ApplicationFailure.nonRetryable(`Batch ${batchId} does not exist`, 'BatchNotFound');
      const { counts, amounts } = await statusTotals(pool, batchId);
      const summary: Omit<BatchSummary, 'finishedAt'> = {
        batchId,
        status,
        counts: countsFrom(counts, 0, 0),
        amounts: {
          totalMinor: run.totalMinor,
          succeededMinor: amounts.succeeded,
          failedMinor: amounts.failed,
          pendingMinor: amounts.pending + amounts.submitting + amounts.accepted + amounts.awaiting_funds,
        },
      };
      const finishedAt = await finishBatch(pool, batchId, status, summary);
      log.info({ batchId, status, counts: summary.counts }, 'Batch finished');
      return { ...summary, finishedAt };
    },
  };
}
