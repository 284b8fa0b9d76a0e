import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { AppError } from '../common/errors.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

// Any constant works; it only has to be the same for every process migrating this database.
const MIGRATION_LOCK_KEY = 7_210_455_001;

export class MigrationError extends AppError {}

export interface Migration {
  version: string;
  name: string;
  sql: string;
}

/** `0001_create_batches.sql` -> version `0001`. Files apply in version order, each exactly once. */
export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = /^(\d+)_([\w-]+)\.sql$/.exec(file);
    if (!match) throw new MigrationError('migration_name', `Migration file "${file}" must be named <number>_<name>.sql`, { hint: `Rename it in ${dir}.` });
    migrations.push({ version: match[1]!, name: match[2]!, sql: await readFile(join(dir, file), 'utf8') });
  }
  const versions = new Set<string>();
  for (const m of migrations) {
    if (versions.has(m.version)) throw new MigrationError('migration_duplicate', `Two migrations share version ${m.version} in ${dir}.`, { hint: 'Give each file its own number.' });
    versions.add(m.version);
  }
  return migrations;
}

/**
 * Applies pending migrations, each in its own transaction, under a session advisory lock so two
 * processes starting at once never apply the same file twice. Returns the versions applied now.
 */
export async function migrate(pool: pg.Pool, dir = MIGRATIONS_DIR): Promise<string[]> {
  const migrations = await loadMigrations(dir);
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version text PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const done = new Set((await client.query<{ version: string }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      try {
        await client.query('BEGIN');
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
        await client.query('COMMIT');
        applied.push(m.version);
      } catch (err) {
        await client.query('ROLLBACK');
        throw new MigrationError('migration_failed', `Migration ${m.version}_${m.name}.sql failed: ${(err as Error).message}`, {
          hint: 'Nothing of this migration was applied (earlier ones were). Fix the SQL file and start again.',
          cause: err,
        });
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    client.release();
  }
  return applied;
}
