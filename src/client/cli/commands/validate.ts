import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { formatKes } from '../../../domain/money.js';
import { ErrorsCsvWriter } from '../../../payroll/errors-csv.js';
import type { PayrollInput } from '../../../payroll/input.js';
import { DEFAULT_LIMITS, limitsFromEnv, limitsProblem, parseKes, type PayrollLimits } from '../../../payroll/limits.js';
import type { MinorUnits } from '../../../domain/money.js';
import { POLICIES, describeIssue, reportJson, summaryLines, type Policy, type ValidationReport } from '../../../payroll/report.js';
import { EXIT, UsageError, type CliContext } from '../context.js';
import { GROUPS } from '../help.js';

interface ValidateFlags {
  json?: boolean;
  policy: Policy;
  acknowledgeWarnings?: boolean;
  errorsCsv?: string;
  minAmount?: string;
  maxAmount?: string;
  maxErrors: string;
}

export function register(program: Command, cli: CliContext): void {
  program
    .command('validate')
    .helpGroup(GROUPS.payroll)
    .description('Check a payroll CSV without touching the database. Exit code 0: acceptable; 1: not acceptable; 2: usage error.')
    .argument('<file>', 'the payroll CSV ("-" reads standard input)')
    .option('--json', 'print exactly one JSON object: counts, total, errors and warnings')
    .addOption(new Option('--policy <policy>', 'strict: any invalid row refuses the file; skip-invalid: pay the valid rows').choices(POLICIES).default('strict'))
    .option('--acknowledge-warnings', 'accept the file despite warnings (e.g. the same phone and amount twice)')
    .option('--errors-csv <path>', 'write every error and warning to this CSV, for the payroll officer')
    .option('--min-amount <kes>', `smallest payout in KES (default ${formatKes(DEFAULT_LIMITS.minAmountMinor)}, or PAYOUT_MIN_AMOUNT)`)
    .option('--max-amount <kes>', `largest payout in KES (default ${formatKes(DEFAULT_LIMITS.maxAmountMinor)}, or PAYOUT_MAX_AMOUNT)`)
    .option('--max-errors <n>', 'how many findings the summary lists', '20')
    .action(async (file: string, flags: ValidateFlags) => {
      cli.exitCode = await validateCommand(file, flags, cli);
    });
}

function kesFlag(flag: string, raw: string | undefined, fallback: MinorUnits): MinorUnits {
  if (raw === undefined) return fallback;
  const minor = parseKes(raw);
  if (minor === undefined) throw new UsageError(`${flag} expects an amount in KES like 250000 or 10.50, got "${raw}"`);
  return minor;
}

/** The environment's limits (PAYOUT_MIN_AMOUNT, ...), then the flags over them. */
function limitsFrom(flags: ValidateFlags, cli: CliContext): PayrollLimits {
  const base = limitsFromEnv(cli.env);
  const limits = {
    ...base,
    minAmountMinor: kesFlag('--min-amount', flags.minAmount, base.minAmountMinor),
    maxAmountMinor: kesFlag('--max-amount', flags.maxAmount, base.maxAmountMinor),
  };
  const problem = limitsProblem(limits);
  if (problem !== undefined) throw new UsageError(`--min-amount / --max-amount: ${problem}`);
  return limits;
}

async function openInput(file: string, cli: CliContext): Promise<PayrollInput> {
  if (file === '-') return cli.stdin;
  const info = await stat(file).catch(() => undefined);
  if (!info) throw new UsageError(`File not found: ${file}`, 'Check the path; use "-" to read the CSV from standard input.');
  if (!info.isFile()) throw new UsageError(`Not a file: ${file}`);
  return createReadStream(file, { highWaterMark: 1 << 16 });
}

async function validateCommand(file: string, flags: ValidateFlags, cli: CliContext): Promise<number> {
  const maxErrors = Number(flags.maxErrors);
  if (!Number.isSafeInteger(maxErrors) || maxErrors < 0) throw new UsageError(`--max-errors must be a whole number, got "${flags.maxErrors}"`);
  const limits = limitsFrom(flags, cli);
  const input = await openInput(file, cli);
  const errorsCsv = flags.errorsCsv === undefined ? undefined : new ErrorsCsvWriter(createWriteStream(flags.errorsCsv));
  // Loaded when used: the parser (with its phone-number metadata) takes half a second to load, which every
  // other command would otherwise pay at start-up.
  const { validatePayroll } = await import('../../../payroll/validate-file.js');
  let report: ValidationReport;
  try {
    report = await validatePayroll(input, { policy: flags.policy, acknowledgeWarnings: flags.acknowledgeWarnings ?? false, limits }, errorsCsv ?? {});
  } finally {
    await errorsCsv?.close();
  }

  if (flags.json) cli.stdout.write(`${JSON.stringify(reportJson(report))}\n`);
  else cli.stdout.write(humanReport(file, report, maxErrors, flags.errorsCsv, errorsCsv?.count ?? 0));
  return report.accepted ? EXIT.ok : EXIT.rejected;
}

function humanReport(file: string, report: ValidationReport, maxErrors: number, csvPath: string | undefined, csvCount: number): string {
  const out = [`${file === '-' ? 'standard input' : file}:`, ...summaryLines(report).map((l) => `  ${l}`)];
  const errors = report.issues.filter((i) => i.severity === 'error');
  const warnings = report.issues.filter((i) => i.severity === 'warning');
  for (const [title, list, total] of [['Errors', errors, report.errorCount], ['Warnings', warnings, report.warningCount]] as const) {
    if (list.length === 0) continue;
    const shown = list.slice(0, maxErrors);
    out.push(`${title}${total > shown.length ? ` (first ${shown.length} of ${total})` : ''}:`);
    for (const issue of shown) out.push(`  ${describeIssue(issue)}`);
  }
  if (!report.accepted && report.warningCount > 0 && !report.warningsAcknowledged) out.push('Re-run with --acknowledge-warnings once the warnings are checked.');
  if (csvPath !== undefined) out.push(`${csvCount} finding${csvCount === 1 ? '' : 's'} written to ${csvPath}.`);
  return `${out.join('\n')}\n`;
}
