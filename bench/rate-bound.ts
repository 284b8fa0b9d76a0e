/**
 * Benchmark 1 and 2 (issue 7): N payouts through the full stack — API upload, worker, PesaWay sandbox,
 * callbacks — against a sandbox that answers 429.001 above R requests per second, then the sequential
 * baseline on the same sandbox. Prints progress on stderr and a JSON summary as the last line.
 *
 *   npm run bench:rate-bound -- [--payouts 10000] [--rate 50] [--baseline 200] [--shards 2] [--worker-share 0.9]
 */
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { writePayroll } from './payroll-generator.js';
import { runSequentialBaseline } from './baseline-sequential.js';
import { batchCostPerPayout, round, sandboxStats, sum, uploadAndWait } from './lib/batch-run.js';
import { cpuSpent } from './lib/cpu.js';
import { ROOT, buildDist, startBenchStack } from './lib/stack.js';
import { numberOption, progressLog } from './lib/args.js';

const log = progressLog('bench');

const payouts = numberOption('payouts', 10_000);
const rate = numberOption('rate', 50);
const baselinePayouts = numberOption('baseline', 200);
const shards = numberOption('shards', 2);
// The worker's limit sits under PesaWay's (10% by default) so that token, balance and query calls never tip it over.
const workerShare = numberOption('worker-share', 0.9);
const workerRate = Math.floor(rate * workerShare);

buildDist(log);
const csv = join(ROOT, 'bench', 'out', `payroll-${payouts}.csv`);
await writePayroll(csv, { rows: payouts, seed: 7 });
const stack = await startBenchStack({
  sandboxFlags: ['--latency-ms', '40-60', '--settle-delay-ms', '200-2000', '--rate-limit', String(rate), '--balance', '100000000000', '--seed', '11'],
  env: { PESAWAY_RATE_LIMIT_PER_SECOND: String(workerRate), BATCH_WINDOW_SIZE: '300', BATCH_SHARDS: String(shards) },
  log,
});
try {
  const cpuBefore = stack.cpu();
  const outcome = await uploadAndWait(stack, csv, `rate-${payouts}`, log);
  const cpuSeconds = cpuSpent(cpuBefore, stack.cpu());
  const stats = await sandboxStats(stack);
  const history = await batchCostPerPayout(stack, outcome.batchId, payouts);
  const peaks = stack.peaks();
  const wallS = outcome.wallMs / 1000;
  const sends = sum(stats.requests['mobileSend']);
  const queries = sum(stats.requests['mobileQuery']);
  const rateLimited = Object.values(stats.requests).reduce((s, byCode) => s + (byCode['429.001'] ?? 0), 0);
  log(`engine done in ${wallS.toFixed(1)} s; running the sequential baseline on ${baselinePayouts} payouts`);
  const baseline = await runSequentialBaseline(stack.sandboxUrl, baselinePayouts);
  const baselineEstimateS = baseline.perPayoutSeconds * payouts;
  const summary = {
    benchmark: 'rate-bound',
    machine: { cpus: cpus().length, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
    payouts,
    sandboxRatePerSecond: rate,
    workerRatePerSecond: workerRate,
    shards,
    status: outcome.status,
    counts: outcome.counts,
    wallSeconds: round(wallS, 1),
    payoutsPerSecond: round(payouts / wallS),
    boundSeconds: payouts / rate,
    ratioToBound: round(wallS / (payouts / rate)),
    rateLimited429: rateLimited,
    sendsPerPayout: round(sends / payouts, 3),
    queriesPerPayout: round(queries / payouts, 3),
    peakRssMb: peaks,
    history,
    cpuSeconds,
    baseline: { payouts: baseline.payouts, seconds: round(baseline.seconds, 1), perPayoutSeconds: round(baseline.perPayoutSeconds, 3), estimatedSecondsForN: round(baselineEstimateS, 0) },
    speedupOverBaseline: round(baselineEstimateS / wallS, 1),
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
} finally {
  await stack.stop();
}
