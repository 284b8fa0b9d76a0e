import { ApplicationFailure } from '@temporalio/activity';
import type { CommonFailure } from '../pesaway/outcomes.js';

/** Error types the activities throw (Temporal shows them; the retry policy keys off `nonRetryable`). */
export const FAILURE_TYPES = {
  rateLimited: 'PesaWayRateLimited',
  unauthorized: 'PesaWayUnauthorized',
  ambiguous: 'PesaWayAmbiguous',
  notFound: 'PayoutNotFound',
  batchNotFound: 'BatchNotFound',
  selfApproval: 'SelfApproval',
} as const;

/**
 * A PesaWay answer that settles nothing: Temporal retries the activity, and a send is retried with the
 * SAME reference. `soon`: retry after this delay instead of the retry policy's (the poll backoff), for
 * answers that say nothing about the payment (a 5xx, a timeout, a 429).
 */
export function pesawayFailure(failure: CommonFailure | { kind: 'not-found'; message: string }, what: string, soonMs?: number): ApplicationFailure {
  const nextRetryDelay = soonMs;
  switch (failure.kind) {
    case 'rate-limited':
      return ApplicationFailure.create({ message: `${what}: PesaWay rate limit (429.001)`, type: FAILURE_TYPES.rateLimited, nextRetryDelay });
    case 'unauthorized':
      // A configuration problem: the poll backoff, not a quick retry, until someone fixes the credentials.
      return ApplicationFailure.create({ message: `${what}: PesaWay refused our credentials (401.001) — check PESAWAY_CONSUMER_KEY/SECRET`, type: FAILURE_TYPES.unauthorized });
    case 'ambiguous':
      return ApplicationFailure.create({ message: `${what}: no definite answer (${failure.reason}: ${failure.detail})`, type: FAILURE_TYPES.ambiguous, nextRetryDelay });
    default:
      return ApplicationFailure.create({ message: `${what}: unexpected answer ${failure.kind}: ${failure.message}`, type: FAILURE_TYPES.ambiguous, nextRetryDelay });
  }
}
