import { describe, expect, it } from 'vitest';
import { runChaos } from '../../bench/lib/chaos.js';
import { buildDist } from '../../bench/lib/stack.js';

/**
 * The reduced fault-injection run: the compiled API, worker and sandbox as separate processes, a
 * misbehaving sandbox, a first upload PostgreSQL refuses to store, a wallet that runs dry once, one worker
 * SIGKILL, PesaWay refusing every connection for 2 minutes, PostgreSQL stopped for 12 s, and one Temporal
 * server restart (its SQLite file kept). Every money invariant is checked from the sandbox ledger,
 * PostgreSQL and the batch's report; each fault's own check (said, seen, recovered from) too.
 */
describe('chaos: 300 payouts through faults, a dry wallet, a worker kill, PesaWay and PostgreSQL down, and a server restart', () => {
  it('pays every row at most once and reports exactly what PesaWay paid', async () => {
    const log = (line: string): void => void process.stderr.write(`[chaos] ${line}\n`);
    buildDist(log);
    const report = await runChaos({
      payouts: 300,
      seed: Number(process.env['CHAOS_SEED'] ?? 3),
      disruptions: [
        { atShare: 0.2, action: 'kill-worker' },
        { atShare: 0.35, action: 'pesaway-outage', mode: 'refuse', downMs: 120_000 },
        { atShare: 0.5, action: 'restart-postgres', downMs: 12_000 },
        { atShare: 0.7, action: 'restart-temporal' },
      ],
      storageRefusal: true,
      pesawayAlertAfterMs: 30_000,
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
    expect(report.disruptions).toMatchObject({ workerKills: 1, temporalRestarts: 1, fundsOutages: 1, topUps: 1, postgresRestarts: 1, pesawayOutages: 1 });
    // No reference minted anew: one payout row per row of the file, each accepted at most once (above).
    expect(report.referencesMinted).toBe(300);
    // PostgreSQL down: the API said not-ready, then ready again, and the batch completed (above).
    expect(report.faults.postgres).toHaveLength(1);
    expect(report.faults.postgres[0]).toMatchObject({ readyzNotReady: true });
    expect(report.faults.postgres[0]!.readyzBackMs).toBeDefined();
    // PesaWay down: the batch showed it was waiting on PesaWay, raised the alert, and cleared both once PesaWay answered.
    expect(report.faults.pesaway).toHaveLength(1);
    expect(report.faults.pesaway[0]!.shownWaitingAfterMs).toBeDefined();
    expect(report.faults.pesaway[0]!.clearedAfterMs).toBeDefined();
    expect(report.faults.pesawayAlerts).toEqual({ raised: 1, backNoted: 1 });
    expect(report.faultsInjected['outageRefused']).toBeGreaterThan(0);
    // Storage refusing writes: the upload refused with what to do, nothing half-stored, the retry the same batch.
    expect(report.faults.storage).toMatchObject({ refusedWith: { status: 503, code: 'storage_read_only' }, halfStored: 0, retry: { sameBatch: true, batches: 1 } });
    expect(report.faults.storage!.refusedWith.detail).toMatch(/same batch id/);
    expect(report.ok).toBe(true);
    // The faults really happened, and every row was paid in the end.
    expect(report.faultsInjected['serverErrors']).toBeGreaterThan(0);
    expect(report.faultsInjected['lostResponses']).toBeGreaterThan(0);
    expect(report.faultsInjected['callbacksDropped']).toBeGreaterThan(0);
    expect(report.statuses).toEqual({ succeeded: 300 });
    expect(report.reconciliation.sandboxPaidMinor).toBeGreaterThan(0);
  }, 25 * 60_000);
});
