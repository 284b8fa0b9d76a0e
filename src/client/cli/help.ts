/** The program's help: command groups in a fixed order, and the epilogue (connection, exit codes, examples). */
import type { Command } from 'commander';
import { DEFAULT_API_URL } from './api-options.js';
import { EXIT } from './context.js';

/** Help headings, in the order the program's help lists them. */
export const GROUPS = {
  payroll: 'Payroll files:',
  batches: 'Batches:',
  operations: 'Operations on a batch:',
  development: 'Development:',
} as const;

/**
 * Commander lists groups in the order their first command was registered, and commands load in file-name
 * order; sorting the (internal, order-only) list by group puts them in the order above.
 */
export function orderCommandGroups(program: Command): void {
  const rank = (c: Command): number => {
    const index = (Object.values(GROUPS) as string[]).indexOf(c.helpGroup());
    return index === -1 ? Number.MAX_SAFE_INTEGER : index;
  };
  (program.commands as Command[]).sort((a, b) => rank(a) - rank(b));
}

export const PROGRAM_EPILOGUE = `
Connecting to the API (every command but validate):
  --api-url <url>  or DISBURSE_API_URL (default ${DEFAULT_API_URL})
  --api-key <key>  or DISBURSE_API_KEY. The key's role decides what you may do:
                   submitter: submit, pause, resume, cancel, retry-failed, funds-added
                   approver:  approve, pause, resume, cancel, funds-added
                   viewer:    list, status, watch, report (every role may)

Exit codes (the same for every command):
  ${EXIT.ok}    success
  ${EXIT.rejected}    the answer is "no": the payroll was refused (or a dry run found it unacceptable),
       the batch is not in a state that allows the action, or a watched batch ended with
       failed, rejected, cancelled or unresolved payouts
  ${EXIT.usage}    usage error, nothing was done: bad flags, missing file, missing API key,
       unknown batch
  ${EXIT.failure}    failure: the API or the sandbox is unreachable, too slow, or answered with a
       server error
  ${EXIT.denied}    not allowed: the API does not know the key (401), or its role may not do this
       (403; the message names the role needed)
  ${EXIT.interrupted}  watch stopped with Ctrl-C (the batch carries on)

Examples:
  export DISBURSE_API_KEY=...   # with \`npm start\`: the keys are in .data/dev-secrets.json
  disburse validate november.csv
  disburse submit november.csv --batch-id payroll-2026-11 --watch
  disburse list --status AWAITING_FUNDS
  disburse report payroll-2026-11 -o payroll-2026-11.csv

\`disburse <command> --help\` tells more about each command.`;
