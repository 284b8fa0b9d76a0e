import { formatKes, formatMinor, type MinorUnits } from '../domain/money.js';
import type { Column } from './columns.js';
import type { SourceEncoding } from './encoding.js';
import type { Issue } from './issues.js';

/** `strict`: any invalid row refuses the whole file. `skip-invalid`: valid rows proceed, invalid ones are reported. */
export const POLICIES = ['strict', 'skip-invalid'] as const;
export type Policy = (typeof POLICIES)[number];

export function isPolicy(value: string): value is Policy {
  return (POLICIES as readonly string[]).includes(value);
}

/** Why a file is not acceptable, in one sentence for the submitter. */
export interface Refusal {
  code: 'file_invalid' | 'rows_invalid' | 'warnings_unacknowledged';
  message: string;
}

export interface FileFacts {
  /** SHA-256 of the exact bytes received; null when reading stopped early at a file-level error. */
  sha256: string | null;
  /** Bytes read (all of them unless reading stopped early). */
  size: number;
  encoding: SourceEncoding;
  bom: boolean;
  delimiter: string | null;
  /** What the file calls each column it has. */
  columns: Partial<Record<Column, string>>;
  ignoredColumns: string[];
}

export interface ValidationReport {
  accepted: boolean;
  refusal: Refusal | null;
  policy: Policy;
  warningsAcknowledged: boolean;
  /** Data rows (blank lines not counted). */
  rows: number;
  valid: number;
  invalid: number;
  /** Number of error findings (a row can have several; file-level errors included). */
  errorCount: number;
  /** Number of warning findings. */
  warningCount: number;
  /** Sum of the valid rows. */
  totalMinor: MinorUnits;
  feeEstimateMinor: MinorUnits;
  /** The first findings (errors and warnings) by line; `issuesTruncated` when there were more. */
  issues: Issue[];
  issuesTruncated: boolean;
  file: FileFacts;
}

/** One finding as the CLI's `--json` prints it. */
export interface JsonIssue {
  line: number | null;
  column: string | null;
  rule: string;
  message: string;
}

/** The CLI's `--json` object: exactly these keys. */
export interface ReportJson {
  rows: number;
  valid: number;
  invalid: number;
  warnings: number;
  totalAmount: string;
  errors: JsonIssue[];
  warningsList: JsonIssue[];
}

const toJsonIssue = (issue: Issue): JsonIssue => ({ line: issue.line, column: issue.column, rule: issue.rule, message: issue.message });

export function reportJson(report: ValidationReport): ReportJson {
  return {
    rows: report.rows,
    valid: report.valid,
    invalid: report.invalid,
    warnings: report.warningCount,
    totalAmount: formatMinor(report.totalMinor),
    errors: report.issues.filter((i) => i.severity === 'error').map(toJsonIssue),
    warningsList: report.issues.filter((i) => i.severity === 'warning').map(toJsonIssue),
  };
}

/** A short human summary: counts, total, verdict. */
export function summaryLines(report: ValidationReport): string[] {
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const lines = [
    `${plural(report.rows, 'row')}: ${report.valid} valid, ${report.invalid} invalid, ${plural(report.warningCount, 'warning')}`,
    `Total ${formatKes(report.totalMinor)} (estimated fees ${formatKes(report.feeEstimateMinor)})`,
  ];
  lines.push(report.accepted ? `Accepted under the ${report.policy} policy.` : `Refused: ${report.refusal?.message ?? 'not acceptable'}`);
  return lines;
}

/** `line 12, column "phone": <message> (rule)` */
export function describeIssue(issue: Issue): string {
  const where = [issue.line === null ? 'file' : `line ${issue.line}`, issue.column === null ? undefined : `column "${issue.column}"`].filter(Boolean).join(', ');
  return `${where}: ${issue.message} (${issue.rule})`;
}
