/**
 * Benchmark 4 (issue 7): the callback receiver under load. N payouts are sent through the full stack to a
 * sandbox that holds them pending, so each payout activity waits for its callback; then autocannon POSTs
 * result callbacks with valid URL tokens to the API, round-robin over the references: the first round
 * delivers each one for the first time (stored, recorded, activity completed by its token), later
 * deliveries are what PesaWay's retries look like (stored, recorded as duplicates). Every request does the
 * receiver's full work. Prints a JSON summary last.
 *
 * PostgreSQL runs with its default durability (fsync and synchronous_commit on), because what is measured
 * is "acknowledged only once durably stored"; `--fast-postgres` turns both off (the setting of the other
 * benchmarks, and of this one before issue 12). Each run also reports the CPU seconds of every process
 * (autocannon is this process, the API its own), and how fast the background delivery kept up: callbacks
 * delivered during the run, the backlog left at its end and how long it took to drain before the next run.
 *
 *   npm run bench:callbacks -- [--payouts 1000] [--connections 32] [--seconds 10] [--runs 3] [--fast-postgres]
 */
import autocannon from 'autocannon';
import { readFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { completedDateTime } from '../src/sandbox/result-body.js';
import { formatMinor } from '../src/domain/money.js';
import { resultsToken } from '../src/pesaway/results-url.js';
import { writePayroll } from './payroll-generator.js';
import { median, round } from './lib/batch-run.js';
import { ROOT, buildDist, startBenchStack } from './lib/stack.js';
import { numberOption, progressLog } from './lib/args.js';
import { cpuSpent } from './lib/cpu.js';

const log = progressLog('bench');
const payouts = numberOption('payouts', 1000);
const connections = numberOption('connections', 32);
const seconds = numberOption('seconds', 10);
const runs = numberOption('runs', 3);
const fastPostgres = process.argv.includes('--fast-postgres');
const drainTimeoutMs = numberOption('drain-timeout-ms', 180_000);

interface PendingEntry {
  reference: string;
  transactionId: string;
  amountMinor: number;
}

buildDist(log);
const csv = join(ROOT, 'bench', 'out', `payroll-${payouts}.csv`);
await writePayroll(csv, { rows: payouts, seed: 7 });
const stack = await startBenchStack({
  // Accepted payments stay pending for an hour: the only final answers are the benchmark's callbacks.
  sandboxFlags: ['--settle-delay-ms', '3600000-3600000', '--balance', '100000000000'],
  durablePostgres: !fastPostgres,
  env: { PESAWAY_RATE_LIMIT_PER_SECOND: '100000', BATCH_WINDOW_SIZE: String(Math.min(2000, Math.max(payouts, 300))), CALLBACK_WAIT_MS: '3600000' },
  log,
});
const db = new pg.Pool({ connectionString: stack.databaseUrl, max: 2 });
/** Callbacks still waiting for their delivery to the payout, and all stored so far. */
const counts = async (): Promise<{ undelivered: number; stored: number }> =>
  (await db.query<{ undelivered: number; stored: number }>(`SELECT count(*) FILTER (WHERE outcome = 'received')::int AS undelivered, count(*)::int AS stored FROM callbacks`)).rows[0]!;
try {
  const durability = (await db.query<{ fsync: string; synchronous_commit: string }>(`SELECT current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS synchronous_commit`)).rows[0]!;
  log(`PostgreSQL fsync=${durability.fsync} synchronous_commit=${durability.synchronous_commit}`);
  const upload = await fetch(`${stack.apiUrl}/v1/batches?batchId=callbacks-${payouts}`, { method: 'POST', headers: { authorization: `Bearer ${stack.keys.submitter}`, 'content-type': 'text/csv' }, body: await readFile(csv) });
  if (!upload.ok) throw new Error(`upload: ${upload.status} ${await upload.text()}`);
  let entries: PendingEntry[] = [];
  // On a loaded machine a send can time out and wait for its retry's backoff: after 30 s without progress
  // the benchmark goes on with the payouts accepted so far.
  let progressAt = Date.now();
  while (entries.length < payouts && Date.now() - progressAt < 30_000) {
    await new Promise((r) => setTimeout(r, 2000));
    const seen = ((await (await fetch(`${stack.sandboxUrl}/__sandbox/ledger`)).json()) as { entries: PendingEntry[] }).entries;
    if (seen.length > entries.length) progressAt = Date.now();
    entries = seen;
    log(`${entries.length}/${payouts} payouts accepted and waiting for their callback`);
  }
  const requests = entries.map((e) => ({
    path: `/callbacks/pesaway/${e.reference}/${resultsToken(stack.callbackSecret, e.reference)}`,
    body: JSON.stringify({
      ResultCode: 0,
      ResultDesc: 'The service request is processed successfully.',
      OriginatorReference: e.reference,
      TransactionID: e.transactionId,
      TransactionReceipt: `BENCH${e.transactionId.slice(-5)}`,
      TransactionAmount: formatMinor(e.amountMinor),
      ReceiverPartyPublicName: '2547******** Bench Receiver',
      TransactionCompletedDateTime: completedDateTime(new Date().toISOString()),
    }),
  }));
  const rounds = [];
  let next = 0;
  for (let run = 1; run <= runs; run++) {
    const before = { cpu: stack.cpu(), own: process.cpuUsage(), counts: await counts() };
    const result = await autocannon({
      url: stack.apiUrl,
      connections,
      duration: seconds,
      requests: [
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          setupRequest: (req) => ({ ...req, ...requests[next++ % requests.length]! }),
        },
      ],
    });
    const after = { cpu: stack.cpu(), own: process.cpuUsage(before.own), counts: await counts() };
    const delivered = after.counts.stored - before.counts.stored - (after.counts.undelivered - before.counts.undelivered);
    // The backlog the run left: delivered in the background before the next run starts.
    const drainStart = Date.now();
    let left = after.counts.undelivered;
    while (left > 0 && Date.now() - drainStart < drainTimeoutMs) {
      await new Promise((r) => setTimeout(r, 250));
      left = (await counts()).undelivered;
    }
    const drainSeconds = round((Date.now() - drainStart) / 1000, 1);
    rounds.push({
      run,
      requestsPerSecond: round(result.requests.average, 0),
      latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
      total: result.requests.total,
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      delivery: {
        duringRunPerSecond: round(delivered / seconds, 0),
        backlogAtEnd: after.counts.undelivered,
        drainSeconds,
        leftAfterDrain: left,
        overallPerSecond: round((delivered + after.counts.undelivered - left) / (seconds + drainSeconds), 0),
      },
      cpuSeconds: { ...cpuSpent(before.cpu, after.cpu), autocannon: round((after.own.user + after.own.system) / 1e6, 1) },
    });
    log(JSON.stringify(rounds.at(-1)));
  }
  process.stdout.write(
    `${JSON.stringify({
      benchmark: 'callbacks',
      machine: { cpus: cpus().length, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
      postgres: durability,
      payouts,
      accepted: entries.length,
      connections,
      secondsPerRun: seconds,
      medianRequestsPerSecond: median(rounds.map((r) => r.requestsPerSecond)),
      medianP99Ms: median(rounds.map((r) => r.latencyMs.p99)),
      rounds,
      apiPeakRssMb: stack.peaks().apiMb,
    })}\n`,
  );
} finally {
  await db.end();
  await stack.stop();
}
