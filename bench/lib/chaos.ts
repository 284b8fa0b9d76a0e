/**
 * The fault-injection run (issues 7 and 15): a payroll paid through the full stack while the sandbox
 * misbehaves (5xx, lost responses, dropped, duplicated and reordered callbacks), the wallet runs dry and is
 * topped up, the worker, the Temporal server, the API and PostgreSQL are killed and restarted, PesaWay is
 * unreachable for minutes, and PostgreSQL refuses writes while the payroll is first uploaded. Afterwards
 * the sandbox ledger, PostgreSQL and the batch's report are reconciled. `npm run chaos` and a CI test run it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type pg from 'pg';
import { createPool } from '../../src/db/pool.js';
import { parseDecimal } from '../../src/domain/money.js';
import { TERMINAL_PAYOUT_STATUSES } from '../../src/domain/payout-status.js';
import { writePayroll } from '../payroll-generator.js';
import { sandboxStats, sum } from './batch-run.js';
import { type LedgerPayment, type PayoutAttempt, type Reconciliation, reconcile } from './reconcile.js';
import { type BenchStack, ROOT, startBenchStack } from './stack.js';
import { type PesaWayOutageRecord, type PostgresOutage, type StorageRefusal, pesawayOutage, restartPostgres, uploadWhileReadOnly } from './chaos-faults.js';

export type Disruption = 'kill-worker' | 'restart-temporal' | 'restart-api' | 'restart-postgres' | 'pesaway-outage';

/** One disruption: `downMs` for PostgreSQL and PesaWay outages; `mode` for PesaWay's (refused connections, or no answer). */
export interface PlannedDisruption {
  atShare: number;
  action: Disruption;
  downMs?: number;
  mode?: 'refuse' | 'timeout';
}

export interface ChaosPlan {
  payouts: number;
  seed: number;
  /** Each disruption fires once, when this share of the payouts has an outcome. */
  disruptions: ReadonlyArray<PlannedDisruption>;
  /** Upload the payroll first while PostgreSQL refuses writes (it must be refused, nothing stored). */
  storageRefusal: boolean;
  /** The batch's PesaWay alert timer (PESAWAY_OUTAGE_ALERT_AFTER_MS). */
  pesawayAlertAfterMs: number;
  /** How often the wallet runs dry (0, 1 or 2): the opening balance and top-ups are sized for it. */
  fundsOutages: 0 | 1 | 2;
  /** How long the batch waits in AWAITING_FUNDS before the officer tops up. */
  topUpAfterMs: number;
  faults: { serverErrorRate: number; lostResponseRate: number; callbackDropRate: number; callbackDuplicateRate: number; callbackReorderRate: number };
  /** Give up (and fail) after this long. */
  timeoutMs: number;
  log: (line: string) => void;
}

export interface ChaosReport {
  benchmark: 'chaos';
  payouts: number;
  seed: number;
  ok: boolean;
  batchStatus: string;
  wallSeconds: number;
  statuses: Record<string, number>;
  reconciliation: Reconciliation;
  faultsInjected: Record<string, number>;
  disruptions: { workerKills: number; temporalRestarts: number; apiRestarts: number; fundsOutages: number; topUps: number; postgresRestarts: number; pesawayOutages: number };
  /** The component faults, each with what it saw (counts and durations). */
  faults: ComponentFaults;
  /** Payout rows (one per reference minted): the payouts' count when nothing was ever re-minted. */
  referencesMinted: number;
  pesawayCalls: { sends: number; queries: number; sendsPerPayout: number; queriesPerPayout: number };
}

export interface ComponentFaults {
  postgres: PostgresOutage[];
  pesaway: PesaWayOutageRecord[];
  /** `batch.pesaway_unreachable` alerts the batch raised, and `batch.pesaway_reachable` notes after them. */
  pesawayAlerts: { raised: number; backNoted: number };
  storage: (StorageRefusal & { retry: { status: number; sameBatch: boolean; batches: number } }) | undefined;
}

const TERMINAL = [...TERMINAL_PAYOUT_STATUSES, 'unresolved'];
/** The tariff's highest fee (KES 39): enough headroom for every row's fee. */
const MAX_FEE_MINOR = 39_00;

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The opening balance and each top-up, as shares of what the batch needs: the wallet runs dry `outages` times. */
function fundingTranches(outages: 0 | 1 | 2): number[] {
  return [[1.05], [0.5, 0.6], [0.35, 0.35, 0.4]][outages]!;
}

async function tryApi(stack: BenchStack, method: string, path: string, body?: unknown): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(`${stack.apiUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${stack.keys.submitter}`, ...(body === undefined ? {} : { 'content-type': typeof body === 'string' ? 'text/csv' : 'application/json' }) },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      if (res.status < 500 || attempt >= 30) return res;
    } catch (err) {
      if (attempt >= 30) throw err; // the API is down for longer than a restart takes
    }
    await wait(1000);
  }
}

async function sandboxAdmin(stack: BenchStack, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${stack.sandboxUrl}/__sandbox/${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
  if (!res.ok) throw new Error(`sandbox ${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

const kes = (minor: number): string => (minor / 100).toFixed(2);

export async function runChaos(plan: ChaosPlan): Promise<ChaosReport> {
  const { log } = plan;
  const csvPath = join(ROOT, 'bench', 'out', `chaos-${plan.payouts}.csv`);
  await writePayroll(csvPath, { rows: plan.payouts, seed: plan.seed });
  const f = plan.faults;
  const stack = await startBenchStack({
    persistentTemporal: true,
    sandboxFlags: [
      ...['--seed', String(plan.seed), '--latency-ms', '20-80', '--settle-delay-ms', '200-2000', '--balance', '0'],
      ...['--server-error-rate', String(f.serverErrorRate), '--lost-response-rate', String(f.lostResponseRate)],
      ...['--callback-drop-rate', String(f.callbackDropRate), '--callback-duplicate-rate', String(f.callbackDuplicateRate)],
      ...['--callback-reorder-rate', String(f.callbackReorderRate), '--reorder-delay-ms', '3000'],
    ],
    // Dropped callbacks fall back to polling; short waits keep the run about the faults, not the timers.
    env: {
      ...{ CALLBACK_WAIT_MS: '8000', POLL_INITIAL_MS: '3000', POLL_MAX_MS: '20000', FUNDS_POLL_INITIAL_MS: '10000', FUNDS_POLL_MAX_MS: '30000' },
      // A PesaWay that answers nothing is cut off after 5 s: under the 8 s an attempt may take (CALLBACK_WAIT_MS).
      ...{ PESAWAY_TIMEOUT_MS: '5000', PESAWAY_UNREACHABLE_AFTER_MS: '10000', PESAWAY_OUTAGE_ALERT_AFTER_MS: String(plan.pesawayAlertAfterMs) },
    },
    log,
  });
  // Survives PostgreSQL's restarts (src/db/pool.ts): the loop just reads again.
  const pool = createPool(stack.databaseUrl, 2);
  try {
    const csv = await readFile(csvPath, 'utf8');
    const batchId = `chaos-${plan.payouts}-${plan.seed}`;
    const dry = (await (await tryApi(stack, 'POST', `/v1/batches?batchId=${batchId}&dryRun=true`, csv)).json()) as { report: { totalAmount: string } };
    const needMinor = parseDecimal(dry.report.totalAmount) + plan.payouts * MAX_FEE_MINOR;
    const tranches = fundingTranches(plan.fundsOutages).map((share) => Math.ceil(needMinor * share));
    await sandboxAdmin(stack, 'PUT', 'balance', { amount: kes(tranches.shift()!) });

    const refusal = plan.storageRefusal ? await uploadWhileReadOnly(stack, batchId, csv) : undefined;
    if (refusal) log(`upload while PostgreSQL refused writes: ${refusal.refusedWith.status} ${refusal.refusedWith.code ?? ''}; ${refusal.halfStored} rows left behind`);
    const started = Date.now();
    const upload = await tryApi(stack, 'POST', `/v1/batches?batchId=${batchId}`, csv);
    if (upload.status !== 201 && upload.status !== 200) throw new Error(`upload refused: ${upload.status} ${await upload.text()}`);
    log(`uploaded ${plan.payouts} payouts as ${batchId}; wallet holds ${fundingTranches(plan.fundsOutages)[0]! * 100}% of the need (KES ${kes(needMinor)})`);
    // The same file again (a client retrying after the fault): the same batch, nothing new.
    const again = await tryApi(stack, 'POST', `/v1/batches?batchId=${batchId}`, csv);
    const againId = ((await again.json()) as { batch?: { id?: string } }).batch?.id;
    const storage = refusal && { ...refusal, retry: { status: again.status, sameBatch: againId === batchId, batches: await countBatches(pool, batchId) } };

    const pending = [...plan.disruptions].sort((a, b) => a.atShare - b.atShare);
    const done = { workerKills: 0, temporalRestarts: 0, apiRestarts: 0, fundsOutages: 0, topUps: 0, postgresRestarts: 0, pesawayOutages: 0 };
    const postgresOutages: PostgresOutage[] = [];
    const pesawayOutages: Array<Promise<PesaWayOutageRecord>> = [];
    const disrupt: Record<Disruption, (d: PlannedDisruption) => Promise<void>> = {
      'kill-worker': async () => {
        await stack.restartWorker('SIGKILL');
        done.workerKills += 1;
      },
      'restart-temporal': async () => {
        await stack.restartTemporal(3000);
        done.temporalRestarts += 1;
      },
      'restart-api': async () => {
        await stack.restartApi();
        done.apiRestarts += 1;
      },
      'restart-postgres': async (d) => {
        const outage = await restartPostgres(stack, d.downMs ?? 15_000);
        log(`PostgreSQL was down ${(outage.downMs / 1000).toFixed(1)} s; /readyz ${outage.readyzNotReady ? 'went not-ready' : 'NEVER went not-ready'}, ready again ${outage.readyzBackMs === undefined ? 'NEVER' : `${(outage.readyzBackMs / 1000).toFixed(1)} s`} after`);
        postgresOutages.push(outage);
        done.postgresRestarts += 1;
      },
      'pesaway-outage': (d) => {
        // Beside the loop: the batch goes on being watched (and topped up) while PesaWay is away.
        const outage = pesawayOutage(stack, batchId, d.mode ?? 'refuse', d.downMs ?? 120_000);
        pesawayOutages.push(outage.then((o) => (log(`PesaWay was ${o.mode === 'refuse' ? 'refusing connections' : 'not answering'} for ${(o.downMs / 1000).toFixed(0)} s; the batch showed it after ${o.shownWaitingAfterMs === undefined ? 'NEVER' : `${(o.shownWaitingAfterMs / 1000).toFixed(0)} s`}, cleared ${o.clearedAfterMs === undefined ? 'NEVER' : `${(o.clearedAfterMs / 1000).toFixed(0)} s after it came back`}`), o)));
        done.pesawayOutages += 1;
        return Promise.resolve();
      },
    };
    let dryingSince: number | undefined;
    let batchStatus = '';
    let lastLine = '';
    while (batchStatus !== 'COMPLETED' && batchStatus !== 'CANCELLED') {
      if (Date.now() - started > plan.timeoutMs) throw new Error(`chaos run timed out after ${plan.timeoutMs} ms in ${batchStatus}`);
      await wait(1000);
      const rows = await pool
        .query<{ status: string; settled: number }>(
          `SELECT b.status, (SELECT count(*)::int FROM payouts p WHERE p.batch_id = b.id AND p.is_current AND p.status = ANY($2)) AS settled FROM batches b WHERE b.id = $1`,
          [batchId, TERMINAL],
        )
        .then((r) => r.rows)
        .catch(() => undefined); // PostgreSQL is being restarted
      if (!rows) continue;
      batchStatus = rows[0]!.status;
      const share = rows[0]!.settled / plan.payouts;
      // A line when the state changes or another 5% of the payouts has an outcome.
      const line = `${batchStatus} ${Math.floor(share * 20) * 5}%`;
      if (line !== lastLine) log(`${((Date.now() - started) / 1000).toFixed(0)}s ${batchStatus} ${rows[0]!.settled}/${plan.payouts}`);
      lastLine = line;

      if (batchStatus === 'AWAITING_FUNDS') {
        if (dryingSince === undefined) {
          dryingSince = Date.now();
          done.fundsOutages += 1;
        }
        if (Date.now() - dryingSince >= plan.topUpAfterMs && tranches.length > 0) {
          const amount = tranches.shift()!;
          await sandboxAdmin(stack, 'POST', 'top-up', { amount: kes(amount) });
          const told = await tryApi(stack, 'POST', `/v1/batches/${batchId}/funds-added`);
          log(`topped up KES ${kes(amount)} and told the batch (${told.status})`);
          done.topUps += 1;
          dryingSince = Date.now(); // give the batch time to resume before topping up again
        }
      } else dryingSince = undefined;

      while (pending.length > 0 && share >= pending[0]!.atShare) {
        const d = pending.shift()!;
        log(`${d.action} at ${(share * 100).toFixed(0)}%`);
        await disrupt[d.action](d);
      }
    }
    const wallSeconds = Math.round((Date.now() - started) / 100) / 10;
    // Late duplicates and reordered callbacks still arrive after the end: let them, they must change nothing.
    await wait(4000);
    const faults: ComponentFaults = { postgres: postgresOutages, pesaway: await Promise.all(pesawayOutages), pesawayAlerts: await pesawayAlerts(pool, batchId), storage };
    return await reconcileRun(stack, pool, batchId, { plan, batchStatus, wallSeconds, done, faults });
  } finally {
    await pool.end();
    await stack.stop();
  }
}

async function countBatches(pool: pg.Pool, batchId: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM batches WHERE id = $1`, [batchId]);
  return rows[0]!.n;
}

async function pesawayAlerts(pool: pg.Pool, batchId: string): Promise<ComponentFaults['pesawayAlerts']> {
  const { rows } = await pool.query<{ raised: number; back: number }>(
    `SELECT count(*) FILTER (WHERE kind = 'batch.pesaway_unreachable')::int AS raised, count(*) FILTER (WHERE kind = 'batch.pesaway_reachable')::int AS back FROM events WHERE batch_id = $1`,
    [batchId],
  );
  return { raised: rows[0]!.raised, backNoted: rows[0]!.back };
}

/** Whether every component fault did what it must: seen, said, and recovered from. */
export function faultsHeld(f: ComponentFaults, plan: Pick<ChaosPlan, 'pesawayAlertAfterMs'>): boolean {
  const postgres = f.postgres.every((o) => o.readyzNotReady && o.readyzBackMs !== undefined);
  const pesaway = f.pesaway.every((o) => o.shownWaitingAfterMs !== undefined && o.clearedAfterMs !== undefined);
  const alerted = f.pesaway.filter((o) => o.downMs > plan.pesawayAlertAfterMs + 20_000).length <= f.pesawayAlerts.raised;
  const s = f.storage;
  const storage = !s || (s.refusedWith.status === 503 && s.refusedWith.code === 'storage_read_only' && s.halfStored === 0 && s.retry.sameBatch && s.retry.batches === 1);
  return postgres && pesaway && alerted && storage;
}

async function reconcileRun(
  stack: BenchStack,
  pool: pg.Pool,
  batchId: string,
  run: { plan: ChaosPlan; batchStatus: string; wallSeconds: number; done: ChaosReport['disruptions']; faults: ComponentFaults },
): Promise<ChaosReport> {
  const ledger = ((await sandboxAdmin(stack, 'GET', 'ledger')) as { entries: LedgerPayment[] }).entries;
  const { rows: payouts } = await pool.query<PayoutAttempt>(
    `SELECT reference, row_no AS "rowNo", is_current AS "isCurrent", status, amount_minor::int AS "amountMinor", evidence IS NOT NULL AS "hasEvidence"
       FROM payouts WHERE batch_id = $1`,
    [batchId],
  );
  const reportCsv = await (await tryApi(stack, 'GET', `/v1/batches/${batchId}/report.csv`)).text();
  const report = parse<Record<string, string>>(reportCsv, { columns: true }).map((r) => ({ reference: r['reference']!, status: r['status']!, amountMinor: parseDecimal(r['amount']!) }));
  const reconciliation = reconcile(ledger, payouts, report);
  const stats = await sandboxStats(stack);
  const statuses: Record<string, number> = {};
  for (const p of payouts.filter((x) => x.isCurrent)) statuses[p.status] = (statuses[p.status] ?? 0) + 1;
  const sends = sum(stats.requests['mobileSend']) + sum(stats.requests['bankSend']);
  const queries = sum(stats.requests['mobileQuery']) + sum(stats.requests['bankQuery']);
  const n = run.plan.payouts;
  return {
    benchmark: 'chaos',
    payouts: n,
    seed: run.plan.seed,
    ok: reconciliation.ok && run.batchStatus === 'COMPLETED' && statuses['succeeded'] !== undefined && payouts.length === n && faultsHeld(run.faults, run.plan),
    batchStatus: run.batchStatus,
    wallSeconds: run.wallSeconds,
    statuses,
    reconciliation,
    faultsInjected: stats.faults,
    disruptions: run.done,
    faults: run.faults,
    referencesMinted: payouts.length,
    pesawayCalls: { sends, queries, sendsPerPayout: Math.round((sends / n) * 1000) / 1000, queriesPerPayout: Math.round((queries / n) * 1000) / 1000 },
  };
}
