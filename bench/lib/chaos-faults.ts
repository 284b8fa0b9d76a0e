/**
 * The chaos run's faults against the components themselves (issue 15): PostgreSQL stopped and restarted,
 * PesaWay unreachable for minutes, and PostgreSQL refusing writes while a payroll is uploaded. Each returns
 * what it saw, for the run's summary; the money checks are the reconciliation's.
 */
import pg from 'pg';
import type { BenchStack } from './stack.js';

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function readiness(stack: BenchStack): Promise<number | undefined> {
  try {
    return (await fetch(`${stack.apiUrl}/readyz`, { signal: AbortSignal.timeout(5000) })).status;
  } catch {
    return undefined; // the API itself is down (a restart): neither ready nor not
  }
}

/** Polls `/readyz` until it answers `status` (ms taken), or gives up after `withinMs`. */
async function untilReadiness(stack: BenchStack, status: number, withinMs: number): Promise<number | undefined> {
  const started = Date.now();
  while (Date.now() - started < withinMs) {
    if ((await readiness(stack)) === status) return Date.now() - started;
    await wait(250);
  }
  return undefined;
}

export interface PostgresOutage {
  downMs: number;
  /** `/readyz` answered 503 while PostgreSQL was down. */
  readyzNotReady: boolean;
  /** How long after PostgreSQL came back `/readyz` answered 200 again. */
  readyzBackMs: number | undefined;
}

/** Stops PostgreSQL for `downMs`, checks the API says it is not ready, starts it again and waits for ready. */
export async function restartPostgres(stack: BenchStack, downMs: number): Promise<PostgresOutage> {
  const started = Date.now();
  await stack.stopPostgres();
  const notReadyMs = await untilReadiness(stack, 503, Math.max(1000, downMs - 1000));
  await wait(Math.max(0, downMs - (Date.now() - started)));
  await stack.startPostgres();
  const stoppedFor = Date.now() - started;
  return { downMs: stoppedFor, readyzNotReady: notReadyMs !== undefined, readyzBackMs: await untilReadiness(stack, 200, 60_000) };
}

export interface PesaWayOutageRecord {
  mode: 'refuse' | 'timeout';
  downMs: number;
  /** When (ms after it began) the API first showed the batch waiting on PesaWay; undefined if never. */
  shownWaitingAfterMs: number | undefined;
  /** When (ms after PesaWay came back) the batch stopped showing it. */
  clearedAfterMs: number | undefined;
}

interface BatchPeek {
  progress?: { waitingOnPesaway?: { since: string; alertedAt: string | null } | null };
}

/**
 * Makes the sandbox refuse (or hang on) every PesaWay call for `downMs` while the batch runs; meanwhile
 * watches the batch's API view for `waitingOnPesaway`, and after it for that to clear. Runs beside the
 * chaos loop (the batch goes on being watched and topped up).
 */
export async function pesawayOutage(stack: BenchStack, batchId: string, mode: 'refuse' | 'timeout', downMs: number): Promise<PesaWayOutageRecord> {
  const peek = async (): Promise<boolean | undefined> => {
    try {
      const res = await fetch(`${stack.apiUrl}/v1/batches/${batchId}`, { headers: { authorization: `Bearer ${stack.keys.viewer}` }, signal: AbortSignal.timeout(5000) });
      if (!res.ok) return undefined;
      return Boolean(((await res.json()) as BatchPeek).progress?.waitingOnPesaway);
    } catch {
      return undefined;
    }
  };
  const setOutage = async (to: string): Promise<void> => {
    const res = await fetch(`${stack.sandboxUrl}/__sandbox/outage`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mode: to }) });
    if (!res.ok) throw new Error(`sandbox outage ${to}: ${res.status} ${await res.text()}`);
  };
  const started = Date.now();
  await setOutage(mode);
  let shownWaitingAfterMs: number | undefined;
  while (Date.now() - started < downMs) {
    if (shownWaitingAfterMs === undefined && (await peek()) === true) shownWaitingAfterMs = Date.now() - started;
    await wait(1000);
  }
  await setOutage('none');
  const back = Date.now();
  const wasDown = back - started;
  let clearedAfterMs: number | undefined;
  while (Date.now() - back < 120_000) {
    if ((await peek()) === false) {
      clearedAfterMs = Date.now() - back;
      break;
    }
    await wait(1000);
  }
  return { mode, downMs: wasDown, shownWaitingAfterMs, clearedAfterMs };
}

export interface StorageRefusal {
  readOnlyMs: number;
  /** What the refused upload was answered: status and problem code. */
  refusedWith: { status: number; code: string | undefined; detail: string | undefined };
  /** Rows of any table that the refused upload left for its batch id (must be 0). */
  halfStored: number;
}

/**
 * PostgreSQL refuses writes (`default_transaction_read_only`, as on a standby or a full disk's emergency
 * setting) while the payroll is uploaded: the upload must be refused, clearly, with nothing stored.
 * Writes are allowed again before it returns; the caller then uploads the same file for real.
 */
export async function uploadWhileReadOnly(stack: BenchStack, batchId: string, csv: string): Promise<StorageRefusal> {
  const admin = new pg.Client({ connectionString: stack.postgresAdminUrl });
  await admin.connect();
  const started = Date.now();
  try {
    await admin.query(`ALTER SYSTEM SET default_transaction_read_only = on`);
    await admin.query(`SELECT pg_reload_conf()`);
    await wait(500); // every backend re-reads the configuration at its next command
    const res = await fetch(`${stack.apiUrl}/v1/batches?batchId=${batchId}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.keys.submitter}`, 'content-type': 'text/csv' },
      body: csv,
    });
    const body = (await res.json().catch(() => ({}))) as { code?: string; detail?: string };
    return { readOnlyMs: Date.now() - started, refusedWith: { status: res.status, code: body.code, detail: body.detail }, halfStored: await storedFor(stack, batchId) };
  } finally {
    await admin.query(`ALTER SYSTEM RESET default_transaction_read_only`);
    await admin.query(`SELECT pg_reload_conf()`);
    await admin.end();
    await wait(500);
  }
}

/** Rows any of the batch's tables hold for `batchId`. */
async function storedFor(stack: BenchStack, batchId: string): Promise<number> {
  const db = new pg.Client({ connectionString: stack.databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM batches WHERE id = $1) + (SELECT count(*) FROM payouts WHERE batch_id = $1) + (SELECT count(*) FROM batch_file_chunks WHERE batch_id = $1)
            + (SELECT count(*) FROM batch_issues WHERE batch_id = $1) + (SELECT count(*) FROM events WHERE batch_id = $1) AS n`,
      [batchId],
    );
    return Number(rows[0]!.n);
  } finally {
    await db.end();
  }
}
