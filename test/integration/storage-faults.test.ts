/**
 * The API when PostgreSQL is down or refuses writes, for real: the API (with its callback receiver) runs
 * against a PostgreSQL cluster of this file's own (the run's shared one cannot be made read-only or stopped
 * without breaking the other files), with the run's Temporal dev server. Read-only is what a failover to a
 * hot standby, or `default_transaction_read_only`, looks like: `ALTER SYSTEM` plus a reload, which pooled
 * sessions pick up at their next statement. An upload refused then stores nothing, and the same upload
 * afterwards is one normal batch; a callback refused is never acknowledged, so PesaWay sends it again.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../src/api/app.js';
import { parseApiKeys } from '../../src/api/auth.js';
import { emptyCallbackStats } from '../../src/api/callbacks.js';
import { CallbackWriter } from '../../src/db/callback-writer.js';
import { createLogger } from '../../src/common/log.js';
import { migrate } from '../../src/db/migrate.js';
import { createPool, type Pool } from '../../src/db/pool.js';
import { freePort } from '../../src/dev/ports.js';
import { type PostgresHandle, startEmbeddedPostgres } from '../../src/dev/postgres.js';
import { payoutReference } from '../../src/domain/reference.js';
import { DEFAULT_LIMITS } from '../../src/payroll/limits.js';
import { resultsToken } from '../../src/pesaway/results-url.js';
import { API_KEYS, CALLBACK_SECRET, type Engine, startEngine } from '../support/engine.js';
import { http } from '../support/http.js';
import { payrollCsv, payrollRows } from '../support/payroll.js';
import { eventually } from '../support/waiting.js';

const UPLOAD_READ_ONLY =
  'PostgreSQL refuses writes (read-only); nothing of this upload was stored. Retry the same file with the same batch id (or Idempotency-Key) once the database accepts writes: it becomes the same batch. ' +
  'Operators: point DATABASE_URL at the primary, or turn default_transaction_read_only off.';
const REQUEST_UNAVAILABLE = 'PostgreSQL is not reachable; nothing of this request was stored. Retry in a few seconds. Operators: check the database (GET /readyz).';
const UPLOAD_UNAVAILABLE =
  'PostgreSQL is not reachable; nothing of this upload was stored. Retry the same file with the same batch id (or Idempotency-Key) in a few seconds: it becomes the same batch. Operators: check the database (GET /readyz).';

interface Problem {
  code: string;
  detail: string;
  status: number;
}
interface Submitted {
  created: boolean;
  batch: { id: string; rows: number; status: string };
}

describe('PostgreSQL down or refusing writes: 503 that says what to do, nothing half-stored', () => {
  let engine: Engine;
  let scratch: string;
  let postgres: PostgresHandle;
  let port: number;
  let pool: Pool;
  let admin: pg.Client;
  let app: FastifyInstance;
  let api: string;
  const logLines: Array<{ level: number; msg: string; storage?: string }> = [];
  const tag = randomBytes(3).toString('hex');

  const startPostgres = () => startEmbeddedPostgres({ dataDir: join(scratch, 'pg'), port, persistent: true, database: 'storage_faults', fast: true });

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'disburse-storage-faults-'));
    port = await freePort();
    [engine, postgres] = await Promise.all([startEngine({ workers: 'none' }), startPostgres()]);
    pool = createPool(postgres.url, 10);
    await migrate(pool);
    admin = new pg.Client({ connectionString: postgres.adminUrl });
    // Stopping PostgreSQL ends this connection too: an unheard 'error' would crash the file.
    admin.on('error', () => undefined);
    await admin.connect();
    const log = createLogger({
      name: 'storage-faults',
      level: 'warn',
      destination: new Writable({
        write(chunk: Buffer, _encoding, done) {
          for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) logLines.push(JSON.parse(line) as (typeof logLines)[number]);
          done();
        },
      }),
    });
    const apiKeys = parseApiKeys(`alice:submitter:${API_KEYS.alice},victor:viewer:${API_KEYS.victor}`);
    app = await buildApi({
      config: { host: '127.0.0.1', port: 0, databaseUrl: postgres.url, apiKeys, maxUploadBytes: 10 * 1024 * 1024, callbackSecret: CALLBACK_SECRET, callbackSigningKey: undefined, temporalUiUrl: 'http://127.0.0.1:8233', codec: { keys: undefined, corsOrigins: [] } },
      pool,
      temporal: engine.temporal.client,
      namespace: 'default',
      settings: engine.settings,
      webhooks: engine.webhooks,
      limits: DEFAULT_LIMITS,
      callbackStats: emptyCallbackStats(),
      log,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    api = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });

  afterAll(async () => {
    await admin?.query('ALTER SYSTEM RESET default_transaction_read_only').catch(() => undefined);
    await admin?.end().catch(() => undefined);
    await app?.close();
    await pool?.end();
    await postgres?.stop();
    await engine?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  /**
   * Turns writes off (or on) for the whole cluster and waits until the API's pooled sessions see it. A reload
   * reaches each backend as a signal, processed before its next statement: an idle pooled session picks it up
   * without reconnecting, but only once the signal has arrived, so this polls a pooled session until it does.
   */
  async function setReadOnly(on: boolean): Promise<void> {
    await admin.query(on ? 'ALTER SYSTEM SET default_transaction_read_only = on' : 'ALTER SYSTEM RESET default_transaction_read_only');
    await admin.query('SELECT pg_reload_conf()');
    const want = on ? 'on' : 'off';
    await eventually(async () => {
      const { rows } = await pool.query<{ v: string }>(`SELECT current_setting('default_transaction_read_only') AS v`);
      return rows[0]!.v === want ? true : undefined;
    }, `pooled sessions read-only=${want}`, 10_000, 50);
    // Every backend was signalled together; give the slowest a moment too.
    await new Promise((r) => setTimeout(r, 200));
  }

  const submit = (csv: string, query: string, headers: Record<string, string> = {}) =>
    http<Submitted & Problem>('POST', `${api}/v1/batches${query}`, { key: API_KEYS.alice, body: csv, headers: { 'content-type': 'text/csv', ...headers } });

  /** Everything an upload stores, for one batch id (and all batches, for uploads without one). */
  async function storedFor(batchId: string): Promise<Record<string, number>> {
    const count = async (sql: string) => (await pool.query<{ n: number }>(sql, [batchId])).rows[0]!.n;
    return {
      batches: await count('SELECT count(*)::int AS n FROM batches WHERE id = $1'),
      payouts: await count('SELECT count(*)::int AS n FROM payouts WHERE batch_id = $1'),
      fileChunks: await count('SELECT count(*)::int AS n FROM batch_file_chunks WHERE batch_id = $1'),
      issues: await count('SELECT count(*)::int AS n FROM batch_issues WHERE batch_id = $1'),
      events: await count('SELECT count(*)::int AS n FROM events WHERE batch_id = $1'),
    };
  }

  const callbackUrl = (reference: string) => `${api}/callbacks/pesaway/${reference}/${resultsToken(CALLBACK_SECRET, reference)}`;
  const callbackBody = (reference: string, n: number) =>
    JSON.stringify({ ResultCode: 0, ResultDesc: 'The service request is processed successfully.', OriginatorReference: reference, TransactionID: `PWYSF${tag}${n}`, TransactionReceipt: `SF${n}`, TransactionAmount: '1000.00' });
  const storedCallbacks = async (reference: string) => (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM callbacks WHERE reference = $1', [reference])).rows[0]!.n;

  it('refuses an upload while PostgreSQL is read-only (503 storage_read_only), stores none of it, and takes the same upload afterwards as one batch', async () => {
    const batchId = `ro-${tag}`;
    const csv = payrollCsv(payrollRows(120, { phone: (i) => `2547${96_000_000 + i}` }));
    const withoutId = payrollCsv(payrollRows(4, { phone: (i) => `2547${96_500_000 + i}` }));
    await setReadOnly(true);
    try {
      const refused = await submit(csv, `?batchId=${batchId}`);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(refused.headers.get('retry-after')).toBe('10');
      expect(refused.body).toMatchObject({ status: 503, code: 'storage_read_only', detail: UPLOAD_READ_ONLY });

      // The same without a batch id (named from the file's hash after spooling it) and with an Idempotency-Key.
      for (const headers of [{}, { 'idempotency-key': `ro-key-${tag}` }] as Array<Record<string, string>>) {
        const alsoRefused = await submit(withoutId, '', headers);
        expect(alsoRefused.status, JSON.stringify(headers)).toBe(503);
        expect(alsoRefused.body.code).toBe('storage_read_only');
      }

      // Reads still work: the batch simply does not exist, and nothing of any upload was stored.
      expect((await http('GET', `${api}/v1/batches/${batchId}`, { key: API_KEYS.victor })).status).toBe(404);
      expect(await storedFor(batchId)).toEqual({ batches: 0, payouts: 0, fileChunks: 0, issues: 0, events: 0 });
      expect((await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM batches')).rows[0]!.n).toBe(0);
    } finally {
      await setReadOnly(false);
    }

    const created = await submit(csv, `?batchId=${batchId}`);
    expect(created.status).toBe(201);
    expect(created.body.batch).toMatchObject({ id: batchId, rows: 120, status: 'CREATED' });
    expect(await storedFor(batchId)).toMatchObject({ batches: 1, payouts: 120, fileChunks: 1 });

    const again = await submit(csv, `?batchId=${batchId}`);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: false, batch: { id: batchId } });
    expect(await storedFor(batchId)).toMatchObject({ batches: 1, payouts: 120 });

    // A production fault is a warning that says which, not an internal error with a stack.
    const refusals = logLines.filter((l) => l.msg === 'request refused: PostgreSQL cannot take it now');
    expect(refusals.length).toBeGreaterThanOrEqual(3);
    expect(refusals.every((l) => l.level === 40 && l.storage === 'read_only')).toBe(true);
    expect(logLines.filter((l) => l.level >= 50)).toEqual([]);
  });

  it('answers a callback 503 PesaWay-style while read-only and stores none of a refused group; the same callback later is stored and acknowledged', async () => {
    const references = Array.from({ length: 5 }, (_, i) => payoutReference(`cb-${tag}`, i + 1, 1));
    await setReadOnly(true);
    try {
      // Sent at once: they go to PostgreSQL as one grouped INSERT, and the group fails as a whole.
      const answers = await Promise.all(references.map((r, i) => http<{ code: string; message: string }>('POST', callbackUrl(r), { body: callbackBody(r, i), headers: { 'content-type': 'application/json' } })));
      for (const a of answers) {
        expect(a.status).toBe(503);
        expect(a.headers.get('content-type')).toMatch(/^application\/json/);
        expect(a.headers.get('retry-after')).toBe('10');
        expect(a.body).toEqual({ code: '503.001', message: 'callback not stored: the database refuses writes (read-only); send it again later' });
      }
      for (const r of references) expect(await storedCallbacks(r)).toBe(0);
    } finally {
      await setReadOnly(false);
    }

    // The writer's own guarantee, deterministically: callbacks queued in one turn go as one INSERT, and when
    // PostgreSQL refuses it every one of them fails (none resolves to an id).
    await setReadOnly(true);
    try {
      const writer = new CallbackWriter(pool);
      const group = references.map((reference, i) => writer.store({ reference, body: Buffer.from(callbackBody(reference, i)), contentType: 'application/json', signatureValid: undefined, resultCode: 0 }));
      const settled = await Promise.allSettled(group);
      expect(settled.map((s) => (s.status === 'rejected' ? (s.reason as { code?: string }).code : 'stored'))).toEqual(references.map(() => '25006'));
      for (const r of references) expect(await storedCallbacks(r)).toBe(0);
    } finally {
      await setReadOnly(false);
    }

    for (const [i, r] of references.entries()) {
      const retried = await http<{ code: string; status: string }>('POST', callbackUrl(r), { body: callbackBody(r, i), headers: { 'content-type': 'application/json' } });
      expect(retried.status).toBe(200);
      expect(retried.body).toEqual({ code: '200.001', status: 'received' });
      expect(await storedCallbacks(r)).toBe(1);
    }
  });

  it('answers 503 storage_unavailable while PostgreSQL is stopped, and normally once it is back', async () => {
    const batchId = `ro-${tag}`;
    const downId = `down-${tag}`;
    const csv = payrollCsv(payrollRows(3, { phone: (i) => `2547${97_000_000 + i}` }));
    const reference = payoutReference(`dn-${tag}`, 1, 1);
    expect((await http('GET', `${api}/v1/batches/${batchId}`, { key: API_KEYS.victor })).status).toBe(200);
    const before = logLines.length;

    await postgres.stop();
    try {
      const read = await http<Problem>('GET', `${api}/v1/batches/${batchId}`, { key: API_KEYS.victor });
      expect(read.status).toBe(503);
      expect(read.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(read.headers.get('retry-after')).toBe('10');
      expect(read.body).toMatchObject({ code: 'storage_unavailable', detail: REQUEST_UNAVAILABLE });
      expect(read.text).not.toContain(String(port));

      const list = await http<Problem>('GET', `${api}/v1/batches`, { key: API_KEYS.victor });
      expect([list.status, list.body.code]).toEqual([503, 'storage_unavailable']);

      const upload = await submit(csv, `?batchId=${downId}`);
      expect(upload.status).toBe(503);
      expect(upload.body).toMatchObject({ code: 'storage_unavailable', detail: UPLOAD_UNAVAILABLE });

      const callback = await http<{ code: string; message: string }>('POST', callbackUrl(reference), { body: callbackBody(reference, 9), headers: { 'content-type': 'application/json' } });
      expect(callback.status).toBe(503);
      expect(callback.body).toEqual({ code: '503.001', message: 'callback not stored: the database is not reachable; send it again later' });

      expect((await http<{ ready: boolean }>('GET', `${api}/readyz`)).status).toBe(503);
    } finally {
      postgres = await startPostgres();
    }

    await eventually(async () => ((await http('GET', `${api}/v1/batches/${batchId}`, { key: API_KEYS.victor })).status === 200 ? true : undefined), 'the API reads again', 30_000, 200);
    const created = await submit(csv, `?batchId=${downId}`);
    expect(created.status).toBe(201);
    expect(created.body.batch.id).toBe(downId);
    expect((await http('POST', callbackUrl(reference), { body: callbackBody(reference, 9), headers: { 'content-type': 'application/json' } })).status).toBe(200);
    expect(await storedCallbacks(reference)).toBe(1);

    const during = logLines.slice(before).filter((l) => l.msg === 'request refused: PostgreSQL cannot take it now');
    expect(during.length).toBeGreaterThanOrEqual(3);
    expect(during.every((l) => l.level === 40 && l.storage === 'unavailable')).toBe(true);
    expect(logLines.filter((l) => l.level >= 50)).toEqual([]);
  });
});
