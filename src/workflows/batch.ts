import {
  ActivityFailure,
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { DbActivities, PesaWayActivities } from '../activities/types.js';
import type { BatchStatus } from '../domain/batch-status.js';
import {
  approveSignal,
  cancelPayoutSignal,
  cancelSignal,
  fundsAddedSignal,
  pauseSignal,
  payoutParkedSignal,
  progressQuery,
  releasePayoutSignal,
  resumeSignal,
  retryFailedSignal,
  workflowIds,
} from './definitions.js';
import {
  type BatchState,
  desiredStatus,
  inFlightCount,
  initialState,
  markEnded,
  markParked,
  markReleased,
  markStarted,
  parkedNeedMinor,
  parkedReferences,
  refreshFromSnapshot,
  carriedReferences,
  markAllCarried,
  markCarried,
  rewind,
  bufferPage,
  toProgress,
} from './batch-state.js';
import { payoutWorkflow } from './payout.js';
import { BatchIdKey, BatchStatusKey, PayoutStatusKey } from '../temporal/search-attributes.js';
import type { BatchSettings, BatchSummary, PayoutTicket } from './types.js';

/**
 * Child starts the batch keeps outstanding (issued, not yet confirmed by the server). Starts are
 * pipelined rather than awaited in groups, so the server always has work queued, while a burst stays
 * small enough not to flood the payout worker with new workflows.
 */
const MAX_PENDING_STARTS = 50;

export interface BatchInput {
  batchId: string;
  settings: BatchSettings;
  /** Set when the batch continues as new: everything it knew. */
  carried?: BatchState;
}

/**
 * `batch/<batchId>`: pays one ingested payroll. Reads payouts page by page from PostgreSQL and keeps a
 * sliding window of payout workflows running; children are abandoned on close and report back by signal
 * to the batch's workflow id, so the batch can continue as new whenever its history grows.
 */
export async function batchWorkflow(input: BatchInput): Promise<BatchSummary> {
  const { batchId, settings } = input;
  const db = proxyActivities<DbActivities>({
    taskQueue: settings.taskQueues.db,
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
  });
  const pesaway = proxyActivities<PesaWayActivities>({
    taskQueue: settings.taskQueues.pesaway,
    startToCloseTimeout: settings.payout.pesawayAttemptTimeoutMs,
    scheduleToCloseTimeout: '5 minutes',
    retry: { initialInterval: '2 seconds', maximumInterval: '1 minute' },
  });
  const now = (): string => new Date().toISOString();

  const fresh = input.carried === undefined;
  const snapshot = fresh ? await db.loadBatch(batchId) : undefined;
  const state: BatchState = input.carried ?? initialState(snapshot!, now());
  if (!fresh) state.run += 1;
  let changed = false;
  const touch = (): void => void (changed = true);

  setHandler(progressQuery, () => toProgress(state, now()));
  setHandler(pauseSignal, () => void ((state.paused = true), touch()));
  setHandler(resumeSignal, () => void ((state.paused = false), touch()));
  setHandler(cancelSignal, () => void ((state.cancelRequested = true), touch()));
  setHandler(fundsAddedSignal, () => void ((state.fundsAdded = true), touch()));
  setHandler(retryFailedSignal, () => void ((state.retryRequested = true), touch()));
  setHandler(approveSignal, ({ by }) => {
    // The API refuses self-approval first; the workflow keeps the rule too.
    if (state.approvedBy === undefined && by !== state.submittedBy) state.approvedBy = by;
    touch();
  });
  setHandler(payoutParkedSignal, ({ reference }) => void (markParked(state, reference), touch()));

  const syncStatus = async (status: BatchStatus = desiredStatus(state)): Promise<void> => {
    if (state.persistedStatus === status) return;
    await db.setBatchStatus(batchId, status);
    state.persistedStatus = status;
    if (settings.searchAttributes) upsertSearchAttributes([{ key: BatchStatusKey, value: status }]);
  };

  if (snapshot) {
    if (settings.searchAttributes) upsertSearchAttributes([{ key: BatchIdKey, value: batchId }, { key: BatchStatusKey, value: snapshot.status }]);
    const finished = snapshot.status === 'COMPLETED' || snapshot.status === 'CANCELLED';
    if (finished && !state.retryRequested) return db.finalizeBatch(batchId, snapshot.status as 'COMPLETED' | 'CANCELLED');
    if (snapshot.approvalRequired && state.approvedBy === undefined) {
      await syncStatus('AWAITING_APPROVAL');
      await condition(() => state.approvedBy !== undefined || state.cancelRequested);
      if (state.approvedBy !== undefined) await db.recordApproval(batchId, state.approvedBy);
    }
    if (!state.cancelRequested) {
      await syncStatus('RUNNING');
      await preflightFunds();
    }
  }

  /** Pre-flight: compare what the batch needs with the wallet, alert on a shortfall, wait if so configured. */
  async function preflightFunds(): Promise<void> {
    const { neededMinor } = await db.fundsNeeded(batchId);
    const available = await availableBalance();
    if (available === undefined || available >= neededMinor) return;
    state.shortfallMinor = neededMinor - available;
    state.availableMinor = available;
    await db.raiseFundsAlert({ batchId, shortfallMinor: neededMinor - available, availableMinor: available, neededMinor });
    state.fundsAlertRaised = true;
    if (settings.fundsPolicy === 'wait') {
      state.awaitingFundsSince = now();
      await waitForFunds(async () => (await db.fundsNeeded(batchId)).neededMinor);
    }
  }

  async function availableBalance(): Promise<number | undefined> {
    try {
      return (await pesaway.getAvailableBalance()).availableMinor;
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      log.warn('Balance unavailable', { batchId, error: err.cause?.message ?? err.message });
      return undefined;
    }
  }

  /** AWAITING_FUNDS until the wallet covers `need()`: polls the balance with backoff, wakes at once on fundsAdded. */
  async function waitForFunds(need: () => Promise<number>): Promise<void> {
    let delay = settings.fundsPollInitialMs;
    while (!state.cancelRequested) {
      await syncStatus();
      const [needed, available] = [await need(), await availableBalance()];
      if (available !== undefined) {
        state.availableMinor = available;
        if (available >= needed) break;
        const { neededMinor: batchNeed } = await db.fundsNeeded(batchId);
        state.shortfallMinor = Math.max(needed, batchNeed) - available;
        if (!state.fundsAlertRaised) {
          await db.raiseFundsAlert({ batchId, shortfallMinor: state.shortfallMinor, availableMinor: available, neededMinor: batchNeed });
          state.fundsAlertRaised = true;
        }
      }
      state.fundsAdded = false;
      await condition(() => state.fundsAdded || state.cancelRequested, delay);
      delay = Math.min(delay * 2, settings.fundsPollMaxMs);
    }
    state.awaitingFundsSince = undefined;
    state.fundsAlertRaised = false;
    state.shortfallMinor = undefined;
    await syncStatus();
  }

  async function startPayout(ticket: PayoutTicket): Promise<void> {
    markStarted(state, ticket);
    try {
      const child = await startChild(payoutWorkflow, {
        workflowId: workflowIds.payout(ticket.reference),
        taskQueue: settings.taskQueues.payouts,
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        ...(settings.searchAttributes
          ? { typedSearchAttributes: [{ key: BatchIdKey, value: batchId }, { key: PayoutStatusKey, value: 'pending' }] }
          : {}),
        memo: { rowNo: ticket.rowNo, attempt: ticket.attempt, amountMinor: ticket.amountMinor, destination: ticket.maskedDestination },
        args: [{ batchId, batchWorkflowId: workflowInfo().workflowId, ticket, taskQueues: settings.taskQueues, timing: settings.payout, searchAttributes: settings.searchAttributes }],
      });
      // The child's completion is recorded in this run's history anyway: no signal back is needed.
      void child.result().then(
        (result) => void (markEnded(state, result), touch()),
        // Terminated or failed (an operator's doing): the database is asked where its payout stands.
        () => void (markCarried(state, ticket.reference), touch()),
      );
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      // Started by an earlier run: it reports to this workflow id when it ends; if it already ended, the counts catch up.
      state.countsStale = true;
    }
  }

  let startsThisRun = 0;
  const starting = new Set<Promise<void>>();
  let carriedPollMs = 1000;
  let carriedPolledAt = 0;
  for (;;) {
    if (state.countsStale) refreshFromSnapshot(state, await db.loadBatch(batchId));

    // Payouts started before the last continue-as-new report their end to the old run: ask the database,
    // with backoff while none of them moves.
    const carried = carriedReferences(state);
    if (carried.length > 0 && Date.now() - carriedPolledAt >= carriedPollMs) {
      carriedPolledAt = Date.now();
      const ended = await db.payoutOutcomes(carried);
      for (const result of ended) markEnded(state, result);
      carriedPollMs = ended.length > 0 ? 1000 : Math.min(carriedPollMs * 2, 60_000);
      if (ended.length > 0) continue;
    }

    if (state.retryRequested) {
      state.retryRequested = false;
      const { retried } = await db.prepareRetry(batchId, 'operator');
      log.info('Retrying failed payouts', { batchId, retried });
      rewind(state);
      refreshFromSnapshot(state, await db.loadBatch(batchId));
    }

    if (state.cancelRequested && !state.cancelApplied) {
      await syncStatus();
      await db.cancelPendingPayouts(batchId, 'operator');
      for (const reference of parkedReferences(state)) {
        await getExternalWorkflowHandle(workflowIds.payout(reference)).signal(cancelPayoutSignal);
      }
      state.cancelApplied = true;
      state.buffer = [];
      state.exhausted = true;
      refreshFromSnapshot(state, await db.loadBatch(batchId));
    }

    if (!state.cancelRequested && parkedReferences(state).length > 0) {
      state.awaitingFundsSince ??= now();
      await waitForFunds(() => Promise.resolve(parkedNeedMinor(state)));
      if (!state.cancelRequested) {
        for (const reference of parkedReferences(state)) {
          markReleased(state, reference);
          await getExternalWorkflowHandle(workflowIds.payout(reference)).signal(releasePayoutSignal);
        }
      }
      continue;
    }

    await syncStatus();
    const canStart = !state.paused && !state.cancelRequested && startsThisRun < settings.maxStartsPerRun;
    if (canStart && state.buffer.length === 0 && !state.exhausted) {
      const page = await db.nextPendingPayouts(batchId, state.cursor, settings.pageSize);
      if (page.length === 0) state.exhausted = true;
      bufferPage(state, page);
      continue;
    }
    // Refill in chunks (a quarter of the window at least), not one payout per finished one: each workflow
    // task then starts many children at once and the batch keeps pace with hundreds of payouts a second.
    const room = Math.min(
      settings.windowSize - inFlightCount(state),
      settings.maxStartsPerRun - startsThisRun,
      MAX_PENDING_STARTS - starting.size,
      state.buffer.length,
    );
    const chunk = Math.min(state.buffer.length, Math.max(1, Math.floor(settings.windowSize / 4)), MAX_PENDING_STARTS);
    if (canStart && room > 0 && (room >= chunk || inFlightCount(state) === 0)) {
      for (const ticket of state.buffer.splice(0, room)) {
        const started = startPayout(ticket).finally(() => {
          starting.delete(started);
          touch();
        });
        starting.add(started);
      }
      startsThisRun += room;
      continue;
    }

    if (state.exhausted && state.buffer.length === 0 && inFlightCount(state) === 0) {
      // The database has the last word: rows still pending (e.g. a retry whose answer was lost) are read
      // again from the start; rows still moving belong to payout workflows of an earlier run.
      const open = await db.countOpen(batchId);
      if (open.pending === 0 && open.moving === 0) break;
      if (open.pending > 0) {
        if (state.cancelRequested) await db.cancelPendingPayouts(batchId, 'operator');
        else rewind(state);
        continue;
      }
      changed = false;
      await condition(() => changed, '30 seconds');
      state.countsStale = true;
      continue;
    }

    if (startsThisRun >= settings.maxStartsPerRun || workflowInfo().continueAsNewSuggested) {
      await Promise.all(starting); // every child start confirmed before this run hands over
      await condition(allHandlersFinished);
      markAllCarried(state);
      await continueAsNew<typeof batchWorkflow>({ batchId, settings, carried: state });
    }

    changed = false;
    const carriedLeft = carriedReferences(state).length > 0;
    await condition(() => changed, carriedLeft ? Math.max(1, carriedPollMs - (Date.now() - carriedPolledAt)) : undefined);
  }

  const end = state.cancelRequested ? 'CANCELLED' : 'COMPLETED';
  const summary = await db.finalizeBatch(batchId, end);
  state.persistedStatus = end;
  if (settings.searchAttributes) upsertSearchAttributes([{ key: BatchStatusKey, value: end }]);
  return summary;
}
