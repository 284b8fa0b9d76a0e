import type { Command } from 'commander';
import { apiClient, intParser, parseBatchId, withApiOptions, type ApiFlags } from '../api-options.js';
import type { CliContext } from '../context.js';
import { DEFAULT_INTERVAL_MS, watchToEnd } from '../watch-batch.js';
import { GROUPS } from '../help.js';

interface WatchFlags extends ApiFlags {
  interval: number;
  json?: boolean;
}

export function register(program: Command, cli: CliContext): void {
  const command = program
    .command('watch')
    .helpGroup(GROUPS.batches)
    .description('Follow a batch until it is COMPLETED or CANCELLED. Exit code 0: every payout paid; 1: some were not.')
    .argument('<batch>', 'the batch id', parseBatchId)
    .option('--interval <ms>', 'how often to look, in milliseconds', intParser(200, 3_600_000), DEFAULT_INTERVAL_MS)
    .option('--json', 'print exactly one JSON object at the end (the final batch); progress lines go to standard error')
    .addHelpText(
      'after',
      `
On a terminal a progress bar shows paid, failed and pending payouts and the amount paid;
elsewhere (a pipe, a file, CI) one plain line is printed per change. While the batch awaits
funds it says how much to top up. Ctrl-C stops watching (exit code 130); the batch carries on.

Examples:
  disburse watch payroll-2026-11
  disburse watch payroll-2026-11 --interval 5000 > watch.log`,
    );
  withApiOptions(command).action(async (batchId: string, flags: WatchFlags) => {
    cli.exitCode = await watchToEnd(apiClient(flags, cli), batchId, cli, { intervalMs: flags.interval, json: flags.json ?? false });
  });
}
