/**
 * `npm run demo [-- --exit]`: the main job. Boots the embedded stack (PostgreSQL, Temporal dev server
 * with Web UI, PesaWay sandbox with realistic latency and a wallet that runs dry part-way, worker, API),
 * submits examples/payroll.csv, shows its progress, tops the wallet up when the batch awaits funds, and
 * prints the summary, the report and where to find the batch in the Temporal Web UI.
 * `npm start` runs the same stack without the demo batch.
 */
import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { AppError, errorMessage } from '../common/errors.js';
import { validatePayroll } from '../payroll/validate-file.js';
import { createLogger } from '../common/log.js';
import { formatKes, parseDecimal } from '../domain/money.js';
import { loadStackConfig } from './config.js';
import { runDemoBatch } from './demo-batch.js';
import { startEngineStack } from './engine-stack.js';

const program = new Command('demo')
  .description('Run the disbursement engine on this machine, optionally paying the example payroll end to end.')
  .option('--exit', 'stop everything once the demo batch is done (exit code 0 when it completed)')
  .option('--no-batch', 'start the stack only (what `npm start` does)')
  .option('--file <csv>', 'the payroll to pay', 'examples/payroll.csv')
  .option('--wallet-share <fraction>', 'opening wallet balance as a share of the payroll total, so it runs dry part-way', '0.6')
  .parse();
const opts = program.opts<{ exit?: boolean; batch: boolean; file: string; walletShare: string }>();

class UsageError extends AppError {
  constructor(message: string) {
    super('usage', message);
  }
}

const say = (line: string): void => void process.stdout.write(`${line}\n`);
// Engine logs go to a file-like sink at warn level so the demo's own lines stay readable.
const log = createLogger({ name: 'engine', level: process.env['LOG_LEVEL'] ?? 'warn' });

async function main(): Promise<number> {
  const config = loadStackConfig(process.env);
  const share = Number(opts.walletShare);
  if (!(share > 0)) throw new UsageError(`--wallet-share must be a positive number, got "${opts.walletShare}"`);
  const payroll = await validatePayroll(createReadStream(resolve(opts.file)), { policy: 'skip-invalid' });
  const payrollTotalMinor = payroll.totalMinor + payroll.feeEstimateMinor;
  const engine = await startEngineStack(config, process.env, log, say, {
    balanceMinor: opts.batch ? Math.round(payrollTotalMinor * share) : 50_000_000_00,
    settleDelayMs: { min: 300, max: 1500 },
    faults: { latencyMs: { min: 30, max: 120 } },
    seed: 7,
  });
  const shutdown = async (code: number): Promise<never> => {
    say('Stopping...');
    await engine.stop();
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown(130));
  process.once('SIGTERM', () => void shutdown(143));

  const ui = engine.stack.temporalUiUrl ?? '(remote Temporal)';
  say('');
  say(`Web console:     ${engine.apiUrl}/   (sign in with an API key below: the submitter uploads, the approver approves)`);
  say(`Temporal Web UI: ${ui}`);
  say(`Use the CLI:    export DISBURSE_API_URL=${engine.apiUrl} DISBURSE_API_KEY=${engine.secrets.keys.submitter}`);
  say(`                npx disburse list   (approver key: ${engine.secrets.keys.approver}; viewer key: ${engine.secrets.keys.viewer})`);
  say('');
  if (!opts.batch) {
    say('Ready. Submit a payroll with `npx disburse submit <file.csv> --watch`. Ctrl-C stops everything.');
    return new Promise<number>(() => undefined);
  }

  const batchId = `demo-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-')}`;
  const result = await runDemoBatch({
    apiUrl: engine.apiUrl,
    key: engine.secrets.keys.submitter,
    file: resolve(opts.file),
    batchId,
    sandbox: engine.sandbox,
    reportsDir: resolve(config.dataDir, 'reports'),
    say,
  });
  const c = result.counts;
  say('');
  say(`Batch ${result.batchId}: ${result.status}`);
  say(`  paid ${c.succeeded}, failed ${c.failed}, rejected ${c.rejected}, unresolved ${c.unresolved}, cancelled ${c.cancelled}`);
  say(`  ${formatKes(parseDecimal(result.paid))} paid of ${formatKes(parseDecimal(result.total))}${result.toppedUp.length ? `; wallet topped up ${result.toppedUp.join(', ')}` : ''}`);
  say(`  report: ${result.reportPath}`);
  say(`  invalid rows: ${engine.apiUrl}/v1/batches/${result.batchId}/errors.csv`);
  say(`  in the web console: ${engine.apiUrl}/batches/${result.batchId}`);
  if (engine.stack.temporalUiUrl) {
    say(`  in the Temporal Web UI: ${engine.stack.temporalUiUrl}/namespaces/${engine.stack.temporalNamespace}/workflows?query=${encodeURIComponent(`BatchId="${result.batchId}"`)}`);
  }
  if (opts.exit) {
    await engine.stop();
    return result.status === 'COMPLETED' ? 0 : 1;
  }
  say('\nThe stack stays up; Ctrl-C stops it.');
  return new Promise<number>(() => undefined);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${errorMessage(err)}\n`);
    process.exit(1);
  },
);
