/**
 * The engine as separate processes, as in production: PostgreSQL and a Temporal dev server (embedded,
 * on free loopback ports), and the compiled API, worker and PesaWay sandbox. Benchmarks and the chaos
 * run drive it over HTTP and can kill and restart any part.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../src/dev/ports.js';
import { type PostgresHandle, startEmbeddedPostgres } from '../../src/dev/postgres.js';
import { type TemporalDevServer, startTemporalDevServer } from '../../src/dev/temporal-server.js';
import { resolveTemporalTool } from '../../src/dev/tools.js';
import { type CpuSnapshot, cpuSnapshot } from './cpu.js';
import { type Service, startService } from './service.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIST = join(ROOT, 'dist');

export interface StackOptions {
  /** Extra flags for the sandbox CLI (faults, latency, rate limit, balance). */
  sandboxFlags: string[];
  /** Environment for the API and worker (batch settings, rate limit, timings). */
  env?: Record<string, string>;
  /** Keep Temporal's state in a SQLite file, so the server can be restarted (chaos). */
  persistentTemporal?: boolean;
  /** PostgreSQL with its default durability (fsync, synchronous_commit on), as production runs it. */
  durablePostgres?: boolean;
  log?: (line: string) => void;
}

export interface BenchStack {
  apiUrl: string;
  sandboxUrl: string;
  temporalAddress: string;
  databaseUrl: string;
  /** A superuser connection (the chaos run makes PostgreSQL refuse writes through it). */
  postgresAdminUrl: string;
  keys: { submitter: string; approver: string; viewer: string };
  /** The HMAC secret of the callback URLs (a benchmark forges valid ones with it). */
  callbackSecret: string;
  api: () => Service;
  worker: () => Service;
  sandbox: Service;
  /** SIGKILL (or SIGTERM) the worker and start a new one. */
  restartWorker: (signal?: NodeJS.Signals) => Promise<void>;
  restartApi: () => Promise<void>;
  /** Stops the Temporal dev server, waits, starts it again on the same port and file. */
  restartTemporal: (downMs?: number) => Promise<void>;
  /** Stops PostgreSQL (a fast shutdown: every connection is cut) and starts it again on the same port and data. */
  stopPostgres: () => Promise<void>;
  startPostgres: () => Promise<void>;
  /** CPU time of each part so far (compare two with `cpuSpent`). */
  cpu: () => CpuSnapshot;
  /** Peak RSS (MB) of every API and worker process started so far. */
  peaks: () => { apiMb: number; workerMb: number };
  stop: () => Promise<void>;
}

/** Compiles src/ to dist/ and the workflow bundle, once per benchmark run. */
export function buildDist(log: (line: string) => void): void {
  log('building dist/ (npm run build, npm run build:workflows)');
  for (const script of ['build', 'build:workflows']) {
    // Build output goes to stderr: stdout carries only the benchmark's JSON summary.
    const r = spawnSync('npm', ['run', '--silent', script], { cwd: ROOT, stdio: ['ignore', 2, 2] });
    if (r.status !== 0) throw new Error(`npm run ${script} failed`);
  }
  if (!existsSync(join(DIST, 'workflow-bundle.js'))) throw new Error('dist/workflow-bundle.js is missing');
}

export async function startBenchStack(o: StackOptions): Promise<BenchStack> {
  const log = o.log ?? (() => undefined);
  const scratch = await mkdtemp(join(tmpdir(), 'bench-stack-'));
  const secret = (): string => randomBytes(18).toString('base64url');
  const keys = { submitter: secret(), approver: secret(), viewer: secret() };
  const callbackSecret = secret();
  const cli = await resolveTemporalTool('cli', { log });
  const [pgPort, temporalPort, apiPort, sandboxPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  // Persistent: its data outlives a stop, so the chaos run can restart it (the scratch folder goes at the end).
  const postgresOptions = { dataDir: join(scratch, 'pg'), port: pgPort, persistent: true, database: 'disburse', fast: !o.durablePostgres, log };
  let postgres: PostgresHandle = await startEmbeddedPostgres(postgresOptions);
  const temporalOptions = { cliPath: cli.path, port: temporalPort, ...(o.persistentTemporal ? { dbFile: join(scratch, 'temporal.db') } : {}) };
  let temporal: TemporalDevServer = await startTemporalDevServer(temporalOptions);
  const apiUrl = `http://127.0.0.1:${apiPort}`;

  const sandbox = startService('sandbox', [join(DIST, 'sandbox', 'main.js'), '--port', String(sandboxPort), '--log-level', 'warn', ...o.sandboxFlags], {});
  await sandbox.waitFor(/PesaWay sandbox listening on/);
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;

  const env: Record<string, string> = {
    // info: the start-up lines (readiness) show; per-payout lines are debug.
    LOG_LEVEL: 'info',
    DATABASE_URL: postgres.url,
    TEMPORAL_ADDRESS: temporal.address,
    TASK_QUEUE_PREFIX: 'bench',
    PESAWAY_BASE_URL: sandboxUrl,
    PESAWAY_CONSUMER_KEY: 'sandbox-key',
    PESAWAY_CONSUMER_SECRET: 'sandbox-secret',
    CALLBACK_BASE_URL: apiUrl,
    CALLBACK_SECRET: callbackSecret,
    API_PORT: String(apiPort),
    API_KEYS: `officer:submitter:${keys.submitter},finance:approver:${keys.approver},auditor:viewer:${keys.viewer}`,
    WORKFLOW_BUNDLE_PATH: join(DIST, 'workflow-bundle.js'),
    // The workers' metrics exporters default to fixed ports; two stacks on one machine (CI beside a bench) would collide.
    METRICS_PORT: '0',
    TEMPORAL_METRICS_ADDRESS: '',
    ...o.env,
  };
  const started: Service[] = [];
  const launch = async (name: 'api' | 'worker'): Promise<Service> => {
    // BENCH_CPU_PROF_DIR=<dir>: the API and worker write V8 CPU profiles there when they stop.
    const profile = process.env['BENCH_CPU_PROF_DIR'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_CPU_PROF_DIR']}`] : [];
    const s = startService(name, [...profile, join(DIST, name, 'main.js')], env);
    started.push(s);
    await s.waitFor(name === 'api' ? /Server listening at/ : /Worker running/, 120_000);
    return s;
  };
  let api = await launch('api');
  let worker = await launch('worker');
  log(`stack up: API ${apiUrl}, sandbox ${sandboxUrl}, Temporal ${temporal.address}`);

  const peakOf = (name: string): number => Math.max(0, ...started.filter((s) => s.name === name).map((s) => s.peakRssMb()));
  return {
    apiUrl,
    sandboxUrl,
    temporalAddress: temporal.address,
    databaseUrl: postgres.url,
    postgresAdminUrl: postgres.adminUrl,
    keys,
    callbackSecret,
    api: () => api,
    worker: () => worker,
    sandbox,
    async restartWorker(signal = 'SIGKILL') {
      await worker.stop(signal);
      worker = await launch('worker');
    },
    async restartApi() {
      await api.stop('SIGTERM');
      api = await launch('api');
    },
    async restartTemporal(downMs = 2000) {
      await temporal.stop();
      await new Promise((r) => setTimeout(r, downMs));
      temporal = await startTemporalDevServer(temporalOptions);
    },
    async stopPostgres() {
      await postgres.stop();
    },
    async startPostgres() {
      postgres = await startEmbeddedPostgres(postgresOptions);
    },
    cpu: () =>
      cpuSnapshot({
        worker: join(DIST, 'worker', 'main.js'),
        api: join(DIST, 'api', 'main.js'),
        sandbox: join(DIST, 'sandbox', 'main.js'),
        temporal: `--port ${temporalPort} `,
        postgres: join(scratch, 'pg'),
      }),
    peaks: () => ({ apiMb: peakOf('api'), workerMb: peakOf('worker') }),
    async stop() {
      for (const s of [worker, api, sandbox]) await s.stop('SIGTERM');
      await temporal.stop();
      await postgres.stop();
      await rm(scratch, { recursive: true, force: true });
    },
  };
}
