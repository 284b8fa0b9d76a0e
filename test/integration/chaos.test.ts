import { describe, expect, it } from 'vitest';
import { runChaos } from '../../bench/lib/chaos.js';
import { buildDist } from '../../bench/lib/stack.js';

/**
 * The reduced fault-injection run: the compiled API, worker and sandbox as separate processes, a
 * misbehaving sandbox, a wallet that runs dry once, one worker SIGKILL and one Temporal server restart
 * (its SQLite file kept). Every money invariant is checked from the sandbox ledger, PostgreSQL and the
 * batch's report.
 */
describe('chaos: 300 payouts through faults, a dry wallet, a worker kill and a server restart', () => {
  it('pays every row at most once and reports exactly what PesaWay paid', async () => {
    const log = (line: string): void => void process.stderr.write(`[chaos] ${line}\n`);
    buildDist(log);
    const report = await runChaos({
      payouts: 300,
      seed: Number(process.env['CHAOS_SEED'] ?? 3),
      disruptions: [
        { atShare: 0.25, action: 'kill-worker' },
        { atShare: 0.55, action: 'restart-temporal' },
      ],
      fundsOutages: 1,
      topUpAfterMs: 3000,
      faults: { serverErrorRate: 0.05, lostResponseRate: 0.03, callbackDropRate: 0.1, callbackDuplicateRate: 0.05, callbackReorderRate: 0.05 },
      timeoutMs: 15 * 60_000,
      log,
    });
    log(JSON.stringify(report));
    expect(report.reconciliation).toMatchObject({
      referencesAcceptedMoreThanOnce: 0,
      rowsPaidTwice: 0,
      rowsWithoutOutcome: 0,
      rowsDisagreeingWithLedger: 0,
      reportRowsMissing: 0,
      sumsAgree: true,
    });
    expect(report.batchStatus).toBe('COMPLETED');
    expect(report.disruptions).toMatchObject({ workerKills: 1, temporalRestarts: 1, fundsOutages: 1, topUps: 1 });
    // The faults really happened, and every row was paid in the end.
    expect(report.faultsInjected['serverErrors']).toBeGreaterThan(0);
    expect(report.faultsInjected['lostResponses']).toBeGreaterThan(0);
    expect(report.faultsInjected['callbacksDropped']).toBeGreaterThan(0);
    expect(report.statuses).toEqual({ succeeded: 300 });
    expect(report.reconciliation.sandboxPaidMinor).toBeGreaterThan(0);
  }, 20 * 60_000);
});
