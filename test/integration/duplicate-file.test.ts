/**
 * Same file, same batch, for real (issue 12 item 9; invariant 4): a file whose content is already a batch
 * is refused with 409 `duplicate_file` naming that batch, whatever the Idempotency-Key or batch id, unless
 * the caller says `allowDuplicateFile=true` (recorded on the batch); a resubmission with other options says
 * which options the existing batch has.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEYS, type Engine, startEngine } from '../support/engine.js';
import { http } from '../support/http.js';
import { payrollCsv, payrollRows } from '../support/payroll.js';

interface Answer {
  created?: boolean;
  code?: string;
  detail?: string;
  batchId?: string;
  existingOptions?: Record<string, unknown>;
  batch?: { id: string; allowDuplicateFile: boolean; approvalRequired: boolean };
}

describe('a file already a batch never becomes a second one by accident', () => {
  let engine: Engine;
  let api: string;
  beforeAll(async () => {
    engine = await startEngine({ workers: 'none' });
    api = await engine.startApi();
  });
  afterAll(async () => engine?.stop());

  const submit = (csv: string, query: string, headers: Record<string, string> = {}) =>
    http<Answer>('POST', `${api}/v1/batches${query}`, { key: API_KEYS.alice, body: csv, headers: { 'content-type': 'text/csv', ...headers } });
  const batchCount = async () => (await engine.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM batches')).rows[0]!.n;

  it('refuses the same file under another key, no key, or another batch id, naming the batch; allows it when asked, recorded', async () => {
    const csv = payrollCsv(payrollRows(3, { phone: (i) => `2547${93_000_000 + i}` }));
    const first = await submit(csv, '', { 'idempotency-key': 'payroll-2026-11' });
    expect(first.status).toBe(201);
    const id = first.body.batch!.id;
    const before = await batchCount();

    for (const [query, headers] of [['', { 'idempotency-key': 'payroll-2026-11-again' }], ['', {}], ['?batchId=november-again', {}]] as const) {
      const again = await submit(csv, query, headers);
      expect(again.status, `${query} ${JSON.stringify(headers)}`).toBe(409);
      expect(again.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(again.body).toMatchObject({ code: 'duplicate_file', batchId: id, detail: expect.stringContaining(`already batch "${id}"`) });
      expect(again.body.detail).toMatch(/allowDuplicateFile=true/);
    }
    expect(await batchCount()).toBe(before);

    const allowed = await submit(csv, '?batchId=november-bonus&allowDuplicateFile=true');
    expect(allowed.status).toBe(201);
    expect(allowed.body.batch).toMatchObject({ id: 'november-bonus', allowDuplicateFile: true });
    const shown = await http<{ allowDuplicateFile: boolean }>('GET', `${api}/v1/batches/november-bonus`, { key: API_KEYS.victor });
    expect(shown.body.allowDuplicateFile).toBe(true);
    expect((await http<{ allowDuplicateFile: boolean }>('GET', `${api}/v1/batches/${id}`, { key: API_KEYS.victor })).body.allowDuplicateFile).toBe(false);
  });

  it('says which options the existing batch has when a resubmission asks for others, and changes nothing', async () => {
    const csv = payrollCsv(payrollRows(2, { phone: (i) => `2547${94_000_000 + i}` }));
    expect((await submit(csv, '?batchId=options-1')).status).toBe(201);
    expect((await submit(csv, '?batchId=options-1')).status).toBe(200);
    const other = await submit(csv, '?batchId=options-1&approvalRequired=true&policy=skip-invalid');
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ code: 'options_differ', batchId: 'options-1', existingOptions: { policy: 'strict', approvalRequired: false, allowDuplicateFile: false } });
    expect(other.body.detail).toMatch(/policy strict, approval required: no; this request asked for policy=skip-invalid, approvalRequired=true/);
    const kept = await http<{ approvalRequired: boolean }>('GET', `${api}/v1/batches/options-1`, { key: API_KEYS.victor });
    expect(kept.body.approvalRequired).toBe(false);
  });

  it('lets only one of two concurrent uploads of one file under two ids become a batch', async () => {
    const csv = payrollCsv(payrollRows(500, { phone: (i) => `2547${95_000_000 + i}` }));
    const answers = await Promise.all([submit(csv, '?batchId=race-a'), submit(csv, '?batchId=race-b')]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    const { rows } = await engine.db.pool.query<{ id: string }>(`SELECT id FROM batches WHERE id IN ('race-a', 'race-b')`);
    expect(rows).toHaveLength(1);
    expect(answers.find((a) => a.status === 409)!.body.batchId).toBe(rows[0]!.id);
  });
});
