import { InvalidArgumentError, type Command } from 'commander';
import { ATTENTION_TEXT, isAttentionReason } from '../../../domain/attention.js';
import { evidenceText } from '../../../domain/evidence.js';
import { REFERENCE_PATTERN } from '../../../domain/reference.js';
import { apiClient, withApiOptions, type ApiFlags } from '../api-options.js';
import type { PayoutRecord, PayoutStory } from '../api-types.js';
import { EXIT, type CliContext } from '../context.js';
import { kes, shortTime, writeLines } from '../format.js';
import { GROUPS } from '../help.js';

interface PayoutFlags extends ApiFlags {
  json?: boolean;
}

function parseReference(raw: string): string {
  const reference = raw.trim().toUpperCase();
  if (!REFERENCE_PATTERN.test(reference)) throw new InvalidArgumentError('a payout reference looks like 7XK2M9QD4HR123A1 (batch tag, R + row, A + attempt), as in the report or on a PesaWay statement.');
  return reference;
}

export function register(program: Command, cli: CliContext): void {
  const command = program
    .command('payout')
    .helpGroup(GROUPS.batches)
    .description("Show one payout by its reference: its row, result, evidence and story (every status change, PesaWay answer and callback).")
    .argument('<reference>', 'the payout reference (report column "reference", PesaWay\'s ExternalReference)', parseReference)
    .option('--json', 'print exactly one JSON object: {"payout": {...}, "timeline": [...]}')
    .addHelpText('after', '\nExamples:\n  disburse payout 7XK2M9QD4HR123A1\n  disburse payout 7XK2M9QD4HR123A1 --json | jq .timeline');
  withApiOptions(command).action(async (reference: string, flags: PayoutFlags) => {
    const story = await apiClient(flags, cli).get<PayoutStory>(`/v1/payouts/${reference}`);
    if (flags.json) cli.stdout.write(`${JSON.stringify(story)}\n`);
    else writeLines(cli.stdout, storyLines(story));
    cli.exitCode = EXIT.ok;
  });
}


function payoutHeadline(p: PayoutRecord): string {
  return `${p.reference}  ${p.status}  ${kes(p.amount)} to ${p.destination} (${p.channel})`;
}

function storyLines({ payout: p, timeline }: PayoutStory): string[] {
  const lines = [
    payoutHeadline(p),
    `  batch ${p.batchId}, row ${p.row} (file line ${p.line}), attempt ${p.attempt}${p.current ? '' : ' — replaced by a later attempt'}`,
    `  payee ${p.name ?? '(no name)'}${p.employeeId ? `, employee ${p.employeeId}` : ''}`,
  ];
  if (p.transactionId) lines.push(`  PesaWay transaction ${p.transactionId}${p.receipt ? `, receipt ${p.receipt}` : ''}`);
  if (p.reason) lines.push(`  reason: ${p.reason}`);
  for (const reason of p.attention ?? []) lines.push(`  NEEDS A PERSON — ${reason}: ${isAttentionReason(reason) ? ATTENTION_TEXT[reason] : reason}`);
  const evidence = evidenceText(p.evidence);
  if (evidence) lines.push(`  evidence: ${evidence}`);
  lines.push('', 'Timeline (UTC):');
  for (const e of timeline) lines.push(`  ${shortTime(e.at)}:${e.at.slice(17, 19)}  ${e.text}${e.source ? `  [${e.source}]` : ''}`);
  if (timeline.length === 0) lines.push('  (nothing recorded yet)');
  return lines;
}
