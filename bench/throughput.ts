/**
 * Benchmark 3 (issue 7): unconstrained throughput and growth. No rate limit, no latency, payments
 * settle at once and call back at once; the batch sizes run one after another, each on a fresh stack
 * (so each peak RSS is its own). Prints progress on stderr and a JSON summary as the last line.
 *
 *   npm run bench:throughput -- [--sizes 1000,10000,50000] [--window 100] [--shards 2]
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { writePayroll } from './payroll-generator.js';
import { batchCostPerPayout, round, sandboxStats, sum, uploadAndWait } from './lib/batch-run.js';
import { cpuSpent } from './lib/cpu.js';
import { ROOT, buildDist, startBenchStack } from './lib/stack.js';
import { option, progressLog } from './lib/args.js';

const log = progressLog('bench');

const sizes = option('sizes', '1000,10000,50000').split(',').map(Number);
const window = option('window', '100');
const shards = option('shards', '2');

buildDist(log);
const results = [];
for (const payouts of sizes) {
  const csv = join(ROOT, 'bench', 'out', `payroll-${payouts}.csv`);
  await writePayroll(csv, { rows: payouts, seed: 7 });
  const stack = await startBenchStack({
    sandboxFlags: ['--settle-delay-ms', '0-0', '--balance', '100000000000', '--seed', '13'],
    env: { PESAWAY_RATE_LIMIT_PER_SECOND: '100000', BATCH_WINDOW_SIZE: window, BATCH_SHARDS: shards },
    log,
  });
  try {
    const load = loadavg()[0]!;
    const cpuBefore = stack.cpu();
    const outcome = await uploadAndWait(stack, csv, `throughput-${payouts}`, log);
    const cpuSeconds = cpuSpent(cpuBefore, stack.cpu());
    const stats = await sandboxStats(stack);
    const history = await batchCostPerPayout(stack, outcome.batchId, payouts);
    const wallS = outcome.wallMs / 1000;
    results.push({
      payouts,
      status: outcome.status,
      wallSeconds: round(wallS, 1),
      payoutsPerSecond: round(payouts / wallS),
      msPerPayout: round(outcome.wallMs / payouts),
      peakRssMb: stack.peaks(),
      sendsPerPayout: round(sum(stats.requests['mobileSend']) / payouts, 3),
      queriesPerPayout: round(sum(stats.requests['mobileQuery']) / payouts, 3),
      history,
      // Of 2 cores x wall time: what each part of the stack used, to name the limiter.
      cpuSeconds,
      loadAverageAtStart: round(load, 1),
    });
    log(JSON.stringify(results.at(-1)));
  } finally {
    await stack.stop();
  }
}
const first = results[0]!;
const last = results.at(-1)!;
process.stdout.write(
  `${JSON.stringify({
    benchmark: 'throughput',
    machine: { cpus: cpus().length, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
    windowSize: Number(window),
    shards: Number(shards),
    results,
    perPayoutGrowth: round(last.msPerPayout / first.msPerPayout),
    workerPeakGrowth: round(last.peakRssMb.workerMb / first.peakRssMb.workerMb),
  })}\n`,
);
