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
  registerResolve(program, cli);
  withApiOptions(command).action(async (reference: string, flags: PayoutFlags) => {
    const story = await apiClient(flags, cli).get<PayoutStory>(`/v1/payouts/${reference}`);
    if (flags.json) cli.stdout.write(`${JSON.stringify(story)}\n`);
    else writeLines(cli.stdout, storyLines(story));
    cli.exitCode = EXIT.ok;
  });
}

/** `disburse resolve <reference> --note "…"`: a person's answer to a flagged payout (approvers). */
function registerResolve(program: Command, cli: CliContext): void {
  const command = program
    .command('resolve')
    .helpGroup(GROUPS.batches)
    .description('Record that you checked a flagged payout with PesaWay, and what you found: it leaves the flagged list (a later flag reopens it). It authorises no resend. Needs approver.')
    .argument('<reference>', 'the flagged payout\'s reference (disburse attention --status flagged)', parseReference)
    .requiredOption('--note <text>', 'what you checked and found (kept with your name and the time)')
    .option('--json', 'print exactly one JSON object: {"payout": {...}}')
    .addHelpText('after', '\nExit code 1 when the payout has no open flag; 4 when your key is not an approver.\n\nExample:\n  disburse resolve 7XK2M9QD4HR123A1 --note "PesaWay support: PHY123 paid once"');
  withApiOptions(command).action(async (reference: string, flags: PayoutFlags & { note: string }) => {
    const { body } = await apiClient(flags, cli).post<{ payout: PayoutRecord }>(`/v1/payouts/${reference}/attention/resolve`, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ note: flags.note }),
    });
    cli.stdout.write(flags.json ? `${JSON.stringify(body)}\n` : `Resolved the flags on ${reference} (${body.payout.attention.join(', ')}) as ${body.payout.attentionResolution?.by ?? 'you'}.\n`);
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
  const open = p.attentionOpen ?? true;
  for (const reason of p.attention ?? []) lines.push(`  ${open ? 'NEEDS A PERSON' : 'flagged'} — ${reason}: ${isAttentionReason(reason) ? ATTENTION_TEXT[reason] : reason}`);
  const resolution = p.attentionResolution;
  if (resolution) lines.push(`  resolved by ${resolution.by} at ${shortTime(resolution.at)} UTC: ${resolution.note}${open ? ' — flagged again since: see the timeline' : ''}`);
  const evidence = evidenceText(p.evidence);
  if (evidence) lines.push(`  evidence: ${evidence}`);
  lines.push('', 'Timeline (UTC):');
  for (const e of timeline) lines.push(`  ${shortTime(e.at)}:${e.at.slice(17, 19)}  ${e.text}${e.source ? `  [${e.source}]` : ''}`);
  if (timeline.length === 0) lines.push('  (nothing recorded yet)');
  return lines;
}
