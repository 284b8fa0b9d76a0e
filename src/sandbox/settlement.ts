import type { Logger } from '../common/log.js';
import type { CallbackDispatcher } from './callbacks.js';
import type { Ledger, LedgerEntry } from './ledger.js';
import type { Dialect } from './options.js';
import type { Range } from './range.js';
import { resultBody } from './result-body.js';
import { UPPER_ALPHANUMERIC, type Rng } from './rng.js';
import { RESULT_SUCCESS_DESC, type PlannedOutcome } from './test-destinations.js';
import type { TimerSet } from './timers.js';

export interface SettlementPlan {
  outcome: PlannedOutcome;
  resultsUrl: string;
  /** `<masked destination> - <NAME>`, reported on success. */
  receiverPartyPublicName: string;
}

export interface SettlerDeps {
  ledger: Ledger;
  dispatcher: CallbackDispatcher;
  timers: TimerSet;
  delays: Rng;
  receipts: Rng;
  settleDelayMs: Range;
  callbackStyle: Dialect['callbackStyle'];
  logger: Logger;
}

/** Settles accepted payments after a seeded delay, then hands the result to the callback dispatcher. */
export class Settler {
  private readonly plans = new Map<string, SettlementPlan>();

  constructor(private readonly deps: SettlerDeps) {}

  schedule(entry: LedgerEntry, plan: SettlementPlan): void {
    const { min, max } = this.deps.settleDelayMs;
    const delay = this.deps.delays.between(min, max);
    // A never-settling payment keeps its reservation and gets no timer and no callback.
    if (plan.outcome.kind === 'never') return;
    this.plans.set(entry.reference, plan);
    this.deps.timers.after(delay, () => this.settle(entry.reference));
  }

  /** Settles everything pending now (never-settling destinations excepted); returns how many settled. */
  settleNow(): number {
    let settled = 0;
    for (const reference of [...this.plans.keys()]) if (this.settle(reference)) settled += 1;
    return settled;
  }

  private settle(reference: string): boolean {
    const plan = this.plans.get(reference);
    if (!plan) return false;
    this.plans.delete(reference);
    const { outcome } = plan;
    const settled = this.deps.ledger.settle(
      reference,
      outcome.kind === 'failure'
        ? { resultCode: outcome.resultCode, resultDesc: outcome.resultDesc }
        : { resultCode: 0, resultDesc: RESULT_SUCCESS_DESC, receipt: this.receipt(), receiverPartyPublicName: plan.receiverPartyPublicName },
    );
    if (!settled) return false;
    this.deps.logger.debug({ reference, transactionId: settled.transactionId, resultCode: settled.resultCode }, 'payment settled');
    this.deps.dispatcher.dispatch(plan.resultsUrl, resultBody(settled, this.deps.callbackStyle, this.deps.ledger.balance().availableMinor));
    return true;
  }

  /** Like an M-Pesa receipt: a letter, then 9 uppercase alphanumerics. */
  private receipt(): string {
    const { receipts } = this.deps;
    return receipts.string(1, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') + receipts.string(9, UPPER_ALPHANUMERIC);
  }
}
