/**
 * The callback receiver at its edges (issue 12, items 1–3): every callback that passes the URL token is
 * stored as the exact bytes sent, whatever its content type; it is classified, never answered 500; and a
 * delivery that keeps failing is retried with backoff up to a bound, then left for a person.
 */
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallbackDelivery } from '../../src/api/callback-delivery.js';
import { emptyCallbackStats } from '../../src/api/callbacks.js';
import { createLogger } from '../../src/common/log.js';
import { payoutReference } from '../../src/domain/reference.js';
import { resultsToken } from '../../src/pesaway/results-url.js';
import { signBody } from '../../src/pesaway/signature.js';
import { TEST_PHONES } from '../../src/sandbox/index.js';
import { API_KEYS, CALLBACK_SECRET, type Engine, startEngine } from '../support/engine.js';
import { csvUpload, http } from '../support/http.js';
import { payrollCsv, payrollRows } from '../support/payroll.js';
import { eventually } from '../support/waiting.js';

const SIGNING_KEY = 'merchant-signing-key';

describe('callback receiver: any bytes, any content type, never a 500', () => {
  let engine: Engine;
  let api: string;
  let signing: string;
  beforeAll(async () => {
    engine = await startEngine();
    [api, signing] = await Promise.all([engine.startApi(), engine.startApi({ callbackSigningKey: SIGNING_KEY })]);
  });
  afterAll(async () => engine?.stop());

  /** A batch of payouts PesaWay accepts and never settles by itself: each waits for a callback. */
  async function acceptedPayouts(batchId: string, n: number): Promise<Array<{ reference: string; transactionId: string }>> {
    const csv = payrollCsv(payrollRows(n, { phone: () => TEST_PHONES.neverSettles }));
    expect((await http('POST', `${api}/v1/batches?batchId=${batchId}&allowDuplicateFile=true`, csvUpload(csv, API_KEYS.alice))).status).toBe(201);
    const references = Array.from({ length: n }, (_, i) => payoutReference(batchId, i + 1, 1));
    return eventually(async () => {
      const { rows } = await engine.db.pool.query<{ reference: string; transactionId: string }>(
        `SELECT reference, transaction_id AS "transactionId" FROM payouts WHERE reference = ANY($1) AND status = 'accepted' ORDER BY row_no`,
        [references],
      );
      return rows.length === n ? rows : undefined;
    }, `${n} payouts accepted`, 60_000, 200);
  }

  const url = (base: string, reference: string) => `${base}/callbacks/pesaway/${reference}/${resultsToken(CALLBACK_SECRET, reference)}`;
  const stored = async (reference: string) =>
    (await engine.db.pool.query<{ body: Buffer; content_type: string | null; outcome: string; problem: string | null }>(`SELECT body, content_type, outcome, problem FROM callbacks WHERE reference = $1 ORDER BY id`, [reference])).rows;
  const statusOf = async (reference: string) => (await engine.db.pool.query<{ status: string; result_desc: string | null }>(`SELECT status, result_desc FROM payouts WHERE reference = $1`, [reference])).rows[0];

  it('keeps a ResultCode out of range as malformed, with the reason (it answered 500 before)', async () => {
    const [p] = await acceptedPayouts('edge-range', 1);
    for (const code of ['"99999999999"', '1e20']) {
      const body = `{"ResultCode":${code},"ResultDesc":"x","OriginatorReference":"${p!.reference}","TransactionID":"${p!.transactionId}"}`;
      const res = await http('POST', url(api, p!.reference), { body, headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(200);
    }
    const rows = await stored(p!.reference);
    expect(rows.map((r) => [r.outcome, r.problem])).toEqual([
      ['malformed', 'ResultCode is not an integer in range'],
      ['malformed', 'ResultCode is not an integer in range'],
    ]);
    expect((await statusOf(p!.reference))!.status).toBe('accepted');
  });

  it('stores a NUL byte as sent and settles the payout with a clean description (its delivery failed forever before)', async () => {
    const [p] = await acceptedPayouts('edge-nul', 1);
    const body = `{"ResultCode":0,"ResultDesc":"bad\\u0000desc","OriginatorReference":"${p!.reference}","TransactionID":"${p!.transactionId}","TransactionReceipt":"NUL1"}`;
    expect((await http('POST', url(api, p!.reference), { body, headers: { 'content-type': 'application/json' } })).status).toBe(200);
    await eventually(async () => ((await statusOf(p!.reference))?.status === 'succeeded' ? true : undefined), 'the payout settled', 20_000, 100);
    expect((await statusOf(p!.reference))!.result_desc).toBe('bad\uFFFDdesc');
    const row = await eventually(async () => {
      const [r] = await stored(p!.reference);
      return r?.outcome === 'received' ? undefined : r;
    }, 'the callback delivered', 10_000, 50);
    expect(row.body.toString('utf8')).toBe(body);
    expect(row.outcome).toBe('completed');
  });

  it('takes the body whatever its content type (text/plain, multipart, none); the signature is checked over the raw bytes', async () => {
    const payouts = await acceptedPayouts('edge-types', 4);
    const bodyFor = (p: { reference: string; transactionId: string }) =>
      JSON.stringify({ ResultCode: 0, ResultDesc: 'ok', OriginatorReference: p.reference, TransactionID: p.transactionId, TransactionReceipt: 'TYPE1' });
    const sends: Array<[string, Record<string, string>]> = [
      [api, { 'content-type': 'text/plain' }],
      [api, { 'content-type': 'multipart/form-data; boundary=x' }],
      [api, {}],
      [signing, { 'content-type': 'text/plain; charset=utf-8', signature: signBody(bodyFor(payouts[3]!), SIGNING_KEY) }],
    ];
    for (const [i, [base, headers]] of sends.entries()) {
      const p = payouts[i]!;
      const res = await http('POST', url(base, p.reference), { body: bodyFor(p), headers });
      expect(res.status, JSON.stringify(headers)).toBe(200);
    }
    for (const p of payouts) {
      await eventually(async () => ((await statusOf(p.reference))?.status === 'succeeded' ? true : undefined), `${p.reference} settled`, 20_000, 100);
      expect((await stored(p.reference))[0]!.body.toString('utf8')).toBe(bodyFor(p));
    }
    expect((await stored(payouts[0]!.reference))[0]!.content_type).toBe('text/plain');
  });

  it('retries a failing delivery with backoff up to a bound, then marks it undeliverable on the payout\'s story', async () => {
    const [p] = await acceptedPayouts('edge-undeliverable', 1);
    const body = JSON.stringify({ ResultCode: 0, ResultDesc: 'ok', OriginatorReference: p!.reference, TransactionID: p!.transactionId });
    // What an outage leaves behind: the callback stored, undelivered; Temporal unreachable for the delivery.
    await engine.db.pool.query(`INSERT INTO callbacks (reference, body, received_at) VALUES ($1, $2, now() - interval '1 minute')`, [p!.reference, Buffer.from(body)]);
    const dead = await Connection.connect({ address: engine.temporal.address });
    await dead.close();
    const delivery = new CallbackDelivery({
      pool: engine.db.pool,
      temporal: new Client({ connection: dead }),
      stats: emptyCallbackStats(),
      log: createLogger({ name: 'test', level: 'silent' }),
      retryDelaysMs: [100, 200],
    });
    const attempts = async () => (await engine.db.pool.query<{ delivery_attempts: number; outcome: string; problem: string }>(`SELECT delivery_attempts, outcome, problem FROM callbacks WHERE reference = $1`, [p!.reference])).rows[0]!;
    expect(await delivery.sweep(0)).toBe(1);
    await delivery.stop();
    expect(await attempts()).toMatchObject({ delivery_attempts: 1, outcome: 'received' });
    // Not due again before its backoff.
    expect(await delivery.sweep(0)).toBe(0);
    for (let i = 0; i < 2; i++) {
      await new Promise((r) => setTimeout(r, 250));
      expect(await delivery.sweep(0)).toBe(1);
      await delivery.stop();
    }
    expect(await attempts()).toMatchObject({ delivery_attempts: 3, outcome: 'undeliverable', problem: expect.any(String) });
    expect(await delivery.sweep(0)).toBe(0);
    const story = await http<{ payout: { attention: string[] }; timeline: Array<{ kind: string; text: string }> }>('GET', `${api}/v1/payouts/${p!.reference}`, { key: API_KEYS.victor });
    expect(story.body.payout.attention).toEqual(['callback_undeliverable']);
    expect(story.body.timeline.find((e) => e.kind === 'payout.attention')?.text).toMatch(/callback_undeliverable/);
  });

  it('keeps the evidence when a callback reports another amount than the payout\'s (item 4), in the payout and the report', async () => {
    const [p] = await acceptedPayouts('edge-amount', 1);
    const body = JSON.stringify({ ResultCode: 0, ResultDesc: 'ok', OriginatorReference: p!.reference, TransactionID: p!.transactionId, TransactionAmount: '999999.00' });
    expect((await http('POST', url(api, p!.reference), { body, headers: { 'content-type': 'application/json' } })).status).toBe(200);
    await eventually(async () => ((await statusOf(p!.reference))?.status === 'succeeded' ? true : undefined), 'the payout settled', 20_000, 100);
    const { rows: [row] } = await engine.db.pool.query<{ amount_minor: string; evidence: { amountMismatch: { expected: number; reported: number } } }>(
      `SELECT amount_minor, evidence FROM payouts WHERE reference = $1`,
      [p!.reference],
    );
    expect(row!.evidence.amountMismatch).toEqual({ expected: Number(row!.amount_minor), reported: 999_999_00 });
    const report = await http('GET', `${api}/v1/batches/edge-amount/report.csv`, { key: API_KEYS.victor });
    expect(report.text).toContain('amountMismatch');
    expect(report.text.trim().split('\n').at(-1)).toMatch(/,amount_mismatch$/);
    const flagged = await http<{ items: Array<{ reference: string; attention: string[] }> }>('GET', `${api}/v1/payouts?status=flagged`, { key: API_KEYS.victor });
    expect(flagged.body.items).toContainEqual(expect.objectContaining({ reference: p!.reference, attention: ['amount_mismatch'] }));
  });

  it('counts forged callbacks durably, across API restarts', async () => {
    const before = await http<{ forgedEver: { token: number } }>('GET', `${api}/v1/callbacks/stats`, { key: API_KEYS.victor });
    expect((await http('POST', `${api}/callbacks/pesaway/ABCR1A1/forged-token`, { body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(401);
    const fresh = await engine.startApi();
    const after = await http<{ forged: number; forgedEver: { token: number } }>('GET', `${fresh}/v1/callbacks/stats`, { key: API_KEYS.victor });
    expect(after.body.forgedEver.token).toBe(before.body.forgedEver.token + 1);
  });
});
