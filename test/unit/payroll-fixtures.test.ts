import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Issue } from '../../src/payroll/issues.js';
import type { PayoutDraft } from '../../src/payroll/row.js';
import { validatePayroll, type ValidateOptions } from '../../src/payroll/validate-file.js';

const fixture = (name: string): Buffer => readFileSync(fileURLToPath(new URL(`../fixtures/payroll/${name}`, import.meta.url)));

/** The bytes as a stream of chunks cut at `cuts`. */
function chunks(bytes: Buffer, cuts: number[] = []): Readable {
  const parts: Buffer[] = [];
  let start = 0;
  for (const cut of [...new Set(cuts.filter((c) => c > 0 && c < bytes.length))].sort((a, b) => a - b)) {
    parts.push(bytes.subarray(start, cut));
    start = cut;
  }
  parts.push(bytes.subarray(start));
  return Readable.from(parts);
}

/** Validates a fixture, collecting what a sink sees: payouts (minus retracted ones) and every finding. */
async function run(bytes: Buffer, options: ValidateOptions = {}, cuts: number[] = []) {
  const payouts = new Map<number, PayoutDraft>();
  const seen: Issue[] = [];
  let doomed = false;
  const report = await validatePayroll(chunks(bytes, cuts), options, {
    payout: (d) => {
      // The contract: no payout is handed over once the file cannot be accepted any more.
      if (doomed) throw new Error(`payout ${d.rowNo} handed over after the file was doomed`);
      payouts.set(d.rowNo, d);
    },
    retract: (rowNo) => payouts.delete(rowNo),
    issue: (i) => seen.push(i),
    doomed: () => {
      doomed = true;
    },
  });
  expect(doomed).toBe(!report.accepted);
  return { report, payouts: [...payouts.values()], seen };
}

const brief = (issues: readonly Issue[]) => issues.map((i) => [i.line, i.column, i.rule, i.value]);
const paid = (payouts: readonly PayoutDraft[]) => payouts.map((p) => [p.rowNo, p.line, p.channel, p.phone ?? p.accountNumber, p.amountMinor]);

describe('payroll fixtures: exact outcomes', () => {
  it('clean.csv: every row valid, channels and default reason applied', async () => {
    const { report, payouts } = await run(fixture('clean.csv'));
    expect(report).toMatchObject({ accepted: true, refusal: null, rows: 5, valid: 5, invalid: 0, errorCount: 0, warningCount: 0, totalMinor: 9_030_050, feeEstimateMinor: 16_800 });
    expect(report.file).toMatchObject({ encoding: 'utf-8', bom: false, delimiter: ',', ignoredColumns: [] });
    expect(payouts.map((p) => [p.employeeId, p.name, p.channel, p.phone, p.amountMinor, p.feeEstimateMinor, p.reason])).toEqual([
      ['E001', 'Achieng Odhiambo', 'MPESA', '254712345678', 1_500_000, 3300, 'March salary'],
      ['E002', 'Brian Kiprono', 'MPESA', '254722000111', 2_250_050, 3900, 'March salary'],
      ['E003', 'Cynthia Wambui', 'MPESA', '254110123456', 980_000, 2400, 'Salary'],
      ['E004', 'David Mutua', 'AIRTEL', '254733123456', 3_100_000, 3900, 'March salary'],
      ['E005', 'Esther Njeri', 'MPESA', '254745678901', 1_200_000, 3300, 'Overtime'],
    ]);
  });

  it('excel-semicolon-bom.csv: BOM, sep=; line, CRLF, semicolons, KES prefixes and a quoted amount', async () => {
    const { report, payouts } = await run(fixture('excel-semicolon-bom.csv'));
    expect(report).toMatchObject({ accepted: true, rows: 4, valid: 4, totalMinor: 5_600_050 });
    expect(report.file).toMatchObject({ bom: true, delimiter: ';', columns: { employeeId: 'Staff No', name: 'Employee Name', phone: 'Mobile', amount: 'Net Pay', reason: 'Narration' } });
    expect(payouts.map((p) => [p.line, p.employeeId, p.phone, p.amountMinor, p.reason])).toEqual([
      [3, 'KE-101', '254712345678', 150_000, 'Salary March'],
      [4, 'KE-102', '254722000111', 250_050, 'Salary March'],
      [5, 'KE-103', '254733123456', 1_200_000, 'Salary; March'],
      [6, 'KE-104', '254712999888', 4_000_000, 'Salary'],
    ]);
  });

  it('quoted-thousands.csv: quoted "1,500.00", commas and doubled quotes in names, a line break in a reason', async () => {
    const { report, payouts } = await run(fixture('quoted-thousands.csv'));
    expect(report).toMatchObject({ accepted: true, rows: 4, valid: 4, totalMinor: 26_484_566 });
    expect(payouts.map((p) => [p.line, p.name, p.amountMinor, p.reason])).toEqual([
      [2, 'Otieno, James', 150_000, 'March salary'],
      [3, 'Wanjiru "Shiru" Kamau', 1_234_567, 'Salary and arrears'],
      [5, 'Mwangi, Peter', 25_000_000, 'Bonus, Q1'],
      [6, 'Akinyi, Mary', 99_999, 'Salary'],
    ]);
  });

  it('mixed-phones.csv: every common spelling normalised; landline, foreign, short, scientific and empty refused', async () => {
    const strict = await run(fixture('mixed-phones.csv'));
    expect(strict.report).toMatchObject({ accepted: false, refusal: { code: 'rows_invalid' }, rows: 12, valid: 7, invalid: 5, errorCount: 5 });
    expect(brief(strict.report.issues)).toEqual([
      [8, 'MSISDN', 'phone_not_kenyan_mobile', '0202***222'],
      [9, 'MSISDN', 'phone_not_kenyan_mobile', '2557*****678'],
      [10, 'MSISDN', 'phone_invalid', '***45'],
      [11, 'MSISDN', 'phone_scientific_notation', '*********11'],
      [12, 'MSISDN', 'phone_missing', null],
    ]);
    expect(strict.report.issues[0]!.message).toBe('"0202***222" is a Kenyan landline; mobile money needs a mobile number starting 07 or 01.');
    expect(strict.report.issues[1]!.message).toBe('"2557*****678" is a foreign number (TZ); only Kenyan mobile numbers can receive these payouts.');
    // Handed over until the first invalid row doomed the file (an ingestion then rolls them back).
    expect(strict.payouts.map((p) => p.rowNo)).toEqual([1, 2, 3, 4, 5, 6]);

    const skip = await run(fixture('mixed-phones.csv'), { policy: 'skip-invalid' });
    expect(skip.report).toMatchObject({ accepted: true, refusal: null, valid: 7, invalid: 5, totalMinor: 700_000 });
    expect(skip.payouts.map((p) => p.phone)).toEqual(['254712345678', '254712345679', '254712345680', '254712345681', '254110123456', '254722000111', '254712345682']);
  });

  it('blank-lines.csv: blank, whitespace-only and empty-cell lines skipped; lines still physical', async () => {
    const { report, payouts } = await run(fixture('blank-lines.csv'), { policy: 'skip-invalid' });
    expect(report).toMatchObject({ accepted: true, rows: 5, valid: 4, invalid: 1 });
    expect(brief(report.issues)).toEqual([[11, 'Amount', 'amount_format', 'abc']]);
    expect(paid(payouts)).toEqual([
      [1, 5, 'MPESA', '254712345678', 100_000],
      [2, 7, 'MPESA', '254722000111', 200_000],
      [3, 9, 'MPESA', '254733123456', 300_000],
      [5, 12, 'MPESA', '254710000000', 500_000],
    ]);
  });

  it('wrong-headers.csv: one file-level error listing the columns found and expected', async () => {
    const { report, seen } = await run(fixture('wrong-headers.csv'), { policy: 'skip-invalid' });
    expect(report).toMatchObject({ accepted: false, refusal: { code: 'file_invalid' }, rows: 0, errorCount: 1 });
    expect(seen).toEqual(report.issues);
    expect(report.issues).toEqual([
      {
        severity: 'error',
        line: 1,
        rowNo: null,
        column: null,
        rule: 'missing_columns',
        value: 'Employee, Mobile Number, Pay Amount (KES), Remarks',
        message:
          'Missing required column: amount. Found: "Employee", "Mobile Number", "Pay Amount (KES)", "Remarks". Expected required: amount (or net pay, salary) and phone (or msisdn, mobile, phone number) or account number; optional: name, employee id (or staff no), channel, reason (or narration), bank code, bank name.',
      },
    ]);
  });

  it('windows-1252.csv: transcoded exactly (é ü Ø – “ ”), with a warning that needs acknowledgement', async () => {
    const refused = await run(fixture('windows-1252.csv'));
    expect(refused.report).toMatchObject({ accepted: false, refusal: { code: 'warnings_unacknowledged' }, valid: 3, warningCount: 1 });
    expect(refused.report.file.encoding).toBe('windows-1252');
    expect(brief(refused.report.issues)).toEqual([[2, null, 'transcoded_from_windows_1252', null]]);
    expect(refused.report.issues[0]!.severity).toBe('warning');

    const { report, payouts } = await run(fixture('windows-1252.csv'), { acknowledgeWarnings: true });
    expect(report).toMatchObject({ accepted: true, refusal: null });
    expect(payouts.map((p) => [p.name, p.reason])).toEqual([
      ['José Müller', 'Salary – March'],
      ['Renée François', '“Bonus” Q1'],
      ['Jürgen Ødegård', 'Salary'],
    ]);
  });

  it('utf16.csv: refused with a Save-As instruction, never mangled', async () => {
    const { report } = await run(fixture('utf16.csv'), { policy: 'skip-invalid' });
    expect(report).toMatchObject({ accepted: false, refusal: { code: 'file_invalid' }, rows: 0 });
    expect(report.issues).toEqual([
      {
        severity: 'error',
        line: 1,
        rowNo: null,
        column: null,
        rule: 'not_utf8',
        value: null,
        message: 'The file is UTF-16 (Excel\'s "Unicode Text"), not UTF-8. In Excel use File > Save As > "CSV UTF-8 (Comma delimited)" and upload that file.',
      },
    ]);
  });

  it('duplicates.csv: a repeated employee id invalidates every row with it; same phone and amount is a warning', async () => {
    const { report, payouts } = await run(fixture('duplicates.csv'), { policy: 'skip-invalid' });
    expect(report).toMatchObject({ accepted: false, refusal: { code: 'warnings_unacknowledged' }, rows: 7, valid: 3, invalid: 4, errorCount: 4, warningCount: 1, totalMinor: 1_550_000 });
    expect(brief(report.issues)).toEqual([
      [3, 'Employee ID', 'duplicate_employee_id', null],
      [4, 'Employee ID', 'duplicate_employee_id', null],
      [5, 'Phone', 'duplicate_phone_amount', '2547*****678'],
      [6, 'Employee ID', 'duplicate_employee_id', 'D03'],
      [8, 'Employee ID', 'duplicate_employee_id', 'd02'],
    ]);
    expect(report.issues.map((i) => i.message)).toEqual([
      'This row\'s employee id appears again on line 8 (as "d02"); each employee may appear once per batch. Merge or remove the duplicate rows.',
      'This row\'s employee id appears again on line 6 (as "D03"); each employee may appear once per batch. Merge or remove the duplicate rows.',
      'Line 2 already pays phone number 2547*****678 the same KES 5,000.00. If both payments are intended, acknowledge this warning; otherwise remove one row.',
      'Employee id "D03" already appears on line 4; each employee may appear once per batch. Merge or remove the duplicate rows.',
      'Employee id "d02" already appears on line 3; each employee may appear once per batch. Merge or remove the duplicate rows.',
    ]);
    expect(payouts.map((p) => p.rowNo)).toEqual([1]); // then the warning doomed the file

    const acknowledged = await run(fixture('duplicates.csv'), { policy: 'skip-invalid', acknowledgeWarnings: true });
    expect(acknowledged.report).toMatchObject({ accepted: true, valid: 3, totalMinor: 1_550_000, feeEstimateMinor: 19_00 + 19_00 + 24_00 });
    expect(acknowledged.payouts.map((p) => p.employeeId)).toEqual(['D01', 'D04', 'D05']);

    const strict = await run(fixture('duplicates.csv'), { acknowledgeWarnings: true });
    expect(strict.report).toMatchObject({ accepted: false, refusal: { code: 'rows_invalid' } });
  });

  it('bank-rows.csv: bank rows need an account number and a bank; mobile rows in the same file', async () => {
    const { report, payouts } = await run(fixture('bank-rows.csv'), { policy: 'skip-invalid' });
    expect(report).toMatchObject({ accepted: true, rows: 7, valid: 3, invalid: 4, totalMinor: 11_900_000 });
    expect(brief(report.issues)).toEqual([
      [4, 'Bank Code', 'bank_details_missing', null],
      [5, 'Account Number', 'bank_account_invalid', '**C123'],
      [7, 'Account Number', 'bank_account_missing', null],
      [8, 'Bank Code', 'bank_code_invalid', 'K@B'],
    ]);
    expect(payouts.map((p) => [p.channel, p.phone, p.accountNumber, p.bankCode, p.bankName])).toEqual([
      ['BANK', null, '0123456789', '01', 'KCB'],
      ['BANK', null, '123456789012', null, 'Equity Bank'],
      ['MPESA', '254712345678', null, null, null],
    ]);
  });

  it('bank-only.csv: no phone column; empty channel means bank', async () => {
    const { report, payouts } = await run(fixture('bank-only.csv'));
    expect(report).toMatchObject({ accepted: true, valid: 2 });
    expect(paid(payouts)).toEqual([
      [1, 2, 'BANK', '0011223344', 100_000],
      [2, 3, 'BANK', '5566778899', 200_000],
    ]);
  });

  it('amounts.csv: KES prefixes and separators accepted; decimals, zero, negative, bounds, commas refused', async () => {
    const { report, payouts } = await run(fixture('amounts.csv'), { policy: 'skip-invalid' });
    expect(report).toMatchObject({ accepted: true, rows: 15, valid: 5, invalid: 10, totalMinor: 25_501_050 });
    expect(brief(report.issues)).toEqual([
      [5, 'Amount', 'amount_too_many_decimals', '100.505'],
      [6, 'Amount', 'amount_not_positive', '0'],
      [7, 'Amount', 'amount_not_positive', '-250'],
      [8, 'Amount', 'amount_above_max', '250000.01'],
      [9, 'Amount', 'amount_below_min', '9.99'],
      [10, 'Amount', 'amount_decimal_comma', '1500,50'],
      [11, 'Amount', 'amount_too_many_decimals', '1.500'],
      [12, 'Amount', 'amount_format', '12abc'],
      [13, 'Amount', 'amount_missing', null],
      [16, 'Amount', 'amount_not_positive', '(300.00)'],
    ]);
    expect(payouts.map((p) => p.amountMinor)).toEqual([150_000, 200_050, 150_000, 1000, 25_000_000]);
  });

  it('tab-delimited.csv, extra-fields.csv and unclosed-quote.csv', async () => {
    const tabs = await run(fixture('tab-delimited.csv'));
    expect(tabs.report).toMatchObject({ accepted: true, valid: 2, totalMinor: 300_000 });
    expect(tabs.report.file.delimiter).toBe('\t');

    const extra = await run(fixture('extra-fields.csv'), { policy: 'skip-invalid' });
    expect(extra.report).toMatchObject({ accepted: true, rows: 3, valid: 2, invalid: 1 });
    expect(brief(extra.report.issues)).toEqual([
      [2, null, 'row_field_count', null],
      [2, 'Amount', 'amount_below_min', '1'],
    ]);

    const unclosed = await run(fixture('unclosed-quote.csv'), { policy: 'skip-invalid' });
    expect(unclosed.report).toMatchObject({ accepted: false, refusal: { code: 'file_invalid' } });
    expect(brief(unclosed.report.issues)).toEqual([[2, null, 'csv_malformed', null]]);
    expect(unclosed.report.refusal?.message).toMatch(/^The quoted cell that starts on line 2 is never closed/);
  });

  it('refuses a huge quoted field at the record limit, naming the row and the line', async () => {
    const huge = Buffer.from(`Phone,Amount,Name\n0712345678,1000,Alice\n\n0712345679,1000,"${'x'.repeat(5_000_000)}"\n`);
    const cuts = Array.from({ length: Math.ceil(huge.length / 65_536) }, (_, i) => i * 65_536);
    const { report } = await run(huge, {}, cuts);
    expect(report).toMatchObject({ accepted: false, refusal: { code: 'file_invalid' }, rows: 1 });
    expect(brief(report.issues)).toEqual([[4, null, 'record_too_long', null]]);
    expect(report.refusal?.message).toMatch(/^Row 2 \(line 4\): a record longer than 128,000 characters/);
    // Reading stopped at the limit: about two chunks of the 5 MB were read.
    expect(report.file.size).toBeLessThan(256 * 1024);
    const header = await run(Buffer.from(`"${'h'.repeat(200_000)}"`));
    expect(header.report.refusal?.message).toMatch(/^The header \(line 1\): a record longer than 128,000 characters/);
  });

  it('refuses empty files, header-only files and files without a valid row', async () => {
    const empty = await run(Buffer.from('\ufeff\n\n'));
    expect(brief(empty.report.issues)).toEqual([[null, null, 'empty_file', null]]);
    const headerOnly = await run(Buffer.from('Phone,Amount\r\n'));
    expect(headerOnly.report.issues.map((i) => [i.rule, i.message])).toEqual([['no_valid_rows', 'The file has a header row but no payout rows.']]);
    const noneValid = await run(Buffer.from('Phone,Amount\n0712345678,0\n'), { policy: 'skip-invalid' });
    expect(noneValid.report).toMatchObject({ accepted: false, refusal: { code: 'file_invalid' }, rows: 1, invalid: 1 });
    expect(noneValid.report.issues.map((i) => i.rule)).toEqual(['no_valid_rows', 'amount_not_positive']);
    const workbook = await run(Buffer.from('PK\u0003\u0004\u0014\u0000\u0006\u0000'));
    expect(workbook.report.issues.map((i) => i.rule)).toEqual(['not_csv']);
  });

  it('masks a phone number that landed in another column (swapped columns)', async () => {
    const { report } = await run(Buffer.from('Phone,Amount,Reason\n1000,0712345678,Pay 0722000111 now\n'), { policy: 'skip-invalid' });
    const text = JSON.stringify(report.issues);
    expect(text).not.toMatch(/0712345678|712345678|0722000111/);
    expect(brief(report.issues)).toEqual([
      [null, null, 'no_valid_rows', null],
      [2, 'Amount', 'amount_above_max', '0712***678'],
      [2, 'Phone', 'phone_invalid', '**00'],
    ]);
  });

  it('keeps at most maxIssues findings in the report but counts and streams them all', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => `07120000${String(i).padStart(2, '0')},0`).join('\n');
    const { report, seen } = await run(Buffer.from(`Phone,Amount\n${rows}\n0712999999,100\n`), { policy: 'skip-invalid', maxIssues: 10 });
    expect(report).toMatchObject({ accepted: true, invalid: 50, valid: 1, errorCount: 50, issuesTruncated: true });
    expect(report.issues).toHaveLength(10);
    expect(seen).toHaveLength(50);
  });

  it('gives the same report and payouts however the file is split into chunks', async () => {
    for (const name of ['excel-semicolon-bom.csv', 'quoted-thousands.csv', 'windows-1252.csv', 'duplicates.csv', 'blank-lines.csv', 'bank-rows.csv']) {
      const bytes = fixture(name);
      const options: ValidateOptions = { policy: 'skip-invalid', acknowledgeWarnings: true };
      const whole = await run(bytes, options);
      const oneByte = await run(bytes, options, Array.from({ length: bytes.length }, (_, i) => i));
      expect(oneByte, name).toEqual(whole);
      await fc.assert(
        fc.asyncProperty(fc.array(fc.nat(bytes.length), { maxLength: 10 }), async (cuts) => {
          expect(await run(bytes, options, cuts)).toEqual(whole);
        }),
        { numRuns: 40 },
      );
    }
  });
});
