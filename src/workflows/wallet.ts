import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { MinorUnits } from '../domain/money.js';

/** What the wallet look-up is told: where the PesaWay activities run and how long it may take. */
export interface WalletBalanceInput {
  /** The PesaWay task queue (rate-limited, served by the workers that hold PesaWay's credentials). */
  taskQueue: string;
  /** The whole look-up's budget: the asker waits no longer, so the activity must not either. */
  timeoutMs: number;
}

/**
 * `wallet-balance/<random>`: the wallet's available balance, for a caller that holds no PesaWay
 * credentials (the API's preview of a file). One balance activity on the PesaWay task queue, so it shares
 * the queue's rate limit with the payouts; retried once within the budget (a 5xx or a dropped connection),
 * then it fails and the caller says the balance is unavailable. Short-lived and never signalled: nothing
 * to replay across versions.
 */
export async function walletBalanceWorkflow(input: WalletBalanceInput): Promise<{ availableMinor: MinorUnits }> {
  const { getAvailableBalance } = proxyActivities<Activities>({
    taskQueue: input.taskQueue,
    scheduleToCloseTimeout: input.timeoutMs,
    startToCloseTimeout: Math.max(1000, Math.floor(input.timeoutMs / 2)),
    retry: { initialInterval: '200 milliseconds', maximumAttempts: 2 },
  });
  return getAvailableBalance();
}
