import { ApplicationFailure, CompleteAsyncError, Context } from '@temporalio/activity';
import type { Logger } from '../common/log.js';
import { maskPhone } from '../common/mask.js';
import type { Pool } from '../db/pool.js';
import { type PayoutForSend, payoutForSend } from '../db/payouts.js';
import { type Moved, notePayout, recordSettlement, recordWaiting, transitionPayout } from '../db/payout-transitions.js';
import { type PayoutOutcome, outcomeOf } from '../domain/payout-outcome.js';
import type { PesaWayClient } from '../pesaway/client.js';
import type { SendRequest } from '../pesaway/requests.js';
import { FAILURE_TYPES, pesawayFailure, pesawaySaid } from './failures.js';

export interface PayoutActivityDeps {
  pool: Pool;
  client: PesaWayClient;
  /** The `ResultsUrl` for a reference (carries its HMAC token). */
  resultsUrl: (reference: string) => string;
  log: Logger;
}

/**
 * A send that said nothing about the payment is resent (same reference) soon, not after the poll backoff:
 * 1 s, doubling with each attempt that met no answer, to at most 30 s, so a PesaWay down for minutes is
 * not hammered (nor the payout's story filled) and is found again within 30 s of coming back.
 */
const RESEND_SOON_MS = 1000;
const RESEND_MAX_MS = 30_000;
export const resendDelayMs = (attempt: number): number => Math.min(RESEND_SOON_MS * 2 ** Math.max(0, attempt - 1), RESEND_MAX_MS);

function sendRequest(p: PayoutForSend, resultsUrl: string): SendRequest {
  const base = { reference: p.reference, amountMinor: p.amountMinor, reason: p.reason, resultsUrl };
  return p.channel === 'BANK'
    ? { ...base, channel: 'BANK', accountNumber: p.accountNumber ?? '', bankCode: p.bankCode ?? undefined, bankName: p.bankName ?? undefined }
    : { ...base, channel: p.channel, phone: p.phone ?? '' };
}

/**
 * `payOut(reference)`: ONE durable activity per payout (activityId = the reference). Each attempt reads the
 * payout from PostgreSQL and does what its record calls for:
 *
 * - not sent, parked, or sent without an answer: send with the deterministic reference (a resend after a
 *   timeout meets `403.002`, "accepted earlier", never a second payment);
 * - accepted: on a later attempt (the callback wait ran out) query PesaWay instead: the retry IS the poll;
 * - settled already: return at once.
 *
 * Once accepted it records the transition and this attempt's task token in one statement and completes
 * asynchronously: the callback receiver records the result in the same row, then completes it by token.
 * Whichever writes first, no wake-up is lost (see src/db/payout-transitions.ts). 455.001 returns `parked`
 * (nothing was paid); 400.001 `rejected`.
 */
export function createPayoutActivities(deps: PayoutActivityDeps) {
  const { pool, client, log } = deps;

  /**
   * Returns the outcome if the payout ended, else waits for the callback (or the next attempt's poll),
   * making sure this attempt's token is the one stored while the payout is accepted.
   */
  async function endOrWait(reference: string, taskToken: Uint8Array, moved: Moved): Promise<PayoutOutcome> {
    let at = moved;
    if (!at.applied && at.current === 'accepted') at = await recordWaiting(pool, reference, taskToken);
    const ended = outcomeOf(reference, at.current);
    if (ended) return ended;
    // No reference in failure messages: they stay in clear on the server even when payloads are encrypted.
    if (at.current !== 'accepted') throw ApplicationFailure.create({ message: `the payout is ${at.current}, expected accepted`, type: FAILURE_TYPES.ambiguous });
    throw new CompleteAsyncError();
  }

  async function send(p: PayoutForSend, taskToken: Uint8Array, attempt: number): Promise<PayoutOutcome> {
    const { reference } = p;
    const at = await transitionPayout(pool, { reference, to: 'submitting', source: 'payout', detail: { from: p.status } });
    if (!at.applied && at.current !== 'submitting') return endOrWait(reference, taskToken, at);
    const outcome = await client.send(sendRequest(p, deps.resultsUrl(reference)));
    switch (outcome.kind) {
      case 'accepted':
        return endOrWait(reference, taskToken, await transitionPayout(pool, { reference, to: 'accepted', source: 'payout', transactionId: outcome.transactionId, taskToken }));
      case 'reference-used':
        log.info({ reference }, 'Reference already accepted earlier (403.002): settling it, not resending');
        await notePayout(pool, { reference, kind: 'payout.reference_used', source: 'payout' });
        return endOrWait(reference, taskToken, await transitionPayout(pool, { reference, to: 'accepted', source: 'payout', taskToken, evidence: { referenceUsed: true } }));
      case 'insufficient-balance': {
        const parked = await transitionPayout(pool, { reference, to: 'awaiting_funds', source: 'payout', failureReason: outcome.message });
        return endOrWait(reference, taskToken, parked);
      }
      case 'invalid': {
        log.warn({ reference, destination: maskPhone(p.phone ?? p.accountNumber ?? ''), message: outcome.message }, 'PesaWay rejected payout (400.001)');
        const rejected = await transitionPayout(pool, { reference, to: 'rejected', source: 'payout', failureReason: outcome.message });
        return endOrWait(reference, taskToken, rejected);
      }
      default: {
        const failure = pesawayFailure(outcome, `send ${reference}`, resendDelayMs(attempt));
        await notePayout(pool, { reference, kind: 'payout.send_failed', source: 'payout', detail: { error: failure.message, pesaway: pesawaySaid(outcome) } });
        throw failure;
      }
    }
  }

  async function poll(p: PayoutForSend, taskToken: Uint8Array): Promise<PayoutOutcome> {
    const { reference } = p;
    const answer = await client.queryPayout({ reference, transactionId: p.transactionId ?? undefined, channel: p.channel });
    switch (answer.kind) {
      case 'settled': {
        const s = await recordSettlement(pool, reference, answer.result, 'query');
        return endOrWait(reference, taskToken, s);
      }
      case 'pending':
        return endOrWait(reference, taskToken, await recordWaiting(pool, reference, taskToken, { kind: 'pending', transactionId: answer.transactionId }));
      case 'not-found':
        // Accepted by our records yet unknown to the query: never resend; wait for more evidence.
        return endOrWait(reference, taskToken, await recordWaiting(pool, reference, taskToken, { kind: 'not-found' }));
      default: {
        const failure = pesawayFailure(answer, `query ${reference}`);
        await notePayout(pool, { reference, kind: 'payout.query', source: 'payout', detail: { answer: answer.kind, error: failure.message, pesaway: pesawaySaid(answer) } });
        throw failure;
      }
    }
  }

  return {
    async payOut(reference: string): Promise<PayoutOutcome> {
      const { attempt, taskToken } = Context.current().info;
      const p = await payoutForSend(pool, reference);
      if (!p) throw ApplicationFailure.nonRetryable('No payout has this activity\'s reference in PostgreSQL', FAILURE_TYPES.notFound);
      const ended = p.status === 'awaiting_funds' ? undefined : outcomeOf(reference, p.status);
      if (ended) return ended;
      if (p.status !== 'accepted') return send(p, taskToken, attempt);
      // Accepted earlier (a shard's earlier run, or before a crash): the first attempt waits for the callback
      // it may still get; later attempts, whose callback wait ran out, ask PesaWay.
      if (attempt === 1) return endOrWait(reference, taskToken, await recordWaiting(pool, reference, taskToken));
      return poll(p, taskToken);
    },
  };
}
