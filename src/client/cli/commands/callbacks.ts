import type { Command } from 'commander';
import { apiClient, withApiOptions, type ApiFlags } from '../api-options.js';
import { EXIT, type CliContext } from '../context.js';
import { shortTime, writeLines } from '../format.js';
import { GROUPS } from '../help.js';

interface CallbackStats {
  received: number;
  stored: number;
  applied: number;
  completed: number;
  forged: number;
  badSignature: number;
  forgedEver: { token: number; signature: number; lastAt: string | null };
}

interface CallbacksFlags extends ApiFlags {
  json?: boolean;
}

export function register(program: Command, cli: CliContext): void {
  const command = program
    .command('callbacks')
    .helpGroup(GROUPS.batches)
    .description("PesaWay result callbacks: what this API process received and stored, and the forged ones ever refused (kept in PostgreSQL, across restarts).")
    .option('--json', 'print exactly one JSON object: the API\'s answer')
    .addHelpText('after', '\nExamples:\n  disburse callbacks\n  disburse callbacks --json');
  withApiOptions(command).action(async (flags: CallbacksFlags) => {
    const body = await apiClient(flags, cli).get<CallbackStats>('/v1/callbacks/stats');
    if (flags.json) cli.stdout.write(`${JSON.stringify(body)}\n`);
    else writeLines(cli.stdout, callbackLines(body));
    cli.exitCode = EXIT.ok;
  });
}

function callbackLines(s: CallbackStats): string[] {
  const forgedEver = s.forgedEver.token + s.forgedEver.signature;
  const lines = [
    `Since this API process started: ${s.received} received, ${s.stored} stored, ${s.applied} applied to their payout, ${s.completed} woke a waiting payout.`,
    `  Refused since start: ${s.forged} with a bad URL token, ${s.badSignature} with a bad signature.`,
    `Forged callbacks ever refused: ${forgedEver} (${s.forgedEver.token} bad URL token, ${s.forgedEver.signature} bad signature)${s.forgedEver.lastAt ? `, the last at ${shortTime(s.forgedEver.lastAt)} UTC` : ''}.`,
  ];
  if (forgedEver > 0) lines.push('  Someone is posting to the callback URL without its token: check the API log for their references, and keep CALLBACK_SECRET secret.');
  return lines;
}
