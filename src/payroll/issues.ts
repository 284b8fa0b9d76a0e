/**
 * What validation found, in a shape a payroll officer can act on: where (line, column), what (the value,
 * personal data masked), which rule (a stable snake_case code machines can match on) and a human message.
 */
export type Severity = 'error' | 'warning';

/** Every rule the ingestion can report. Codes are stable: clients and tests match on them. */
export const RULES = {
  // File level: the whole file is refused (or, for warnings, needs acknowledgement).
  emptyFile: 'empty_file',
  notCsv: 'not_csv',
  notUtf8: 'not_utf8',
  transcodedFromWindows1252: 'transcoded_from_windows_1252',
  csvMalformed: 'csv_malformed',
  recordTooLong: 'record_too_long',
  missingColumns: 'missing_columns',
  duplicateColumn: 'duplicate_column',
  noValidRows: 'no_valid_rows',
  // Row level.
  rowFieldCount: 'row_field_count',
  phoneMissing: 'phone_missing',
  phoneInvalid: 'phone_invalid',
  phoneNotKenyanMobile: 'phone_not_kenyan_mobile',
  phoneScientificNotation: 'phone_scientific_notation',
  amountMissing: 'amount_missing',
  amountFormat: 'amount_format',
  amountDecimalComma: 'amount_decimal_comma',
  amountTooManyDecimals: 'amount_too_many_decimals',
  amountNotPositive: 'amount_not_positive',
  amountBelowMin: 'amount_below_min',
  amountAboveMax: 'amount_above_max',
  channelUnknown: 'channel_unknown',
  bankAccountMissing: 'bank_account_missing',
  bankAccountInvalid: 'bank_account_invalid',
  bankDetailsMissing: 'bank_details_missing',
  bankCodeInvalid: 'bank_code_invalid',
  reasonTooLong: 'reason_too_long',
  nameTooLong: 'name_too_long',
  employeeIdTooLong: 'employee_id_too_long',
  duplicateEmployeeId: 'duplicate_employee_id',
  duplicatePhoneAmount: 'duplicate_phone_amount',
  duplicateAccountAmount: 'duplicate_account_amount',
} as const;

export type Rule = (typeof RULES)[keyof typeof RULES];

/** The rules whose findings are about the whole file (rowNo null); every other finding belongs to one row. */
export const FILE_LEVEL_RULES: readonly Rule[] = [
  RULES.emptyFile,
  RULES.notCsv,
  RULES.notUtf8,
  RULES.transcodedFromWindows1252,
  RULES.csvMalformed,
  RULES.recordTooLong,
  RULES.missingColumns,
  RULES.duplicateColumn,
  RULES.noValidRows,
];

export interface Issue {
  severity: Severity;
  /** Physical line where the record starts (1 = header); null for findings about the whole file. */
  line: number | null;
  /** 1-based index among data records; null for file-level findings. */
  rowNo: number | null;
  /** The header as written in the file (or the canonical name when the column is absent); null for file level. */
  column: string | null;
  rule: Rule;
  /** The offending value, phone numbers masked; null when there is none to show. */
  value: string | null;
  message: string;
}

/** A finding about one value, before the row context (line, column) is attached. */
export interface Finding {
  severity: Severity;
  rule: Rule;
  message: string;
}

export function finding(rule: Rule, message: string, severity: Severity = 'error'): Finding {
  return { severity, rule, message };
}

export function fileIssue(rule: Rule, message: string, options: { severity?: Severity; line?: number | null; column?: string | null; value?: string | null } = {}): Issue {
  return {
    severity: options.severity ?? 'error',
    line: options.line ?? null,
    rowNo: null,
    column: options.column ?? null,
    rule,
    value: options.value ?? null,
    message,
  };
}
