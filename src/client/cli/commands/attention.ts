import { Option, type Command } from 'commander';
import { evidenceText } from '../../../domain/evidence.js';
import { ATTENTION_LISTS, type AttentionList, attentionText } from '../../../domain/attention.js';
import { apiClient, intParser, withApiOptions, type ApiFlags } from '../api-options.js';
import type { PayoutPage } from '../api-types.js';
import { EXIT, type CliContext } from '../context.js';
import { kes, shortTime, table, writeLines } from '../format.js';
import { GROUPS } from '../help.js';

interface AttentionFlags extends ApiFlags {
  status: AttentionList;
  limit: number;
  cursor?: string;
  json?: boolean;
}

const WHAT_TO_DO: Record<AttentionList, string> = {
  flagged: 'PesaWay answers that disagree, amounts that differ, callbacks that could not be applied, failures PesaWay did not confirm. Check each with PesaWay before paying again (disburse payout <reference>); a flagged failure is never resent unconfirmed.',
  unresolved: 'No final answer before the settle deadline; never resent. Chase PesaWay with the transaction id and evidence (disburse payout <reference>).',
  failed: 'PesaWay confirmed these failed. Fix the row if needed, then: disburse retry-failed <batch>.',
  rejected: 'PesaWay refused these as invalid (400.001); never paid. Correct the data and submit them in a new file.',
  awaiting_funds: 'Parked on 455.001, nothing paid. Top up the wallet, then: disburse funds-added <batch>.',
};

export function register(program: Command, cli: CliContext): void {
  const command = program
    .command('attention')
    .helpGroup(GROUPS.batches)
    .description('List the payouts that need a person, across batches, most recently changed first.')
    .addOption(new Option('--status <status>', 'which list').choices(ATTENTION_LISTS).default('unresolved'))
    .option('--limit <n>', 'at most this many payouts', intParser(1, 1000), 50)
    .option('--cursor <reference>', 'the page after this one (printed at the end of a full page)')
    .option('--json', 'print exactly one JSON object: {"items": [...], "nextCursor": ...}')
    .addHelpText('after', '\nExamples:\n  disburse attention\n  disburse attention --status failed --limit 200\n  disburse attention --status flagged');
  withApiOptions(command).action(async (flags: AttentionFlags) => {
    const page = await apiClient(flags, cli).get<PayoutPage>('/v1/payouts', { query: { status: flags.status, limit: flags.limit, cursor: flags.cursor } });
    if (flags.json) cli.stdout.write(`${JSON.stringify(page)}\n`);
    else writeLines(cli.stdout, attentionLines(page, flags));
    cli.exitCode = EXIT.ok;
  });
}

function attentionLines(page: PayoutPage, flags: AttentionFlags): string[] {
  if (page.items.length === 0) return [`No ${flags.status} payouts: nothing needs a person.`];
  const rows = page.items.map((p) => [p.reference, p.batchId, String(p.row), kes(p.amount), p.destination, shortTime(p.updatedAt), [attentionText(p.attention ?? []), evidenceText(p.evidence) ?? p.reason].filter(Boolean).join(' — ')]);
  const lines = [WHAT_TO_DO[flags.status], '', ...table(['REFERENCE', 'BATCH', 'ROW', 'AMOUNT', 'TO', 'CHANGED (UTC)', 'EVIDENCE / REASON'], rows, new Set([2, 3]))];
  if (page.nextCursor !== null) lines.push(`More: disburse attention --status ${flags.status} --cursor ${page.nextCursor} --limit ${flags.limit}`);
  return lines;
}
