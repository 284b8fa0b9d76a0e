import { ApplicationFailure } from '@temporalio/activity';
import type { Logger } from '../common/log.js';
import { maskPhone } from '../common/mask.js';
import { batchRun, finishBatch, recordApproval, recordEvent, recordRejection, setBatchStatus, statusTotals } from '../db/batch-runs.js';
import type { Pool } from '../db/pool.js';
import { type RowRange, nextOpenPayouts, planShards } from '../db/payouts.js';
import { cancelParkedPayouts, cancelPendingPayouts, markUnresolved, prepareRetry } from '../db/payout-transitions.js';
import type { BatchStatus } from '../domain/batch-status.js';
import { type MinorUnits, formatKes } from '../domain/money.js';
import { amountsOf, countsOf } from '../domain/tally.js';
import type { BatchSummary } from '../workflows/types.js';
import { FAILURE_TYPES } from './failures.js';

export interface BatchActivityDeps {
  pool: Pool;
  log: Logger;
}

export interface FundsAlert {
  batchId: string;
  shortfallMinor: MinorUnits;
  availableMinor: MinorUnits;
  neededMinor: MinorUnits;
}

/** A batch has waited on an unreachable PesaWay for `alertAfterMs` (since `since`, ISO). */
export interface PesaWayAlert {
  batchId: string;
  since: string;
  lastError: string;
  alertAfterMs: number;
}

const minutes = (ms: number): string => `${Math.max(1, Math.round(ms / 60_000))} min`;

/** What the batch and shard workflows ask of PostgreSQL. */
export function createBatchActivities(deps: BatchActivityDeps) {
  const { pool, log } = deps;

  async function run(batchId: string) {
    const found = await batchRun(pool, batchId);
    if (!found) throw ApplicationFailure.nonRetryable(`Batch ${batchId} does not exist`, FAILURE_TYPES.batchNotFound);
    return found;
  }

  return {
    /** The batch as PostgreSQL has it now: its status, approval, and its payouts counted by status. */
    async loadBatch(batchId: string) {
      const found = await run(batchId);
      const totals = await statusTotals(pool, batchId);
      return {
        batchId,
        status: found.status,
        approvalRequired: found.approvalRequired,
        approvedBy: found.approvedBy ?? undefined,
        submittedBy: found.submittedBy ?? undefined,
        payAt: found.payAt?.toISOString(),
        totals: { counts: totals.counts, amounts: totals.amounts },
        unsentNeedMinor: totals.unsentNeedMinor,
        parkedNeedMinor: totals.parkedNeedMinor,
        at: new Date().toISOString(),
      };
    },

    async setBatchStatus(batchId: string, status: BatchStatus): Promise<void> {
      await setBatchStatus(pool, batchId, status);
      log.info({ batchId, status }, 'Batch status');
    },

    /** Records who approved; refuses (non-retryable) an approval by the submitter. */
    async recordApproval(batchId: string, by: string): Promise<void> {
      if (!(await recordApproval(pool, batchId, by))) {
        throw ApplicationFailure.nonRetryable(`${by} submitted batch ${batchId} and cannot approve it`, FAILURE_TYPES.selfApproval);
      }
    },

    /**
     * Records an approver's rejection (the batch then ends CANCELLED). Refuses (non-retryable) one by the
     * submitter; one that comes after the batch was approved or rejected by another is logged and ignored.
     */
    async recordRejection(batchId: string, rejection: { by: string; reason: string }): Promise<void> {
      const result = await recordRejection(pool, batchId, rejection);
      if (result === 'self_rejection') throw ApplicationFailure.nonRetryable(`${rejection.by} submitted batch ${batchId} and cannot reject it`, FAILURE_TYPES.selfRejection);
      if (result === 'decided') log.warn({ batchId, by: rejection.by }, 'Rejection not recorded: the batch was already approved or rejected');
      else log.info({ batchId, by: rejection.by }, 'Batch rejected');
    },

    planShards: (batchId: string, shards: number, minPerShard: number): Promise<RowRange[]> => planShards(pool, batchId, shards, minPerShard),

    nextOpenPayouts: (batchId: string, range: RowRange, afterRowNo: number, limit: number) => nextOpenPayouts(pool, batchId, range, afterRowNo, limit),

    async cancelPendingPayouts(batchId: string, actor: string): Promise<number> {
      return cancelPendingPayouts(pool, batchId, actor);
    },

    async cancelParkedPayouts(references: string[], actor: string): Promise<number> {
      return cancelParkedPayouts(pool, references, actor);
    },

    /** Next attempts for the failures confirmed since `confirmedSince` (see confirmFailures); none without it. */
    async prepareRetry(batchId: string, actor: string, confirmedSince?: string): Promise<number> {
      const retried = await prepareRetry(pool, batchId, actor, confirmedSince);
      if (confirmedSince === undefined) log.warn({ batchId, actor }, 'Retry asked without confirmed failures: nothing resent');
      else log.info({ batchId, retried, actor }, 'Retrying confirmed failed payouts under their next references');
      return retried;
    },

    /** The wallet ran dry: the alert an operator acts on (log; the `batch.awaiting_funds` event, which webhooks deliver). */
    async raiseFundsAlert(alert: FundsAlert): Promise<void> {
      log.warn(
        { batchId: alert.batchId, shortfallMinor: alert.shortfallMinor, availableMinor: alert.availableMinor },
        `Batch ${alert.batchId} is awaiting funds: top up at least ${formatKes(alert.shortfallMinor)} (available ${formatKes(alert.availableMinor)}, needed ${formatKes(alert.neededMinor)})`,
      );
      await recordEvent(pool, { batchId: alert.batchId, kind: 'batch.awaiting_funds', detail: { ...alert } });
    },

    /**
     * PesaWay has not answered for `alertAfterMs`: the alert an operator acts on (an error in the log, the
     * `batch.pesaway_unreachable` event, which webhooks deliver). Nothing needs doing for the money: payouts
     * retry under their own references and the batch resumes by itself.
     */
    async raisePesawayAlert(alert: PesaWayAlert): Promise<void> {
      log.error(
        { batchId: alert.batchId, since: alert.since, lastError: alert.lastError },
        `Batch ${alert.batchId} has waited on PesaWay for over ${minutes(alert.alertAfterMs)} (no answer since ${alert.since}: ${alert.lastError}). ` +
          'Payouts retry under their own references and resume by themselves; check PesaWay\'s status and PESAWAY_BASE_URL, and the network to it.',
      );
      await recordEvent(pool, { batchId: alert.batchId, kind: 'batch.pesaway_unreachable', detail: { since: alert.since, lastError: alert.lastError, alertAfterMs: alert.alertAfterMs } });
    },

    /** PesaWay answers again after an outage that raised the alert (`batch.pesaway_reachable`). */
    async notePesawayBack(back: { batchId: string; since: string; downMs: number }): Promise<void> {
      log.info({ batchId: back.batchId, since: back.since, downMs: back.downMs }, `PesaWay answers again; batch ${back.batchId} resumes (it waited ${Math.round(back.downMs / 1000)} s)`);
      await recordEvent(pool, { batchId: back.batchId, kind: 'batch.pesaway_reachable', detail: { since: back.since, downMs: back.downMs } });
    },

    /** Pre-flight under `proceed`: the wallet will not cover the whole batch; it pays what it can, then parks. */
    async noteFundsShort(alert: FundsAlert): Promise<void> {
      log.info({ batchId: alert.batchId, shortfallMinor: alert.shortfallMinor }, `Batch ${alert.batchId} starts with a wallet ${formatKes(alert.shortfallMinor)} short of its need; it will pause when it runs dry`);
      await recordEvent(pool, { batchId: alert.batchId, kind: 'batch.funds_short', detail: { ...alert } });
    },

    /**
     * No final answer before the settle deadline: `unresolved`, with what an operator needs to chase it
     * (PesaWay's transaction id, how often and what the queries answered, the last error). Never resent.
     */
    async markUnresolved(reference: string, lastError: string): Promise<void> {
      const { rows } = await pool.query<{ queries: number; last_answer: string | null; transaction_id: string | null; destination: string | null }>(
        `SELECT (SELECT count(*)::int FROM events WHERE reference = $1 AND kind = 'payout.query') AS queries,
                (SELECT detail->>'answer' FROM events WHERE reference = $1 AND kind = 'payout.query' ORDER BY id DESC LIMIT 1) AS last_answer,
                transaction_id, COALESCE(phone, account_number) AS destination
           FROM payouts WHERE reference = $1`,
        [reference],
      );
      const r = rows[0];
      const evidence = {
        reason: 'no final answer before the settle deadline',
        transactionId: r?.transaction_id ?? null,
        queries: r?.queries ?? 0,
        lastQuery: r?.last_answer ?? null,
        lastError,
        maskedDestination: r?.destination ? maskPhone(r.destination) : null,
      };
      const moved = await markUnresolved(pool, reference, evidence);
      log.warn({ reference, status: moved.current, queries: evidence.queries }, 'Payout unresolved: no final answer before the settle deadline; it is never resent');
    },

    async finalizeBatch(batchId: string, status: 'COMPLETED' | 'CANCELLED'): Promise<BatchSummary> {
      await run(batchId);
      const totals = await statusTotals(pool, batchId);
      const summary = { batchId, status, counts: countsOf(totals), amounts: amountsOf(totals) };
      const finishedAt = await finishBatch(pool, batchId, status, summary);
      log.info({ batchId, status, counts: summary.counts }, 'Batch finished');
      return { ...summary, finishedAt };
    },
  };
}
