import { Readable } from 'node:stream';
import { constants, deflateRawSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openPayroll } from '../../src/payroll/payroll-file.js';
import { validatePayroll } from '../../src/payroll/validate-file.js';
import { amountText, readWorkbook } from '../../src/payroll/workbook.js';
import { csvLine } from '../../src/payroll/workbook-csv.js';
import { WorkbookError } from '../../src/payroll/workbook-error.js';
import { unpackWorkbook } from '../../src/payroll/workbook-zip.js';
import { buildWorkbook, csvAsRows, workbookParts, zipBomb, zipParts, type TestSheet } from '../support/xlsx.js';

const HEADER = ['employee_id', 'name', 'phone', 'amount', 'reason'];

async function rowsOf(sheets: TestSheet[], sheet?: string): Promise<string[][]> {
  return (await readWorkbook(buildWorkbook(sheets), sheet === undefined ? {} : { sheet })).rows;
}

async function failure(promise: Promise<unknown>): Promise<WorkbookError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkbookError);
  return err as WorkbookError;
}

const once = (buf: Buffer): Readable => Readable.from([buf]);

describe('sheet → records', () => {
  it('keeps each row at its sheet row number and each cell at its column, leading empty rows and columns included', async () => {
    const rows = await rowsOf([{ name: 'Pay', firstRow: 3, firstColumn: 1, rows: [HEADER, ['E1', 'Achieng', '0712345678', '1500', 'Nov']] }]);
    expect(rows).toHaveLength(4);
    expect(rows[0]!.every((c) => c === '')).toBe(true);
    expect(rows[2]).toEqual(['', ...HEADER]);
    expect(rows[3]).toEqual(['', 'E1', 'Achieng', '0712345678', '1500', 'Nov']);
  });

  it('writes amount numbers to the cent, and leaves a real third decimal for the amount rule to refuse', async () => {
    const rows = await rowsOf([
      {
        name: 'Pay',
        rows: [HEADER, ['E1', 'A', '0712345678', 1500.5, ''], ['E2', 'B', '0712345679', 0.1 + 0.2, ''], ['E3', 'C', '0712345670', 1500.505, ''], ['E4', 'D', '0712345671', 2000, '']],
      },
    ]);
    expect(rows.slice(1).map((r) => r[3])).toEqual(['1500.50', '0.30', '1500.505', '2000.00']);
    expect(amountText('1500.1000000000001')).toBe('1500.10');
    expect(amountText('-5')).toBe('-5.00');
    expect(amountText('1500.0001')).toBe('1500.0001');
    expect(amountText('1E-7')).toBe('0.00');
  });

  it('writes phone numbers stored as numbers with every digit (712345678 lost its leading 0; the phone rule accepts it)', async () => {
    const rows = await rowsOf([{ name: 'Pay', rows: [HEADER, [1001, 'A', 712345678, 1500, ''], [1002, 'B', 254712345679, 1500, '']] }]);
    expect(rows[1]!.slice(0, 3)).toEqual(['1001', 'A', '712345678']);
    expect(rows[2]![2]).toBe('254712345679');
  });

  it('takes formulas by their saved result, shows formula errors, and writes booleans and dates as text', async () => {
    const rows = await rowsOf([
      {
        name: 'Pay',
        rows: [
          [...HEADER, 'paid', 'date'],
          ['E1', { formula: 'CONCAT("Ach","ieng")', cached: 'Achieng', text: true }, '0712345678', { formula: 'C9*2', cached: 3000.0000000000005 }, '', true, { date: 46356 }],
          ['E2', 'B', '0712345679', { error: '#DIV/0!' }, '', false, ''],
        ],
      },
    ]);
    expect(rows[1]).toEqual(['E1', 'Achieng', '0712345678', '3000.00', '', 'TRUE', '2026-11-30']);
    expect(rows[2]!.slice(3, 6)).toEqual(['#DIV/0!', '', 'FALSE']);
  });

  it('refuses a formula without a saved result, naming its cells', async () => {
    const err = await failure(readWorkbook(buildWorkbook([{ name: 'Pay', rows: [HEADER, ['E1', 'A', '0712345678', { formula: 'X1*2' }, ''], ['E2', 'B', '0712345679', { formula: 'X2*2' }, '']] }])));
    expect(err.code).toBe('formula_not_calculated');
    expect(err.message).toContain('D2, D3');
  });

  it('keeps commas, quotes and line breaks inside cells in their cell, and each row on its own line', async () => {
    const bytes = buildWorkbook([{ name: 'Pay', rows: [HEADER, ['E1', 'Otieno, "Jim"\nJames', '0712345678', 1500, 'Salary; Nov'], ['E2', 'B', '0712345679', 1500, '']] }]);
    const opened = await openPayroll(once(bytes));
    const drafts: Array<{ name: string | null; line: number }> = [];
    const report = await validatePayroll(opened.input, {}, { payout: (d) => drafts.push({ name: d.name, line: d.line }) });
    expect(report.accepted).toBe(true);
    expect(drafts).toEqual([
      { name: 'Otieno, "Jim" James', line: 2 },
      { name: 'B', line: 3 },
    ]);
  });

  it('follows rows and cells that leave their position implied', async () => {
    const parts = workbookParts([{ name: 'Pay', rows: [] }]);
    const cell = (text: string): string => `<c t="inlineStr"><is><t>${text}</t></is></c>`;
    parts['xl/worksheets/sheet1.xml'] =
      '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' +
      `<row>${cell('phone')}${cell('amount')}</row><row>${cell('0712345678')}<c><v>1500</v></c></row><row>${cell('0712345679')}<c><f>B2*2</f></c></row>` +
      '</sheetData></worksheet>';
    const err = await failure(readWorkbook(zipParts(parts)));
    expect(err.code).toBe('formula_not_calculated');
    expect(err.message).toContain('(cell B3)');
  });

  it('drops empty rows after the last; keeps empty rows in between as empty lines (skipped like blank CSV lines)', async () => {
    const rows = await rowsOf([{ name: 'Pay', rows: [HEADER, ['E1', 'A', '0712345678', 1500, ''], [], ['E2', 'B', '0712345679', 1500, ''], [], [null, null]] }]);
    expect(rows).toHaveLength(4);
    expect(csvLine(rows[2]!)).toBe('');
  });

  it('reads the first sheet by default, a named one on request (case aside), and lists every sheet', async () => {
    const sheets: TestSheet[] = [
      { name: 'Summary', rows: [['total'], [3000]] },
      { name: 'Payroll Nov & Dec', rows: [HEADER, ['E1', 'A', '0712345678', 1500, '']] },
    ];
    const bytes = buildWorkbook(sheets);
    expect((await readWorkbook(bytes)).sheet).toBe('Summary');
    const chosen = await readWorkbook(bytes, { sheet: 'payroll nov & dec' });
    expect(chosen.sheet).toBe('Payroll Nov & Dec');
    expect(chosen.sheets).toEqual(['Summary', 'Payroll Nov & Dec']);
    expect(chosen.rows[1]![0]).toBe('E1');
    const err = await failure(readWorkbook(bytes, { sheet: 'December' }));
    expect(err.code).toBe('sheet_not_found');
    expect(err.sheets).toEqual(['Summary', 'Payroll Nov & Dec']);
    expect(err.message).toContain('"Summary", "Payroll Nov & Dec"');
  });

  it('keeps a merge within one row, refuses one over several rows of the table', async () => {
    const title: TestSheet = { name: 'Pay', merges: ['A1:E1'], rows: [['November payroll'], HEADER, ['E1', 'A', '0712345678', 1500, '']] };
    expect((await rowsOf([title]))[0]![0]).toBe('November payroll');
    const down: TestSheet = { name: 'Pay', merges: ['E2:E3'], rows: [HEADER, ['E1', 'A', '0712345678', 1500, 'Salary'], ['E2', 'B', '0712345679', 1500, null]] };
    const err = await failure(readWorkbook(buildWorkbook([down])));
    expect(err.code).toBe('merged_cells');
    expect(err.message).toContain('E2:E3');
  });
});

describe('workbook bounds', () => {
  it('refuses a zip bomb quickly, whatever its headers claim, without inflating past the cap', () => {
    // 16 parts of 64 MiB of spaces each (1 GiB in all) compress to about 1 MB; the cap is 256 MiB.
    const blob = deflateRawSync(Buffer.alloc(64 * 1024 * 1024, 0x20), { strategy: constants.Z_RLE });
    const bomb = zipBomb(blob, 16);
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
    const started = Date.now();
    let err: unknown;
    try {
      unpackWorkbook(bomb);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WorkbookError);
    expect((err as WorkbookError).code).toBe('workbook_too_large');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('refuses a sheet whose grid is far beyond a payroll (one stray cell at XFD1048576)', async () => {
    const sheet: TestSheet = { name: 'Pay', rows: [HEADER, ['E1', 'A', '0712345678', 1500, '']], extraXml: '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>' };
    const err = await failure(readWorkbook(buildWorkbook([sheet])));
    expect(err.code).toBe('workbook_too_large');
    expect(err.message).toContain('1,048,576 rows by 16,384 columns');
  });

  it('passes a workbook under the caps (the caps are for tests too)', async () => {
    const bytes = buildWorkbook([{ name: 'Pay', rows: [HEADER, ['E1', 'A', '0712345678', 1500, '']] }]);
    const err = await failure(readWorkbook(bytes, { limits: { xmlBytes: 500 } }));
    expect(err.code).toBe('workbook_too_large');
    expect((await readWorkbook(bytes, { limits: { cells: 10 } })).rows).toHaveLength(2);
    expect((await failure(readWorkbook(bytes, { limits: { cells: 9 } }))).code).toBe('workbook_too_large');
  });

  it('says what a damaged or non-workbook zip is', async () => {
    expect((await failure(readWorkbook(zipParts({ 'readme.txt': 'hello', 'a.xml': '<a/>' })))).code).toBe('workbook_unreadable');
    const cut = buildWorkbook([{ name: 'Pay', rows: [HEADER] }]);
    expect((await failure(readWorkbook(cut.subarray(0, cut.length - 30)))).code).toBe('workbook_unreadable');
  });
});

describe('openPayroll', () => {
  it('refuses a legacy .xls by its magic bytes', async () => {
    const xls = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]);
    expect((await failure(openPayroll(once(xls)))).code).toBe('legacy_xls');
  });

  it('passes a CSV through byte for byte (a sheet asked for is ignored: a CSV has none)', async () => {
    const csv = readFileSync('test/fixtures/payroll/clean.csv');
    const opened = await openPayroll(once(csv), { sheet: 'Payroll' });
    expect(opened.workbook).toBeNull();
    const chunks: Buffer[] = [];
    for await (const c of opened.input) chunks.push(Buffer.from(c as Buffer));
    expect(Buffer.concat(chunks).equals(csv)).toBe(true);
  });

  it('refuses a file sent as .xlsx that is not a zip', async () => {
    expect((await failure(openPayroll(once(Buffer.from('a,b\n1,2\n')), { claimsWorkbook: true }))).code).toBe('workbook_unreadable');
  });

  it('validates a workbook exactly as the same payroll in CSV: the same findings, on the same rows and columns', async () => {
    const csv = readFileSync('test/fixtures/payroll/mixed-phones.csv', 'utf8').replace(/\r\n/g, '\n');
    const fromCsv = await validatePayroll(once(Buffer.from(csv)), { policy: 'skip-invalid' });
    const opened = await openPayroll(once(buildWorkbook([{ name: 'Sheet1', rows: csvAsRows(csv) }])));
    expect(opened.workbook).toEqual({ format: 'xlsx', sheet: 'Sheet1', sheets: ['Sheet1'] });
    const fromXlsx = await validatePayroll(opened.input, { policy: 'skip-invalid' });
    const strip = (r: typeof fromCsv): unknown => ({ ...r, file: { ...r.file, sha256: null, size: 0 } });
    expect(strip(fromXlsx)).toEqual(strip(fromCsv));
    expect(fromXlsx.issues.length).toBeGreaterThan(0);
  });

  it('gives a re-saved workbook with the same rows the same hash; other rows, another hash', async () => {
    const rows = [HEADER, ['E1', 'A', '0712345678', 1500, '']];
    const hash = async (bytes: Buffer): Promise<string | null> => (await validatePayroll((await openPayroll(once(bytes))).input)).file.sha256;
    const a = buildWorkbook([{ name: 'Pay', rows }]);
    // The same rows written differently: other zip compression, an extra part, the numbers as typed text.
    const parts = workbookParts([{ name: 'Pay', rows }]);
    const b = zipParts({ ...parts, 'docProps/core.xml': '<coreProperties>saved again</coreProperties>' });
    expect(a.equals(b)).toBe(false);
    expect(await hash(b)).toBe(await hash(a));
    expect(await hash(buildWorkbook([{ name: 'Pay', rows: [HEADER, ['E1', 'A', '0712345678', 1501, '']] }]))).not.toBe(await hash(a));
  });
});
