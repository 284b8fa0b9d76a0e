import {
  ActivityFailure,
  condition,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { DbActivities, PesaWayActivities, QueryResult, SendResult, TransitionInput } from '../activities/types.js';
import { type PayoutStatus, isTerminal } from '../domain/payout-status.js';
import type { SettlementResult } from '../domain/settlement.js';
import {
  cancelPayoutSignal,
  payoutParkedSignal,
  payoutStatusQuery,
  releasePayoutSignal,
  settlementSignal,
} from './definitions.js';
import { PayoutStatusKey } from '../temporal/search-attributes.js';
import type { PayoutEnd, PayoutInput, PayoutResult } from './types.js';

/**
 * One payout attempt: `payout/<reference>`. Gets the payment accepted by PesaWay with ONE reference
 * (whatever happens: timeouts, 5xx, 429, 455, crashes), then waits for its result callback, polling the
 * transaction query as a fallback, until a final answer or the settle deadline (`unresolved`).
 */
export async function payoutWorkflow(input: PayoutInput): Promise<PayoutResult> {
  const { ticket, timing, taskQueues } = input;
  const { reference } = ticket;
  const deadline = Date.now() + timing.settleDeadlineMs;
  const remaining = (): number => Math.max(0, deadline - Date.now());

  // Transitions are idempotent and forward-only, so they are safe as local activities: they run in the
  // workflow worker without a task-queue round trip (a payout records three or four of them).
  const db = proxyLocalActivities<Pick<DbActivities, 'recordPayoutTransition'>>({
    startToCloseTimeout: '30 seconds',
    localRetryThreshold: '10 seconds',
    retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' },
  });

  let status: PayoutStatus = 'pending';
  let settlement: SettlementResult | undefined;
  /** Where the callback receiver left the record when it delivered the settlement. */
  let recordedStatus: PayoutStatus | undefined;
  let released = false;
  let cancelRequested = false;
  const evidence: Record<string, unknown> = { maskedDestination: ticket.maskedDestination };

  setHandler(payoutStatusQuery, () => status);
  setHandler(releasePayoutSignal, () => void (released = true));
  setHandler(cancelPayoutSignal, () => void (cancelRequested = true));
  setHandler(settlementSignal, (notice) => {
    // The first final answer wins; a duplicate or a stray one for another reference changes nothing.
    const { result } = notice;
    if (settlement !== undefined || (result.reference !== undefined && result.reference !== reference)) return;
    settlement = result;
    recordedStatus = notice.recordedStatus;
  });

  const setStatus = (next: PayoutStatus): void => {
    if (next === status) return;
    status = next;
    if (input.searchAttributes) upsertSearchAttributes([{ key: PayoutStatusKey, value: status }]);
  };
  const move = async (to: PayoutStatus, extra: Omit<TransitionInput, 'reference' | 'to'> = {}): Promise<PayoutStatus> => {
    const outcome = await db.recordPayoutTransition({ reference, to, ...extra });
    if (!outcome.applied && outcome.current !== to) log.info('Transition not applied; the record is ahead', { reference, to, current: outcome.current });
    setStatus(outcome.current);
    return status;
  };

  // The batch learns the end from this workflow's result (or, after it continued as new, from the database).
  const finish = (end: PayoutEnd, extra: Partial<PayoutResult> = {}): PayoutResult => ({
    reference,
    rowNo: ticket.rowNo,
    status: end,
    amountMinor: ticket.amountMinor,
    ...extra,
  });

  /** Where the record already is, when a restart or a late callback got there first. */
  const alreadyEnded = (): PayoutEnd | undefined =>
    status === 'succeeded' || status === 'failed' || status === 'rejected' || status === 'cancelled' ? status : undefined;

  // Phase 1: get the payment accepted, always with the same reference. The send activity records
  // submitting / accepted / awaiting_funds / rejected itself, in the same step as the call.
  const pesawayOptions = (timeoutMs: number) => ({
    taskQueue: taskQueues.pesaway,
    startToCloseTimeout: timing.pesawayAttemptTimeoutMs,
    scheduleToCloseTimeout: Math.max(1000, timeoutMs),
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  });
  let transactionId: string | undefined;
  for (;;) {
    if (cancelRequested && (status === 'pending' || status === 'awaiting_funds')) {
      const now = await move('cancelled', { failureReason: 'batch cancelled before this payout was sent' });
      return finish(alreadyEnded() ?? (now as PayoutEnd));
    }
    let sent: SendResult;
    try {
      sent = await proxyActivities<PesaWayActivities>(pesawayOptions(remaining())).sendPayout(reference);
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      // No answer we could trust before the deadline. The payment may exist: never resend under a new reference.
      evidence['lastSendError'] = err.cause?.message ?? err.message;
      await move('unresolved', { evidence: { ...evidence, reason: 'no definite answer to the send before the settle deadline' } });
      return finish(alreadyEnded() ?? 'unresolved', { reason: 'send never answered definitely' });
    }
    if (sent.kind === 'already') {
      status = sent.status;
      const ended = alreadyEnded();
      if (ended) return finish(ended);
      if (status === 'awaiting_funds') {
        sent = { kind: 'insufficient-balance', message: 'parked earlier' };
      } else {
        break; // accepted (or unresolved) on an earlier run: go and settle
      }
    }
    if (sent.kind === 'accepted' || sent.kind === 'reference-used') {
      transactionId = sent.kind === 'accepted' ? sent.transactionId : undefined;
      if (sent.kind === 'reference-used') evidence['referenceUsed'] = true;
      setStatus('accepted');
      break;
    }
    if (sent.kind === 'rejected') {
      setStatus('rejected');
      return finish('rejected', { reason: sent.message });
    }
    // 455.001: nothing was paid. Park until the batch sees enough funds, then resend the SAME reference.
    setStatus('awaiting_funds');
    released = false;
    await getExternalWorkflowHandle(input.batchWorkflowId).signal(payoutParkedSignal, { reference }).catch((err: unknown) => {
      log.warn('Could not tell the batch about the parked payout', { reference, error: String(err) });
      released = true; // no batch to wait for: try again on our own
    });
    await condition(() => released || cancelRequested);
  }

  // Phase 2: settle. The callback usually comes first; polling is the fallback.
  await condition(() => settlement !== undefined, Math.min(timing.callbackWaitMs, remaining()));
  let pollDelay = timing.pollInitialMs;
  let queries = 0;
  while (settlement === undefined && remaining() > 0) {
    const query = proxyActivities<PesaWayActivities>({
      ...pesawayOptions(Math.min(remaining(), 5 * 60_000)),
      retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
    });
    let answer: QueryResult | undefined;
    try {
      queries += 1;
      answer = await query.queryPayout(reference, transactionId);
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      evidence['lastQueryError'] = err.cause?.message ?? err.message;
    }
    if (answer?.kind === 'settled') {
      settlement = answer.result;
      break;
    }
    if (answer) evidence['lastQuery'] = answer.kind;
    if (answer?.kind === 'pending' && answer.transactionId) transactionId ??= answer.transactionId;
    await condition(() => settlement !== undefined, Math.min(pollDelay, remaining()));
    pollDelay = Math.min(pollDelay * 2, timing.pollMaxMs);
  }
  evidence['queries'] = queries;

  if (settlement === undefined) {
    await move('unresolved', { transactionId, evidence: { ...evidence, transactionId, reason: 'no final answer before the settle deadline' } });
    const ended = alreadyEnded();
    return finish(ended ?? 'unresolved', { transactionId, reason: 'no final answer before the settle deadline' });
  }

  const s = settlement;
  if (s.amountMinor !== undefined && s.amountMinor !== ticket.amountMinor) {
    log.error('PesaWay reports a different amount', { reference, expected: ticket.amountMinor, reported: s.amountMinor });
    evidence['amountMismatch'] = { expected: ticket.amountMinor, reported: s.amountMinor };
  }
  const to = s.resultCode === 0 ? 'succeeded' : 'failed';
  // A callback is recorded by the receiver before it signals; a polled answer (or a mismatch) is recorded here.
  const recorded = recordedStatus !== undefined && isTerminal(recordedStatus) && !evidence['amountMismatch'];
  const now = recorded
    ? (setStatus(recordedStatus!), status)
    : await move(to, {
        transactionId: s.transactionId ?? transactionId,
        result: s,
        ...(to === 'failed' ? { failureReason: s.resultDesc || `ResultCode ${s.resultCode}` } : {}),
        ...(evidence['amountMismatch'] ? { evidence } : {}),
      });
  // Forward-only: if the record already holds a different final answer, the first one stands.
  const end: PayoutEnd = alreadyEnded() ?? to;
  if (end !== to) log.error('Contradicting final answers from PesaWay; the first one stands', { reference, recorded: now, now: to });
  return finish(end, { transactionId: s.transactionId ?? transactionId, resultCode: s.resultCode, reason: to === 'failed' ? s.resultDesc : undefined });
}
