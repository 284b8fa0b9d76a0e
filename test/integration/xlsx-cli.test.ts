/**
 * `disburse validate payroll.xlsx [--sheet X]` (local, no stack) and `disburse submit payroll.xlsx
 * [--sheet X]` (against a real API) as real child processes, on workbooks built in the test.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEYS, type Engine, startEngine } from '../support/engine.js';
import { buildWorkbook, csvAsRows, type TestCell } from '../support/xlsx.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function disburse(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'disburse.js'), ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end();
  });
}

const HEADER: TestCell[] = ['employee_id', 'name', 'phone', 'amount', 'reason'];
const GOOD: TestCell[][] = [HEADER, ['E1', 'Achieng Otieno', 712345678, 1500.5, 'Salary'], ['E2', 'Kamau Njoroge', 254722000111, 2500, 'Salary']];

describe('disburse with .xlsx files (real child processes)', () => {
  let dir: string;
  let engine: Engine;
  let env: Record<string, string>;
  let workbook: string;
  beforeAll(async () => {
    [engine, dir] = await Promise.all([startEngine({ workers: 'none' }), mkdtemp(join(tmpdir(), 'disburse-xlsx-cli-'))]);
    env = { DISBURSE_API_URL: await engine.startApi(), DISBURSE_API_KEY: API_KEYS.alice };
    workbook = join(dir, 'payroll.xlsx');
    const messy = csvAsRows('employee_id,name,phone,amount,reason\nE1,A,0712,1500,Salary\nE2,B,0722000111,12.345,Salary\n');
    await writeFile(workbook, buildWorkbook([{ name: 'Summary', rows: messy }, { name: 'Payroll', rows: GOOD }]));
  });
  afterAll(async () => {
    await engine?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('validate reads the first sheet by default and names the others; --sheet picks one', async () => {
    const first = await disburse(['validate', workbook, '--errors-csv', join(dir, 'errors.csv')]);
    expect(first.code).toBe(1);
    expect(first.stdout).toContain('Read sheet "Summary"; other sheets: "Payroll" (choose one with --sheet).');
    expect(first.stdout).toContain('line 3, column "amount": "12.345" has 3 decimals; KES amounts have at most 2.');
    const errors = await readFile(join(dir, 'errors.csv'), 'utf8');
    expect(errors).toMatch(/\n2,1,error,phone,phone_invalid,/);
    expect(errors).toMatch(/\n3,2,error,amount,amount_too_many_decimals,/);

    const chosen = await disburse(['validate', workbook, '--sheet', 'Payroll', '--json']);
    expect(chosen.code).toBe(0);
    expect(JSON.parse(chosen.stdout)).toEqual({
      rows: 2,
      valid: 2,
      invalid: 0,
      warnings: 0,
      totalAmount: '4000.50',
      errors: [],
      warningsList: [],
      workbook: { format: 'xlsx', sheet: 'Payroll', sheets: ['Summary', 'Payroll'] },
    });
  });

  it('validate says which sheets there are for an unknown --sheet, and refuses a legacy .xls', async () => {
    const missing = await disburse(['validate', workbook, '--sheet', 'December']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no sheet named "December". Its sheets are: "Summary", "Payroll"');
    const xls = join(dir, 'old.xls');
    await writeFile(xls, Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)]));
    const legacy = await disburse(['validate', xls]);
    expect(legacy.code).toBe(1);
    expect(legacy.stderr).toContain('save as .xlsx (Excel Workbook) or CSV');
  });

  it('submit --sheet uploads the workbook and says which sheet the API read', async () => {
    const dry = await disburse(['submit', workbook, '--sheet', 'Payroll', '--dry-run'], env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('Read sheet "Payroll"; other sheets: "Summary"');
    expect(dry.stdout).toContain('Acceptable');
    const created = await disburse(['submit', workbook, '--sheet', 'Payroll', '--batch-id', 'xlsx-cli', '--json'], env);
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ created: true, workbook: { sheet: 'Payroll' }, batch: { id: 'xlsx-cli', rows: 2, totalAmount: '4000.50' } });
    const unknown = await disburse(['submit', workbook, '--sheet', 'December'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toContain('Its sheets are: "Summary", "Payroll"');
  });
});
