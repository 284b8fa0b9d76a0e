import { Context } from '@temporalio/activity';
import type { Logger } from '../common/log.js';
import { confirmFailure, failedPayouts, flagPayout } from '../db/payout-attention.js';
import { correctFailureToSuccess } from '../db/payout-transitions.js';
import type { Pool } from '../db/pool.js';
import type { PesaWayClient } from '../pesaway/client.js';
import { pesawayFailure } from './failures.js';

export interface RetryGuardDeps {
  pool: Pool;
  client: PesaWayClient;
  log: Logger;
}

/** What the fresh queries before a retry found; `confirmedSince`: only failures confirmed from then on are resent. */
export interface FailureCheck {
  confirmedSince: string;
  confirmed: number;
  /** PesaWay says these succeeded: now `succeeded` (flagged), never paid again. */
  corrected: number;
  /** Pending, unknown or not a failure PesaWay could confirm: flagged, not resent. */
  unconfirmed: number;
}

interface Progress extends FailureCheck {
  afterRowNo: number;
}

const PAGE = 200;

/**
 * Before a retry of failed rows: a fresh transaction query for every current failure of the batch, because
 * a failure known only from a callback may be wrong (a forged or mistaken callback, a contradiction). A
 * confirmed failure may be resent; a success is recorded (the money was paid); anything else is flagged for
 * a person and not resent. Heartbeats its place, so a retried attempt resumes where the last one stopped.
 */
export function createRetryGuardActivities(deps: RetryGuardDeps) {
  const { pool, client, log } = deps;

  return {
    async confirmFailures(batchId: string): Promise<FailureCheck> {
      const ctx = Context.current();
      const resumed = ctx.info.heartbeatDetails as Progress | undefined;
      const progress: Progress = resumed ?? { confirmedSince: await databaseNow(pool), confirmed: 0, corrected: 0, unconfirmed: 0, afterRowNo: 0 };
      for (;;) {
        const page = await failedPayouts(pool, batchId, progress.afterRowNo, PAGE);
        for (const p of page) {
          const answer = await client.queryPayout({ reference: p.reference, transactionId: p.transactionId ?? undefined, channel: p.channel });
          if (answer.kind === 'settled' && answer.result.resultCode !== 0) {
            if (await confirmFailure(pool, p.reference, answer.result)) progress.confirmed += 1;
          } else if (answer.kind === 'settled') {
            if (await correctFailureToSuccess(pool, p.reference, answer.result, 'retry')) {
              progress.corrected += 1;
              log.error({ reference: p.reference, batchId }, 'PesaWay says a payout recorded as failed succeeded: recorded as paid, flagged for a person, never resent');
            }
          } else if (answer.kind === 'pending' || answer.kind === 'not-found') {
            await flagPayout(pool, { reference: p.reference, reason: 'failure_unconfirmed', source: 'retry', detail: { answer: answer.kind } });
            progress.unconfirmed += 1;
            log.warn({ reference: p.reference, batchId, answer: answer.kind }, 'A failure to retry was not confirmed by PesaWay: flagged, not resent');
          } else {
            // No definite answer (5xx, timeout, 429): Temporal retries the activity from this row.
            throw pesawayFailure(answer, `query ${p.reference} before retrying it`);
          }
          progress.afterRowNo = p.rowNo;
          ctx.heartbeat(progress);
        }
        if (page.length < PAGE) break;
      }
      const { afterRowNo: _, ...check } = progress;
      log.info({ batchId, ...check }, 'Failures checked with PesaWay before the retry');
      return check;
    },
  };
}

/** PostgreSQL's clock: confirmations are stamped by it, so the cut-off must come from it too. */
async function databaseNow(pool: Pool): Promise<string> {
  const { rows } = await pool.query<{ now: Date }>('SELECT now() AS now');
  return rows[0]!.now.toISOString();
}
