import { type BatchActivityDeps, createBatchActivities } from './batch.js';
import { createBalanceActivities } from './balance.js';
import { type PayoutActivityDeps, createPayoutActivities } from './payout.js';
import { createRetryGuardActivities } from './retry-guard.js';
import { createWebhookActivities, type WebhookActivityDeps } from './webhooks.js';

export type ActivityDeps = BatchActivityDeps & PayoutActivityDeps & WebhookActivityDeps;

/** Every activity, built from injected dependencies (tests pass real or fake ones). */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createBatchActivities(deps),
    ...createPayoutActivities(deps),
    ...createBalanceActivities(deps),
    ...createRetryGuardActivities(deps),
    ...createWebhookActivities(deps),
  };
}

/** The activities' contract as workflows see it: derived from the implementation, imported as a type only. */
export type Activities = ReturnType<typeof createActivities>;
export type BatchSnapshot = Awaited<ReturnType<Activities['loadBatch']>>;

/** Activities that call PesaWay: they run on the rate-limited task queue; the others on the database queue. */
export const PESAWAY_ACTIVITIES = ['payOut', 'getAvailableBalance', 'confirmFailures'] as const satisfies ReadonlyArray<keyof Activities>;
