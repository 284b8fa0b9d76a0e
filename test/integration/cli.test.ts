/**
 * The `disburse` API commands as real child processes against a real stack: PostgreSQL, the shared
 * Temporal dev server, workers, the PesaWay sandbox and the HTTP API.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flagPayout } from '../../src/db/payout-attention.js';
import { TEST_PHONES } from '../../src/sandbox/index.js';
import { API_KEYS, type Engine, startEngine } from '../support/engine.js';
import { payrollCsv, payrollRows } from '../support/payroll.js';
import { eventually } from '../support/waiting.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface Running {
  /** Everything written to stdout so far. */
  stdout: () => string;
  done: Promise<Run>;
}

/** Starts the real `disburse` command; the environment is the test's own plus `env`. */
function start(args: string[], env: Record<string, string>, stdin?: string): Running {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'disburse.js'), ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(stdin ?? '');
  const done = new Promise<Run>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { stdout: () => stdout, done };
}

const disburse = (args: string[], env: Record<string, string>, stdin?: string): Promise<Run> => start(args, env, stdin).done;

/** Exactly one JSON object on stdout. */
function onlyJson<T>(run: Run): T {
  expect(run.stdout.trim().split('\n')).toHaveLength(1);
  return JSON.parse(run.stdout) as T;
}

/** util-linux `script` (Linux) can run a command on a pseudo-terminal; BSD `script` takes other flags. */
function hasUtilLinuxScript(): boolean {
  const probe = spawnSync('script', ['--version'], { encoding: 'utf8' });
  return probe.status === 0 && probe.stdout.includes('util-linux');
}

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 9;
}

interface BatchJson {
  id: string;
  status: string;
  rows: number;
  totalAmount: string;
  progress: { counts: Record<string, number>; amounts: Record<string, string> };
}

describe('disburse API commands (real child processes, real stack)', () => {
  let engine: Engine;
  let api: string;
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    [engine, dir] = await Promise.all([startEngine(), mkdtemp(join(tmpdir(), 'disburse-cli-api-'))]);
    api = await engine.startApi();
    env = { DISBURSE_API_URL: api, DISBURSE_API_KEY: API_KEYS.alice };
  });
  afterAll(async () => {
    await engine?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const csvFile = async (name: string, csv: string): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, csv);
    return path;
  };

  it('submit prints the batch id, counts and total; again with --json, one object naming the same batch', async () => {
    const file = await csvFile('submit.csv', payrollCsv(payrollRows(3, { amount: () => 1000, phone: (i) => `2547${95_000_000 + i}` })));
    const run = await disburse(['submit', file, '--batch-id', 'cli-submit'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        `Batch cli-submit created from ${file}.`,
        '  3 rows: 3 valid, 0 invalid, 0 warnings',
        '  Total KES 3,000.00 (estimated fees KES 36.00)',
        'Follow it with: disburse watch cli-submit',
        '',
      ].join('\n'),
    );

    const again = await disburse(['submit', file, '--batch-id', 'cli-submit', '--json'], env);
    expect(again.code).toBe(0);
    expect(onlyJson(again)).toMatchObject({ created: false, batch: { id: 'cli-submit', rows: 3, totalAmount: '3000.00' } });

    // Standard input, named by an idempotency key: created once, then the same batch.
    const csv = payrollCsv(payrollRows(2, { phone: (i) => `2547${95_000_100 + i}` }));
    const first = onlyJson<{ created: boolean; batch: { id: string }; report: { valid: number } }>(await disburse(['submit', '-', '--idempotency-key', 'cli-stdin', '--json'], env, csv));
    expect(first).toMatchObject({ created: true, report: { valid: 2 } });
    const second = onlyJson<{ created: boolean; batch: { id: string } }>(await disburse(['submit', '-', '--idempotency-key', 'cli-stdin', '--json'], env, csv));
    expect(second).toMatchObject({ created: false, batch: { id: first.batch.id } });
  });

  it('submit of a bad file exits 1 with its findings; --dry-run stores nothing', async () => {
    const bad = await csvFile('bad.csv', 'employee_id,name,phone,amount\nE1,Ann,0795000201,100\nE2,Ben,020 123 4567,100\nE3,Cy,0795000202,12.345\n');
    const refused = await disburse(['submit', bad, '--batch-id', 'cli-bad'], env);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(`Payroll refused: ${bad} was not stored.`);
    expect(refused.stdout).toContain('3 rows: 1 valid, 2 invalid, 0 warnings');
    expect(refused.stdout).toMatch(/Errors:\n {2}line 3, column "phone": .+ \(phone_not_kenyan_mobile\)\n {2}line 4, column "amount": .+ \(amount_too_many_decimals\)\n/);
    const json = onlyJson<{ code: string; report: { invalid: number; errors: Array<{ line: number; rule: string }> } }>(await disburse(['submit', bad, '--json'], env));
    expect(json).toMatchObject({ code: 'payroll_refused', report: { invalid: 2 } });
    expect(json.report.errors.map((e) => [e.line, e.rule])).toEqual([[3, 'phone_not_kenyan_mobile'], [4, 'amount_too_many_decimals']]);

    const batchesBefore = await engine.db.pool.query('SELECT count(*)::int AS n FROM batches');
    const good = await csvFile('dry.csv', payrollCsv(payrollRows(2, { amount: () => 500, phone: (i) => `2547${95_000_200 + i}` })));
    const dry = await disburse(['submit', good, '--dry-run', '--batch-id', 'cli-dry'], env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`Dry run of ${good}: nothing was stored.`);
    expect(dry.stdout).toContain('Total KES 1,000.00');
    expect((await disburse(['submit', bad, '--dry-run'], env)).code).toBe(1);
    expect(await engine.db.pool.query('SELECT count(*)::int AS n FROM batches')).toMatchObject({ rows: batchesBefore.rows });
    expect((await disburse(['status', 'cli-dry'], env)).code).toBe(2);

    // Over the API's upload limit: the API answers 413 and hangs up, usually while the file is still being sent.
    const small = await engine.startApi({ maxUploadBytes: 10_000 });
    const big = await csvFile('big.csv', payrollCsv(payrollRows(20_000, { phone: (i) => `2547${96_000_000 + i}` })));
    const tooBig = await disburse(['submit', big], { ...env, DISBURSE_API_URL: small });
    expect(tooBig.stdout).toBe('');
    if (tooBig.code === 2) expect(tooBig.stderr).toContain('File too large (HTTP 413)');
    else expect(tooBig).toMatchObject({ code: 3, stderr: expect.stringContaining('split it into smaller files') });
  });

  it('submit --watch follows the batch to COMPLETED with plain lines (not a TTY) and exits 0; list and status --json', async () => {
    const file = await csvFile('watch.csv', payrollCsv(payrollRows(5, { amount: () => 1000, phone: (i) => `2547${95_000_300 + i}` })));
    const run = await disburse(['submit', file, '--batch-id', 'cli-watch', '--watch', '--interval', '200'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // eslint-disable-next-line no-control-regex
    expect(run.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    const lines = run.stdout.split('\n');
    expect(new Set(lines.filter((l) => /^[A-Z_]+: /.test(l))).size).toBe(lines.filter((l) => /^[A-Z_]+: /.test(l)).length);
    expect(lines).toContain('COMPLETED: 5 paid, 0 failed, 0 pending of 5; KES 5,000.00 of KES 5,000.00 paid');
    expect(lines).toContain('Batch cli-watch: COMPLETED');
    expect(lines.at(-2)).toBe('All 5 payouts paid: KES 5,000.00.');

    const status = onlyJson<BatchJson>(await disburse(['status', 'cli-watch', '--json'], env));
    expect(status).toMatchObject({ id: 'cli-watch', status: 'COMPLETED', progress: { counts: { succeeded: 5, failed: 0 }, amounts: { succeeded: '5000.00', total: '5000.00' } } });
    const human = await disburse(['status', 'cli-watch'], env);
    expect(human.stdout).toContain('Batch cli-watch: COMPLETED\n');
    expect(human.stdout).toContain('  Payouts: 5 paid, 0 failed, 0 pending (of 5)\n');

    const list = onlyJson<{ items: BatchJson[]; nextCursor: string | null }>(await disburse(['list', '--json', '--status', 'COMPLETED'], env));
    expect(list.items.map((b) => b.id)).toContain('cli-watch');
    expect(list.items.every((b) => b.status === 'COMPLETED')).toBe(true);
    const table = await disburse(['list', '--limit', '50'], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^BATCH +STATUS +PAYOUTS +TOTAL +SUBMITTED BY +CREATED \(UTC\)\n/);
    expect(table.stdout).toMatch(/\ncli-watch +COMPLETED +5 +KES 5,000\.00 +alice +\d{4}-\d{2}-\d{2} \d{2}:\d{2}\n/);
  });

  it.runIf(hasUtilLinuxScript())('watch on a terminal draws a progress bar and leaves the cursor as it was', async () => {
    const file = await csvFile('tty.csv', payrollCsv(payrollRows(3, { amount: () => 1000, phone: (i) => `2547${95_000_700 + i}` })));
    expect((await disburse(['submit', file, '--batch-id', 'cli-tty'], env)).code).toBe(0);
    // `script` gives the command a pseudo-terminal; -e passes on its exit code.
    const command = `${JSON.stringify(process.execPath)} bin/disburse.js watch cli-tty --interval 200`;
    const run = await new Promise<Run>((resolve, reject) => {
      const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, stdout, stderr: '' }));
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('\u001b[?25l'); // cursor hidden while the bar runs
    expect(run.stdout).toContain('100% | KES 3,000.00 of KES 3,000.00 paid');
    expect(run.stdout).toContain('COMPLETED: 3 paid, 0 failed, 0 pending');
    expect(run.stdout).toContain('\u001b[?25h'); // and shown again
    expect(run.stdout).toContain('All 3 payouts paid: KES 3,000.00.');
  });

  it('watch exits 1 when a payout fails; report -o writes the CSV, and to stdout without -o', async () => {
    const rows = payrollRows(3, { amount: () => 700, phone: (i) => (i === 1 ? TEST_PHONES.unregistered : `2547${95_000_400 + i}`) });
    const file = await csvFile('fail.csv', payrollCsv(rows));
    expect((await disburse(['submit', file, '--batch-id', 'cli-fail'], env)).code).toBe(0);
    const watched = await disburse(['watch', 'cli-fail', '--interval', '200'], env);
    expect(watched.code).toBe(1);
    expect(watched.stdout).toContain('COMPLETED: 2 paid, 1 failed, 0 pending of 3; KES 1,400.00 of KES 2,100.00 paid');
    expect(watched.stdout).toContain('1 payout of 3 not paid (1 failed). Row by row: disburse report cli-fail');
    expect(watched.stdout).toContain('Pay the failed rows again, under new references: disburse retry-failed cli-fail');

    const out = join(dir, 'cli-fail-report.csv');
    const report = await disburse(['report', 'cli-fail', '-o', out], env);
    expect(report).toMatchObject({ code: 0, stdout: `Wrote 3 rows of batch cli-fail to ${out}.\n` });
    const csv = await readFile(out, 'utf8');
    const lines = csv.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^row,line,attempt,reference,/);
    expect(lines.filter((l) => l.includes(',failed,'))).toHaveLength(1);
    expect(csv).not.toMatch(/2547\d{8}/);
    const toStdout = await disburse(['report', 'cli-fail'], { ...env, DISBURSE_API_KEY: API_KEYS.victor });
    expect(toStdout).toMatchObject({ code: 0, stdout: csv, stderr: '' });
    const errorsCsv = await disburse(['report', 'cli-fail', '--errors'], env);
    expect(errorsCsv.stdout.trim().split('\n')).toHaveLength(1);

    // The failed payout needs a person: `attention` lists it across batches, `payout` tells its story.
    const failedReference = lines.find((l) => l.includes(',failed,'))!.split(',')[3]!;
    const attention = await disburse(['attention', '--status', 'failed'], env);
    expect(attention.code).toBe(0);
    expect(attention.stdout).toContain('disburse retry-failed <batch>');
    expect(attention.stdout).toMatch(new RegExp(`${failedReference}\\s+cli-fail\\s+2\\s+KES 700.00`));
    const story = await disburse(['payout', failedReference.toLowerCase()], env);
    expect(story.code).toBe(0);
    expect(story.stdout).toContain(`${failedReference}  failed  KES 700.00 to 2547*****404 (MPESA)`);
    expect(story.stdout).toContain('batch cli-fail, row 2');
    for (const step of ['sent to PesaWay', 'accepted by PesaWay (200.001)', 'result callback received', 'failed at PesaWay']) expect(story.stdout).toContain(step);
    expect(story.stdout).not.toContain(TEST_PHONES.unregistered);
    const asJson = onlyJson<{ payout: { reference: string }; timeline: unknown[] }>(await disburse(['payout', failedReference, '--json'], env));
    expect(asJson.payout.reference).toBe(failedReference);
    expect((await disburse(['payout', 'nope'], env)).code).toBe(2);

    // A flagged payout resolved by a person: approvers only; a second resolve finds nothing open (exit 1).
    await flagPayout(engine.db.pool, { reference: failedReference, reason: 'failure_unconfirmed', source: 'retry', detail: { answer: 'pending' } });
    const note = ['resolve', failedReference, '--note', 'PesaWay support: failed, not paid'];
    expect((await disburse(note, { ...env, DISBURSE_API_KEY: API_KEYS.victor })).code).toBe(4);
    const resolved = await disburse(note, { ...env, DISBURSE_API_KEY: API_KEYS.bob });
    expect(resolved).toMatchObject({ code: 0, stdout: `Resolved the flags on ${failedReference} (failure_unconfirmed) as bob.\n` });
    expect((await disburse(note, { ...env, DISBURSE_API_KEY: API_KEYS.bob })).code).toBe(1);
    expect((await disburse(['payout', failedReference], env)).stdout).toContain('resolved by bob at');
  });

  it('exit codes: 4 for a role that may not, 2 without a key or for an unknown batch, 3 when the API is unreachable, 1 for a wrong state', async () => {
    const file = await csvFile('approval.csv', payrollCsv(payrollRows(2, { phone: (i) => `2547${95_000_500 + i}` })));
    expect((await disburse(['submit', file, '--batch-id', 'cli-approval', '--approval-required'], env)).code).toBe(0);
    await eventually(async () => {
      const s = onlyJson<BatchJson>(await disburse(['status', 'cli-approval', '--json'], env));
      return s.status === 'AWAITING_APPROVAL' ? s : undefined;
    }, 'cli-approval AWAITING_APPROVAL', 30_000, 200);
    const awaiting = await disburse(['status', 'cli-approval'], env);
    expect(awaiting.stdout).toContain('Awaiting approval: another user with the approver role runs `disburse approve cli-approval`');

    const viewer = await disburse(['approve', 'cli-approval'], { ...env, DISBURSE_API_KEY: API_KEYS.victor });
    expect(viewer.code).toBe(4);
    expect(viewer.stdout).toBe('');
    expect(viewer.stderr).toContain('victor has the viewer role; this needs approver.');
    expect(viewer.stderr).toContain('Use the API key of a user who holds that role');
    expect(viewer.stderr).not.toContain(API_KEYS.victor);
    const unknownKey = await disburse(['status', 'cli-approval'], { ...env, DISBURSE_API_KEY: 'not-a-key-at-all-0000' });
    expect(unknownKey.code).toBe(4);
    expect(unknownKey.stderr).not.toContain('not-a-key-at-all-0000');
    const approved = await disburse(['approve', 'cli-approval', '--json'], { ...env, DISBURSE_API_KEY: API_KEYS.bob });
    expect(approved.code).toBe(0);
    expect(onlyJson(approved)).toEqual({ batchId: 'cli-approval', action: 'approve', by: 'bob' });

    const port = await closedPort();
    const [noKey, down, flag, unknown, badId, badLimit] = await Promise.all([
      disburse(['status', 'cli-approval'], { ...env, DISBURSE_API_KEY: '' }),
      disburse(['list'], { ...env, DISBURSE_API_URL: `http://127.0.0.1:${port}` }),
      disburse(['status', 'cli-approval', '--api-url', `http://127.0.0.1:${port}`], env),
      disburse(['status', 'cli-nope'], env),
      disburse(['status', 'not a batch id'], env),
      disburse(['list', '--limit', 'lots'], env),
    ]);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('disburse: No API key: set DISBURSE_API_KEY (or pass --api-key <key>).');
    expect(down.code).toBe(3);
    expect(down.stderr).toContain(`Cannot reach the API at http://127.0.0.1:${port}/v1/batches: ECONNREFUSED.`);
    expect(down.stderr).toContain('Is the API running? Start it with `npm start`');
    expect(flag.code).toBe(3);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Batch cli-nope does not exist.');
    expect(badId.code).toBe(2);
    expect(badLimit.code).toBe(2);

    await eventually(async () => {
      const s = onlyJson<BatchJson>(await disburse(['status', 'cli-approval', '--json'], env));
      return s.status === 'COMPLETED' ? s : undefined;
    }, 'cli-approval COMPLETED', 60_000, 250);
    const late = await disburse(['pause', 'cli-approval'], env);
    expect(late.code).toBe(1);
    expect(late.stderr).toContain('Batch cli-approval is COMPLETED; pause needs it to be RUNNING or AWAITING_FUNDS.');
  });

  it('submit --pay-at schedules the batch (status says until when and what to do); reject --reason by another approver cancels it', async () => {
    const file = await csvFile('scheduled.csv', payrollCsv(payrollRows(2, { phone: (i) => `2547${95_000_700 + i}` })));
    const bad = await disburse(['submit', file, '--batch-id', 'cli-scheduled', '--pay-at', '2026-12-25T06:00:00'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('not an RFC 3339 date-time with an offset');
    expect(bad.stderr).toContain('e.g. 2026-12-25T06:00:00+03:00');

    const payAt = new Date(Date.now() + 3_600_000).toISOString();
    const submitted = await disburse(['submit', file, '--batch-id', 'cli-scheduled', '--approval-required', '--pay-at', payAt], env);
    expect(submitted.code).toBe(0);
    expect(submitted.stdout).toContain(`Scheduled: it pays at ${payAt}; nothing is sent before then. Before then, another user with the approver role runs: disburse approve cli-scheduled`);
    const status = await disburse(['status', 'cli-scheduled'], env);
    expect(status.stdout).toContain('Batch cli-scheduled: SCHEDULED');
    expect(status.stdout).toContain(`  Pays at ${payAt.replace('T', ' ').slice(0, 16)} UTC (${payAt})`);
    expect(status.stdout).toContain('Scheduled: nothing is sent before');
    expect(status.stdout).toContain('`disburse reject cli-scheduled --reason "…"`');

    const noReason = await disburse(['reject', 'cli-scheduled'], { ...env, DISBURSE_API_KEY: API_KEYS.bob });
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain("required option '--reason <text>' not specified");
    const self = await disburse(['reject', 'cli-scheduled', '--reason', 'mine'], { ...env, DISBURSE_API_KEY: API_KEYS.aliceApprover });
    expect(self.code).toBe(4);
    expect(self.stderr).toContain('another approver must decide on it');
    const rejected = await disburse(['reject', 'cli-scheduled', '--reason', 'Wrong month', '--json'], { ...env, DISBURSE_API_KEY: API_KEYS.bob });
    expect(rejected.code).toBe(0);
    expect(onlyJson(rejected)).toEqual({ batchId: 'cli-scheduled', action: 'reject', by: 'bob' });
    await eventually(async () => {
      const s = onlyJson<BatchJson>(await disburse(['status', 'cli-scheduled', '--json'], env));
      return s.status === 'CANCELLED' ? s : undefined;
    }, 'cli-scheduled CANCELLED', 30_000, 250);
    expect((await disburse(['status', 'cli-scheduled'], env)).stdout).toMatch(/ {2}Rejected by bob at \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC: Wrong month/);
  });

  it('callbacks shows the forged callbacks ever refused, from PostgreSQL', async () => {
    const before = await disburse(['callbacks', '--json'], env);
    expect(before.code).toBe(0);
    const counted = (JSON.parse(before.stdout) as { forgedEver: { token: number } }).forgedEver.token;
    const forged = await fetch(`${api}/callbacks/pesaway/CLIR1A1/not-the-token`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(forged.status).toBe(401);
    const run = await disburse(['callbacks'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Forged callbacks ever refused: ${counted + 1} (${counted + 1} bad URL token, 0 bad signature)`);
    expect(run.stdout).toMatch(/keep CALLBACK_SECRET secret/);
  });

  it('sandbox top-up raises the sandbox balance', async () => {
    const before = engine.sandbox.ledger.report().balance.currentMinor;
    const run = await disburse(['sandbox', 'top-up', '500'], { ...env, PESAWAY_BASE_URL: engine.sandbox.url });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Sandbox wallet topped up by KES 500\.00: balance KES [\d,]+\.\d{2} \(available KES [\d,]+\.\d{2}\)\.\n$/);
    expect(engine.sandbox.ledger.report().balance.currentMinor).toBe(before + 500_00);
    const json = onlyJson<{ amount: string; fundsAdded: null }>(await disburse(['sandbox', 'top-up', 'KES 1,000.50', '--json', '--sandbox-url', engine.sandbox.url], env));
    expect(json).toMatchObject({ amount: '1000.50', fundsAdded: null });
    expect(engine.sandbox.ledger.report().balance.currentMinor).toBe(before + 500_00 + 1000_50);
    expect((await disburse(['sandbox', 'top-up', '-5', '--sandbox-url', engine.sandbox.url], env)).code).toBe(2);
  });
});

describe('disburse watch while the wallet runs out (AWAITING_FUNDS)', () => {
  // 5 payouts of KES 1,000, each costing 1,000 + 12 fee; the wallet covers 2 of them.
  const PER_PAYOUT = 1000_00 + 12_00;
  let engine: Engine;
  let env: Record<string, string>;
  let dir: string;
  beforeAll(async () => {
    [engine, dir] = await Promise.all([
      startEngine({
        sandbox: { balanceMinor: 2 * PER_PAYOUT, settleDelayMs: { min: 20, max: 100 } },
        // Balance polls too slow to matter: only the funds-added signal can resume it within the test.
        settings: { windowSize: 5, pageSize: 5, fundsPollInitialMs: 60_000, fundsPollMaxMs: 60_000 },
      }),
      mkdtemp(join(tmpdir(), 'disburse-cli-funds-')),
    ]);
    env = { DISBURSE_API_URL: await engine.startApi(), DISBURSE_API_KEY: API_KEYS.alice, PESAWAY_BASE_URL: engine.sandbox.url };
  });
  afterAll(async () => {
    await engine?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('shows the shortfall; sandbox top-up --batch lets the batch finish', async () => {
    const file = join(dir, 'funds.csv');
    await writeFile(file, payrollCsv(payrollRows(5, { amount: () => 1000, phone: (i) => `2547${95_000_600 + i}` })));
    expect((await disburse(['submit', file, '--batch-id', 'cli-funds'], env)).code).toBe(0);

    const watch = start(['watch', 'cli-funds', '--interval', '200'], env);
    // The notice can come before the covered payouts settle; the batch is stable once both are shown.
    const notice = 'Awaiting funds: top up at least KES 3,036.00 (available KES 0.00), then run `disburse funds-added cli-funds`\n';
    const stable = /(^|\n)AWAITING_FUNDS: 2 paid, 0 failed, 3 pending \(3 awaiting funds\) of 5; KES 2,000\.00 of KES 5,000\.00 paid\n/;
    await eventually(() => Promise.resolve(watch.stdout().includes(notice) && stable.test(watch.stdout()) ? true : undefined), 'the shortfall notice', 60_000, 200);

    const topUp = await disburse(['sandbox', 'top-up', '3036', '--batch', 'cli-funds'], env);
    expect(topUp.code).toBe(0);
    expect(topUp.stdout).toContain('Sandbox wallet topped up by KES 3,036.00');
    expect(topUp.stdout).toContain('Batch cli-funds told that funds were added (by alice)');

    const done = await watch.done;
    expect(done.code).toBe(0);
    expect(done.stdout).toContain('COMPLETED: 5 paid, 0 failed, 0 pending of 5; KES 5,000.00 of KES 5,000.00 paid');
    expect(done.stdout).toContain('All 5 payouts paid: KES 5,000.00.');
  });
});
