import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const fixture = (name: string): string => join(ROOT, 'test', 'fixtures', 'payroll', name);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `disburse` command as a child process. */
function disburse(args: string[], options: { stdin?: Buffer; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'disburse.js'), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? Buffer.alloc(0));
  });
}

describe('disburse validate (real child process)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'disburse-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints exactly one JSON object and exits 0 for an acceptable file', async () => {
    const run = await disburse(['validate', fixture('clean.csv'), '--json']);
    expect(run).toEqual({
      code: 0,
      stdout: '{"rows":5,"valid":5,"invalid":0,"warnings":0,"totalAmount":"90300.50","errors":[],"warningsList":[]}\n',
      stderr: '',
    });
  });

  it('exits 1 under strict with invalid rows, and 0 under skip-invalid', async () => {
    const strict = await disburse(['validate', fixture('mixed-phones.csv'), '--json']);
    expect(strict.code).toBe(1);
    expect(JSON.parse(strict.stdout)).toEqual({
      rows: 12,
      valid: 7,
      invalid: 5,
      warnings: 0,
      totalAmount: '7000.00',
      errors: [
        { line: 8, column: 'MSISDN', rule: 'phone_not_kenyan_mobile', message: '"0202***222" is a Kenyan landline; mobile money needs a mobile number starting 07 or 01.' },
        { line: 9, column: 'MSISDN', rule: 'phone_not_kenyan_mobile', message: '"2557*****678" is a foreign number (TZ); only Kenyan mobile numbers can receive these payouts.' },
        {
          line: 10,
          column: 'MSISDN',
          rule: 'phone_invalid',
          message: '"***45" is not a valid Kenyan number: check the digits (expected a mobile number like 07XX XXX XXX or +254 7XX XXX XXX).',
        },
        {
          line: 11,
          column: 'MSISDN',
          rule: 'phone_scientific_notation',
          message: '"*********11" was turned into scientific notation by a spreadsheet, which loses digits; format the phone column as Text and export again.',
        },
        { line: 12, column: 'MSISDN', rule: 'phone_missing', message: 'The phone number is empty; mobile money payouts need a Kenyan mobile number like 07XX XXX XXX or +254 7XX XXX XXX.' },
      ],
      warningsList: [],
    });
    expect(strict.stdout.trim().split('\n')).toHaveLength(1);
    const skip = await disburse(['validate', fixture('mixed-phones.csv'), '--json', '--policy', 'skip-invalid']);
    expect(skip.code).toBe(0);
    expect(JSON.parse(skip.stdout)).toMatchObject({ valid: 7, invalid: 5 });
  });

  it('needs --acknowledge-warnings for a file with warnings', async () => {
    const warned = await disburse(['validate', fixture('windows-1252.csv'), '--json']);
    expect(warned.code).toBe(1);
    expect(JSON.parse(warned.stdout)).toEqual({
      rows: 3,
      valid: 3,
      invalid: 0,
      warnings: 1,
      totalAmount: '6000.00',
      errors: [],
      warningsList: [
        {
          line: 2,
          column: null,
          rule: 'transcoded_from_windows_1252',
          message:
            'The file is not UTF-8: it was read as Windows-1252 (Excel\'s plain "CSV" format) from line 2, the first line with a non-ASCII character. Check that names with accents look right; if they do not, save the file as "CSV UTF-8" and upload it again.',
        },
      ],
    });
    const acknowledged = await disburse(['validate', fixture('windows-1252.csv'), '--json', '--acknowledge-warnings']);
    expect(acknowledged.code).toBe(0);
  });

  it('reports a file-level error (missing column) as one error', async () => {
    const run = await disburse(['validate', fixture('wrong-headers.csv'), '--json', '--policy', 'skip-invalid']);
    expect(run.code).toBe(1);
    const json = JSON.parse(run.stdout) as { errors: Array<{ rule: string; line: number }>; rows: number };
    expect(json.rows).toBe(0);
    expect(json.errors.map((e) => [e.line, e.rule])).toEqual([[1, 'missing_columns']]);
  });

  it('prints a short human summary without --json', async () => {
    const run = await disburse(['validate', fixture('amounts.csv'), '--max-errors', '2']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(
      [
        `${fixture('amounts.csv')}:`,
        '  15 rows: 5 valid, 10 invalid, 0 warnings',
        '  Total KES 255,010.50 (estimated fees KES 94.00)',
        '  Refused: 10 of 15 rows are invalid, and under the strict policy the whole file is refused. Fix the rows listed, or use the skip-invalid policy to pay the valid rows only.',
        'Errors (first 2 of 10):',
        '  line 5, column "Amount": "100.505" has 3 decimals; KES amounts have at most 2. If you meant 100,505, write it with commas (or without separators). (amount_too_many_decimals)',
        '  line 6, column "Amount": "0" is zero; every payout needs an amount above zero (remove the row if nobody is to be paid). (amount_not_positive)',
        '',
      ].join('\n'),
    );
  });

  it('writes the officer errors CSV, formulas neutralised', async () => {
    const path = join(dir, 'errors.csv');
    const run = await disburse(['validate', fixture('amounts.csv'), '--policy', 'skip-invalid', '--errors-csv', path, '--json']);
    expect(run.code).toBe(0);
    const csv = await readFile(path, 'utf8');
    const lines = csv.split('\n');
    expect(lines[0]).toBe('\ufeffline,row,severity,column,rule,value,message');
    expect(lines).toHaveLength(12); // header, 10 findings, final newline
    expect(lines[3]).toBe('7,6,error,Amount,amount_not_positive,\'-250,"""-250"" is negative; payouts must be positive amounts."');
  });

  it('reads standard input with "-", and takes limits from the environment and flags', async () => {
    const stdin = Buffer.from('Phone,Amount\n0712345678,5000\n');
    expect((await disburse(['validate', '-', '--json'], { stdin })).code).toBe(0);
    expect((await disburse(['validate', '-', '--json'], { stdin, env: { PAYOUT_MAX_AMOUNT: '4000' } })).code).toBe(1);
    expect((await disburse(['validate', '-', '--json', '--max-amount', '6000'], { stdin, env: { PAYOUT_MAX_AMOUNT: '4000' } })).code).toBe(0);
  });

  it('exits 2 for usage errors, with a clear message', async () => {
    const missing = await disburse(['validate', join(dir, 'nope.csv'), '--json']);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toContain(`disburse: File not found: ${join(dir, 'nope.csv')}`);

    const policy = await disburse(['validate', fixture('clean.csv'), '--policy', 'lenient']);
    expect(policy.code).toBe(2);
    expect(policy.stderr).toContain("argument 'lenient' is invalid. Allowed choices are strict, skip-invalid.");

    const ceiling = await disburse(['validate', fixture('clean.csv'), '--max-amount', '300000']);
    expect(ceiling.code).toBe(2);
    expect(ceiling.stderr).toContain("the maximum amount must be at most KES 250,000.00 (PesaWay's ceiling)");

    expect((await disburse(['validate'])).code).toBe(2);
    expect((await disburse(['validate', fixture('clean.csv'), '--frobnicate'])).code).toBe(2);
    expect((await disburse(['frobnicate'])).code).toBe(2);
    expect((await disburse(['validate', fixture('clean.csv')], { env: { PAYOUT_MIN_AMOUNT: 'ten' } })).code).toBe(2);
  });

  it('compares with the previous month: new payee, changed phone, amount +300%, missing payee; the exit code stays the validation\'s', async () => {
    const monthOne = join(dir, 'month-1.csv');
    const monthTwo = join(dir, 'month-2.csv');
    await writeFile(monthOne, 'employee_id,name,phone,amount\nE1,Ann,0712000001,50000\nE2,Ben,0712000002,40000\nE3,Cy,0712000003,20000\nE4,Di,0712000004,30000\n');
    await writeFile(monthTwo, 'employee_id,name,phone,amount\nE1,Ann,0712000001,50000\nE2,Ben,0799123222,40000\nE3,Cy,0712000003,80000\nE5,Ed,0712000005,25000\n');

    const text = await disburse(['validate', monthTwo, '--compare-with', monthOne]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`Compared with ${monthOne}: 1 new payee, 1 changed destination, 1 changed amount, 1 missing payee.`);
    expect(text.stdout).toContain('line 3: Employee E2 is paid to MPESA 2547*****222, last time to MPESA 2547*****002; confirm the change');
    expect(text.stdout).toContain('line 4: Employee E3 gets KES 80,000.00, last time KES 20,000.00 (+300%)');
    expect(text.stdout).toContain('line 5: New payee: employee E5 was not in the previous run');
    expect(text.stdout).toContain('previous file, line 5: Employee E4 was paid KES 30,000.00 last time');
    expect(text.stdout).not.toMatch(/799123222|712000002|0712000005/);
    // The summary comes first, the comparison after it.
    expect(text.stdout.indexOf('Accepted under')).toBeLessThan(text.stdout.indexOf('Compared with'));

    const json = await disburse(['validate', monthTwo, '--compare-with', monthOne, '--json']);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as { valid: number; comparison: { counts: object; previous: object; current: object; findings: Array<{ kind: string; line: number; employeeId: string }> } };
    expect(parsed.valid).toBe(4);
    expect(parsed.comparison.counts).toEqual({ new_payee: 1, destination_changed: 1, amount_changed: 1, payee_missing: 1 });
    expect(parsed.comparison.previous).toEqual({ count: 4, totalAmount: '140000.00' });
    expect(parsed.comparison.current).toEqual({ count: 4, totalAmount: '195000.00' });
    expect(parsed.comparison.findings.map((f) => [f.kind, f.line, f.employeeId])).toEqual([
      ['destination_changed', 3, 'E2'],
      ['amount_changed', 4, 'E3'],
      ['new_payee', 5, 'E5'],
      ['payee_missing', 5, 'E4'],
    ]);

    // Limited by --max-errors; a higher threshold lets the +300% pass; a refused file still exits 1, compared all the same.
    expect((await disburse(['validate', monthTwo, '--compare-with', monthOne, '--max-errors', '1'])).stdout).toContain('(first 1 of 4)');
    const lenient = JSON.parse((await disburse(['validate', monthTwo, '--compare-with', monthOne, '--json', '--amount-change', '400'])).stdout) as typeof parsed;
    expect(lenient.comparison.counts).toMatchObject({ amount_changed: 0 });
    const refused = await disburse(['validate', monthTwo, '--compare-with', monthOne, '--json', '--max-amount', '60000']);
    expect(refused.code).toBe(1);
    expect((JSON.parse(refused.stdout) as typeof parsed).comparison.counts).toEqual({ new_payee: 1, destination_changed: 1, amount_changed: 0, payee_missing: 2 });

    const unreadable = join(dir, 'not-a-payroll.csv');
    await writeFile(unreadable, '');
    const bad = await disburse(['validate', monthTwo, '--compare-with', unreadable]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('cannot be read as a payroll file');
    expect((await disburse(['validate', monthTwo, '--compare-with', join(dir, 'nope.csv')])).code).toBe(2);
  });

  it('shows help with exit code 0', async () => {
    const run = await disburse(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('validate [options] <file>');
    const sub = await disburse(['validate', '--help']);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain('--errors-csv <path>');
    expect(sub.stdout).toContain('--compare-with <previous.csv>');
    expect(sub.stdout.replace(/\s+/g, ' ')).toContain('never change the exit code');
  });
});
