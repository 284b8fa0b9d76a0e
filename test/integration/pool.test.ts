import { Writable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/common/log.js';
import { createPool } from '../../src/db/pool.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/**
 * PostgreSQL cutting connections (a restart, a failover, pg_terminate_backend): the process lives on. pg
 * emits an `error` event for the cut connection, on the client when it is checked out; without a listener
 * that is an uncaught exception, which vitest reports as a failure of this file.
 */
describe('a pool whose connections PostgreSQL cuts', () => {
  let db: TestDatabase;
  const lines: string[] = [];
  const log = createLogger({ name: 'pool-test', level: 'warn', destination: new Writable({ write: (chunk: Buffer, _e, done) => void (lines.push(chunk.toString()), done()) }) });
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => db?.close());

  it('survives a checked-out and an idle connection being terminated, and queries again', async () => {
    const pool = createPool(db.url, 3, log);
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    try {
      const held = await pool.connect();
      const idle = await pool.connect();
      const pids = [(await held.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid, (await idle.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid];
      idle.release();
      await admin.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [pids]);
      await new Promise((r) => setTimeout(r, 500));
      expect(lines.filter((l) => l.includes('PostgreSQL closed a connection')).length).toBeGreaterThanOrEqual(2);
      await expect(held.query('SELECT 1')).rejects.toThrow();
      held.release(true);
      expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
    } finally {
      await admin.end();
      await pool.end();
    }
  });
});
