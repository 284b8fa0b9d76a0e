import { describe, expect, it } from 'vitest';
import { COLUMNS, headerKey, mapColumns } from '../../src/payroll/columns.js';
import { sniffDialect } from '../../src/payroll/delimiter.js';

describe('delimiter detection', () => {
  it('counts candidates outside quotes on the header line', () => {
    expect(sniffDialect('Phone,Amount,Name\n1;2;3;4;5\n', false)).toEqual({ delimiter: ',', sepLine: false });
    expect(sniffDialect('Phone;Amount;"Name, full"\n', false)).toEqual({ delimiter: ';', sepLine: false });
    expect(sniffDialect('Phone\tAmount\tName\n', false)).toEqual({ delimiter: '\t', sepLine: false });
    expect(sniffDialect('Phone|Amount|Name\n', false)).toEqual({ delimiter: '|', sepLine: false });
    expect(sniffDialect('"Amount; KES",Phone\n', false)).toEqual({ delimiter: ',', sepLine: false });
    expect(sniffDialect('Amount\n', false)).toEqual({ delimiter: ',', sepLine: false });
  });

  it("honours Excel's sep= line and skips leading blank lines", () => {
    expect(sniffDialect('sep=;\nPhone,Amount;Name\n', false)).toEqual({ delimiter: ';', sepLine: true });
    expect(sniffDialect('SEP=\t\nPhone\tAmount\n', false)).toEqual({ delimiter: '\t', sepLine: true });
    expect(sniffDialect('\n  \nPhone;Amount\n', false)).toEqual({ delimiter: ';', sepLine: false });
  });

  it('waits for the end of the header line unless the input ended', () => {
    expect(sniffDialect('Phone;Amo', false)).toBeUndefined();
    expect(sniffDialect('Phone;Amo', true)).toEqual({ delimiter: ';', sepLine: false });
    expect(sniffDialect('', true)).toEqual({ delimiter: ',', sepLine: false });
  });
});

describe('column matching', () => {
  it('matches headers case-, space- and punctuation-insensitively, with aliases', () => {
    const mapping = mapColumns(['  PHONE NUMBER ', 'Net Pay (KES)', 'Employee Name', 'Staff_No', 'Payment Channel', 'Narration', 'Account No.', 'bank-code', 'Bank', 'Gross Pay']);
    expect(mapping.ok).toBe(true);
    if (!mapping.ok) return;
    expect(mapping.map.index).toEqual({ phone: 0, amount: 1, name: 2, employeeId: 3, channel: 4, reason: 5, accountNumber: 6, bankCode: 7, bankName: 8 });
    expect(mapping.map.headers.amount).toBe('Net Pay (KES)');
    expect(mapping.map.ignored).toEqual(['Gross Pay']);
    expect(headerKey('Amount (KSh)')).toBe('amount');
    expect(headerKey('MSISDN')).toBe('msisdn');
  });

  it('reports a missing required column once, listing what was found and what is expected', () => {
    const mapping = mapColumns(['Employee', 'Mobile Number', 'Pay Amount (KES)', 'Remarks'], 1);
    expect(mapping.ok).toBe(false);
    if (mapping.ok) return;
    expect(mapping.issue).toEqual({
      severity: 'error',
      line: 1,
      rowNo: null,
      column: null,
      rule: 'missing_columns',
      value: 'Employee, Mobile Number, Pay Amount (KES), Remarks',
      message:
        'Missing required column: amount. Found: "Employee", "Mobile Number", "Pay Amount (KES)", "Remarks". Expected required: amount (or net pay, salary) and phone (or msisdn, mobile, phone number) or account number; optional: name, employee id (or staff no), channel, reason (or narration), bank code, bank name.',
    });
    const neither = mapColumns(['Name', 'Salary']);
    expect(!neither.ok && neither.issue.message).toMatch(/^Missing required column: phone \(or account number for bank payouts\)\./);
    const none = mapColumns(['', '']);
    expect(!none.ok && none.issue.message).toMatch(/^Missing required columns: amount, phone .* Found: no column names\./);
  });

  it('never echoes a first line that is data (a headerless file)', () => {
    const mapping = mapColumns(['0712345678', '1500.00', 'Jane Wanjiru'], 1);
    expect(mapping.ok).toBe(false);
    if (mapping.ok) return;
    expect(mapping.issue.rule).toBe('missing_columns');
    expect(mapping.issue.value).toBeNull();
    expect(mapping.issue.message).not.toMatch(/0712|Jane/);
    expect(mapping.issue.message).toMatch(/^Line 1 looks like a payout, not column names: the file needs a header row first/);
  });

  it('refuses two columns meaning the same thing', () => {
    const mapping = mapColumns(['Phone', 'Salary', 'Net Pay']);
    expect(mapping.ok).toBe(false);
    if (!mapping.ok) expect(mapping.issue).toMatchObject({ rule: 'duplicate_column', column: 'Net Pay', message: 'Columns "Salary" and "Net Pay" both mean amount; keep one of them (or rename the other).' });
  });

  it('maps a bank-only header (no phone column)', () => {
    const mapping = mapColumns(['Account Number', 'Bank Code', 'Amount']);
    expect(mapping.ok && mapping.map.index.phone).toBe(-1);
  });

  it('has no alias that means two columns', () => {
    expect(new Set(COLUMNS).size).toBe(COLUMNS.length);
  });
});
