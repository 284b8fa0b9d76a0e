import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { MigrationError, loadMigrations, migrate } from '../../src/db/migrate.js';
import { createPool, type Pool } from '../../src/db/pool.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/migrations/${name}/`, import.meta.url));

describe('migration runner (real PostgreSQL)', () => {
  const dbs: TestDatabase[] = [];
  const pools: Pool[] = [];
  const fresh = async (): Promise<TestDatabase> => {
    const db = await createTestDatabase({ migrate: false });
    dbs.push(db);
    return db;
  };
  afterAll(async () => {
    await Promise.all([...pools.map((p) => p.end()), ...dbs.map((d) => d.close())]);
  });

  it('applies every file once, in order, and nothing on a second run', async () => {
    const db = await fresh();
    expect(await migrate(db.pool, fixture('good'))).toEqual(['0001', '0002']);
    expect(await migrate(db.pool, fixture('good'))).toEqual([]);
    const { rows } = await db.pool.query('SELECT name, email FROM accounts');
    expect(rows).toEqual([{ name: 'first', email: null }]);
  });

  it('is safe when two processes migrate the same database at once', async () => {
    const db = await fresh();
    const other = createPool(db.url, 2);
    pools.push(other);
    const [a, b] = await Promise.all([migrate(db.pool, fixture('good')), migrate(other, fixture('good'))]);
    expect([...a, ...b].sort()).toEqual(['0001', '0002']);
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM accounts');
    expect(rows[0]).toEqual({ n: 1 });
  });

  it('rolls a failing file back whole and names it', async () => {
    const db = await fresh();
    const err = await migrate(db.pool, fixture('broken')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as MigrationError).message).toMatch(/Migration 0002_bad\.sql failed: relation "no_such_table" does not exist/);
    const tables = await db.pool.query("SELECT to_regclass('half_done') AS half, to_regclass('accounts') AS accounts");
    expect(tables.rows[0]).toEqual({ half: null, accounts: 'accounts' });
    const versions = await db.pool.query('SELECT version FROM schema_migrations ORDER BY version');
    expect(versions.rows).toEqual([{ version: '0001' }]);
  });

  it('applies the project migrations to an empty database', async () => {
    const db = await fresh();
    const applied = await migrate(db.pool);
    expect(applied).toEqual((await loadMigrations()).map((m) => m.version));
    expect(applied.length).toBeGreaterThan(0);
  });
});
