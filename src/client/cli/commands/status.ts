import type { Command } from 'commander';
import { batchPath } from '../api-client.js';
import { apiClient, parseBatchId, withApiOptions, type ApiFlags } from '../api-options.js';
import type { Batch } from '../api-types.js';
import { batchSummary } from '../batch-text.js';
import { EXIT, type CliContext } from '../context.js';
import { writeLines } from '../format.js';
import { GROUPS } from '../help.js';

interface StatusFlags extends ApiFlags {
  json?: boolean;
}

export function register(program: Command, cli: CliContext): void {
  const command = program
    .command('status')
    .helpGroup(GROUPS.batches)
    .description('Show a batch: its file, total, state and progress (and the shortfall while it awaits funds).')
    .argument('<batch>', 'the batch id', parseBatchId)
    .option('--json', 'print exactly one JSON object: the batch with its progress')
    .addHelpText('after', '\nExamples:\n  disburse status payroll-2026-11\n  disburse status payroll-2026-11 --json | jq .progress.counts');
  withApiOptions(command).action(async (batchId: string, flags: StatusFlags) => {
    const batch = await apiClient(flags, cli).get<Batch>(batchPath(batchId));
    if (flags.json) cli.stdout.write(`${JSON.stringify(batch)}\n`);
    else writeLines(cli.stdout, batchSummary(batch));
    cli.exitCode = EXIT.ok;
  });
}
