import { InvalidArgumentError, type Command } from 'commander';
import { AmountFormatError, formatKes, formatMinor, parseDecimal, type MinorUnits } from '../../../domain/money.js';
import { batchPath } from '../api-client.js';
import { apiClient, parseBatchId, withApiOptions, type ApiFlags } from '../api-options.js';
import type { ActionResult } from '../api-types.js';
import { batchAction } from '../batch-actions.js';
import { EXIT, type CliContext } from '../context.js';
import { kes } from '../format.js';
import { DEFAULT_SANDBOX_URL, sandboxUrlFrom, topUpSandbox } from '../sandbox-client.js';
import { GROUPS } from '../help.js';

interface TopUpFlags extends ApiFlags {
  sandboxUrl?: string;
  batch?: string;
  json?: boolean;
}

/** `500`, `20240.50`, and also the way the CLI prints money (`KES 20,240.00`), so a notice can be pasted. */
function parseTopUpAmount(raw: string): MinorUnits {
  const cleaned = raw.trim().replace(/^KES\s*/i, '');
  const plain = /^\d{1,3}(,\d{3})+(\.\d{1,2})?$/.test(cleaned) ? cleaned.replace(/,/g, '') : cleaned;
  let minor: MinorUnits;
  try {
    minor = parseDecimal(plain);
  } catch (err) {
    if (err instanceof AmountFormatError) throw new InvalidArgumentError('expected an amount in KES like 500, 20240.50 or "KES 20,240.50".');
    throw err;
  }
  if (minor === 0) throw new InvalidArgumentError('a top-up must be more than KES 0.00.');
  return minor;
}

export function register(program: Command, cli: CliContext): void {
  const sandbox = program.command('sandbox').helpGroup(GROUPS.development).description('Development helpers for the PesaWay sandbox (never a real wallet).');
  const topUp = sandbox
    .command('top-up')
    .description('Add money to the sandbox wallet; with --batch, then tell that batch the funds were added.')
    .argument('<amount>', 'KES to add, e.g. 5000 or 20240.50', parseTopUpAmount)
    .option('--sandbox-url <url>', `the sandbox (default: $PESAWAY_BASE_URL or ${DEFAULT_SANDBOX_URL})`)
    .option('--batch <id>', 'then send funds-added to this batch through the API (needs an API key)', parseBatchId)
    .option('--json', 'print exactly one JSON object: {"amount", "balance", "fundsAdded"}')
    .addHelpText('after', '\nExamples:\n  disburse sandbox top-up 5000\n  disburse sandbox top-up 20240 --batch payroll-2026-11');
  withApiOptions(topUp).action(async (amountMinor: MinorUnits, flags: TopUpFlags) => {
    cli.exitCode = await topUpCommand(amountMinor, flags, cli);
  });
}

async function topUpCommand(amountMinor: MinorUnits, flags: TopUpFlags, cli: CliContext): Promise<number> {
  const sandboxUrl = sandboxUrlFrom(flags.sandboxUrl, cli);
  // The key is checked before any money moves, so a missing key never leaves a half-done top-up.
  const api = flags.batch === undefined ? undefined : apiClient(flags, cli);
  const balance = await topUpSandbox(sandboxUrl, amountMinor);
  const toppedUp = `Sandbox wallet topped up by ${formatKes(amountMinor)}: balance ${kes(balance.current)} (available ${kes(balance.available)}).`;
  if (!flags.json) cli.stdout.write(`${toppedUp}\n`);
  let fundsAdded: ActionResult | null = null;
  if (api !== undefined && flags.batch !== undefined) {
    try {
      fundsAdded = (await api.post<ActionResult>(batchPath(flags.batch, '/funds-added'))).body;
    } catch (err) {
      if (flags.json) cli.stderr.write(`${toppedUp}\n`);
      cli.stderr.write(`The top-up stands, but batch ${flags.batch} could not be told (it also notices by polling the balance):\n`);
      throw err;
    }
    if (!flags.json) cli.stdout.write(`${batchAction('funds-added').done(fundsAdded.batchId, fundsAdded.by)}\n`);
  }
  if (flags.json) cli.stdout.write(`${JSON.stringify({ amount: formatMinor(amountMinor), balance, fundsAdded })}\n`);
  return EXIT.ok;
}
