/** How a submission's answer reads: created, existing, dry run, refused. */
import type { Batch, Comparison, Preview, SubmitResult, ValidationReport } from './api-types.js';
import { comparisonFromApi, comparisonLines } from './comparison-text.js';
import { findingLines, kes, minorOf, plural, shortTime } from './format.js';

interface Counted {
  rows: number;
  valid: number;
  invalid: number;
  warnings: number;
  totalAmount: string;
  feeEstimate?: string;
}

function countLines(c: Counted): string[] {
  const fees = c.feeEstimate === undefined ? '' : ` (estimated fees ${kes(c.feeEstimate)})`;
  return [`  ${plural(c.rows, 'row')}: ${c.valid} valid, ${c.invalid} invalid, ${plural(c.warnings, 'warning')}`, `  Total ${kes(c.totalAmount)}${fees}`];
}

function findings(report: ValidationReport | undefined, maxFindings: number, errorsTitle: string): string[] {
  if (!report) return [];
  return [...findingLines(errorsTitle, report.errors, maxFindings), ...findingLines('Warnings', report.warningsList, maxFindings)];
}

function nextStep(batch: Batch, watching: boolean): string[] {
  if (batch.status === 'SCHEDULED') {
    const approve = batch.approvalRequired && batch.approvedBy === null ? ` Before then, another user with the approver role runs: disburse approve ${batch.id}` : '';
    return [`Scheduled: it pays at ${batch.payAt ?? 'its pay time'}; nothing is sent before then.${approve}`, `To stop it: disburse cancel ${batch.id}`];
  }
  if (batch.approvalRequired && batch.approvedBy === null && (batch.status === 'CREATED' || batch.status === 'AWAITING_APPROVAL')) {
    return [`Next: another user with the approver role runs: disburse approve ${batch.id}`];
  }
  return watching ? [] : [`Follow it with: disburse watch ${batch.id}`];
}

/** The preview's money: what the wallet must hold with the fees, and whether it does. */
function walletLines(p: Preview): string[] {
  const lines = [`  With estimated fees the wallet must hold ${kes(p.totalWithFees)}`];
  if (p.wallet === null) lines.push(`  Wallet balance unknown: ${p.walletUnavailable ?? 'the API did not say why.'}`);
  else if (minorOf(p.wallet.shortfall) > 0) lines.push(`  Wallet balance ${kes(p.wallet.balance)}: short by ${kes(p.wallet.shortfall)}; top up before paying, or the batch will stop to wait for funds`);
  else lines.push(`  Wallet balance ${kes(p.wallet.balance)}: enough`);
  return lines;
}

/** The comparison with the previous batch of the payroll; nothing for a file without a payroll label. */
function comparisonSection(payroll: string | null | undefined, comparison: Comparison | null | undefined, maxFindings: number, unavailable?: string): string[] {
  if (payroll === null || payroll === undefined) return [];
  if (unavailable !== undefined) return [unavailable];
  if (!comparison) return [`Payroll "${payroll}" has no earlier batch to compare with (cancelled batches do not count).`];
  const previous = `batch ${comparison.previousBatchId} of payroll "${payroll}" (${shortTime(comparison.previousCreatedAt)} UTC)`;
  return comparisonLines(previous, comparisonFromApi(comparison), maxFindings, 'previous batch');
}

/** A batch was created (201) or already existed (200): which, its counts, and what to do next. */
export function submittedLines(result: SubmitResult & { batch: Batch }, source: string, maxFindings: number, watching: boolean): string[] {
  const batch = result.batch;
  const head = result.created
    ? `Batch ${batch.id} created from ${source}.`
    : `Batch ${batch.id} already exists (this file or Idempotency-Key was submitted before); nothing new was stored. Status: ${batch.status}.`;
  return [
    head,
    ...countLines(batch),
    ...findings(result.report, maxFindings, 'Skipped rows'),
    ...comparisonSection(batch.payroll, result.comparison, maxFindings, result.comparisonUnavailable),
    ...nextStep(batch, watching),
  ];
}

/** Which sheet of a workbook was read, and the others a `--sheet` could name. */
export function workbookLine(workbook: { sheet: string; sheets: readonly string[] }): string {
  const others = workbook.sheets.filter((s) => s !== workbook.sheet);
  return `Read sheet "${workbook.sheet}"${others.length === 0 ? ' (the only sheet)' : `; other sheets: ${others.map((s) => `"${s}"`).join(', ')} (choose one with --sheet)`}.`;
}

/** A dry run: the counts, the wallet, the pay time, the verdict, the findings and the comparison; nothing was stored. */
export function dryRunLines(report: ValidationReport, source: string, maxFindings: number, preview?: Preview, payroll?: string, payAt?: string | null): string[] {
  const verdict = report.accepted ? '  Acceptable: submit it without --dry-run to pay it.' : `  Refused: ${report.refusal?.message ?? 'not acceptable under its policy'}`;
  return [
    `Dry run of ${source}: nothing was stored.`,
    ...countLines(preview ? { ...report, feeEstimate: preview.estimatedFees } : report),
    ...(preview ? walletLines(preview) : []),
    ...(payAt ? [`  It would be SCHEDULED to pay at ${payAt}.`] : []),
    verdict,
    ...findings(report, maxFindings, 'Errors'),
    ...comparisonSection(payroll, preview?.comparison, maxFindings),
  ];
}

/** A refusal (422): why, the counts, the first findings, and what to do. */
export function refusedLines(report: ValidationReport | undefined, detail: string, source: string, maxFindings: number): string[] {
  const lines = [`Payroll refused: ${source} was not stored.`, `  ${report?.refusal?.message ?? detail}`];
  if (report) lines.push(...countLines(report), ...findings(report, maxFindings, 'Errors'));
  if (report?.refusal?.code === 'warnings_unacknowledged') lines.push('Re-run with --acknowledge-warnings once the warnings are checked.');
  return lines;
}
