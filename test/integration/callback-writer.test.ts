/**
 * The receiver's group commit (`CallbackWriter`) against a real PostgreSQL: concurrent callbacks share
 * INSERTs yet each gets its own row's id; a row PostgreSQL refuses fails only its own caller; and the
 * store's sessions keep `synchronous_commit` on even where the database turned it off.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallbackWriter, createCallbackStorePool } from '../../src/db/callback-writer.js';
import { type CallbackOutcome, type CallbackToStore, markCallback, markCallbacks } from '../../src/db/callbacks.js';
import { GroupedWrites } from '../../src/db/grouped-writes.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const callback = (reference: string, body: string, extra: Partial<CallbackToStore> = {}): CallbackToStore => ({
  reference,
  body: Buffer.from(body),
  contentType: 'application/json',
  signatureValid: undefined,
  resultCode: 0,
  ...extra,
});

describe('CallbackWriter: group commit of stored callbacks', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let statements = 0;
  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createCallbackStorePool(db.url, 2);
    // Counts the statements sent, to see that callbacks were grouped.
    pool.on('connect', (client) => {
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        statements += 1;
        return query(...args);
      };
    });
  });
  afterAll(async () => {
    await pool?.end();
    await db?.close();
  });

  it('stores 300 concurrent callbacks in far fewer INSERTs, each id naming its own row', async () => {
    const writer = new CallbackWriter(pool, { maxInFlight: 2 });
    statements = 0;
    const sent = Array.from({ length: 300 }, (_, i) => callback(`W${i}`, `{"n":${i},"pad":"${'x'.repeat(i % 50)}"}`, { resultCode: i, contentType: i % 3 === 0 ? undefined : `text/plain; n=${i}` }));
    const ids = await Promise.all(sent.map((c) => writer.store(c)));
    expect(new Set(ids).size).toBe(300);
    expect(statements).toBeLessThan(30);
    const { rows } = await db.pool.query<{ id: number; reference: string; body: Buffer; result_code: number; content_type: string | null }>(
      `SELECT id::int AS id, reference, body, result_code, content_type FROM callbacks WHERE id = ANY($1)`,
      [ids],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    sent.forEach((c, i) => {
      const row = byId.get(ids[i]!)!;
      expect(row.reference).toBe(c.reference);
      expect(row.body.equals(c.body)).toBe(true);
      expect(row.result_code).toBe(c.resultCode);
      expect(row.content_type).toBe(c.contentType ?? null);
    });
  });

  it('fails only the caller whose row PostgreSQL refuses; the others in its INSERT are stored', async () => {
    const writer = new CallbackWriter(pool, { maxInFlight: 1 });
    const sent = Array.from({ length: 20 }, (_, i) => callback(`F${i}`, `{"f":${i}}`, i === 7 ? { outcome: 'not-an-outcome' as CallbackOutcome } : {}));
    const results = await Promise.allSettled(sent.map((c) => writer.store(c)));
    expect(results.map((r) => r.status)).toEqual(sent.map((_, i) => (i === 7 ? 'rejected' : 'fulfilled')));
    const { rows } = await db.pool.query<{ reference: string }>(`SELECT reference FROM callbacks WHERE reference LIKE 'F%' ORDER BY id`);
    expect(rows.map((r) => r.reference)).toEqual(sent.filter((_, i) => i !== 7).map((c) => c.reference));
    // And it keeps working afterwards.
    expect(await writer.store(callback('F-after', '{}'))).toBeGreaterThan(0);
  });

  it('rejects every caller when PostgreSQL cannot be reached (nothing is acknowledged unstored)', async () => {
    const dead = new pg.Pool({ connectionString: 'postgres://postgres:postgres@127.0.0.1:1/none', connectionTimeoutMillis: 2000 });
    const writer = new CallbackWriter(dead);
    const results = await Promise.allSettled([writer.store(callback('D1', '{}')), writer.store(callback('D2', '{}'))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await dead.end();
  });

  it('groups delivered outcomes into one UPDATE; an outcome PostgreSQL refuses fails only its own caller', async () => {
    const writer = new CallbackWriter(pool);
    const ids = await Promise.all(['M1', 'M2', 'M3'].map((r) => writer.store(callback(r, '{}'))));
    const marks = new GroupedWrites<{ id: number; outcome: CallbackOutcome }>((m) => markCallbacks(db.pool, m), (m) => markCallback(db.pool, m.id, m.outcome));
    const outcomes = ['completed', 'not-an-outcome', 'duplicate'] as CallbackOutcome[];
    const results = await Promise.allSettled(ids.map((id, i) => marks.add({ id, outcome: outcomes[i]! })));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const { rows } = await db.pool.query<{ outcome: string }>(`SELECT outcome FROM callbacks WHERE id = ANY($1) ORDER BY id`, [ids]);
    expect(rows.map((r) => r.outcome)).toEqual(['completed', 'received', 'duplicate']);
  });

  it('turns synchronous_commit back on for its sessions where the database has it off', async () => {
    const name = new URL(db.url).pathname.slice(1);
    await db.pool.query(`ALTER DATABASE ${pg.escapeIdentifier(name)} SET synchronous_commit = off`);
    try {
      const plain = new pg.Pool({ connectionString: db.url, max: 1 });
      const store = createCallbackStorePool(db.url, 1);
      try {
        // What a session of this database gets by default: off.
        expect((await plain.query<{ s: string }>(`SELECT current_setting('synchronous_commit') AS s`)).rows[0]!.s).toBe('off');
        await new CallbackWriter(store).store(callback('S1', '{}'));
        // The store's one connection, after the writer used it.
        expect((await store.query<{ s: string }>(`SELECT current_setting('synchronous_commit') AS s`)).rows[0]!.s).toBe('on');
      } finally {
        await plain.end();
        await store.end();
      }
    } finally {
      await db.pool.query(`ALTER DATABASE ${pg.escapeIdentifier(name)} RESET synchronous_commit`);
    }
  });
});
