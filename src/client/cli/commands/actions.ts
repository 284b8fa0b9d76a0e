/** The operations on a batch: one command each, all the same shape (`POST /v1/batches/{id}/<action>`). */
import type { Command } from 'commander';
import { batchPath } from '../api-client.js';
import { apiClient, parseBatchId, withApiOptions, type ApiFlags } from '../api-options.js';
import type { ActionResult } from '../api-types.js';
import { ACTIONS } from '../batch-actions.js';
import { EXIT, type CliContext } from '../context.js';
import { GROUPS } from '../help.js';

interface ActionFlags extends ApiFlags {
  json?: boolean;
}

export function register(program: Command, cli: CliContext): void {
  for (const action of ACTIONS) {
    const command = program
      .command(action.name)
      .helpGroup(GROUPS.operations)
      .description(`${action.description} Needs ${action.roles}.`)
      .argument('<batch>', 'the batch id', parseBatchId)
      .option('--json', 'print exactly one JSON object: {"batchId", "action", "by"}')
      .addHelpText('after', `\nExit code 1 when the batch is not in a state that allows ${action.name};\n4 when your key's role may not.\n\nExample:\n  disburse ${action.name} payroll-2026-11`);
    withApiOptions(command).action(async (batchId: string, flags: ActionFlags) => {
      const { body } = await apiClient(flags, cli).post<ActionResult>(batchPath(batchId, `/${action.name}`));
      cli.stdout.write(flags.json ? `${JSON.stringify(body)}\n` : `${action.done(body.batchId, body.by)}\n`);
      cli.exitCode = EXIT.ok;
    });
  }
}
