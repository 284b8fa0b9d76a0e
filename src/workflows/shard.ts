import {
  ActivityFailure,
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  makeContinueAsNewFunc,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { payoutParkedSignal, shardControlSignal, shardEndedSignal, workflowIds } from './definitions.js';
import { payoutSummary, shardDetails } from './details.js';
import {
  type ShardState,
  applyCancel,
  applyControl,
  bufferPage,
  canStart,
  carryOver,
  inFlightCount,
  isDone,
  markOutcome,
  markStarted,
  newShardState,
  parkToReport,
  takeReleased,
  takeToStart,
} from './shard-state.js';
import type { BatchSettings, PayoutTicket, RowRange, ShardControl, ShardSummary } from './types.js';

export interface ShardInput {
  batchId: string;
  shard: number;
  range: RowRange;
  settings: BatchSettings;
  control: ShardControl;
  /** Set when the shard continues as new: everything it knew. */
  carried?: ShardState;
}

/** How long a shard about to continue as new lets its payouts in flight finish; the rest start again in the next run. */
const DRAIN_BEFORE_CONTINUE_MS = 15_000;

/**
 * `batch/<batchId>/<n>`: pays one contiguous range of a batch's rows. Reads its payouts page by page from
 * PostgreSQL and keeps a sliding window of payout activities (one each, `payOut(reference)`, completed by
 * the result callback); parks payouts PesaWay refused for funds (455.001) until the batch releases them,
 * then resends them under the same references. Continues as new before its history grows large.
 */
export async function shardWorkflow(input: ShardInput): Promise<ShardSummary> {
  const { batchId, settings } = input;
  const { payout: timing, taskQueues } = settings;
  const state = input.carried ?? newShardState(batchId, input.shard, input.range, input.control);
  let changed = false;
  const touch = (): void => void (changed = true);

  const db = proxyActivities<Activities>({
    taskQueue: taskQueues.db,
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
  });
  // The retry of a payout activity IS the poll: each attempt waits `callbackWaitMs` for the callback, the
  // next one (after the poll backoff) asks PesaWay. Schedule-to-close is the settle deadline.
  const { payOut } = proxyActivities<Activities>({
    taskQueue: taskQueues.pesaway,
    startToCloseTimeout: timing.callbackWaitMs,
    scheduleToCloseTimeout: timing.settleDeadlineMs,
    retry: { initialInterval: timing.pollInitialMs, backoffCoefficient: 2, maximumInterval: timing.pollMaxMs, nonRetryableErrorTypes: ['PayoutNotFound'] },
  });

  setHandler(shardControlSignal, (control) => {
    state.control = applyControl(state.control, control);
    touch();
  });

  /** Starts (or restarts, after continue-as-new) one payout's activity; its end is booked when it comes back. */
  function launch(ticket: PayoutTicket, since: number, fresh: boolean): void {
    markStarted(state, ticket, since, fresh);
    const left = timing.settleDeadlineMs - (Date.now() - since);
    payOut
      .executeWithOptions({ activityId: settings.opaqueActivityIds ? `row-${ticket.rowNo}-attempt-${ticket.attempt}` : ticket.reference, summary: payoutSummary(ticket), scheduleToCloseTimeout: Math.max(1000, left) }, [ticket.reference])
      .then(
        (outcome) => markOutcome(state, outcome),
        async (err: unknown) => {
          if (!(err instanceof ActivityFailure) || isCancellation(err)) throw err;
          // The settle deadline passed (or the payout cannot be paid as stored): unresolved with its evidence.
          await db.markUnresolved(ticket.reference, err.cause?.message ?? err.message);
          markOutcome(state, { reference: ticket.reference, status: 'unresolved' });
        },
      )
      .catch((err: unknown) => log.error('Payout activity ended unexpectedly; a later round resumes it', { reference: ticket.reference, error: String(err) }))
      .finally(touch);
  }

  // Payouts the previous run had in flight start again: each finds its record and resumes where it was.
  for (const f of Object.values(state.inFlight)) launch(f.ticket, f.since, false);

  for (;;) {
    setCurrentDetails(shardDetails(state));
    if (state.control.cancelled && !state.cancelApplied) {
      await db.cancelParkedPayouts(applyCancel(state), 'operator');
      continue;
    }
    for (const ticket of takeReleased(state)) launch(ticket, Date.now(), false);
    if (parkToReport(state)) {
      state.parkReportedAt = state.control.fundsReleases;
      await getExternalWorkflowHandle(workflowIds.batch(batchId))
        .signal(payoutParkedSignal, { shard: state.shard, releasesSeen: state.control.fundsReleases })
        .catch((err: unknown) => log.warn('Could not tell the batch about parked payouts', { batchId, error: String(err) }));
    }
    if (canStart(state) && state.buffer.length === 0 && !state.exhausted && state.startsThisRun < settings.maxStartsPerRun) {
      bufferPage(state, await db.nextOpenPayouts(batchId, state.range, state.cursor, settings.pageSize), settings.pageSize);
      continue;
    }
    if (state.startsThisRun < settings.maxStartsPerRun) {
      const starting = takeToStart(state, settings.windowSize);
      for (const ticket of starting) launch(ticket, Date.now(), true);
      if (starting.length > 0) continue;
    }
    if (isDone(state)) break;
    if (state.startsThisRun >= settings.maxStartsPerRun || workflowInfo().continueAsNewSuggested) await continueAsNew();
    changed = false;
    await condition(() => changed);
  }

  setCurrentDetails(shardDetails(state));
  await getExternalWorkflowHandle(workflowIds.batch(batchId))
    .signal(shardEndedSignal, state.summary)
    .catch((err: unknown) => log.warn('Could not tell the batch this shard ended', { batchId, error: String(err) }));
  return state.summary;

  /** Lets what is in flight finish (for a while), then hands over; what is still in flight starts again there. */
  async function continueAsNew(): Promise<never> {
    await condition(() => inFlightCount(state) === 0, DRAIN_BEFORE_CONTINUE_MS);
    await condition(allHandlersFinished);
    const next = makeContinueAsNewFunc<typeof shardWorkflow>({});
    return next({ ...input, carried: carryOver(state) });
  }
}
