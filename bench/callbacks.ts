/**
 * Benchmark 4 (issue 7): the callback receiver under load. N payouts are sent through the full stack to a
 * sandbox that holds them pending, so each payout activity waits for its callback; then autocannon POSTs
 * result callbacks with valid URL tokens to the API, round-robin over the references: the first round
 * delivers each one for the first time (stored, recorded, activity completed by its token), later
 * deliveries are what PesaWay's retries look like (stored, recorded as duplicates). Every request does the
 * receiver's full work. Prints a JSON summary last.
 *
 *   npm run bench:callbacks -- [--payouts 1000] [--connections 32] [--seconds 10] [--runs 3]
 */
import autocannon from 'autocannon';
import { readFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { completedDateTime } from '../src/sandbox/result-body.js';
import { formatMinor } from '../src/domain/money.js';
import { resultsToken } from '../src/pesaway/results-url.js';
import { writePayroll } from './payroll-generator.js';
import { median, round } from './lib/batch-run.js';
import { ROOT, buildDist, startBenchStack } from './lib/stack.js';
import { numberOption, progressLog } from './lib/args.js';

const log = progressLog('bench');
const payouts = numberOption('payouts', 1000);
const connections = numberOption('connections', 32);
const seconds = numberOption('seconds', 10);
const runs = numberOption('runs', 3);

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
  env: { PESAWAY_RATE_LIMIT_PER_SECOND: '100000', BATCH_WINDOW_SIZE: String(Math.min(2000, Math.max(payouts, 300))), CALLBACK_WAIT_MS: '3600000' },
  log,
});
try {
  const upload = await fetch(`${stack.apiUrl}/v1/batches?batchId=callbacks-${payouts}`, { method: 'POST', headers: { authorization: `Bearer ${stack.keys.submitter}`, 'content-type': 'text/csv' }, body: await readFile(csv) });
  if (!upload.ok) throw new Error(`upload: ${upload.status} ${await upload.text()}`);
  let entries: PendingEntry[] = [];
  while (entries.length < payouts) {
    await new Promise((r) => setTimeout(r, 2000));
    entries = ((await (await fetch(`${stack.sandboxUrl}/__sandbox/ledger`)).json()) as { entries: PendingEntry[] }).entries;
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
    rounds.push({
      run,
      requestsPerSecond: round(result.requests.average, 0),
      latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
      total: result.requests.total,
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
    });
    log(JSON.stringify(rounds.at(-1)));
  }
  process.stdout.write(
    `${JSON.stringify({
      benchmark: 'callbacks',
      machine: { cpus: cpus().length, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
      payouts,
      connections,
      secondsPerRun: seconds,
      medianRequestsPerSecond: median(rounds.map((r) => r.requestsPerSecond)),
      medianP99Ms: median(rounds.map((r) => r.latencyMs.p99)),
      rounds,
      apiPeakRssMb: stack.peaks().apiMb,
    })}\n`,
  );
} finally {
  await stack.stop();
}
