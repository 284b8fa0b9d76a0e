import { describe, expect, it } from 'vitest';
import type { BatchSnapshot } from '../../src/activities/index.js';
import type { PayoutStatus } from '../../src/domain/payout-status.js';
import { emptyTotals } from '../../src/domain/tally.js';
import {
  applySnapshot,
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
} from '../../src/workflows/batch-state.js';

/** A snapshot whose payouts stand at the given statuses, each KES 100.00. */
function snapshot(at: Partial<Record<PayoutStatus, number>>, over: Partial<BatchSnapshot> = {}): BatchSnapshot {
  const totals = emptyTotals();
  for (const [status, n] of Object.entries(at) as Array<[PayoutStatus, number]>) {
    totals.counts[status] = n;
    totals.amounts[status] = n * 100_00;
  }
  return {
    batchId: 'b1',
    status: 'CREATED',
    approvalRequired: false,
    approvedBy: undefined,
    submittedBy: 'alice',
    payAt: undefined,
    totals,
    unsentNeedMinor: (at.pending ?? 0) * 100_00,
    parkedNeedMinor: (at.awaiting_funds ?? 0) * 100_00,
    at: '2026-12-01T08:00:00.000Z',
    ...over,
  };
}

describe('batch state: counts come from PostgreSQL snapshots only', () => {
  it('shows the snapshot as counts and amounts, unresolved money included', () => {
    const state = initialState(snapshot({ pending: 2, accepted: 1, awaiting_funds: 1, succeeded: 3, unresolved: 1 }), '2026-12-01T08:00:00.000Z');
    const p = toProgress(state, '2026-12-01T08:00:05.000Z');
    expect(p.counts).toEqual({ pending: 2, inFlight: 2, awaitingFunds: 1, succeeded: 3, failed: 0, rejected: 0, cancelled: 0, unresolved: 1 });
    expect(p.amounts).toMatchObject({ totalMinor: 800_00, succeededMinor: 300_00, unresolvedMinor: 100_00, pendingMinor: 400_00 });
    expect(p.countsAt).toBe('2026-12-01T08:00:00.000Z');
  });

  it('replaces counts with each new snapshot (a restarted worker can never make them go backwards by counting itself)', () => {
    const state = initialState(snapshot({ pending: 5 }), 't0');
    expect(applySnapshot(state, snapshot({ pending: 2, succeeded: 3 }))).toBe(true);
    expect(toProgress(state, 't1').counts.succeeded).toBe(3);
    expect(applySnapshot(state, snapshot({ pending: 2, succeeded: 3 }))).toBe(false);
    expect(nothingOpen(state)).toBe(false);
    applySnapshot(state, snapshot({ succeeded: 4, failed: 1 }));
    expect(nothingOpen(state)).toBe(true);
  });

  it('re-reads at the base interval while payouts move and backs off to a minute while none does', () => {
    const state = initialState(snapshot({ pending: 1 }), 't0');
    scheduleRefresh(state, 0, 500, false);
    expect(state.refresh.nextAt).toBe(500);
    scheduleRefresh(state, 500, 500, false);
    scheduleRefresh(state, 1500, 500, false);
    expect(state.refresh.delayMs).toBe(2000);
    for (let i = 0; i < 20; i++) scheduleRefresh(state, 0, 500, false);
    expect(state.refresh.delayMs).toBe(60_000);
    scheduleRefresh(state, 10_000, 500, true);
    expect(state.refresh.nextAt).toBe(10_500);
  });
});

describe('batch state: shards that never report their end', () => {
  it('are forgotten only after several re-reads in a row find nothing open', () => {
    const state = initialState(snapshot({ pending: 1 }), 't0');
    state.shardsRunning = [1, 2];
    expect(forgetShardsIfSilent(state, 3)).toEqual([]);
    applySnapshot(state, snapshot({ succeeded: 1 }));
    expect(forgetShardsIfSilent(state, 3)).toEqual([]);
    expect(forgetShardsIfSilent(state, 3)).toEqual([]);
    // Something open again (a retry): the count starts over.
    applySnapshot(state, snapshot({ pending: 1, succeeded: 1 }));
    expect(forgetShardsIfSilent(state, 3)).toEqual([]);
    applySnapshot(state, snapshot({ succeeded: 2 }));
    for (let i = 0; i < 2; i++) expect(forgetShardsIfSilent(state, 3)).toEqual([]);
    expect(forgetShardsIfSilent(state, 3)).toEqual([1, 2]);
    expect(state.shardsRunning).toEqual([]);
  });

  it('never forgets a shard while payouts are open (parked ones included)', () => {
    const state = initialState(snapshot({ awaiting_funds: 1, succeeded: 3 }), 't0');
    state.shardsRunning = [1];
    for (let i = 0; i < 10; i++) expect(forgetShardsIfSilent(state, 3)).toEqual([]);
  });
});

describe('batch state: waiting for funds', () => {
  it('waits for parked payouts only after a shard reports one parked since the latest release', () => {
    const state = initialState(snapshot({ pending: 3 }), 't0');
    expect(parkedUnreleased(state)).toBe(false);
    state.funds.parkedAfterRelease = 0;
    expect(parkedUnreleased(state)).toBe(true);
    enterFundsWait(state, 'parked', new Date('2026-12-01T08:00:00Z'), 1000);
    expect(desiredStatus(state)).toBe('AWAITING_FUNDS');
    expect(shardControl(state)).toEqual({ paused: false, cancelled: false, holdForFunds: true, fundsReleases: 0 });
    leaveFundsWait(state, true);
    // The release tells shards to resend what parked before it; a report from before the release no longer counts.
    expect(shardControl(state)).toEqual({ paused: false, cancelled: false, holdForFunds: false, fundsReleases: 1 });
    expect(parkedUnreleased(state)).toBe(false);
    expect(desiredStatus(state)).toBe('RUNNING');
  });

  it('needs the parked money while payouts are parked and the unsent money while the whole batch waits', () => {
    const state = initialState(snapshot({ pending: 4, awaiting_funds: 2 }), 't0');
    enterFundsWait(state, 'parked', new Date(), 1000);
    expect(fundsNeededNow(state)).toBe(200_00);
    leaveFundsWait(state, false);
    enterFundsWait(state, 'batch', new Date(), 1000);
    expect(fundsNeededNow(state)).toBe(400_00);
    // A cancel ends the wait without a release: nothing parked is resent.
    leaveFundsWait(state, false);
    expect(state.funds.releases).toBe(0);
  });

  it('raises the alert again on the next wait: the flag is reset when a wait ends', () => {
    const state = initialState(snapshot({ pending: 1 }), 't0');
    enterFundsWait(state, 'parked', new Date(), 1000);
    state.funds.alertRaised = true;
    state.funds.shortfallMinor = 50_00;
    expect(toProgress(state, 't1').shortfallMinor).toBe(50_00);
    leaveFundsWait(state, true);
    expect(state.funds.alertRaised).toBe(false);
    expect(toProgress(state, 't2').shortfallMinor).toBeUndefined();
    enterFundsWait(state, 'parked', new Date(), 1000);
    expect(state.funds.alertRaised).toBe(false);
  });
});

describe('batch state: status', () => {
  it('puts cancelling before funds, funds before paused', () => {
    const state = initialState(snapshot({ pending: 1 }), 't0');
    state.paused = true;
    expect(desiredStatus(state)).toBe('PAUSED');
    enterFundsWait(state, 'parked', new Date(), 1000);
    expect(desiredStatus(state)).toBe('AWAITING_FUNDS');
    state.cancelRequested = true;
    expect(desiredStatus(state)).toBe('CANCELLING');
    expect(shardControl(state)).toMatchObject({ paused: true, cancelled: true });
  });
});
