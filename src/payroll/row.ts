import { maskPhone, maskPhonesInText } from '../common/mask.js';
import type { MinorUnits } from '../domain/money.js';
import { feeFor } from '../domain/fees.js';
import type { Channel } from '../domain/channel.js';
import { checkAmountLimits, parsePayrollAmount } from './amount.js';
import { checkBankCode, maskAccount, normaliseAccountNumber } from './bank.js';
import { parseChannel, type ChannelResult } from './channel.js';
import { COLUMN_LABELS, COLUMNS, type Column, type ColumnMap } from './columns.js';
import { RULES, finding, type Finding, type Issue } from './issues.js';
import type { PayrollLimits } from './limits.js';
import { normaliseKenyanMobile } from './phone.js';
import { cleanText, excerpt } from './text.js';

/** One valid payroll row, normalised, ready to become a payout. */
export interface PayoutDraft {
  /** 1-based index among data records (blank lines not counted): the row key in the reference. */
  rowNo: number;
  /** Physical line where the record starts. */
  line: number;
  channel: Channel;
  /** `254XXXXXXXXX` for M-Pesa and Airtel rows, null for bank rows. */
  phone: string | null;
  accountNumber: string | null;
  bankCode: string | null;
  bankName: string | null;
  name: string | null;
  employeeId: string | null;
  reason: string;
  amountMinor: MinorUnits;
  feeEstimateMinor: MinorUnits;
}

export const DEFAULT_REASON = 'Salary';
export const NAME_MAX_LENGTH = 200;
export const EMPLOYEE_ID_MAX_LENGTH = 64;

/** What the row validator needs to know about the file, computed once from its header. */
export class RowRules {
  readonly labels: Readonly<Record<Column, string>>;
  private readonly channels = new Map<string, ChannelResult>();

  constructor(readonly columns: ColumnMap, readonly limits: PayrollLimits) {
    this.labels = Object.fromEntries(COLUMNS.map((c) => [c, columns.headers[c] ?? COLUMN_LABELS[c]])) as Record<Column, string>;
  }

  /** Channel cells repeat a handful of spellings; remember their meaning. */
  channel(raw: string): ChannelResult {
    let result = this.channels.get(raw);
    if (result === undefined) {
      result = parseChannel(raw);
      if (this.channels.size < 64) this.channels.set(raw, result);
    }
    return result;
  }
}

/** The outcome of one row, in an object reused from row to row. */
export interface RowOutcome {
  draft: PayoutDraft | undefined;
  /** The cleaned employee id ('' when none), checked for duplicates even on invalid rows. */
  employeeId: string;
}

function report(issues: Issue[], line: number, rowNo: number, column: string | null, value: string | null, f: Finding): void {
  issues.push({ severity: f.severity, line, rowNo, column, rule: f.rule, value, message: f.message });
}

function cellAt(fields: readonly string[], index: number): string {
  return index >= 0 ? (fields[index] ?? '') : '';
}

/**
 * Validates one data record, collecting every error (never stopping at the first) into `issues`.
 * `outcome.draft` is set only when the row has no error. Duplicates across rows are checked by the caller.
 */
export function validateRow(fields: readonly string[], line: number, rowNo: number, rules: RowRules, issues: Issue[], outcome: RowOutcome): void {
  const { index, width } = rules.columns;
  const errorsBefore = issues.length;
  const { labels } = rules;

  for (let i = width; i < fields.length; i++) {
    if (fields[i]!.trim() !== '') {
      report(issues, line, rowNo, null, null, finding(RULES.rowFieldCount, `This row has ${fields.length} cells but the header has ${width}: a value probably contains an unquoted separator (like 1,500 in a comma-separated file); put such values in quotes.`));
      break;
    }
  }

  const amountRaw = cellAt(fields, index.amount);
  let amountMinor = 0;
  const amount = parsePayrollAmount(amountRaw);
  if (!amount.ok) report(issues, line, rowNo, labels.amount, amountRaw.trim() === '' ? null : excerpt(amountRaw.trim()), amount.finding);
  else {
    const outOfBounds = checkAmountLimits(amountRaw, amount.minor, rules.limits);
    if (outOfBounds) report(issues, line, rowNo, labels.amount, amountRaw.trim(), outOfBounds);
    else amountMinor = amount.minor;
  }

  const phoneRaw = cellAt(fields, index.phone);
  const accountRaw = cellAt(fields, index.accountNumber);
  const channelRaw = cellAt(fields, index.channel).trim();
  let channel: Channel | undefined;
  if (channelRaw === '') {
    // No channel: M-Pesa, unless the row only has bank details (a bank-only file has no phone column).
    channel = phoneRaw.trim() === '' && accountRaw.trim() !== '' ? 'BANK' : 'MPESA';
  } else {
    const parsed = rules.channel(channelRaw);
    if (parsed.ok) channel = parsed.channel;
    else report(issues, line, rowNo, labels.channel, excerpt(channelRaw), parsed.finding);
  }

  let phone: string | null = null;
  let accountNumber: string | null = null;
  let bankCode: string | null = null;
  let bankName: string | null = null;
  if (channel === 'BANK') {
    const account = normaliseAccountNumber(accountRaw);
    if (account.ok) accountNumber = account.accountNumber;
    else report(issues, line, rowNo, labels.accountNumber, accountRaw.trim() === '' ? null : maskAccount(accountRaw), account.finding);
    const code = cellAt(fields, index.bankCode).trim();
    const name = cleanText(cellAt(fields, index.bankName));
    if (code === '' && name === '') {
      report(issues, line, rowNo, index.bankCode >= 0 || index.bankName < 0 ? labels.bankCode : labels.bankName, null, finding(RULES.bankDetailsMissing, 'Bank payouts need the bank: give a bank code or a bank name.'));
    }
    if (code !== '') {
      const bad = checkBankCode(code);
      if (bad) report(issues, line, rowNo, labels.bankCode, excerpt(code), bad);
      else bankCode = code;
    }
    if (name !== '') bankName = name;
  } else if (channel !== undefined) {
    const mobile = normaliseKenyanMobile(phoneRaw);
    if (mobile.ok) phone = mobile.phone;
    else report(issues, line, rowNo, labels.phone, phoneRaw.trim() === '' ? null : maskPhone(phoneRaw.trim()), mobile.finding);
  }

  let reason = cleanText(cellAt(fields, index.reason));
  if (reason === '') reason = DEFAULT_REASON;
  else if (reason.length > rules.limits.reasonMaxLength) {
    report(issues, line, rowNo, labels.reason, excerpt(maskPhonesInText(reason)), finding(RULES.reasonTooLong, `The reason is ${reason.length} characters long; the limit is ${rules.limits.reasonMaxLength}. Shorten it.`));
  }

  const name = cleanText(cellAt(fields, index.name));
  if (name.length > NAME_MAX_LENGTH) {
    report(issues, line, rowNo, labels.name, null, finding(RULES.nameTooLong, `The name is ${name.length} characters long; the limit is ${NAME_MAX_LENGTH}.`));
  }
  const employeeId = cleanText(cellAt(fields, index.employeeId));
  if (employeeId.length > EMPLOYEE_ID_MAX_LENGTH) {
    report(issues, line, rowNo, labels.employeeId, excerpt(employeeId), finding(RULES.employeeIdTooLong, `The employee id is ${employeeId.length} characters long; the limit is ${EMPLOYEE_ID_MAX_LENGTH}.`));
  }

  outcome.employeeId = employeeId;
  outcome.draft =
    issues.length > errorsBefore || channel === undefined
      ? undefined
      : {
          rowNo,
          line,
          channel,
          phone,
          accountNumber,
          bankCode,
          bankName,
          name: name === '' ? null : name,
          employeeId: employeeId === '' ? null : employeeId,
          reason,
          amountMinor,
          feeEstimateMinor: feeFor(amountMinor) ?? 0,
        };
}
