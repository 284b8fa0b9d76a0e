/** `disburse reject <batch> --reason "…"`: an approver refuses a batch before it pays (POST /v1/batches/{id}/reject). */
import type { Command } from 'commander';
import { batchPath } from '../api-client.js';
import { apiClient, parseBatchId, withApiOptions, type ApiFlags } from '../api-options.js';
import type { ActionResult } from '../api-types.js';
import { EXIT, UsageError, type CliContext } from '../context.js';
import { GROUPS } from '../help.js';

interface RejectFlags extends ApiFlags {
  reason: string;
  json?: boolean;
}

/** What the API keeps of a reason (and refuses beyond). */
const REASON_MAX = 500;

function parseReason(value: string): string {
  const reason = value.trim();
  if (reason.length === 0) throw new UsageError('--reason is empty', 'Say why the batch is rejected: the submitter reads it.');
  if (reason.length > REASON_MAX) throw new UsageError(`--reason has ${reason.length} characters; at most ${REASON_MAX}`, 'Shorten it.');
  return reason;
}

export function register(program: Command, cli: CliContext): void {
  const command = program
    .command('reject')
    .helpGroup(GROUPS.operations)
    .description('Reject a batch that awaits approval (or is scheduled and not approved yet): it ends CANCELLED, nothing paid. Needs the approver role, held by someone other than the submitter.')
    .argument('<batch>', 'the batch id', parseBatchId)
    .requiredOption('--reason <text>', `why (1–${REASON_MAX} characters): recorded on the batch and shown to the submitter`, parseReason)
    .option('--json', 'print exactly one JSON object: {"batchId", "action", "by"}')
    .addHelpText(
      'after',
      `
Exit code 1 when the batch is not awaiting a decision (already approved, running, finished);
4 when your key's role may not, or you submitted the batch yourself (cancel it instead).

Example:
  disburse reject payroll-2026-11 --reason "Bonus column doubled for the sales team; fix and resubmit"`,
    );
  withApiOptions(command).action(async (batchId: string, flags: RejectFlags) => {
    const { body } = await apiClient(flags, cli).post<ActionResult>(batchPath(batchId, '/reject'), {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reason: flags.reason }),
    });
    cli.stdout.write(flags.json ? `${JSON.stringify(body)}\n` : `Batch ${body.batchId} rejected by ${body.by}: it ends cancelled, nothing paid. The reason is on the batch: disburse status ${body.batchId}\n`);
    cli.exitCode = EXIT.ok;
  });
}
