/**
 * The wallet's balance for a process without PesaWay credentials (the API): it asks the workers, which hold
 * them, through a short `walletBalance` workflow. Never throws: a preview without the balance is still a
 * preview, so every failure becomes a reason a person can act on.
 */
import { randomUUID } from 'node:crypto';
import { type Client, WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/common';
import type { MinorUnits } from '../domain/money.js';
import { workflowIds } from '../workflows/definitions.js';
import type { TaskQueues } from '../workflows/types.js';
import type { walletBalanceWorkflow } from '../workflows/wallet.js';

export type WalletLookup = { kind: 'balance'; availableMinor: MinorUnits } | { kind: 'unavailable'; reason: string };

/** Long enough for a PesaWay token and balance call, short enough that an upload's preview never stalls on it. */
export const WALLET_LOOKUP_TIMEOUT_MS = 5000;

const AFTER = 'The rest of the preview is complete; the batch checks the wallet again itself when it starts.';

function reasonOf(err: unknown, seconds: number): string {
  if (err instanceof WorkflowFailedError) {
    const cause = err.cause;
    if (cause instanceof TimeoutFailure) {
      return `No worker picked up the wallet look-up within ${seconds} s: check that the worker is running and polls this API's task queues (TASK_QUEUE_PREFIX). ${AFTER}`;
    }
    if (cause instanceof ActivityFailure) {
      if (cause.cause instanceof TimeoutFailure) {
        return `PesaWay's balance was not read within ${seconds} s (no worker on the PesaWay task queue, or PesaWay slow to answer): check the worker and PESAWAY_BASE_URL, then preview again. ${AFTER}`;
      }
      // The activities' failure messages are our own words and codes (src/activities/failures.ts), never PesaWay's free text.
      if (cause.cause instanceof ApplicationFailure) return `PesaWay did not give the balance: ${cause.cause.message}. ${AFTER}`;
    }
  }
  return `The wallet balance could not be read (${err instanceof Error ? err.message : String(err)}): check that Temporal and the worker are up, then preview again. ${AFTER}`;
}

/**
 * Runs `wallet-balance/<random>` on the batches' workflow queue and waits at most `timeoutMs` (plus a
 * second for the answer to travel). The workflow's own execution timeout ends it on the server when no
 * worker is there, so an unanswered look-up leaves nothing running behind.
 */
export async function lookUpWalletBalance(client: Client, taskQueues: TaskQueues, timeoutMs = WALLET_LOOKUP_TIMEOUT_MS): Promise<WalletLookup> {
  const seconds = Math.round(timeoutMs / 100) / 10;
  let timer: NodeJS.Timeout | undefined;
  try {
    const run = client.workflow.execute<typeof walletBalanceWorkflow>('walletBalanceWorkflow', {
      workflowId: workflowIds.walletBalance(randomUUID()),
      taskQueue: taskQueues.batches,
      args: [{ taskQueue: taskQueues.pesaway, timeoutMs: Math.max(1000, timeoutMs - 500) }],
      workflowExecutionTimeout: timeoutMs,
      staticSummary: 'Wallet balance for a payroll preview',
    });
    // Should Temporal itself not answer (unreachable, overloaded), the preview must not wait for it.
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Temporal did not answer within ${seconds + 1} s`)), timeoutMs + 1000);
    });
    const { availableMinor } = await Promise.race([run, late]);
    return { kind: 'balance', availableMinor };
  } catch (err) {
    return { kind: 'unavailable', reason: reasonOf(err, seconds) };
  } finally {
    clearTimeout(timer);
  }
}
