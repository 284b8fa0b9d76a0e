/**
 * The full fault-injection run (issues 7 and 15): 5,000 payouts; 5% sandbox 5xx, 3% lost responses,
 * callbacks 10% dropped, 5% duplicated, 5% reordered; the first upload meets a PostgreSQL refusing writes;
 * the wallet runs dry twice (topped up ~30 s later); the worker SIGKILLed three times, the Temporal dev
 * server restarted once, the API restarted once, PostgreSQL stopped twice (20 s and 30 s); PesaWay refuses
 * every connection for 3 minutes, later answers nothing for 2 minutes. Prints progress on stderr and the
 * reconciliation as one JSON object last; exit code 1 when a money invariant or a fault's check broke.
 *
 *   npm run chaos -- [--payouts 5000] [--seed 5] [--top-up-after-ms 30000]
 */
import { runChaos } from './lib/chaos.js';
import { buildDist } from './lib/stack.js';
import { numberOption, progressLog } from './lib/args.js';

const log = progressLog('chaos');

buildDist(log);
const report = await runChaos({
  payouts: numberOption('payouts', 5000),
  seed: numberOption('seed', 5),
  disruptions: [
    { atShare: 0.1, action: 'restart-postgres', downMs: 20_000 },
    { atShare: 0.15, action: 'kill-worker' },
    { atShare: 0.25, action: 'pesaway-outage', mode: 'refuse', downMs: 180_000 },
    { atShare: 0.3, action: 'restart-temporal' },
    { atShare: 0.45, action: 'kill-worker' },
    { atShare: 0.55, action: 'restart-postgres', downMs: 30_000 },
    { atShare: 0.6, action: 'restart-api' },
    { atShare: 0.7, action: 'pesaway-outage', mode: 'timeout', downMs: 120_000 },
    { atShare: 0.75, action: 'kill-worker' },
  ],
  storageRefusal: true,
  pesawayAlertAfterMs: 60_000,
  fundsOutages: 2,
  topUpAfterMs: numberOption('top-up-after-ms', 30_000),
  faults: { serverErrorRate: 0.05, lostResponseRate: 0.03, callbackDropRate: 0.1, callbackDuplicateRate: 0.05, callbackReorderRate: 0.05 },
  timeoutMs: 3 * 3_600_000,
  log,
});
process.stdout.write(`${JSON.stringify(report)}\n`);
process.exitCode = report.ok ? 0 : 1;
