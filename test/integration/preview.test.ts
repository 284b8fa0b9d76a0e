/**
 * The preview before anything is stored, and the payroll comparison, for real (issue 13): month one of a
 * payroll is submitted and paid under `payroll=acme-monthly`; month two's dry run shows, from PostgreSQL's
 * record of month one, the new payee, the changed phone (masked), the amount far from last time's and the
 * payee gone, each with its row; the fee estimate; and the sandbox wallet's balance and shortfall, read by
 * the worker through Temporal. A payroll without an earlier batch has no comparison, a cancelled batch is
 * no baseline, and with no worker the preview still answers 200, saying why the wallet is unknown.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feeFor } from '../../src/domain/fees.js';
import { formatMinor } from '../../src/domain/money.js';
import { API_KEYS, type Engine, startEngine } from '../support/engine.js';
import { http } from '../support/http.js';
import { eventually } from '../support/waiting.js';

interface Finding {
  kind: string;
  row: number | null;
  line: number | null;
  previousRow: number | null;
  previousLine: number | null;
  employeeId: string | null;
  destination: string | null;
  previousDestination: string | null;
  amount: string | null;
  previousAmount: string | null;
  relativeChange: number | null;
  message: string;
}

interface Comparison {
  previousBatchId: string;
  previousCreatedAt: string;
  counts: Record<string, number>;
  matched: number;
  previous: { count: number; totalAmount: string };
  current: { count: number; totalAmount: string };
  findings: Finding[];
  findingsTruncated: boolean;
}

interface Answer {
  created?: boolean;
  dryRun?: boolean;
  code?: string;
  detail?: string;
  existingOptions?: Record<string, unknown>;
  batch?: { id: string; payroll: string | null; status: string };
  report?: { accepted: boolean; rows: number };
  preview?: {
    rows: number;
    valid: number;
    invalid: number;
    warnings: number;
    totalAmount: string;
    estimatedFees: string;
    totalWithFees: string;
    wallet: { balance: string; shortfall: string } | null;
    walletUnavailable?: string;
    issuesTruncated: boolean;
    comparison: Comparison | null;
  };
  comparison?: Comparison | null;
}

const BIN = fileURLToPath(new URL('../../bin/disburse.js', import.meta.url));

/** The real `disburse` command as a child process (the API runs in this process, so never spawnSync). */
function disburse(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const HEADER = 'employee_id,name,phone,amount,reason';
const csv = (rows: string[][]): string => [HEADER, ...rows.map((r) => [...r, 'Salary'].join(','))].join('\n') + '\n';

const NOVEMBER = [
  ['E001', 'Achieng Otieno', '254711200001', '5000'],
  ['E002', 'Kamau Njoroge', '254711200002', '6000'],
  ['E003', 'Wanjiru Kariuki', '254711200003', '7000'],
  ['E004', 'Otieno Ouma', '254711200004', '8000'],
  ['E005', 'Mutua Musyoka', '254711200005', '9000'],
];
// E003's phone changed, E004's amount is 150% up, E005 is gone, E006 is new; E001 and E002 as before.
const DECEMBER = [
  ['E001', 'Achieng Otieno', '254711200001', '5000'],
  ['E002', 'Kamau Njoroge', '254711200002', '6000'],
  ['E003', 'Wanjiru Kariuki', '254722300003', '7000'],
  ['E004', 'Otieno Ouma', '254711200004', '20000'],
  ['E006', 'Njeri Wambui', '254711200006', '4000'],
];

describe('the preview of a payroll file and its comparison with the previous run', () => {
  let engine: Engine;
  let api: string;
  beforeAll(async () => {
    engine = await startEngine();
    api = await engine.startApi();
  });
  afterAll(async () => engine?.stop());

  const post = (body: string, query: string) => http<Answer>('POST', `${api}/v1/batches${query}`, { key: API_KEYS.alice, body, headers: { 'content-type': 'text/csv' } });
  const batchCount = async () => (await engine.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM batches')).rows[0]!.n;
  const byKind = (c: Comparison, kind: string) => c.findings.filter((f) => f.kind === kind);

  it('month one is stored under its payroll label, with nothing to compare with, and paid', async () => {
    const first = await post(csv(NOVEMBER), '?payroll=acme-monthly&batchId=acme-2026-11');
    expect(first.status).toBe(201);
    expect(first.body.batch).toMatchObject({ id: 'acme-2026-11', payroll: 'acme-monthly' });
    expect(first.body.comparison).toBeNull();
    const done = await eventually(async () => {
      const r = await http<{ status: string; payroll: string | null }>('GET', `${api}/v1/batches/acme-2026-11`, { key: API_KEYS.victor });
      return r.body.status === 'COMPLETED' ? r.body : undefined;
    }, 'month one paid', 90_000, 300);
    expect(done.payroll).toBe('acme-monthly');
    expect(engine.sandbox.ledger.report().totals.succeeded).toBe(5);

    // The same file again under another label is not silently kept under the first one.
    const relabelled = await post(csv(NOVEMBER), '?payroll=acme-casuals&batchId=acme-2026-11');
    expect(relabelled.status).toBe(409);
    expect(relabelled.body).toMatchObject({ code: 'options_differ', existingOptions: { payroll: 'acme-monthly' } });
    expect(relabelled.body.detail).toContain('payroll "acme-monthly"');
  }, 120_000);

  it('month two\'s dry run shows every change with its row, the fees and the wallet, and stores nothing', async () => {
    engine.sandbox.setBalance(300_00 * 100); // KES 30,000: less than December needs
    const before = await batchCount();
    const dry = await post(csv(DECEMBER), '?dryRun=true&payroll=acme-monthly');
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ dryRun: true, created: false, report: { accepted: true, rows: 5 } });
    expect(await batchCount()).toBe(before);

    const p = dry.body.preview!;
    const amountsMinor = DECEMBER.map((r) => Number(r[3]) * 100);
    const totalMinor = amountsMinor.reduce((a, b) => a + b, 0);
    const feesMinor = amountsMinor.reduce((a, b) => a + feeFor(b)!, 0);
    expect(feesMinor).toBeGreaterThan(0);
    expect(p).toMatchObject({ rows: 5, valid: 5, invalid: 0, warnings: 0, totalAmount: formatMinor(totalMinor), estimatedFees: formatMinor(feesMinor), totalWithFees: formatMinor(totalMinor + feesMinor) });
    const available = engine.sandbox.ledger.balance().availableMinor;
    expect(p.wallet).toEqual({ balance: formatMinor(available), shortfall: formatMinor(totalMinor + feesMinor - available) });
    expect(p.walletUnavailable).toBeUndefined();

    const c = p.comparison!;
    expect(c).toMatchObject({ previousBatchId: 'acme-2026-11', counts: { new_payee: 1, destination_changed: 1, amount_changed: 1, payee_missing: 1 }, matched: 4 });
    expect(c.previous).toEqual({ count: 5, totalAmount: '35000.00' });
    expect(c.current).toEqual({ count: 5, totalAmount: formatMinor(totalMinor) });
    expect(byKind(c, 'destination_changed')).toEqual([
      expect.objectContaining({ row: 3, line: 4, previousRow: 3, previousLine: 4, employeeId: 'E003', previousDestination: 'MPESA 2547*****003', destination: 'MPESA 2547*****003' }),
    ]);
    expect(byKind(c, 'amount_changed')).toEqual([
      expect.objectContaining({ row: 4, line: 5, previousRow: 4, employeeId: 'E004', amount: '20000.00', previousAmount: '8000.00', relativeChange: 1.5 }),
    ]);
    expect(byKind(c, 'new_payee')).toEqual([expect.objectContaining({ row: 5, line: 6, previousRow: null, employeeId: 'E006', destination: 'MPESA 2547*****006', amount: '4000.00' })]);
    expect(byKind(c, 'payee_missing')).toEqual([
      expect.objectContaining({ row: null, line: null, previousRow: 5, previousLine: 6, employeeId: 'E005', destination: 'MPESA 2547*****005', previousAmount: '9000.00' }),
    ]);
    // The changed number is told apart although its masks agree, and no full number leaves the API.
    expect(byKind(c, 'destination_changed')[0]!.message).toMatch(/hidden digits/);
    for (const [, , phone] of [...NOVEMBER, ...DECEMBER]) expect(JSON.stringify(dry.body)).not.toContain(phone!.slice(3));
  }, 60_000);

  it('the real submission answers with the same comparison, and the batch page recomputes it', async () => {
    const sent = await post(csv(DECEMBER), '?payroll=acme-monthly&batchId=acme-2026-12');
    expect(sent.status).toBe(201);
    expect(sent.body.batch!.payroll).toBe('acme-monthly');
    expect(sent.body.comparison).toMatchObject({ previousBatchId: 'acme-2026-11', counts: { new_payee: 1, destination_changed: 1, amount_changed: 1, payee_missing: 1 } });
    const page = await http<{ batchId: string; payroll: string; comparison: Comparison }>('GET', `${api}/v1/batches/acme-2026-12/comparison`, { key: API_KEYS.victor });
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ batchId: 'acme-2026-12', payroll: 'acme-monthly' });
    expect(page.body.comparison.findings).toEqual(sent.body.comparison!.findings);
    // Resubmitting it (same file, id and label) returns the existing batch, with its comparison again.
    const again = await post(csv(DECEMBER), '?payroll=acme-monthly&batchId=acme-2026-12');
    expect(again.status).toBe(200);
    expect(again.body.comparison!.findings).toEqual(sent.body.comparison!.findings);
    // Month one is still compared with nothing before it.
    const first = await http<{ comparison: Comparison | null }>('GET', `${api}/v1/batches/acme-2026-11/comparison`, { key: API_KEYS.victor });
    expect(first.body.comparison).toBeNull();
    expect((await http('GET', `${api}/v1/batches/nope/comparison`, { key: API_KEYS.victor })).status).toBe(404);

    const listed = await http<{ items: Array<{ id: string }> }>('GET', `${api}/v1/batches?payroll=acme-monthly`, { key: API_KEYS.victor });
    expect(listed.body.items.map((b) => b.id)).toEqual(['acme-2026-12', 'acme-2026-11']);
    const none = await http<{ items: unknown[] }>('GET', `${api}/v1/batches?payroll=acme-casuals`, { key: API_KEYS.victor });
    expect(none.body.items).toEqual([]);
    expect((await http('GET', `${api}/v1/batches?payroll=${encodeURIComponent(' leading-space')}`, { key: API_KEYS.victor })).status).toBe(400);
  }, 60_000);

  it('a payroll without an earlier batch has no comparison; a bad label is refused', async () => {
    const dry = await post(csv(DECEMBER), '?dryRun=true&payroll=brand-new payroll');
    expect(dry.status).toBe(200);
    expect(dry.body.preview!.comparison).toBeNull();
    expect(dry.body.preview!.wallet).not.toBeNull();
    const bad = await post(csv(DECEMBER), '?dryRun=true&payroll=-starts-with-a-dash');
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('invalid_request');
  }, 30_000);

  it('a cancelled batch is no baseline: the comparison skips to the run before it', async () => {
    const weekOne = [['W1', 'Casual One', '254711300001', '1500'], ['W2', 'Casual Two', '254711300002', '1500']];
    const weekTwo = [['W1', 'Casual One', '254711300001', '1500'], ['W3', 'Casual Three', '254711300003', '1500']];
    expect((await post(csv(weekOne), '?payroll=acme-weekly&batchId=weekly-1&approvalRequired=true')).status).toBe(201);
    expect((await post(csv(weekTwo), '?payroll=acme-weekly&batchId=weekly-2&approvalRequired=true')).status).toBe(201);
    await eventually(async () => {
      const r = await http<{ status: string }>('GET', `${api}/v1/batches/weekly-2`, { key: API_KEYS.victor });
      return r.body.status === 'AWAITING_APPROVAL' || undefined;
    }, 'weekly-2 awaiting approval', 30_000, 200);
    expect((await http('POST', `${api}/v1/batches/weekly-2/cancel`, { key: API_KEYS.alice })).status).toBe(202);
    await eventually(async () => {
      const r = await http<{ status: string }>('GET', `${api}/v1/batches/weekly-2`, { key: API_KEYS.victor });
      return r.body.status === 'CANCELLED' || undefined;
    }, 'weekly-2 cancelled', 30_000, 200);

    const dry = await post(csv(weekTwo), '?dryRun=true&payroll=acme-weekly');
    const c = dry.body.preview!.comparison!;
    expect(c.previousBatchId).toBe('weekly-1');
    expect(c.counts).toEqual({ new_payee: 1, destination_changed: 0, amount_changed: 0, payee_missing: 1 });
  }, 60_000);

  it('disburse submit --dry-run --payroll prints the wallet and the comparison; status and list show the payroll', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'preview-cli-'));
    try {
      const file = join(dir, 'december.csv');
      await writeFile(file, csv(DECEMBER));
      const env = { DISBURSE_API_URL: api, DISBURSE_API_KEY: API_KEYS.alice };
      const dry = await disburse(['submit', file, '--dry-run', '--payroll', 'acme-monthly'], env);
      expect(dry.stderr).toBe('');
      expect(dry.code).toBe(0);
      expect(dry.stdout).toContain(`Dry run of ${file}: nothing was stored.`);
      expect(dry.stdout).toMatch(/With estimated fees the wallet must hold KES [\d,]+\.\d{2}\n/);
      expect(dry.stdout).toMatch(/Wallet balance KES [\d,]+\.\d{2}: (short by KES [\d,]+\.\d{2}|enough)/);
      expect(dry.stdout).toMatch(/Compared with batch acme-2026-12 of payroll "acme-monthly" \(.+ UTC\): 0 new payees, 0 changed destinations, 0 changed amounts, 0 missing payees\./);

      // One payee fewer than the last run: the missing one is placed on the previous batch's line.
      const nov = join(dir, 'november.csv');
      await writeFile(nov, csv(DECEMBER.slice(0, 4)));
      const diff = await disburse(['submit', nov, '--dry-run', '--payroll', 'acme-monthly'], env);
      expect(diff.stdout).toContain('0 new payees, 0 changed destinations, 0 changed amounts, 1 missing payee.');
      expect(diff.stdout).toMatch(/previous batch, line 6: Employee E006 was paid KES 4,000\.00 last time .*\(payee_missing\)/);

      const bad = await disburse(['submit', file, '--dry-run', '--payroll', '-nope'], env);
      expect(bad.code).toBe(2);

      const status = await disburse(['status', 'acme-2026-12'], env);
      expect(status.stdout).toContain('Payroll "acme-monthly"');
      const list = await disburse(['list', '--payroll', 'acme-monthly'], env);
      expect(list.stdout).toMatch(/acme-2026-12[\s\S]*acme-2026-11/);
      expect(list.stdout).not.toContain('weekly-1');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('with no worker to ask, the preview still answers 200 and says why the wallet is unknown', async () => {
    await engine.stopWorkers();
    const started = Date.now();
    const dry = await post(csv(DECEMBER), '?dryRun=true&payroll=acme-monthly');
    expect(dry.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(9000);
    expect(dry.body.preview!.wallet).toBeNull();
    expect(dry.body.preview!.walletUnavailable).toMatch(/worker/);
    // Everything that needs no worker is still there.
    expect(dry.body.preview!.comparison!.previousBatchId).toBe('acme-2026-12');
    expect(dry.body.preview!.totalWithFees).toMatch(/^\d+\.\d{2}$/);
  }, 30_000);
});
