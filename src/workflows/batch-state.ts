/**
 * The batch workflow's memory, as plain data and pure functions (no Temporal APIs), so it can be unit
 * tested and carried across continue-as-new unchanged. Counts and amounts come from PostgreSQL snapshots
 * (src/domain/tally.ts computes them): the workflow never counts payouts itself, so they cannot drift.
 */
import type { BatchSnapshot } from '../activities/index.js';
import type { BatchStatus } from '../domain/batch-status.js';
import type { MinorUnits } from '../domain/money.js';
import { type StatusTotals, amountsOf, countsOf, openCount } from '../domain/tally.js';
import type { PesaWayOutage, PesaWayReachabilityNews, Progress, ShardControl } from './types.js';

/** Why the batch waits for money: the whole batch before it starts (`wait` policy), or parked payouts. */
export type FundsWait = 'none' | 'batch' | 'parked';

export interface BatchState {
  batchId: string;
  submittedBy: string | undefined;
  run: number;
  startedAt: string;
  persistedStatus: BatchStatus;
  totals: StatusTotals;
  unsentNeedMinor: MinorUnits;
  parkedNeedMinor: MinorUnits;
  countsAt: string | undefined;
  paused: boolean;
  cancelRequested: boolean;
  cancelApplied: boolean;
  approvedBy: string | undefined;
  /** An approver's refusal before the batch paid (it then ends CANCELLED); set once. */
  rejection?: { by: string; reason: string; at: string } | undefined;
  /** When a scheduled batch pays (ISO); set while it waits for that time. */
  payAt?: string | undefined;
  retryRequested: boolean;
  /** Shards running now (by number); each signals its end. */
  shardsRunning: number[];
  round: number;
  funds: {
    wait: FundsWait;
    since: string | undefined;
    alertRaised: boolean;
    shortfallMinor: MinorUnits | undefined;
    availableMinor: MinorUnits | undefined;
    availableAt: string | undefined;
    /** Workflow time (ms) of the next balance check while waiting; its backoff. */
    nextCheckAt: number;
    delayMs: number;
    /** An operator said the wallet was topped up: check now. */
    added: boolean;
    /** How often parked payouts were released; shards resend what parked before the latest. */
    releases: number;
    /** A shard parked payouts after this many releases: the batch must wait for funds. */
    parkedAfterRelease: number;
  };
  /** Workflow time (ms) of the next progress re-read, and its backoff while nothing changes. */
  refresh: { nextAt: number; delayMs: number };
  /** Consecutive re-reads that found nothing open while shards were still listed as running. */
  silentRefreshes?: number;
  /** Set while the workers' watch says PesaWay does not answer (absent in runs from before it existed). */
  pesaway?: PesaWayOutage | undefined;
}

export function initialState(snapshot: BatchSnapshot, now: string): BatchState {
  return {
    batchId: snapshot.batchId,
    submittedBy: snapshot.submittedBy,
    run: 1,
    startedAt: now,
    persistedStatus: snapshot.status,
    totals: snapshot.totals,
    unsentNeedMinor: snapshot.unsentNeedMinor,
    parkedNeedMinor: snapshot.parkedNeedMinor,
    countsAt: snapshot.at,
    paused: false,
    cancelRequested: false,
    cancelApplied: false,
    approvedBy: snapshot.approvedBy,
    retryRequested: false,
    shardsRunning: [],
    round: 0,
    funds: {
      wait: 'none',
      since: undefined,
      alertRaised: false,
      shortfallMinor: undefined,
      availableMinor: undefined,
      availableAt: undefined,
      nextCheckAt: 0,
      delayMs: 0,
      added: false,
      releases: 0,
      parkedAfterRelease: -1,
    },
    refresh: { nextAt: 0, delayMs: 0 },
  };
}

/** Takes a fresh snapshot; true when the counts moved (the refresh backoff starts over). */
export function applySnapshot(state: BatchState, s: BatchSnapshot): boolean {
  const moved = JSON.stringify(s.totals.counts) !== JSON.stringify(state.totals.counts);
  state.totals = s.totals;
  state.unsentNeedMinor = s.unsentNeedMinor;
  state.parkedNeedMinor = s.parkedNeedMinor;
  state.countsAt = s.at;
  return moved;
}

/** Schedules the next progress re-read: soon while payouts move, backing off (to a minute) while none does. */
export function scheduleRefresh(state: BatchState, now: number, baseMs: number, moved: boolean): void {
  state.refresh.delayMs = moved || state.refresh.delayMs === 0 ? baseMs : Math.min(state.refresh.delayMs * 2, Math.max(baseMs, 60_000));
  state.refresh.nextAt = now + state.refresh.delayMs;
}

export const nothingOpen = (state: BatchState): boolean => openCount(state.totals) === 0;

/**
 * A shard reports its end by signal. If that signal never comes (the shard was terminated, or the signal
 * failed) while PostgreSQL shows nothing left to move, the batch stops waiting for it after `threshold`
 * re-reads: nothing such a shard could still do moves money. Call after each re-read; returns the shards
 * forgotten (none, mostly).
 */
export function forgetShardsIfSilent(state: BatchState, threshold: number): number[] {
  const silent = state.shardsRunning.length > 0 && nothingOpen(state);
  state.silentRefreshes = silent ? (state.silentRefreshes ?? 0) + 1 : 0;
  if (state.silentRefreshes < threshold) return [];
  const forgotten = state.shardsRunning;
  state.shardsRunning = [];
  state.silentRefreshes = 0;
  return forgotten;
}

export function awaitingFunds(state: BatchState): boolean {
  return state.funds.wait !== 'none';
}

/** What the batch must hear before it starts waiting for parked payouts' funds. */
export function parkedUnreleased(state: BatchState): boolean {
  return state.funds.parkedAfterRelease >= state.funds.releases;
}

/** Begins a wait for funds: the first balance check is due now, then with backoff. */
export function enterFundsWait(state: BatchState, wait: Exclude<FundsWait, 'none'>, now: Date, initialDelayMs: number): void {
  state.funds.wait = wait;
  state.funds.since = now.toISOString();
  state.funds.alertRaised = false;
  state.funds.nextCheckAt = now.getTime();
  state.funds.delayMs = initialDelayMs;
}

/** Ends a wait for funds; on `release`, parked payouts are resent under their own references (not on a cancel). */
export function leaveFundsWait(state: BatchState, release: boolean): void {
  if (release && state.funds.wait === 'parked') state.funds.releases += 1;
  state.funds.wait = 'none';
  state.funds.since = undefined;
  state.funds.shortfallMinor = undefined;
  state.funds.alertRaised = false;
  state.funds.added = false;
}

/** The money the wallet must cover before the wait ends. */
export function fundsNeededNow(state: BatchState): MinorUnits {
  return state.funds.wait === 'batch' ? state.unsentNeedMinor : state.parkedNeedMinor;
}

/** What the shards are told: the whole gate, every time. */
export function shardControl(state: BatchState): ShardControl {
  return {
    paused: state.paused,
    cancelled: state.cancelRequested,
    holdForFunds: state.funds.wait === 'parked',
    fundsReleases: state.funds.releases,
  };
}

/** The status the batch should show now; the workflow persists it when it changes. */
export function desiredStatus(state: BatchState): BatchStatus {
  if (state.cancelRequested) return 'CANCELLING';
  if (awaitingFunds(state)) return 'AWAITING_FUNDS';
  if (state.paused) return 'PAUSED';
  return 'RUNNING';
}

/**
 * Takes the workers' news about PesaWay. Several workers may each report the same outage: the earliest
 * `since` is kept, and the alert is raised once. Returns the outage that just ended, if one did.
 */
export function applyReachabilityNews(state: BatchState, news: PesaWayReachabilityNews): PesaWayOutage | undefined {
  const known = state.pesaway;
  if (news.unreachableSince === null) {
    state.pesaway = undefined;
    return known;
  }
  const since = known !== undefined && Date.parse(known.since) <= Date.parse(news.unreachableSince) ? known.since : news.unreachableSince;
  state.pesaway = { since, lastError: news.lastError ?? known?.lastError ?? '', ...(known?.alertedAt ? { alertedAt: known.alertedAt } : {}) };
  return undefined;
}

export function toProgress(state: BatchState, now: string): Progress {
  return {
    batchId: state.batchId,
    status: state.persistedStatus,
    paused: state.paused,
    cancelRequested: state.cancelRequested,
    counts: countsOf(state.totals),
    amounts: amountsOf(state.totals),
    shortfallMinor: awaitingFunds(state) ? state.funds.shortfallMinor : undefined,
    availableMinor: state.funds.availableMinor,
    availableAt: state.funds.availableAt,
    startedAt: state.startedAt,
    updatedAt: now,
    countsAt: state.countsAt,
    awaitingFundsSince: state.funds.since,
    payAt: state.payAt,
    shardsRunning: state.shardsRunning.length,
    run: state.run,
    waitingOnPesaway: state.pesaway,
  };
}

