import { createHash, type Hash } from 'node:crypto';
import { formatKes, type MinorUnits } from '../domain/money.js';
import { maskPhone, maskPhonesInText } from '../common/mask.js';
import { feeFor } from '../domain/fees.js';
import { maskAccount } from './bank.js';
import { mapColumns, type ColumnMap } from './columns.js';
import { CsvRecordReader } from './csv-reader.js';
import { MAX_HEADER_CHARS, sniffDialect, type Dialect } from './delimiter.js';
import { DuplicateTracker } from './duplicates.js';
import { toBuffer, type PayrollInput } from './input.js';
import { PayrollDecoder } from './encoding.js';
import { RULES, fileIssue, type Issue } from './issues.js';
import { DEFAULT_LIMITS, checkLimits, type PayrollLimits } from './limits.js';
import { LineEndingNormaliser } from './line-endings.js';
import type { Policy, Refusal, ValidationReport } from './report.js';
import { RowRules, validateRow, type PayoutDraft, type RowOutcome } from './row.js';

export interface ValidateOptions {
  policy?: Policy;
  acknowledgeWarnings?: boolean;
  limits?: PayrollLimits;
  /** Findings kept in the report (all of them are counted and handed to the sink). Default 1000. */
  maxIssues?: number;
}

/**
 * Where validation results go while the file streams through (the database for ingestion, an errors CSV
 * for the CLI). Calls are synchronous; `checkpoint` is awaited between input chunks and is the place to
 * write buffered results out, so memory stays bounded whatever the file size.
 */
export interface PayrollSink {
  /** The bytes exactly as received (the audit copy). */
  bytes?(chunk: Buffer): void;
  /** A valid row. Not called once the file can no longer be accepted. */
  payout?(draft: PayoutDraft): void;
  /**
   * Every valid row, even once the file is doomed (a comparison with the previous run looks at the rows
   * whatever the verdict). `retract` applies to these too.
   */
  validRow?(draft: PayoutDraft): void;
  /** A payout handed over earlier turned out invalid (its employee id appears again later). */
  retract?(rowNo: number): void;
  /** Every finding, errors and warnings, file-level and row-level. */
  issue?(issue: Issue): void;
  /** The file can no longer be accepted (strict with an invalid row, unacknowledged warning, file error). */
  doomed?(): void;
  checkpoint?(): Promise<void>;
}

const DEFAULT_MAX_ISSUES = 1000;
const isBlank = (fields: readonly string[]): boolean => fields.every((f) => f.trim() === '');

/**
 * Streams a payroll file through: line endings, encoding, delimiter, header, then every row. Constant memory
 * apart from duplicate tracking (under 50 bytes a row, in typed arrays). Touches no database.
 */
export async function validatePayroll(input: PayrollInput, options: ValidateOptions = {}, sink: PayrollSink = {}): Promise<ValidationReport> {
  const run = new ValidationRun(options, sink);
  let complete = true;
  for await (const chunk of input) {
    if (!run.push(toBuffer(chunk))) {
      complete = false;
      break;
    }
    await sink.checkpoint?.();
  }
  if (complete) run.finish();
  await sink.checkpoint?.();
  return run.report();
}

/**
 * The file-level checks alone (line endings, encoding, delimiter, header, CSV structure, the record limit),
 * no row rules: cheap enough to run while an upload is copied somewhere, so that copying stops where the
 * file turns out unreadable instead of taking in the rest of it. `push` is false from that chunk on.
 */
export class PayrollPrecheck {
  private readonly run = new ValidationRun({}, {}, true);

  push(chunk: Buffer): boolean {
    return this.run.push(chunk);
  }

  /** What stopped the copy (a file-level refusal), once `push` has returned false. */
  report(): ValidationReport {
    return this.run.report();
  }
}

class ValidationRun {
  private readonly policy: Policy;
  private readonly acknowledge: boolean;
  private readonly limits: PayrollLimits;
  private readonly maxIssues: number;
  private readonly hash: Hash = createHash('sha256');
  private sha256: string | null = null;
  private size = 0;
  private readonly newlines = new LineEndingNormaliser();
  private readonly decoder = new PayrollDecoder();
  private preamble: Buffer[] = [];
  private preambleLength = 0;
  private dialect: Dialect | undefined;
  private reader: CsvRecordReader | undefined;
  private columns: ColumnMap | undefined;
  private rules: RowRules | undefined;
  private sepLinePending = false;
  private stopped = false;
  private warnedEncoding = false;
  private readonly duplicates = new DuplicateTracker();
  private readonly rowIssues: Issue[] = [];
  private readonly outcome: RowOutcome = { draft: undefined, employeeId: '' };

  private rows = 0;
  private valid = 0;
  private invalid = 0;
  private errorCount = 0;
  private warningCount = 0;
  private fileErrors = 0;
  private totalMinor: MinorUnits = 0;
  private feeMinor: MinorUnits = 0;
  private isDoomed = false;
  private readonly kept: Issue[] = [];
  private truncated = false;

  /** `structureOnly`: records are read but rows are not validated (see PayrollPrecheck). */
  constructor(options: ValidateOptions, private readonly sink: PayrollSink, private readonly structureOnly = false) {
    this.policy = options.policy ?? 'strict';
    this.acknowledge = options.acknowledgeWarnings ?? false;
    this.limits = checkLimits(options.limits ?? DEFAULT_LIMITS);
    this.maxIssues = options.maxIssues ?? DEFAULT_MAX_ISSUES;
  }

  /** Takes one chunk of the file; false once a file-level error makes reading on pointless. */
  push(chunk: Buffer): boolean {
    if (!this.structureOnly) this.hash.update(chunk);
    this.size += chunk.length;
    this.sink.bytes?.(chunk);
    const decoded = this.decoder.write(this.newlines.write(chunk));
    if (!decoded.ok) return this.stop(decoded.issue);
    this.noteEncoding();
    this.feed(decoded.bytes, false);
    return !this.stopped;
  }

  finish(): void {
    this.sha256 = this.hash.digest('hex');
    const last = this.decoder.write(this.newlines.end());
    if (!last.ok) return void this.stop(last.issue);
    const rest = this.decoder.end();
    if (!rest.ok) return void this.stop(rest.issue);
    this.noteEncoding();
    this.feed(Buffer.concat([last.bytes, rest.bytes]), true);
    if (this.stopped) return;
    if (this.reader) {
      try {
        this.reader.end();
      } catch (err) {
        this.stop(this.reader.describe(err, this.place));
        return;
      }
    }
    if (!this.columns) {
      this.stop(fileIssue(RULES.emptyFile, 'The file is empty: it has no header row and no payouts.'));
      return;
    }
    if (this.valid === 0) {
      const message =
        this.rows === 0
          ? 'The file has a header row but no payout rows.'
          : `None of the ${this.rows} rows is valid; fix the errors listed and upload the file again.`;
      this.stop(fileIssue(RULES.noValidRows, message));
    }
  }

  report(): ValidationReport {
    const refusal = this.refusal();
    const issues = [...this.kept].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    return {
      accepted: refusal === null,
      refusal,
      policy: this.policy,
      warningsAcknowledged: this.acknowledge,
      rows: this.rows,
      valid: this.valid,
      invalid: this.invalid,
      errorCount: this.errorCount,
      warningCount: this.warningCount,
      totalMinor: this.totalMinor,
      feeEstimateMinor: this.feeMinor,
      issues,
      issuesTruncated: this.truncated,
      file: {
        sha256: this.sha256,
        size: this.size,
        encoding: this.decoder.encoding,
        bom: this.decoder.bom,
        delimiter: this.dialect?.delimiter ?? null,
        columns: { ...(this.columns?.headers ?? {}) },
        ignoredColumns: [...(this.columns?.ignored ?? [])],
      },
    };
  }

  private refusal(): Refusal | null {
    if (this.fileErrors > 0) {
      const first = this.kept.find((i) => i.rowNo === null && i.severity === 'error');
      return { code: 'file_invalid', message: first?.message ?? 'The file cannot be read.' };
    }
    if (this.policy === 'strict' && this.invalid > 0) {
      return {
        code: 'rows_invalid',
        message: `${this.invalid} of ${this.rows} rows ${this.invalid === 1 ? 'is' : 'are'} invalid, and under the strict policy the whole file is refused. Fix the rows listed, or use the skip-invalid policy to pay the valid rows only.`,
      };
    }
    if (this.warningCount > 0 && !this.acknowledge) {
      return {
        code: 'warnings_unacknowledged',
        message: `${this.warningCount} warning${this.warningCount === 1 ? '' : 's'} must be acknowledged before this file can be paid: check ${this.warningCount === 1 ? 'it' : 'them'}, then submit again acknowledging the warnings.`,
      };
    }
    return null;
  }

  private stop(issue: Issue): false {
    this.stopped = true;
    this.addIssue(issue);
    return false;
  }

  private noteEncoding(): void {
    if (!this.warnedEncoding && this.decoder.warning) {
      this.warnedEncoding = true;
      this.addIssue(this.decoder.warning);
    }
  }

  private feed(bytes: Buffer, final: boolean): void {
    if (!this.reader) {
      if (bytes.length > 0) {
        this.preamble.push(bytes);
        this.preambleLength += bytes.length;
      }
      // The dialect is decided on a complete first line: look again only when a line ends.
      if (!final && bytes.indexOf(0x0a) === -1 && this.preambleLength < MAX_HEADER_CHARS) return;
      const text = Buffer.concat(this.preamble, this.preambleLength);
      this.dialect = sniffDialect(text.toString('utf8'), final);
      if (!this.dialect) return;
      this.sepLinePending = this.dialect.sepLine;
      this.reader = new CsvRecordReader(this.dialect.delimiter, (fields, line) => this.onRecord(fields, line));
      this.preamble = [];
      bytes = text;
    }
    if (bytes.length === 0) return;
    try {
      this.reader.write(bytes.toString('utf8'));
    } catch (err) {
      this.stop(this.reader.describe(err, this.place));
    }
  }

  /** The record on `line` as the officer finds it: the header, or the data row it would have been. */
  private readonly place = (line: number): string => (this.rules ? `Row ${this.rows + 1} (line ${line})` : `The header (line ${line})`);

  private onRecord(fields: string[], line: number): void {
    if (this.stopped) return;
    if (!this.rules) {
      if (isBlank(fields)) return;
      if (this.sepLinePending) {
        this.sepLinePending = false;
        return;
      }
      const mapping = mapColumns(fields, line);
      if (!mapping.ok) {
        this.stop(mapping.issue);
        return;
      }
      this.columns = mapping.map;
      this.rules = new RowRules(mapping.map, this.limits);
      return;
    }
    if (fields.length === 1 ? fields[0]!.trim() === '' : isBlank(fields)) return;
    if (this.structureOnly) ++this.rows;
    else this.onRow(fields, line, ++this.rows);
  }

  private onRow(fields: string[], line: number, rowNo: number): void {
    const issues = this.rowIssues;
    issues.length = 0;
    const outcome = this.outcome;
    validateRow(fields, line, rowNo, this.rules!, issues, outcome);
    const draft = outcome.draft;
    let valid = draft !== undefined;

    if (outcome.employeeId !== '') valid = this.checkEmployeeId(outcome.employeeId, line, rowNo, issues) && valid;
    if (valid && draft) this.checkPayee(draft, issues);

    this.duplicates.record(rowNo, line, valid, draft?.amountMinor ?? 0);
    if (valid && draft) {
      this.valid++;
      this.totalMinor += draft.amountMinor;
      this.feeMinor += draft.feeEstimateMinor;
    } else {
      this.invalid++;
      if (this.policy === 'strict') this.doom();
    }
    for (const issue of issues) this.addIssue(issue);
    if (valid && draft) this.sink.validRow?.(draft);
    if (valid && draft && !this.isDoomed) this.sink.payout?.(draft);
  }

  /** The same employee id twice is an error on every row that has it (which one to pay is the officer's call). */
  private checkEmployeeId(employeeId: string, line: number, rowNo: number, issues: Issue[]): boolean {
    const first = this.duplicates.firstWithEmployeeId(employeeId, rowNo);
    if (first === 0) return true;
    const firstLine = this.duplicates.lineOf(first);
    const column = this.rules!.labels.employeeId;
    issues.push({
      severity: 'error',
      line,
      rowNo,
      column,
      rule: RULES.duplicateEmployeeId,
      value: employeeId,
      message: `Employee id "${employeeId}" already appears on line ${firstLine}; each employee may appear once per batch. Merge or remove the duplicate rows.`,
    });
    if (!this.duplicates.isFlagged(first)) {
      this.duplicates.flag(first);
      issues.push({
        severity: 'error',
        line: firstLine,
        rowNo: first,
        column,
        rule: RULES.duplicateEmployeeId,
        value: null,
        message: `This row's employee id appears again on line ${line} (as "${employeeId}"); each employee may appear once per batch. Merge or remove the duplicate rows.`,
      });
      if (this.duplicates.isValid(first)) this.retract(first);
    }
    return false;
  }

  /** Undoes a row counted valid, now that a later row shares its employee id. */
  private retract(rowNo: number): void {
    this.duplicates.markInvalid(rowNo);
    const amount = this.duplicates.amountOf(rowNo);
    this.valid--;
    this.invalid++;
    this.totalMinor -= amount;
    this.feeMinor -= feeFor(amount) ?? 0;
    this.sink.retract?.(rowNo);
    if (this.policy === 'strict') this.doom();
  }

  /** The same payee and amount twice is probably a pasted row: a warning the submitter must acknowledge. */
  private checkPayee(draft: PayoutDraft, issues: Issue[]): void {
    const payee = draft.phone ?? `${draft.accountNumber ?? ''}@${draft.bankCode ?? ''}/${(draft.bankName ?? '').toLowerCase()}`;
    const first = this.duplicates.firstWithPayeeAndAmount(payee, draft.amountMinor, draft.rowNo);
    if (first === 0) return;
    const labels = this.rules!.labels;
    const shown = draft.phone ? maskPhone(draft.phone) : maskAccount(draft.accountNumber ?? '');
    const what = draft.phone ? `phone number ${shown}` : `account ${shown}`;
    issues.push({
      severity: 'warning',
      line: draft.line,
      rowNo: draft.rowNo,
      column: draft.phone ? labels.phone : labels.accountNumber,
      rule: draft.phone ? RULES.duplicatePhoneAmount : RULES.duplicateAccountAmount,
      value: shown,
      message: `Line ${this.duplicates.lineOf(first)} already pays ${what} the same ${formatKes(draft.amountMinor)}. If both payments are intended, acknowledge this warning; otherwise remove one row.`,
    });
  }

  private addIssue(found: Issue): void {
    // A last guard for personal data: a phone number in the wrong column (an amount, an id) is masked too.
    const issue = { ...found, value: found.value === null ? null : maskPhonesInText(found.value), message: maskPhonesInText(found.message) };
    if (issue.severity === 'error') {
      this.errorCount++;
      if (issue.rowNo === null) {
        this.fileErrors++;
        this.doom();
      }
    } else {
      this.warningCount++;
      if (!this.acknowledge) this.doom();
    }
    if (this.kept.length < this.maxIssues || issue.rowNo === null) this.kept.push(issue);
    else this.truncated = true;
    this.sink.issue?.(issue);
  }

  private doom(): void {
    if (this.isDoomed) return;
    this.isDoomed = true;
    this.sink.doomed?.();
  }
}
