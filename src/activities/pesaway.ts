import { ApplicationFailure } from '@temporalio/activity';
import type { Logger } from '../common/log.js';
import { maskPhone } from '../common/mask.js';
import { payoutForSend, transitionPayout } from '../db/payouts.js';
import type { Pool } from '../db/pool.js';
import type { PesaWayClient } from '../pesaway/client.js';
import type { CommonFailure } from '../pesaway/outcomes.js';
import type { SendRequest } from '../pesaway/requests.js';
import { RETRYABLE_ERRORS, type PesaWayActivities, type QueryResult } from './types.js';

export interface PesaWayActivityDeps {
  pool: Pool;
  client: PesaWayClient;
  /** The `ResultsUrl` for a reference (carries its HMAC token). */
  resultsUrl: (reference: string) => string;
  log: Logger;
}

/** Retryable failures: Temporal retries the activity with backoff, and a send is retried with the SAME reference. */
function retryable(failure: CommonFailure | { kind: 'not-found'; message: string }, what: string): ApplicationFailure {
  switch (failure.kind) {
    case 'rate-limited':
      return ApplicationFailure.retryable(`${what}: PesaWay rate limit (429.001)`, RETRYABLE_ERRORS.rateLimited);
    case 'unauthorized':
      return ApplicationFailure.retryable(`${what}: PesaWay refused our credentials (401.001) — check PESAWAY_CONSUMER_KEY/SECRET`, RETRYABLE_ERRORS.unauthorized);
    case 'ambiguous':
      return ApplicationFailure.retryable(`${what}: no definite answer (${failure.reason}: ${failure.detail})`, RETRYABLE_ERRORS.ambiguous);
    default:
      return ApplicationFailure.retryable(`${what}: unexpected answer ${failure.kind}: ${failure.message}`, RETRYABLE_ERRORS.ambiguous);
  }
}

export function createPesaWayActivities(deps: PesaWayActivityDeps): PesaWayActivities {
  const { pool, client, log } = deps;

  async function load(reference: string) {
    const payout = await payoutForSend(pool, reference);
    if (!payout) throw ApplicationFailure.nonRetryable(`No payout with reference ${reference}`, 'PayoutNotFound');
    return payout;
  }

  return {
    async sendPayout(reference) {
      const p = await load(reference);
      // Forward-only: if the record is past the point of sending (accepted, ended, cancelled), do not send.
      const at = await transitionPayout(pool, { reference, to: 'submitting', source: 'send' });
      if (!at.applied && at.current !== 'submitting') return { kind: 'already', status: at.current };
      const move = (to: 'accepted' | 'awaiting_funds' | 'rejected', extra: { transactionId?: string | undefined; failureReason?: string }) =>
        transitionPayout(pool, { reference, to, ...extra, source: 'send' });
      const base = { reference, amountMinor: p.amountMinor, reason: p.reason, resultsUrl: deps.resultsUrl(reference) };
      const request: SendRequest =
        p.channel === 'BANK'
          ? { ...base, channel: 'BANK', accountNumber: p.accountNumber ?? '', bankCode: p.bankCode ?? undefined, bankName: p.bankName ?? undefined }
          : { ...base, channel: p.channel, phone: p.phone ?? '' };
      const outcome = await client.send(request);
      switch (outcome.kind) {
        case 'accepted':
          await move('accepted', { transactionId: outcome.transactionId });
          return { kind: 'accepted', transactionId: outcome.transactionId };
        case 'reference-used':
          log.info({ reference }, 'Reference already accepted earlier (403.002): settling it, not resending');
          await move('accepted', {});
          return { kind: 'reference-used' };
        case 'insufficient-balance':
          await move('awaiting_funds', { failureReason: outcome.message });
          return { kind: 'insufficient-balance', message: outcome.message };
        case 'invalid':
          log.warn({ reference, destination: maskPhone(p.phone ?? p.accountNumber ?? ''), message: outcome.message }, 'PesaWay rejected payout (400.001)');
          await move('rejected', { failureReason: outcome.message });
          return { kind: 'rejected', message: outcome.message };
        default:
          throw retryable(outcome, `send ${reference}`);
      }
    },

    async queryPayout(reference, transactionId) {
      const p = await load(reference);
      const ask = (id: string | undefined) => client.query({ reference, transactionId: id, channel: p.channel });
      let outcome = await ask(transactionId ?? p.transactionId ?? undefined);
      // Some deployments only know PesaWay's id, others our reference: try ours before saying "not found".
      if (outcome.kind === 'not-found' && (transactionId ?? p.transactionId)) outcome = await ask(undefined);
      switch (outcome.kind) {
        case 'settled':
          return { kind: 'settled', result: outcome.result } satisfies QueryResult;
        case 'pending':
          return { kind: 'pending', transactionId: outcome.transactionId };
        case 'not-found':
          return { kind: 'not-found' };
        default:
          throw retryable(outcome, `query ${reference}`);
      }
    },

    async getAvailableBalance() {
      const outcome = await client.balance();
      if (outcome.kind === 'balance') return { availableMinor: outcome.balance.availableMinor };
      throw retryable(outcome, 'balance');
    },
  };
}
