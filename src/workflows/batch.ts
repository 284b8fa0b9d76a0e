import {
  ActivityFailure,
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  log,
  makeContinueAsNewFunc,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Activities } from '../activities/index.js';
import type { BatchStatus } from '../domain/batch-status.js';
import { formatKes } from '../domain/money.js';
import { openCount } from '../domain/tally.js';
import { BatchIdKey, BatchStatusKey } from '../temporal/search-attributes.js';
import {
  type BatchState,
  applyReachabilityNews,
  applySnapshot,
  awaitingFunds,
  desiredStatus,
  enterFundsWait,
  forgetShardsIfSilent,
  fundsNeededNow,
  initialState,
  leaveFundsWait,
  nothingOpen,
  parkedUnreleased,
  scheduleRefresh,
  shardControl,
  toProgress,
} from './batch-state.js';
import {
  approveSignal,
  cancelSignal,
  fundsAddedSignal,
  pauseSignal,
  payoutParkedSignal,
  pesawayReachabilitySignal,
  progressQuery,
  rejectSignal,
  resumeSignal,
  retryFailedSignal,
  shardControlSignal,
  shardEndedSignal,
  workflowIds,
} from './definitions.js';
import { batchDetails, shardSummaryLine } from './details.js';
import { shardWorkflow } from './shard.js';
import type { BatchSettings, BatchSummary } from './types.js';

export interface BatchInput {
  batchId: string;
  settings: BatchSettings;
  /** Set when the batch continues as new: everything it knew. */
  carried?: BatchState;
}

/** While payouts move, the wallet's balance is re-read this often (so `available` follows the wallet down). */
const BALANCE_REFRESH_MS = 60_000;
/** Re-reads showing nothing open, with shards still listed as running, before the batch stops waiting for them. */
const SILENT_REFRESHES_BEFORE_FORGETTING = 4;
/** A batch run hands over to a new one past this many history events (or when Temporal suggests it). */
const RUN_MAX_EVENTS = 8_000;
/** The retry of failed rows confirms each failure with PesaWay first (issue 12). */
const RETRY_GUARD_PATCH = 'confirm-failures-before-retry';
/** An approval signalled before the first workflow task is recorded too. */
const EARLY_APPROVAL_PATCH = 'record-early-approval';
/** A batch with a pay time waits for it, SCHEDULED (issue 13). */
const PAY_AT_PATCH = 'scheduled-pay-at';
/** Before the batch pays: the statuses in which an approver may still reject it. */
const UNDECIDED: readonly BatchStatus[] = ['CREATED', 'SCHEDULED', 'AWAITING_APPROVAL'];
/** The longest rejection reason PostgreSQL keeps (the API refuses longer ones first). */
const REASON_MAX = 500;
/** How long PesaWay may stay unreachable before the batch raises its alert, unless the settings say. */
const PESAWAY_ALERT_AFTER_MS = 2 * 60_000;

/**
 * `batch/<batchId>`: pays one ingested payroll.
 *
 *  0. awaitPayDay   — with a pay time (`payAt`): SCHEDULED until then, on a durable timer; an approval given
 *                     meanwhile is recorded at once, a cancel or a rejection ends the batch with nothing sent.
 *  1. awaitApproval — when the batch needs a second person, wait for one (never its submitter); an approver
 *                     may reject it instead, and it ends CANCELLED with nothing paid.
 *  2. checkFunds    — compare the wallet with what the batch needs; under `wait`, wait for the money first.
 *  3. payAll        — rounds of shard workflows, each paying a contiguous range of rows with one activity per
 *                     payout, until no payout is left to move; meanwhile: forward pause / resume / cancel to
 *                     the shards, wait for funds when one parks a payout (455.001), re-read progress.
 *  4. finish        — the summary, from PostgreSQL.
 */
export async function batchWorkflow(input: BatchInput): Promise<BatchSummary> {
  const { batchId, settings } = input;
  const db = proxyActivities<Activities>({
    taskQueue: settings.taskQueues.db,
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
  });
  const pesaway = proxyActivities<Activities>({
    taskQueue: settings.taskQueues.pesaway,
    startToCloseTimeout: settings.payout.pesawayAttemptTimeoutMs,
    scheduleToCloseTimeout: '5 minutes',
    retry: { initialInterval: '2 seconds', maximumInterval: '1 minute' },
  });
  // One long activity: a fresh transaction query per failed row before any is resent (it heartbeats its place).
  const retryGuard = proxyActivities<Activities>({
    taskQueue: settings.taskQueues.pesaway,
    startToCloseTimeout: '15 minutes',
    heartbeatTimeout: '1 minute',
    scheduleToCloseTimeout: '2 hours',
    retry: { initialInterval: '5 seconds', maximumInterval: '2 minutes' },
  });
  const now = (): string => new Date().toISOString();

  const snapshot = input.carried ? undefined : await db.loadBatch(batchId);
  const state: BatchState = input.carried ?? initialState(snapshot!, now());
  let changed = false;
  const touch = (): void => void (changed = true);
  let toldShards = JSON.stringify(shardControl(state));
  let balanceNextAt = 0;
  let pesawayAlertArmedFor: string | undefined;
  // Known from the first run's snapshot; a run carried over has paid already, so no decision is pending in it.
  const approvalRequired = snapshot?.approvalRequired ?? false;

  setHandler(progressQuery, () => toProgress(state, now()));
  setHandler(pauseSignal, () => void ((state.paused = true), touch()));
  setHandler(resumeSignal, () => void ((state.paused = false), touch()));
  setHandler(cancelSignal, () => void ((state.cancelRequested = true), touch()));
  setHandler(fundsAddedSignal, () => void ((state.funds.added = true), touch()));
  setHandler(retryFailedSignal, () => void ((state.retryRequested = true), touch()));
  setHandler(approveSignal, ({ by }) => {
    // The API refuses self-approval first; the workflow keeps the rule too.
    if (state.approvedBy === undefined && state.rejection === undefined && by !== state.submittedBy) state.approvedBy = by;
    touch();
  });
  setHandler(rejectSignal, ({ by, reason }) => {
    // The API refuses these first (self-rejection, a batch that needs no approval, one already decided or
    // paying); the workflow keeps the rules too, so a late or stray signal changes nothing.
    const undecided = approvalRequired && state.approvedBy === undefined && state.rejection === undefined && UNDECIDED.includes(state.persistedStatus);
    if (undecided && by !== state.submittedBy) {
      state.rejection = { by, reason: reason.slice(0, REASON_MAX) || '(no reason given)', at: now() };
      state.cancelRequested = true;
    }
    touch();
  });
  setHandler(payoutParkedSignal, ({ releasesSeen }) => {
    state.funds.parkedAfterRelease = Math.max(state.funds.parkedAfterRelease, releasesSeen);
    touch();
  });
  setHandler(shardEndedSignal, ({ shard }) => {
    state.shardsRunning = state.shardsRunning.filter((n) => n !== shard);
    touch();
  });
  // Only runs told of an outage do anything here: histories without this signal replay unchanged.
  setHandler(pesawayReachabilitySignal, (news) => {
    const ended = applyReachabilityNews(state, news);
    if (ended?.alertedAt !== undefined) reportPesawayBack(ended.since);
    if (state.pesaway && state.pesaway.alertedAt === undefined) armPesawayAlert(state.pesaway.since);
    showDetails();
    touch();
  });
  if (input.carried?.pesaway && input.carried.pesaway.alertedAt === undefined) armPesawayAlert(input.carried.pesaway.since);

  if (snapshot) {
    if (settings.searchAttributes) upsertSearchAttributes([{ key: BatchIdKey, value: batchId }, { key: BatchStatusKey, value: snapshot.status }]);
    const finished = snapshot.status === 'COMPLETED' || snapshot.status === 'CANCELLED';
    if (finished && !state.retryRequested) return db.finalizeBatch(batchId, snapshot.status as 'COMPLETED' | 'CANCELLED');
    const scheduled = snapshot.payAt !== undefined && Date.parse(snapshot.payAt) > Date.now() && patched(PAY_AT_PATCH);
    const approvedWhileScheduled = scheduled ? await awaitPayDay(snapshot.payAt!) : false;
    // A scheduled batch cancelled or rejected while it waited never shows AWAITING_APPROVAL.
    if (!(scheduled && state.cancelRequested)) await awaitApproval(snapshot.approvalRequired, snapshot.approvedBy !== undefined || approvedWhileScheduled);
    if (state.rejection) await db.recordRejection(batchId, { by: state.rejection.by, reason: state.rejection.reason });
    if (!state.cancelRequested) {
      await syncStatus('RUNNING');
      await checkFunds();
    }
  }
  await payAll();
  return finish();

  /**
   * SCHEDULED until `payAt`: a timer in the workflow's history, so the wait survives worker and server
   * restarts (a worker that comes back late finds it fired and goes on at once). An approval that arrives
   * meanwhile is recorded at once (who, when), so the batch does not stop at AWAITING_APPROVAL at pay time.
   * Ends early on a cancel or a rejection. Returns whether it recorded an approval.
   */
  async function awaitPayDay(payAt: string): Promise<boolean> {
    state.payAt = payAt;
    await syncStatus('SCHEDULED');
    showDetails();
    let recorded = false;
    const approvalToRecord = (): boolean => approvalRequired && state.approvedBy !== undefined && !recorded;
    for (;;) {
      const untilPayDay = Date.parse(payAt) - Date.now();
      if (untilPayDay <= 0) return recorded;
      const woke = await condition(() => state.cancelRequested || approvalToRecord(), untilPayDay);
      if (!woke || state.cancelRequested) return recorded;
      await db.recordApproval(batchId, state.approvedBy!);
      recorded = true;
      log.info('Scheduled batch approved before its pay time', { batchId, payAt });
      showDetails();
    }
  }

  /** AWAITING_APPROVAL until an approver (not the submitter) approves, or the batch is cancelled. `recorded`: PostgreSQL has the approval already. */
  async function awaitApproval(required: boolean, recorded: boolean): Promise<void> {
    if (!required || recorded) return;
    if (state.approvedBy === undefined) {
      await syncStatus('AWAITING_APPROVAL');
      showDetails();
      await condition(() => state.approvedBy !== undefined || state.cancelRequested);
      if (state.approvedBy !== undefined) await db.recordApproval(batchId, state.approvedBy);
    } else if (patched(EARLY_APPROVAL_PATCH)) {
      // The approval was signalled before this run read the batch (a handler takes the signals buffered
      // before it was set): recorded all the same, so PostgreSQL says who approved.
      await db.recordApproval(batchId, state.approvedBy);
    }
  }

  /** Pre-flight: the wallet against what the batch needs. Under `wait` the batch waits for the money; under `proceed` it pays what it can. */
  async function checkFunds(): Promise<void> {
    const available = await availableBalance();
    if (available === undefined || available >= state.unsentNeedMinor) return;
    const alert = { batchId, shortfallMinor: state.unsentNeedMinor - available, availableMinor: available, neededMinor: state.unsentNeedMinor };
    if (settings.fundsPolicy === 'wait') enterFundsWait(state, 'batch', new Date(), settings.fundsPollInitialMs);
    else await db.noteFundsShort(alert);
  }

  /** Rounds of shards until nothing is left to move. A round that moved nothing is retried with backoff. */
  async function payAll(): Promise<void> {
    let idleRounds = 0;
    let openBefore = -1;
    for (;;) {
      // Cleared before this round's awaits, so a signal that lands during them still wakes the wait below.
      changed = false;
      if (state.retryRequested) {
        state.retryRequested = false;
        await retryFailedRows();
        await refresh(true);
      }
      if (state.cancelRequested && !state.cancelApplied) await applyCancel();
      if (state.shardsRunning.length === 0) {
        await refresh(true);
        if (nothingOpen(state) && !state.retryRequested) return;
        const open = openCount(state.totals);
        idleRounds = open === openBefore ? idleRounds + 1 : 0;
        openBefore = open;
        if (idleRounds > 0) await sleep(Math.min(1000 * 2 ** idleRounds, 300_000));
        if (state.funds.wait !== 'batch') await startRound();
      }
      await watchFunds();
      await syncStatus();
      await tellShards();
      await refreshWhenDue();
      showDetails();
      if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > (settings.batchRunMaxEvents ?? RUN_MAX_EVENTS)) await continueAsNew();
      await condition(() => changed, untilDue());
    }
  }

  /**
   * Retry of failed rows (invariant 7): every failure is confirmed by a fresh transaction query first; only
   * confirmed ones get a next attempt. One PesaWay says succeeded is recorded paid; a doubtful one is flagged.
   */
  async function retryFailedRows(): Promise<void> {
    // Runs started before the guard existed keep their recorded commands (their retry now resends nothing).
    if (!patched(RETRY_GUARD_PATCH)) {
      await db.prepareRetry(batchId, 'operator');
      return;
    }
    try {
      const check = await retryGuard.confirmFailures(batchId);
      const retried = await db.prepareRetry(batchId, 'operator', check.confirmedSince);
      log.info('Retry of failed rows', { batchId, retried, corrected: check.corrected, unconfirmed: check.unconfirmed });
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      log.warn('Failures could not be confirmed with PesaWay; nothing resent (ask again later)', { batchId, error: err.cause?.message ?? err.message });
    }
  }

  /** Starts shards over the open payouts' rows: contiguous ranges of about equal size. */
  async function startRound(): Promise<void> {
    const ranges = await db.planShards(batchId, settings.shards, settings.minPayoutsPerShard);
    state.round += 1;
    const control = shardControl(state);
    toldShards = JSON.stringify(control);
    await Promise.all(
      ranges.map(async (range, i) => {
        const shard = i + 1;
        try {
          await startChild(shardWorkflow, {
            workflowId: workflowIds.shard(batchId, shard),
            taskQueue: settings.taskQueues.batches,
            // Shards report their end by signal, so they outlive this run when the batch continues as new.
            parentClosePolicy: ParentClosePolicy.ABANDON,
            workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
            staticSummary: shardSummaryLine(batchId, shard, range),
            ...(settings.searchAttributes ? { typedSearchAttributes: [{ key: BatchIdKey, value: batchId }] } : {}),
            args: [{ batchId, shard, range, settings, control }],
          });
        } catch (err) {
          // Still running from an earlier run of this batch: it reports its end to this workflow id all the same.
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        }
        state.shardsRunning.push(shard);
      }),
    );
    log.info('Round of shards started', { batchId, round: state.round, shards: ranges.length });
  }

  /** Cancel: shards stop starting payouts and cancel their parked ones; payouts not sent yet end cancelled. */
  async function applyCancel(): Promise<void> {
    state.cancelApplied = true;
    if (awaitingFunds(state)) leaveFundsWait(state, false);
    await syncStatus();
    await tellShards();
    await db.cancelPendingPayouts(batchId, 'operator');
    await refresh(true);
  }

  /**
   * AWAITING_FUNDS while the wallet cannot cover the parked payouts (or, under `wait`, the batch): the
   * shards start nothing, the alert is raised with the shortfall at that moment, the balance is polled with
   * backoff and checked at once on `fundsAdded`; once covered, parked payouts are resent (same references).
   */
  async function watchFunds(): Promise<void> {
    if (!awaitingFunds(state)) {
      if (state.cancelRequested || !parkedUnreleased(state)) return;
      enterFundsWait(state, 'parked', new Date(), settings.fundsPollInitialMs);
      await syncStatus();
      await tellShards();
    }
    if (!state.funds.added && Date.now() < state.funds.nextCheckAt) return;
    state.funds.added = false;
    await refresh(true);
    const available = await availableBalance();
    state.funds.nextCheckAt = Date.now() + state.funds.delayMs;
    state.funds.delayMs = Math.min(state.funds.delayMs * 2, settings.fundsPollMaxMs);
    if (available === undefined) return;
    const needed = fundsNeededNow(state);
    if (available >= needed) {
      log.info('Funds cover the batch again; resuming', { batchId, available: formatKes(available) });
      leaveFundsWait(state, true);
      return;
    }
    state.funds.shortfallMinor = Math.max(needed, state.unsentNeedMinor) - available;
    if (!state.funds.alertRaised) {
      await db.raiseFundsAlert({ batchId, shortfallMinor: state.funds.shortfallMinor, availableMinor: available, neededMinor: state.unsentNeedMinor });
      state.funds.alertRaised = true;
    }
  }

  async function availableBalance(): Promise<number | undefined> {
    try {
      const { availableMinor } = await pesaway.getAvailableBalance();
      state.funds.availableMinor = availableMinor;
      state.funds.availableAt = now();
      return availableMinor;
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      log.warn('Balance unavailable', { batchId, error: err.cause?.message ?? err.message });
      return undefined;
    }
  }

  /** Re-reads counts and amounts from PostgreSQL (the one source of them), and now and then the balance. */
  /** `soon`: re-read again at the base interval (something just happened), whatever the backoff. */
  async function refresh(soon: boolean): Promise<void> {
    const moved = applySnapshot(state, await db.loadBatch(batchId));
    scheduleRefresh(state, Date.now(), settings.progressRefreshMs, moved || soon);
  }

  async function refreshWhenDue(): Promise<void> {
    if (state.shardsRunning.length === 0) return;
    if (Date.now() >= state.refresh.nextAt) {
      await refresh(false);
      forgetSilentShards();
    }
    // While PesaWay does not answer, a balance check would only hold the batch up.
    if (!awaitingFunds(state) && !state.pesaway && Date.now() >= balanceNextAt) {
      balanceNextAt = Date.now() + BALANCE_REFRESH_MS;
      await availableBalance();
    }
  }

  function forgetSilentShards(): void {
    const forgotten = forgetShardsIfSilent(state, SILENT_REFRESHES_BEFORE_FORGETTING);
    if (forgotten.length > 0) log.warn('Shards never reported their end though nothing is left to move; finishing without them', { batchId, shards: forgotten });
  }

  /** Milliseconds until the next timed step (progress re-read, balance check); undefined: only signals wake the batch. */
  function untilDue(): number | undefined {
    const due: number[] = [];
    if (state.shardsRunning.length > 0) due.push(state.refresh.nextAt, ...(awaitingFunds(state) ? [] : [balanceNextAt]));
    if (awaitingFunds(state) && !state.cancelRequested) due.push(state.funds.nextCheckAt);
    return due.length === 0 ? undefined : Math.max(1, Math.min(...due) - Date.now());
  }

  /** Tells every running shard the gate (paused, cancelled, holding for funds, releases) when it changed. */
  async function tellShards(): Promise<void> {
    const control = shardControl(state);
    const text = JSON.stringify(control);
    if (text === toldShards) return;
    toldShards = text;
    await Promise.all(
      state.shardsRunning.map((n) =>
        getExternalWorkflowHandle(workflowIds.shard(batchId, n))
          .signal(shardControlSignal, control)
          .catch((err: unknown) => log.warn('Could not reach a shard (it may have just ended)', { batchId, shard: n, error: String(err) })),
      ),
    );
  }

  async function syncStatus(status: BatchStatus = desiredStatus(state)): Promise<void> {
    if (state.persistedStatus === status) return;
    await db.setBatchStatus(batchId, status);
    state.persistedStatus = status;
    if (settings.searchAttributes) upsertSearchAttributes([{ key: BatchStatusKey, value: status }]);
    showDetails();
  }

  /**
   * The alert for a PesaWay outage once it has lasted `pesawayAlertAfterMs` since it began: a durable timer,
   * dropped when PesaWay answers first. One per outage (a later report of an earlier `since` re-arms it).
   */
  function armPesawayAlert(since: string): void {
    if (pesawayAlertArmedFor === since) return;
    pesawayAlertArmedFor = since;
    const alertAfterMs = settings.pesawayAlertAfterMs ?? PESAWAY_ALERT_AFTER_MS;
    void (async () => {
      const changed = await condition(() => state.pesaway?.since !== since, Math.max(1, Date.parse(since) + alertAfterMs - Date.now()));
      const outage = state.pesaway;
      if (changed || outage === undefined || outage.alertedAt !== undefined) return;
      outage.alertedAt = now();
      showDetails();
      await db.raisePesawayAlert({ batchId, since, lastError: outage.lastError, alertAfterMs });
    })().catch((err: unknown) => log.warn('Could not raise the PesaWay alert', { batchId, error: String(err) }));
  }

  /** PesaWay answers again after an outage that raised the alert: say so where the alert went. */
  function reportPesawayBack(since: string): void {
    void db
      .notePesawayBack({ batchId, since, downMs: Date.now() - Date.parse(since) })
      .catch((err: unknown) => log.warn('Could not record that PesaWay answers again', { batchId, error: String(err) }));
  }

  function showDetails(): void {
    setCurrentDetails(batchDetails(toProgress(state, now()), { apiUrl: settings.apiUrl }, { required: approvalRequired, by: state.approvedBy, rejection: state.rejection }));
  }

  /**
   * Hands over to a new run with everything it knew; shards keep running and report to the workflow id.
   * The closing run drops its BatchStatus, so `BatchStatus="RUNNING"` finds live runs only.
   */
  async function continueAsNew(): Promise<never> {
    await condition(allHandlersFinished);
    const typedSearchAttributes = settings.searchAttributes ? [{ key: BatchIdKey, value: batchId }, { key: BatchStatusKey, value: state.persistedStatus }] : undefined;
    if (settings.searchAttributes) upsertSearchAttributes([{ key: BatchStatusKey, value: null }]);
    const next = makeContinueAsNewFunc<typeof batchWorkflow>(typedSearchAttributes ? { typedSearchAttributes } : {});
    return next({ batchId, settings, carried: { ...state, run: state.run + 1 } });
  }

  async function finish(): Promise<BatchSummary> {
    const end = state.cancelRequested ? 'CANCELLED' : 'COMPLETED';
    const summary = await db.finalizeBatch(batchId, end);
    state.persistedStatus = end;
    await refresh(true);
    if (settings.searchAttributes) upsertSearchAttributes([{ key: BatchStatusKey, value: end }]);
    showDetails();
    return summary;
  }
}
