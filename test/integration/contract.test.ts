/**
 * The OpenAPI document against the running API: schemathesis (pinned, from PyPI) generates requests from
 * /openapi.json, valid and invalid, sends them to the real API (real PostgreSQL, Temporal and the PesaWay
 * sandbox behind it) and runs every check it has (`--checks all`): no 5xx; every status, content type, header
 * and body as documented; invalid input refused; valid input accepted; undeclared methods answered 405 with
 * `Allow`; the bearer key enforced wherever the document says it is needed; created batches readable. Its
 * phases: examples, coverage (boundaries and each way to break a parameter), fuzzing, and stateful runs that
 * follow the document's links (submit a batch, then read it, pause it, cancel it, retry it, …).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSchemathesis } from '../../src/dev/schemathesis.js';
import { resultsToken } from '../../src/pesaway/results-url.js';
import { API_KEYS, CALLBACK_SECRET, type Engine, startEngine } from '../support/engine.js';
import { csvUpload, http } from '../support/http.js';
import { payrollCsv, payrollRows } from '../support/payroll.js';
import { eventually } from '../support/waiting.js';

const CONFIG = fileURLToPath(new URL('../contract/schemathesis.toml', import.meta.url));
const HOOKS = fileURLToPath(new URL('../contract/hooks.py', import.meta.url));
/** A reference no payout has: callbacks for it are stored and classified `unknown_payout` (or `malformed`). */
const CALLBACK_REFERENCE = 'CONTRACT000R1A1';
/** Submitted by alice, waiting for approval: the approver's run approves it (once; then it is a 409). */
const APPROVAL_BATCH = 'contract-approval';
/** Examples per operation and phase; 40 keeps the whole file near 1.5 minutes on 2 cores. */
const EXAMPLES = Number(process.env['CONTRACT_EXAMPLES'] ?? 40);

interface Run {
  code: number | null;
  output: string;
  seconds: number;
  /** `METHOD /path/template` -> statuses answered, from the run's HAR. */
  statuses: Map<string, Set<number>>;
}

/** The operation a request was for, by its path (ids and tokens folded back into the template). */
function operationOf(method: string, url: string): string {
  const path = new URL(url).pathname
    .replace(/^\/callbacks\/pesaway\/[^/]+\/[^/]+$/, '/callbacks/pesaway/{reference}/{token}')
    .replace(/^\/v1\/payouts\/[^/]+$/, '/v1/payouts/{reference}')
    .replace(/^\/v1\/batches\/[^/]+(\/[a-z.-]+)?$/, (_, rest: string | undefined) => `/v1/batches/{id}${rest ?? ''}`);
  return `${method} ${path}`;
}

async function schemathesis(bin: string, who: keyof typeof API_KEYS, args: string[], workDir: string): Promise<Run> {
  const har = join(workDir, `${who}.har`);
  const started = Date.now();
  const command = [
    '--config-file', CONFIG, 'run', ...args,
    '--checks', 'all',
    '--header', `Authorization: Bearer ${API_KEYS[who]}`,
    '--seed', process.env['CONTRACT_SEED'] ?? '20261202',
    // One worker: with several threads, Hypothesis's ast.parse trips CPython 3.11.7's "AST constructor
    // recursion depth mismatch" (a race fixed in later CPython releases) and the run reports an error.
    '--workers', '1',
    '--request-timeout', '30',
    '--generation-database', 'none',
    '--no-color',
    '--report', 'har', '--report-har-path', har,
  ];
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
    // Run in a scratch folder: schemathesis keeps a cache (.schemathesis, .hypothesis) in its working directory.
    const child = spawn(bin, command, {
      cwd: workDir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        SCHEMATHESIS_HOOKS: HOOKS,
        CONTRACT_CALLBACK_REFERENCE: CALLBACK_REFERENCE,
        CONTRACT_CALLBACK_TOKEN: resultsToken(CALLBACK_SECRET, CALLBACK_REFERENCE),
        CONTRACT_APPROVAL_BATCH: APPROVAL_BATCH,
        NO_COLOR: '1',
      },
    });
    let text = '';
    child.stdout.on('data', (c: Buffer) => (text += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (text += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 200_000);
    child.once('close', (exit) => {
      clearTimeout(timer);
      resolve({ code: exit, output: text });
    });
  });
  const statuses = new Map<string, Set<number>>();
  const entries = await readFile(har, 'utf8').then((t) => (JSON.parse(t) as { log: { entries: Array<{ request: { method: string; url: string }; response: { status: number } }> } }).log.entries, () => []);
  for (const e of entries) {
    const op = operationOf(e.request.method, e.request.url);
    statuses.set(op, (statuses.get(op) ?? new Set()).add(e.response.status));
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  process.stdout.write(`\n== schemathesis as ${who}: ${args.join(' ')} (${seconds}s, exit ${code}, ${entries.length} requests)\n${output}\n`);
  return { code, output, seconds, statuses };
}

const reached = (run: Run, operation: string): number[] => [...(run.statuses.get(operation) ?? [])].filter((s) => s >= 200 && s < 300);

describe('OpenAPI contract: schemathesis against the running API', () => {
  let engine: Engine;
  let api: string;
  let bin: string;
  let workDir: string;
  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'contract-'));
    [bin, engine] = await Promise.all([ensureSchemathesis({ log: (l) => void process.stderr.write(`${l}\n`) }), startEngine()]);
    api = await engine.startApi();
    const csv = payrollCsv(payrollRows(2, { phone: (i) => `2547${94_000_000 + i}` }));
    const submitted = await http('POST', `${api}/v1/batches?batchId=${APPROVAL_BATCH}&approvalRequired=true`, csvUpload(csv, API_KEYS.alice));
    expect(submitted.status).toBe(201);
    await eventually(async () => {
      const r = await http<{ status: string }>('GET', `${api}/v1/batches/${APPROVAL_BATCH}`, { key: API_KEYS.victor });
      return r.body.status === 'AWAITING_APPROVAL' || undefined;
    }, `${APPROVAL_BATCH} awaiting approval`, 60_000, 200);
  });
  afterAll(async () => {
    await engine?.stop();
    if (workDir && !process.env['CONTRACT_KEEP_REPORTS']) await rm(workDir, { recursive: true, force: true });
  });

  // First: the submitter's run may cancel or otherwise move every batch it can list, this one included.
  it('as an approver: the batch operations, every check, no failure', async () => {
    const run = await schemathesis(bin, 'bob', [`${api}/openapi.json`, '--include-tag', 'operations', '--max-examples', String(Math.ceil(EXAMPLES / 4))], workDir);
    expect(run.output).toMatch(/\d+ passed/);
    expect(run.code, `schemathesis found problems:\n${run.output.slice(-6000)}`).toBe(0);
    expect(reached(run, 'POST /v1/batches/{id}/approve')).toContain(202);
  }, 240_000);

  it('as a submitter: every operation, every check, no failure', async () => {
    const run = await schemathesis(bin, 'alice', [`${api}/openapi.json`, '--max-examples', String(EXAMPLES)], workDir);
    expect(run.output).toMatch(/\d+ passed/);
    expect(run.code, `schemathesis found problems:\n${run.output.slice(-6000)}`).toBe(0);
    // Not only refusals: the runs reached the API's real work (a submitted batch, its pages, a stored callback).
    expect(reached(run, 'POST /v1/batches')).toContain(201);
    for (const op of ['GET /v1/batches/{id}', 'GET /v1/batches/{id}/payouts', 'GET /v1/batches/{id}/report.csv', 'POST /callbacks/pesaway/{reference}/{token}']) {
      expect(reached(run, op), op).toContain(200);
    }
  }, 240_000);
});
