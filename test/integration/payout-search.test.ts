/**
 * `GET /v1/batches/:id/payouts?q=`: the console's search of a batch's payouts by employee id (prefix), name
 * (contains, any case) or reference (exact), with keyset paging by row kept, against real PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEYS, type Engine, startEngine } from '../support/engine.js';
import { http } from '../support/http.js';
import { payrollCsv, payrollRows } from '../support/payroll.js';

type Page = { items: { row: number; employeeId: string; name: string; reference: string }[]; nextCursor: number | null };

describe('payout search', () => {
  let engine: Engine;
  let api: string;
  const get = (q: string, extra = '') => http<Page>('GET', `${api}/v1/batches/search-batch/payouts?q=${encodeURIComponent(q)}${extra}`, { key: API_KEYS.victor });

  beforeAll(async () => {
    engine = await startEngine({ workers: 'none' });
    const rows = payrollRows(300);
    rows[41]!.name = 'Wanjiru 50% Kamau_Otieno';
    const result = await engine.ingest(payrollCsv(rows), { batchId: 'search-batch' });
    expect(result.kind).toBe('created');
    api = await engine.startApi();
  });
  afterAll(async () => engine?.stop());

  it('finds rows by employee id prefix, in row order', async () => {
    const res = await get('emp0001');
    expect(res.status).toBe(200);
    expect(res.body.items.map((p) => p.employeeId)).toEqual(Array.from({ length: 10 }, (_, i) => `EMP0001${i}`));
  });

  it('finds rows whose name contains the text, whatever its case', async () => {
    const res = await get('EMPLOYEE 25');
    expect(res.body.items.map((p) => p.name)).toEqual(['Employee 25', ...Array.from({ length: 10 }, (_, i) => `Employee 25${i}`)]);
  });

  it('finds a row by its exact reference, and only then', async () => {
    const all = await http<Page>('GET', `${api}/v1/batches/search-batch/payouts?limit=5`, { key: API_KEYS.victor });
    const reference = all.body.items[3]!.reference;
    expect((await get(reference.toLowerCase())).body.items.map((p) => p.reference)).toEqual([reference]);
    expect((await get(reference.slice(0, -1))).body.items).toEqual([]);
  });

  it('reads % and _ as themselves, not as wildcards', async () => {
    expect((await get('50%')).body.items.map((p) => p.row)).toEqual([42]);
    expect((await get('u_O')).body.items.map((p) => p.row)).toEqual([42]);
    expect((await get('%')).body.items.map((p) => p.row)).toEqual([42]);
    expect((await get('_')).body.items.map((p) => p.row)).toEqual([42]);
  });

  it('pages a search by row with the cursor, like the unfiltered list', async () => {
    const first = await get('EMP0001', '&limit=4');
    expect(first.body.items.map((p) => p.row)).toEqual([10, 11, 12, 13]);
    const second = await get('EMP0001', `&limit=4&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((p) => p.row)).toEqual([14, 15, 16, 17]);
    const third = await get('EMP0001', `&limit=4&cursor=${second.body.nextCursor}`);
    expect(third.body).toEqual({ items: [expect.objectContaining({ row: 18 }), expect.objectContaining({ row: 19 })], nextCursor: null });
  });

  it('combines with the status filter, and refuses a search too long or with control characters (400)', async () => {
    expect((await get('EMP0001', '&status=pending')).body.items).toHaveLength(10);
    expect((await get('EMP0001', '&status=succeeded')).body.items).toHaveLength(0);
    expect((await get('x'.repeat(101))).status).toBe(400);
    expect((await get('a\u0001b')).status).toBe(400);
  });
});
