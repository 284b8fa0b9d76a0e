/**
 * Ingestion benchmark (not a timed test).
 *
 *   npx tsx bench/ingest.ts [--rows 1000000] [--runs 3] [--no-store] [--tsx]
 *
 * Generates a payroll CSV into bench/out/ (see payroll-generator.ts), compiles the measured code with tsc
 * into bench/out/dist (as `npm run build` does for production; `--tsx` runs the sources through tsx
 * instead, whose loader thread adds some 40 MB), then measures, each run in a fresh child process (so
 * peak RSS is the run's own):
 *   validate         parse + validate, realistic file (30-40% of rows quoted)
 *   validate-quoted  parse + validate, every cell quoted (the slowest shape for the parser)
 *   store            parse + validate + store into PostgreSQL in one transaction: DATABASE_URL if set,
 *                    otherwise an embedded PostgreSQL in a temporary directory; a fresh database per run
 * and prints medians; the last line of output is a JSON summary. Results: bench/RESULTS.md.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { migrate } from '../src/db/migrate.js';
import { createPool } from '../src/db/pool.js';
import { freePort } from '../src/dev/ports.js';
import { ensureDatabase, startEmbeddedPostgres, type PostgresHandle } from '../src/dev/postgres.js';
import { writePayroll } from './payroll-generator.js';

interface RunResult {
  mode: string;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  maxRssMb: number;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = fileURLToPath(new URL('./out/', import.meta.url));
const RUNNER_TS = fileURLToPath(new URL('./ingest-run.ts', import.meta.url));
const RUNNER_JS = join(OUT, 'dist', 'bench', 'ingest-run.js');

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} expects a positive whole number`);
  return value;
}

const log = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
};

/** Compiles ingest-run.ts and what it imports (only that) with the project's compiler settings. */
function compileRunner(): void {
  mkdirSync(OUT, { recursive: true });
  const config = join(OUT, 'tsconfig.bench.json');
  writeFileSync(config, JSON.stringify({ extends: '../../tsconfig.json', compilerOptions: { noEmit: false, outDir: './dist', rootDir: '../..', sourceMap: false }, files: ['../ingest-run.ts'], include: [] }));
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', config], { cwd: ROOT, encoding: 'utf8' });
  if (!existsSync(RUNNER_JS)) throw new Error(`compiling the benchmark runner failed:\n${tsc.stdout}${tsc.stderr}`);
  if (tsc.status !== 0) log(`tsc reported type errors (output still emitted):\n${tsc.stdout}`);
}

let useTsx = false;

function runChild(args: string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const command = useTsx ? ['--import', 'tsx', RUNNER_TS, ...args] : [RUNNER_JS, ...args];
    const child = spawn(process.execPath, command, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`benchmark run ${args[0]} exited with ${code}`));
      resolve(JSON.parse(out.trim().split('\n').pop()!) as RunResult);
    });
  });
}

async function ensureFile(rows: number, quoteEvery: boolean): Promise<string> {
  mkdirSync(OUT, { recursive: true });
  const path = join(OUT, `payroll-${rows}${quoteEvery ? '-quoted' : ''}.csv`);
  if (!existsSync(path) || statSync(path).size === 0) {
    log(`generating ${path}`);
    await writePayroll(path, { rows, quoteEvery });
  }
  return path;
}

async function measure(label: string, runs: number, args: (run: number) => Promise<string[]>, after?: (run: number) => Promise<void>) {
  const results: RunResult[] = [];
  for (let run = 1; run <= runs; run++) {
    const result = await runChild(await args(run));
    log(`${label} run ${run}: ${result.rowsPerSecond.toLocaleString('en')} rows/s, ${result.seconds} s, peak RSS ${result.maxRssMb} MB`);
    results.push(result);
    await after?.(run);
  }
  return {
    runs: results,
    medianRowsPerSecond: median(results.map((r) => r.rowsPerSecond)),
    medianSeconds: median(results.map((r) => r.seconds * 100)) / 100,
    maxRssMb: Math.max(...results.map((r) => r.maxRssMb)),
  };
}

async function main(): Promise<void> {
  const rows = flag('rows', 1_000_000);
  const runs = flag('runs', 3);
  const store = !process.argv.includes('--no-store');
  useTsx = process.argv.includes('--tsx');
  if (!useTsx) compileRunner();
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', ramGb: Math.round(totalmem() / 2 ** 30), node: process.version, loadAverageAtStart: loadavg().map((l) => Number(l.toFixed(2))) };
  log(`machine: ${JSON.stringify(machine)}`);

  const file = await ensureFile(rows, false);
  const quoted = await ensureFile(rows, true);
  const validate = await measure('validate', runs, () => Promise.resolve(['validate', file]));
  const validateQuoted = await measure('validate-quoted', runs, () => Promise.resolve(['validate', quoted]));

  let stored: Awaited<ReturnType<typeof measure>> | undefined;
  if (store) {
    const external = process.env['DATABASE_URL'];
    let server: PostgresHandle | undefined;
    let dir: string | undefined;
    try {
      if (!external) {
        dir = await mkdtemp(join(tmpdir(), 'disburse-bench-'));
        server = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port: await freePort(), persistent: false, database: 'bench', log });
      }
      const adminUrl = external ?? server!.adminUrl;
      const databaseUrl = (run: number): string => {
        if (external) return external;
        const url = new URL(adminUrl);
        url.pathname = `/bench_run_${run}`;
        return url.toString();
      };
      stored = await measure(
        'store',
        runs,
        async (run) => {
          if (!external) await ensureDatabase(adminUrl, `bench_run_${run}`);
          const pool = createPool(databaseUrl(run), 1);
          await migrate(pool).finally(() => pool.end());
          return ['store', file, databaseUrl(run), `bench-${Date.now()}-${run}`];
        },
        async (run) => {
          if (external) return; // leave an external database's data alone
          const admin = new pg.Client({ connectionString: adminUrl });
          await admin.connect();
          await admin.query(`DROP DATABASE bench_run_${run}`).finally(() => admin.end());
        },
      );
    } finally {
      await server?.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    }
  }

  const summary = {
    date: new Date().toISOString(),
    machine: { ...machine, loadAverageAtEnd: loadavg().map((l) => Number(l.toFixed(2))) },
    rows,
    runs,
    runner: useTsx ? 'tsx (TypeScript sources)' : 'node on tsc output (as built for production)',
    validate: { medianRowsPerSecond: validate.medianRowsPerSecond, medianSeconds: validate.medianSeconds, peakRssMb: validate.maxRssMb },
    validateQuoted: { medianRowsPerSecond: validateQuoted.medianRowsPerSecond, medianSeconds: validateQuoted.medianSeconds, peakRssMb: validateQuoted.maxRssMb },
    store: stored && { medianRowsPerSecond: stored.medianRowsPerSecond, medianSeconds: stored.medianSeconds, peakRssMb: stored.maxRssMb },
    goals: { validateRowsPerSecond: 150_000, storeRowsPerSecond: 50_000, peakRssMb: 200 },
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

await main();
