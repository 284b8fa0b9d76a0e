import { Option, type Command } from 'commander';
import { BATCH_STATUSES, type BatchStatus } from '../../../domain/batch-status.js';
import { apiClient, intParser, parsePayrollLabel, withApiOptions, type ApiFlags } from '../api-options.js';
import type { BatchPage } from '../api-types.js';
import { EXIT, type CliContext } from '../context.js';
import { kes, shortTime, table, writeLines } from '../format.js';
import { GROUPS } from '../help.js';

interface ListFlags extends ApiFlags {
  status?: BatchStatus;
  payroll?: string;
  limit: number;
  cursor?: string;
  json?: boolean;
}

export function register(program: Command, cli: CliContext): void {
  const command = program
    .command('list')
    .helpGroup(GROUPS.batches)
    .description('List batches, newest first.')
    .addOption(new Option('--status <status>', 'only batches in this state').choices(BATCH_STATUSES))
    .option('--payroll <label>', 'only the batches of this payroll (as submitted with --payroll)', parsePayrollLabel)
    .option('--limit <n>', 'at most this many batches', intParser(1, 200), 20)
    .option('--cursor <cursor>', 'the page after this one (printed at the end of a full page)')
    .option('--json', 'print exactly one JSON object: {"items": [...], "nextCursor": ...}')
    .addHelpText('after', '\nExamples:\n  disburse list\n  disburse list --status AWAITING_FUNDS\n  disburse list --limit 200 --json');
  withApiOptions(command).action(async (flags: ListFlags) => {
    const page = await apiClient(flags, cli).get<BatchPage>('/v1/batches', { query: { status: flags.status, payroll: flags.payroll, limit: flags.limit, cursor: flags.cursor } });
    if (flags.json) cli.stdout.write(`${JSON.stringify(page)}\n`);
    else writeLines(cli.stdout, listLines(page, flags));
    cli.exitCode = EXIT.ok;
  });
}

function listLines(page: BatchPage, flags: ListFlags): string[] {
  if (page.items.length === 0) {
    if (flags.payroll !== undefined) return [`No batches of payroll "${flags.payroll}"${flags.status === undefined ? '' : ` are ${flags.status}`}: submit one with \`disburse submit <file.csv> --payroll "${flags.payroll}"\`.`];
    return [flags.status === undefined ? 'No batches yet: submit one with `disburse submit <file.csv>`.' : `No batches are ${flags.status}.`];
  }
  const rows = page.items.map((b) => [b.id, b.status, String(b.valid), kes(b.totalAmount), b.submittedBy ?? '', shortTime(b.createdAt)]);
  const lines = table(['BATCH', 'STATUS', 'PAYOUTS', 'TOTAL', 'SUBMITTED BY', 'CREATED (UTC)'], rows, new Set([2, 3]));
  if (page.nextCursor !== null) {
    lines.push(`More: disburse list --cursor ${page.nextCursor}${flags.status === undefined ? '' : ` --status ${flags.status}`}${flags.payroll === undefined ? '' : ` --payroll "${flags.payroll}"`} --limit ${flags.limit}`);
  }
  return lines;
}
