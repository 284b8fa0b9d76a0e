/** How a submission's answer reads: created, existing, dry run, refused. */
import type { Batch, SubmitResult, ValidationReport } from './api-types.js';
import { findingLines, kes, plural } from './format.js';

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
  if (batch.approvalRequired && batch.approvedBy === null && (batch.status === 'CREATED' || batch.status === 'AWAITING_APPROVAL')) {
    return [`Next: another user with the approver role runs: disburse approve ${batch.id}`];
  }
  return watching ? [] : [`Follow it with: disburse watch ${batch.id}`];
}

/** A batch was created (201) or already existed (200): which, its counts, and what to do next. */
export function submittedLines(result: SubmitResult & { batch: Batch }, source: string, maxFindings: number, watching: boolean): string[] {
  const batch = result.batch;
  const head = result.created
    ? `Batch ${batch.id} created from ${source}.`
    : `Batch ${batch.id} already exists (this file or Idempotency-Key was submitted before); nothing new was stored. Status: ${batch.status}.`;
  return [head, ...countLines(batch), ...findings(result.report, maxFindings, 'Skipped rows'), ...nextStep(batch, watching)];
}

/** Which sheet of a workbook was read, and the others a `--sheet` could name. */
export function workbookLine(workbook: { sheet: string; sheets: readonly string[] }): string {
  const others = workbook.sheets.filter((s) => s !== workbook.sheet);
  return `Read sheet "${workbook.sheet}"${others.length === 0 ? ' (the only sheet)' : `; other sheets: ${others.map((s) => `"${s}"`).join(', ')} (choose one with --sheet)`}.`;
}

/** A dry run: the verdict and the findings; nothing was stored. */
export function dryRunLines(report: ValidationReport, source: string, maxFindings: number): string[] {
  const verdict = report.accepted ? '  Acceptable: submit it without --dry-run to pay it.' : `  Refused: ${report.refusal?.message ?? 'not acceptable under its policy'}`;
  return [`Dry run of ${source}: nothing was stored.`, ...countLines(report), verdict, ...findings(report, maxFindings, 'Errors')];
}

/** A refusal (422): why, the counts, the first findings, and what to do. */
export function refusedLines(report: ValidationReport | undefined, detail: string, source: string, maxFindings: number): string[] {
  const lines = [`Payroll refused: ${source} was not stored.`, `  ${report?.refusal?.message ?? detail}`];
  if (report) lines.push(...countLines(report), ...findings(report, maxFindings, 'Errors'));
  if (report?.refusal?.code === 'warnings_unacknowledged') lines.push('Re-run with --acknowledge-warnings once the warnings are checked.');
  return lines;
}
