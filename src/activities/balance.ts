import type { MinorUnits } from '../domain/money.js';
import type { PesaWayClient } from '../pesaway/client.js';
import { pesawayFailure } from './failures.js';

/** The wallet's balance, for the batch's pre-flight and its wait for funds. */
export function createBalanceActivities(deps: { client: PesaWayClient }) {
  return {
    async getAvailableBalance(): Promise<{ availableMinor: MinorUnits }> {
      const outcome = await deps.client.balance();
      if (outcome.kind === 'balance') return { availableMinor: outcome.balance.availableMinor };
      throw pesawayFailure(outcome, 'balance');
    },
  };
}
