import { ApplicationFailure } from '@temporalio/activity';
import { scrubPersonalText } from '../common/mask.js';
import type { CommonFailure } from '../pesaway/outcomes.js';

/** Error types the activities throw (Temporal shows them; the retry policy keys off `nonRetryable`). */
export const FAILURE_TYPES = {
  rateLimited: 'PesaWayRateLimited',
  unauthorized: 'PesaWayUnauthorized',
  ambiguous: 'PesaWayAmbiguous',
  notFound: 'PayoutNotFound',
  batchNotFound: 'BatchNotFound',
  selfApproval: 'SelfApproval',
  selfRejection: 'SelfRejection',
} as const;

type Unsettling = CommonFailure | { kind: 'not-found'; message: string };

/**
 * What PesaWay said in its own words (masked, receiver names removed), for the payout's story in
 * PostgreSQL. Never put into a Temporal failure: a provider's free text may name the receiver.
 */
export function pesawaySaid(failure: Unsettling): string {
  return scrubPersonalText(failure.kind === 'ambiguous' ? failure.detail : failure.message);
}

/**
 * A PesaWay answer that settles nothing: Temporal retries the activity, and a send is retried with the
 * SAME reference. `soon`: retry after this delay instead of the retry policy's (the poll backoff), for
 * answers that say nothing about the payment (a 5xx, a timeout, a 429).
 *
 * The message goes into Temporal's history (and, past the settle deadline, the payout's evidence), so it
 * carries our words, the code and the reason only; an ambiguity's detail (ours, sometimes quoting PesaWay)
 * is scrubbed of numbers and names first.
 */
export function pesawayFailure(failure: Unsettling, what: string, soonMs?: number): ApplicationFailure {
  const nextRetryDelay = soonMs;
  switch (failure.kind) {
    case 'rate-limited':
      return ApplicationFailure.create({ message: `${what}: PesaWay rate limit (429.001)`, type: FAILURE_TYPES.rateLimited, nextRetryDelay });
    case 'unauthorized':
      // A configuration problem: the poll backoff, not a quick retry, until someone fixes the credentials.
      return ApplicationFailure.create({ message: `${what}: PesaWay refused our credentials (401.001) — check PESAWAY_CONSUMER_KEY/SECRET`, type: FAILURE_TYPES.unauthorized });
    case 'ambiguous':
      return ApplicationFailure.create({ message: `${what}: no definite answer (${failure.reason}: ${scrubPersonalText(failure.detail)})`, type: FAILURE_TYPES.ambiguous, nextRetryDelay });
    default: {
      const code = 'code' in failure ? ` (${failure.code})` : '';
      return ApplicationFailure.create({ message: `${what}: unexpected answer ${failure.kind}${code}`, type: FAILURE_TYPES.ambiguous, nextRetryDelay });
    }
  }
}
