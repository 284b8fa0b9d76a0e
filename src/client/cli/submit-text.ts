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
  if (batch.status === 'SCHEDULED') {
    const approve = batch.approvalRequired && batch.approvedBy === null ? ` Before then, another user with the approver role runs: disburse approve ${batch.id}` : '';
    return [`Scheduled: it pays at ${batch.payAt ?? 'its pay time'}; nothing is sent before then.${approve}`, `To stop it: disburse cancel ${batch.id}`];
  }
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

/** A dry run: the verdict and the findings; nothing was stored. */
export function dryRunLines(report: ValidationReport, source: string, maxFindings: number, payAt?: string | null): string[] {
  const verdict = report.accepted ? '  Acceptable: submit it without --dry-run to pay it.' : `  Refused: ${report.refusal?.message ?? 'not acceptable under its policy'}`;
  const scheduled = payAt ? [`  It would be SCHEDULED to pay at ${payAt}.`] : [];
  return [`Dry run of ${source}: nothing was stored.`, ...countLines(report), ...scheduled, verdict, ...findings(report, maxFindings, 'Errors')];
}

/** A refusal (422): why, the counts, the first findings, and what to do. */
export function refusedLines(report: ValidationReport | undefined, detail: string, source: string, maxFindings: number): string[] {
  const lines = [`Payroll refused: ${source} was not stored.`, `  ${report?.refusal?.message ?? detail}`];
  if (report) lines.push(...countLines(report), ...findings(report, maxFindings, 'Errors'));
  if (report?.refusal?.code === 'warnings_unacknowledged') lines.push('Re-run with --acknowledge-warnings once the warnings are checked.');
  return lines;
}
