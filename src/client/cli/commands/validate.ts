import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { formatKes } from '../../../domain/money.js';
import { ErrorsCsvWriter } from '../../../payroll/errors-csv.js';
import type { PayrollInput } from '../../../payroll/input.js';
import type { OpenedPayroll, WorkbookFacts } from '../../../payroll/payroll-file.js';
import { DEFAULT_LIMITS, limitsFromEnv, limitsProblem, parseKes, type PayrollLimits } from '../../../payroll/limits.js';
import type { MinorUnits } from '../../../domain/money.js';
import type { PayoutDraft } from '../../../payroll/row.js';
import { POLICIES, describeIssue, reportJson, summaryLines, type Policy, type ValidationReport } from '../../../payroll/report.js';
import type { PayrollComparison } from '../../../payroll/compare.js';
import { comparisonJson, comparisonLines, parsePercent } from '../comparison-text.js';
import { EXIT, UsageError, type CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { workbookLine } from '../submit-text.js';
import { GROUPS } from '../help.js';

interface ValidateFlags {
  json?: boolean;
  policy: Policy;
  acknowledgeWarnings?: boolean;
  errorsCsv?: string;
  minAmount?: string;
  maxAmount?: string;
  maxErrors: string;
  compareWith?: string;
  amountChange: string;
  amountChangeMin: string;
  sheet?: string;
}

export function register(program: Command, cli: CliContext): void {
  program
    .command('validate')
    .helpGroup(GROUPS.payroll)
    .description('Check a payroll CSV or Excel workbook (.xlsx) without touching the database. Exit code 0: acceptable; 1: not acceptable; 2: usage error.')
    .argument('<file>', 'the payroll CSV or .xlsx workbook ("-" reads standard input)')
    .option('--sheet <name>', 'for a workbook: the sheet to read (default: the first)')
    .option('--json', 'print exactly one JSON object: counts, total, errors and warnings')
    .addOption(new Option('--policy <policy>', 'strict: any invalid row refuses the file; skip-invalid: pay the valid rows').choices(POLICIES).default('strict'))
    .option('--acknowledge-warnings', 'accept the file despite warnings (e.g. the same phone and amount twice)')
    .option('--errors-csv <path>', 'write every error and warning to this CSV, for the payroll officer')
    .option('--min-amount <kes>', `smallest payout in KES (default ${formatKes(DEFAULT_LIMITS.minAmountMinor)}, or PAYOUT_MIN_AMOUNT)`)
    .option('--max-amount <kes>', `largest payout in KES (default ${formatKes(DEFAULT_LIMITS.maxAmountMinor)}, or PAYOUT_MAX_AMOUNT)`)
    .option('--max-errors <n>', 'how many findings the summary lists (errors, warnings, and comparison findings)', '20')
    .option(
      '--compare-with <previous.csv>',
      "compare with the previous run of the same payroll: new payees, a known employee's changed phone or account, amounts far from last time's, payees missing. Warnings only: they never change the exit code",
    )
    .option('--amount-change <percent>', 'with --compare-with: an amount is far from last time when it moved by more than this percentage', '50')
    .option('--amount-change-min <kes>', 'with --compare-with: ... and by at least this much', '1000')
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

async function openFile(file: string, cli: CliContext): Promise<PayrollInput> {
  if (file === '-') return cli.stdin;
  const info = await stat(file).catch(() => undefined);
  if (!info) throw new UsageError(`File not found: ${file}`, 'Check the path; use "-" to read the CSV from standard input.');
  if (!info.isFile()) throw new UsageError(`Not a file: ${file}`);
  return createReadStream(file, { highWaterMark: 1 << 16 });
}

/** The file's records for the payroll core: a CSV as it is, a workbook's sheet as CSV; a workbook refusal ends the command (exit 1). */
async function openInput(file: string, cli: CliContext, sheet?: string): Promise<OpenedPayroll> {
  const { openPayroll } = await import('../../../payroll/payroll-file.js');
  const { WorkbookError } = await import('../../../payroll/workbook-error.js');
  const name = file.toLowerCase();
  try {
    return await openPayroll(await openFile(file, cli), { ...(sheet === undefined ? {} : { sheet }), claimsWorkbook: name.endsWith('.xlsx'), claimsXls: name.endsWith('.xls') });
  } catch (err) {
    if (err instanceof WorkbookError) throw new CliError(EXIT.rejected, err.code, `${file}: ${err.message}`);
    throw err;
  }
}

async function validateCommand(file: string, flags: ValidateFlags, cli: CliContext): Promise<number> {
  const maxErrors = Number(flags.maxErrors);
  if (!Number.isSafeInteger(maxErrors) || maxErrors < 0) throw new UsageError(`--max-errors must be a whole number, got "${flags.maxErrors}"`);
  const limits = limitsFrom(flags, cli);
  const thresholds = flags.compareWith === undefined ? undefined : thresholdsFrom(flags);
  const { input, workbook } = await openInput(file, cli, flags.sheet);
  const errorsCsv = flags.errorsCsv === undefined ? undefined : new ErrorsCsvWriter(createWriteStream(flags.errorsCsv));
  // Loaded when used: the parser (with its phone-number metadata) takes half a second to load, which every
  // other command would otherwise pay at start-up.
  const { validatePayroll } = await import('../../../payroll/validate-file.js');
  const { DraftCollector } = await import('../../../payroll/draft-collector.js');
  const collector = thresholds === undefined ? undefined : new DraftCollector();
  let report: ValidationReport;
  try {
    report = await validatePayroll(input, { policy: flags.policy, acknowledgeWarnings: flags.acknowledgeWarnings ?? false, limits }, {
      issue: errorsCsv && ((i) => errorsCsv.issue(i)),
      checkpoint: errorsCsv && (() => errorsCsv.checkpoint()),
      validRow: collector && ((d) => collector.validRow(d)),
      retract: collector && ((r) => collector.retract(r)),
    });
  } finally {
    await errorsCsv?.close();
  }

  let comparison: PayrollComparison | undefined;
  if (flags.compareWith !== undefined && collector && thresholds) {
    const previous = await previousRun(flags.compareWith, limits, cli);
    const { comparePayrolls } = await import('../../../payroll/compare.js');
    comparison = comparePayrolls(previous, collector.drafts(), thresholds);
  }

  if (flags.json) {
    const json = { ...reportJson(report), ...(workbook ? { workbook } : {}), ...(comparison === undefined ? {} : { comparison: comparisonJson(comparison) }) };
    cli.stdout.write(`${JSON.stringify(json)}\n`);
  } else {
    let text = humanReport(file, report, maxErrors, flags.errorsCsv, errorsCsv?.count ?? 0, workbook);
    if (comparison !== undefined) text += `${comparisonLines(flags.compareWith!, comparison, maxErrors).join('\n')}\n`;
    cli.stdout.write(text);
  }
  // The comparison is for a person to read: it never decides acceptability.
  return report.accepted ? EXIT.ok : EXIT.rejected;
}

function thresholdsFrom(flags: ValidateFlags): { amountChangeRatio: number; amountChangeMinMinor: MinorUnits } {
  const percent = parsePercent(flags.amountChange);
  if (percent === undefined) throw new UsageError(`--amount-change expects a percentage of 0 or more like 50, got "${flags.amountChange}"`);
  return { amountChangeRatio: percent / 100, amountChangeMinMinor: kesFlag('--amount-change-min', flags.amountChangeMin, 0) };
}

/**
 * The previous run's valid rows, validated by the same core. Its own errors and warnings do not matter
 * (a row it could not pay is simply not compared), but it must be a readable payroll file.
 */
async function previousRun(path: string, limits: PayrollLimits, cli: CliContext): Promise<PayoutDraft[]> {
  if (path === '-') throw new UsageError('--compare-with needs a file path, not "-"');
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new UsageError(`--compare-with: no such file: ${path}`, 'Pass the CSV of the previous run of this payroll.');
  const { input } = await openInput(path, cli);
  const { validatePayroll } = await import('../../../payroll/validate-file.js');
  const { DraftCollector } = await import('../../../payroll/draft-collector.js');
  const collector = new DraftCollector();
  const report = await validatePayroll(input, { policy: 'skip-invalid', acknowledgeWarnings: true, limits }, collector);
  if (report.refusal?.code === 'file_invalid') {
    const why = report.issues.find((i) => i.rowNo === null && i.severity === 'error')?.message ?? report.refusal.message;
    throw new UsageError(`--compare-with ${path} cannot be read as a payroll file: ${why}`, 'Pass the CSV of the previous run of this payroll.');
  }
  return collector.drafts();
}

function humanReport(file: string, report: ValidationReport, maxErrors: number, csvPath: string | undefined, csvCount: number, workbook: WorkbookFacts | null): string {
  const out = [`${file === '-' ? 'standard input' : file}:`, ...(workbook ? [`  ${workbookLine(workbook)}`] : []), ...summaryLines(report).map((l) => `  ${l}`)];
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
