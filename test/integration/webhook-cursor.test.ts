import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryTarget, pendingWebhookEvents, recordDelivered } from '../../src/db/webhooks.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

// events.id is handed out before commit: ids can commit out of order. These tests hold transactions open
// on real PostgreSQL to show the delivery cursor never passes an event that commits later.
describe('webhook delivery order', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await db.pool.query(`INSERT INTO webhook_endpoints (id, url, secret, event_types, source) VALUES ('we_cursor', 'http://127.0.0.1:9/x', 'whsec_0123456789abcdef', '{*}', 'api')`);
  });
  afterAll(async () => db?.close());

  const insertEvent = (q: { query: (sql: string, args: unknown[]) => Promise<{ rows: Array<{ id: string }> }> }, batchId: string) =>
    q.query(`INSERT INTO events (batch_id, kind) VALUES ($1, 'batch.completed') RETURNING id::text`, [batchId]).then((r) => r.rows[0]!.id);

  async function drain(): Promise<string[]> {
    const seen: string[] = [];
    for (;;) {
      const target = (await deliveryTarget(db.pool, 'we_cursor'))!;
      const page = await pendingWebhookEvents(db.pool, target, 10);
      if (page.length === 0) return seen;
      for (const e of page) {
        seen.push(e.batchId!);
        await recordDelivered(db.pool, 'we_cursor', e);
      }
    }
  }

  it('holds back events committed after an older transaction that is still open, then delivers both', async () => {
    const older = await db.pool.connect();
    try {
      await older.query('BEGIN');
      await insertEvent(older, 'slow'); // lower id, not committed yet
      await insertEvent(db.pool, 'fast'); // higher id, committed
      expect(await drain()).toEqual([]);
      await older.query('COMMIT');
    } finally {
      older.release();
    }
    expect(await drain()).toEqual(['slow', 'fast']);
  });

  it('delivers an event whose id is lower than one already delivered, when its transaction commits later', async () => {
    // `early` takes its transaction id first (by another write), `late` takes the next event id first.
    const early = await db.pool.connect();
    const late = await db.pool.connect();
    try {
      await early.query('BEGIN');
      await early.query(`SELECT pg_current_xact_id()`);
      await late.query('BEGIN');
      const lateId = await insertEvent(late, 'late');
      const earlyId = await insertEvent(early, 'early');
      expect(Number(lateId)).toBeLessThan(Number(earlyId));
      await early.query('COMMIT');
      // `early` committed and is older than every open transaction: deliverable. `late` is still open.
      expect(await drain()).toEqual(['early']);
      await late.query('COMMIT');
    } finally {
      early.release();
      late.release();
    }
    // An id-ordered cursor would now be past `late`'s id and lose it.
    expect(await drain()).toEqual(['late']);
  });
});
