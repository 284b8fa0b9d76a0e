/**
 * Excel workbooks through the API (issue 13): a valid .xlsx is paid like its CSV; a messy one gets the
 * same findings as the same rows in CSV, on the sheet's rows; a sheet is chosen by name, an unknown one
 * is 422 listing them; a legacy .xls is 415; a zip bomb is refused fast. Workbooks are built in the test.
 */
import { constants, deflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XLSX_CONTENT_TYPE } from '../../src/payroll/payroll-file.js';
import { API_KEYS, type Engine, startEngine } from '../support/engine.js';
import { http } from '../support/http.js';
import { assertMoneyInvariants } from '../support/invariants.js';
import { payrollRows, sumMinor } from '../support/payroll.js';
import { eventually } from '../support/waiting.js';
import { buildWorkbook, csvAsRows, workbookParts, zipBomb, zipParts, type TestCell } from '../support/xlsx.js';

interface Issue {
  line: number | null;
  column: string | null;
  rule: string;
  message: string;
}
interface Answer {
  created?: boolean;
  code?: string;
  detail?: string;
  sheets?: string[];
  workbook?: { format: string; sheet: string; sheets: string[] } | null;
  batch?: { id: string; status: string };
  report?: { accepted: boolean; valid: number; invalid: number; totalAmount: string; errors: Issue[]; warningsList: Issue[] };
}

const HEADER = ['Employee ID', 'Name', 'Phone', 'Net Pay (KES)', 'Reason'];

describe('Excel workbooks as payroll files', () => {
  let engine: Engine;
  let api: string;
  beforeAll(async () => {
    engine = await startEngine();
    api = await engine.startApi();
  });
  afterAll(async () => engine?.stop());

  const post = (body: Buffer | string, query: string, contentType = XLSX_CONTENT_TYPE) =>
    http<Answer>('POST', `${api}/v1/batches${query}`, { key: API_KEYS.alice, body, headers: { 'content-type': contentType } });

  it('pays a workbook like its CSV: phones and amounts stored as numbers, the answer naming the sheet', async () => {
    const rows = payrollRows(6, { phone: (i) => `2547${95_000_000 + i}`, amount: (i) => 1000 + i * 100.5 });
    // Numbers as Excel stores them: a phone without its leading 0 (7xxxxxxxx), an amount as a float.
    const cells: TestCell[][] = [HEADER, ...rows.map((r): TestCell[] => [r.employeeId, r.name, Number(r.phone.slice(3)), Number(r.amount), 'Salary November'])];
    const workbook = buildWorkbook([{ name: 'Notes', rows: [['see the Payroll sheet']] }, { name: 'Payroll', rows: cells }]);

    const dry = await post(workbook, '?dryRun=true&sheet=Payroll');
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ dryRun: true, workbook: { format: 'xlsx', sheet: 'Payroll', sheets: ['Notes', 'Payroll'] }, report: { accepted: true, valid: 6 } });

    const created = await post(workbook, '?batchId=xlsx-paid&sheet=Payroll');
    expect(created.status).toBe(201);
    expect(created.body.workbook).toEqual({ format: 'xlsx', sheet: 'Payroll', sheets: ['Notes', 'Payroll'] });
    expect(created.body.report).toMatchObject({ accepted: true, valid: 6 });
    await eventually(async () => {
      const r = await http<{ status: string }>('GET', `${api}/v1/batches/xlsx-paid`, { key: API_KEYS.victor });
      return r.body.status === 'COMPLETED' ? r.body : undefined;
    }, 'xlsx-paid COMPLETED', 120_000, 500);
    const paid = await assertMoneyInvariants(engine.db.pool, engine.sandbox, 'xlsx-paid');
    expect(paid.filter((p) => p.status === 'succeeded')).toHaveLength(6);
    const stored = await engine.db.pool.query<{ total_minor: string; phones: string[] }>(
      "SELECT b.total_minor::text, array_agg(p.phone ORDER BY p.row_no) AS phones FROM batches b JOIN payouts p ON p.batch_id = b.id WHERE b.id = 'xlsx-paid' GROUP BY b.total_minor",
    );
    expect(Number(stored.rows[0]!.total_minor)).toBe(sumMinor(rows));
    expect(stored.rows[0]!.phones).toEqual(rows.map((r) => r.phone));

    // The same workbook again, saved anew (other zip bytes, an extra part): the same file, the same batch.
    const resaved = zipParts({ ...workbookParts([{ name: 'Notes', rows: [['see the Payroll sheet']] }, { name: 'Payroll', rows: cells }]), 'docProps/app.xml': '<Properties/>' });
    expect(resaved.equals(workbook)).toBe(false);
    const again = await post(resaved, '?sheet=Payroll');
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'duplicate_file' });
  });

  it('finds in a messy workbook what it finds in the same rows as CSV, on the same rows and columns', async () => {
    const csv = [
      'employee_id,name,phone,amount,reason',
      'E1,Achieng Otieno,0712345678,1500.00,Salary',
      'E2,Kamau Njoroge,0712,2500,Salary',
      '',
      'E3,Wanjiru Kamau,0722000111,12.345,Salary',
      'E1,Otieno Again,0722000112,100,Salary',
      'E5,Mutua,0733000113,abc,Salary',
    ].join('\n');
    const fromCsv = await post(csv, '?dryRun=true&policy=skip-invalid', 'text/csv');
    const fromXlsx = await post(buildWorkbook([{ name: 'Sheet1', rows: csvAsRows(csv) }]), '?dryRun=true&policy=skip-invalid');
    expect(fromCsv.status, JSON.stringify(fromCsv.body)).toBe(200);
    expect(fromXlsx.status, JSON.stringify(fromXlsx.body)).toBe(200);
    const findings = (a: Answer) => [...a.report!.errors, ...a.report!.warningsList].map((i) => [i.line, i.column, i.rule, i.message]);
    expect(findings(fromXlsx.body)).toEqual(findings(fromCsv.body));
    expect(findings(fromXlsx.body).length).toBeGreaterThanOrEqual(4);
    // Line numbers are the sheet's rows: E3's amount is on row 5 (row 4 is empty).
    expect(fromXlsx.body.report!.errors.find((i) => i.rule === 'amount_too_many_decimals')).toMatchObject({ line: 5, column: 'amount' });

    // Multipart with an .xlsx file name works the same; a real refusal is 422 naming the sheet.
    const form = new FormData();
    form.append('file', new Blob([buildWorkbook([{ name: 'Sheet1', rows: csvAsRows(csv) }])]), 'november.xlsx');
    const refused = await http<Answer & { report: Answer['report'] }>('POST', `${api}/v1/batches`, { key: API_KEYS.alice, body: form });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'payroll_refused', workbook: { sheet: 'Sheet1' } });
  });

  it('says which sheets there are when the named one is missing', async () => {
    const workbook = buildWorkbook([{ name: 'November', rows: [HEADER] }, { name: 'December', rows: [HEADER] }]);
    const r = await post(workbook, '?dryRun=true&sheet=January');
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ code: 'sheet_not_found', sheets: ['November', 'December'], detail: expect.stringContaining('"November", "December"') });
  });

  it('refuses a legacy .xls with 415, by its bytes or by its name', async () => {
    const xls = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)]);
    for (const r of [await post(xls, '', 'application/octet-stream'), await post(xls, '', 'application/vnd.ms-excel')]) {
      expect(r.status).toBe(415);
      expect(r.body).toMatchObject({ code: 'legacy_xls', detail: expect.stringContaining('save as .xlsx') });
    }
  });

  it('refuses a zip bomb fast, with a clear error', async () => {
    // 300 MiB of one byte as a single sheet part: about 300 KB on the wire.
    const bomb = zipBomb(deflateRawSync(Buffer.alloc(300 * 1024 * 1024, 0x20), { strategy: constants.Z_RLE }));
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const started = Date.now();
    const r = await post(bomb, '?dryRun=true');
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ code: 'workbook_too_large', detail: expect.stringContaining('export the payroll sheet as CSV') });
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
