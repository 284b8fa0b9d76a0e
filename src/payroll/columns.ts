import { maskPhonesInText } from '../common/mask.js';
import { RULES, fileIssue, type Issue } from './issues.js';

/** The columns the engine understands, whatever the file calls them. */
export const COLUMNS = ['phone', 'amount', 'name', 'employeeId', 'channel', 'reason', 'accountNumber', 'bankCode', 'bankName'] as const;
export type Column = (typeof COLUMNS)[number];

/** How each column is named in reports when the file does not have it. */
export const COLUMN_LABELS: Readonly<Record<Column, string>> = {
  phone: 'phone',
  amount: 'amount',
  name: 'name',
  employeeId: 'employee id',
  channel: 'channel',
  reason: 'reason',
  accountNumber: 'account number',
  bankCode: 'bank code',
  bankName: 'bank name',
};

/**
 * Header spellings per column, compared after `headerKey` (lower case, letters and digits only, a trailing
 * currency word dropped): "Phone Number", "PHONE_NUMBER" and "phone-number" are all `phonenumber`, and
 * "Net Pay (KES)" is `netpay`. Deliberately absent: "id" and "id number", which in Kenya mean the national ID.
 */
const ALIASES: Readonly<Record<Column, readonly string[]>> = {
  phone: ['phone', 'msisdn', 'mobile', 'phone number', 'phone no', 'mobile number', 'mobile no', 'telephone', 'tel', 'mpesa number', 'mpesa phone', 'mpesa no'],
  amount: ['amount', 'net pay', 'salary', 'net salary', 'net amount', 'net', 'pay', 'amount payable', 'payment amount'],
  name: ['name', 'employee name', 'full name', 'staff name', 'employee', 'beneficiary', 'beneficiary name', 'recipient', 'recipient name', 'payee', 'payee name'],
  employeeId: ['employee id', 'staff no', 'staff number', 'staff id', 'employee no', 'employee number', 'emp id', 'emp no', 'payroll no', 'payroll number', 'personnel number'],
  channel: ['channel', 'payment channel', 'payment method', 'method', 'payment mode', 'mode'],
  reason: ['reason', 'narration', 'description', 'remarks', 'memo', 'narrative'],
  accountNumber: ['account number', 'account no', 'account', 'bank account', 'bank account number', 'bank account no', 'acc no', 'ac no', 'acct no'],
  bankCode: ['bank code', 'bank id', 'bank sort code'],
  bankName: ['bank name', 'bank'],
};

const CURRENCY_SUFFIX = /(?:kes|kshs?)$/;

export function headerKey(header: string): string {
  const key = header.toLowerCase().replace(/[^a-z0-9]/g, '');
  const withoutCurrency = key.replace(CURRENCY_SUFFIX, '');
  return withoutCurrency === '' ? key : withoutCurrency;
}

const BY_KEY: ReadonlyMap<string, Column> = new Map(COLUMNS.flatMap((column) => ALIASES[column].map((alias) => [headerKey(alias), column] as const)));

/** Where each column is in the file's records (-1 when absent), and what the file calls it. */
export interface ColumnMap {
  index: Readonly<Record<Column, number>>;
  /** The header text per column present, for reports. */
  headers: Readonly<Partial<Record<Column, string>>>;
  /** Headers the engine does not use (reported, never an error). */
  ignored: readonly string[];
  /** Number of header cells; records with more non-empty cells are flagged. */
  width: number;
}

export type ColumnMapping = { ok: true; map: ColumnMap } | { ok: false; issue: Issue };

const quoteList = (values: readonly string[]): string => values.map((v) => `"${maskPhonesInText(v)}"`).join(', ');
/** A cell no header has: a run of five digits (a phone number, an amount), or an amount with decimals. */
const LOOKS_LIKE_DATA = /\d{5}|\d\.\d{2}\b/;

export const EXPECTED_COLUMNS =
  'required: amount (or net pay, salary) and phone (or msisdn, mobile, phone number) or account number; ' +
  'optional: name, employee id (or staff no), channel, reason (or narration), bank code, bank name';

/** Matches the header row (found on `line`) to the columns; a missing required column is one file-level error. */
export function mapColumns(headerRow: readonly string[], line = 1): ColumnMapping {
  const index = Object.fromEntries(COLUMNS.map((c) => [c, -1])) as Record<Column, number>;
  const headers: Partial<Record<Column, string>> = {};
  const ignored: string[] = [];
  const found: string[] = [];
  for (const [i, cell] of headerRow.entries()) {
    const header = cell.trim();
    if (header === '') continue;
    found.push(header);
    const column = BY_KEY.get(headerKey(header));
    if (column === undefined) {
      ignored.push(header);
      continue;
    }
    const first = headers[column];
    if (first !== undefined) {
      const message = `Columns "${first}" and "${header}" both mean ${COLUMN_LABELS[column]}; keep one of them (or rename the other).`;
      return { ok: false, issue: fileIssue(RULES.duplicateColumn, message, { line, column: header }) };
    }
    index[column] = i;
    headers[column] = header;
  }
  const missing: string[] = [];
  if (index.amount === -1) missing.push('amount');
  if (index.phone === -1 && index.accountNumber === -1) missing.push('phone (or account number for bank payouts)');
  if (missing.length > 0 && found.some((cell) => LOOKS_LIKE_DATA.test(cell))) {
    // Never echo the cells: without a header the first line is a payout (a phone number, a name).
    const message = `Line ${line} looks like a payout, not column names: the file needs a header row first, e.g. "Employee ID,Name,Phone,Amount,Reason". Expected ${EXPECTED_COLUMNS}.`;
    return { ok: false, issue: fileIssue(RULES.missingColumns, message, { line }) };
  }
  if (missing.length > 0) {
    const message =
      `Missing required column${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}. ` +
      `Found: ${found.length > 0 ? quoteList(found) : 'no column names'}. Expected ${EXPECTED_COLUMNS}.`;
    return { ok: false, issue: fileIssue(RULES.missingColumns, message, { line, value: maskPhonesInText(found.join(', ')) }) };
  }
  return { ok: true, map: { index, headers, ignored, width: headerRow.length } };
}
