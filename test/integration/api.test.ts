import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallbackDelivery } from '../../src/api/callback-delivery.js';
import { emptyCallbackStats } from '../../src/api/callbacks.js';
import { createLogger } from '../../src/common/log.js';
import { payoutReference } from '../../src/domain/reference.js';
import { resultsToken } from '../../src/pesaway/results-url.js';
import { signBody } from '../../src/pesaway/signature.js';
import { API_KEYS, CALLBACK_SECRET, type Engine, startEngine } from '../support/engine.js';
import { csvUpload, http } from '../support/http.js';
import { assertMoneyInvariants } from '../support/invariants.js';
import { payrollCsv, payrollRows } from '../support/payroll.js';
import { eventually } from '../support/waiting.js';

interface BatchBody {
  id: string;
  status: string;
  progress?: { counts: Record<string, number>; amounts: Record<string, string> };
  links: Record<string, string | null>;
}

describe('HTTP API end to end (real Temporal, PostgreSQL, sandbox)', () => {
  let engine: Engine;
  let api: string;
  beforeAll(async () => {
    engine = await startEngine();
    api = await engine.startApi();
  });
  afterAll(async () => engine?.stop());

  const waitFor = (id: string, status: string) =>
    eventually(async () => {
      const r = await http<BatchBody>('GET', `${api}/v1/batches/${id}`, { key: API_KEYS.victor });
      return r.body.status === status ? r.body : undefined;
    }, `${id} ${status}`, 120_000, 500);

  it('upload -> paid -> report, row by row', async () => {
    const rows = payrollRows(25, { phone: (i) => `2547${90_000_000 + i}` });
    rows[3]!.name = '=HYPERLINK("http://evil.example","click")';
    const created = await http<{ created: boolean; batch: BatchBody; report: { valid: number; totalAmount: string } }>('POST', `${api}/v1/batches?batchId=api-e2e`, csvUpload(payrollCsv(rows), API_KEYS.alice));
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/v1/batches/api-e2e');
    expect(created.body).toMatchObject({ created: true, batch: { id: 'api-e2e', links: { temporal: expect.stringContaining('/workflows/batch%2Fapi-e2e') } }, report: { valid: 25 } });

    const done = await waitFor('api-e2e', 'COMPLETED');
    expect(done.progress).toMatchObject({ counts: { succeeded: 25, failed: 0 }, amounts: { total: created.body.report.totalAmount, succeeded: created.body.report.totalAmount } });

    const payouts = await http<{ items: Array<{ row: number; status: string; destination: string }>; nextCursor: number | null }>('GET', `${api}/v1/batches/api-e2e/payouts?limit=10`, { key: API_KEYS.victor });
    expect(payouts.body.items).toHaveLength(10);
    expect(payouts.body.nextCursor).toBe(10);
    expect(payouts.body.items[0]).toMatchObject({ row: 1, status: 'succeeded', destination: expect.stringMatching(/^2547\*{5}\d{3}$/) });

    const report = await http('GET', `${api}/v1/batches/api-e2e/report.csv`, { key: API_KEYS.victor });
    expect(report.status).toBe(200);
    expect(report.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = report.text.trim().split('\n');
    expect(lines).toHaveLength(26);
    expect(lines[0]).toMatch(/^row,line,attempt,reference,/);
    expect(lines[4]).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(report.text).not.toMatch(/2547\d{8}/);
    await assertMoneyInvariants(engine.db.pool, engine.sandbox, 'api-e2e');
  });

  it('multipart upload, dry run, idempotent resubmission, conflicts and refusals', async () => {
    const csv = payrollCsv(payrollRows(3, { phone: (i) => `2547${91_000_000 + i}` }));
    const form = new FormData();
    form.append('file', new Blob([csv], { type: 'text/csv' }), 'november.csv');
    const viaForm = await http<{ batch: BatchBody & { fileName: string } }>('POST', `${api}/v1/batches`, { key: API_KEYS.alice, body: form, headers: { 'idempotency-key': 'payroll-2026-11' } });
    expect(viaForm.status).toBe(201);
    expect(viaForm.body.batch.fileName).toBe('november.csv');
    const again = await http<{ created: boolean; batch: BatchBody }>('POST', `${api}/v1/batches`, { ...csvUpload(csv, API_KEYS.alice), headers: { 'content-type': 'text/csv', 'idempotency-key': 'payroll-2026-11' } });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: false, batch: { id: viaForm.body.batch.id } });

    const other = payrollCsv(payrollRows(2, { phone: (i) => `2547${92_000_000 + i}` }));
    const conflict = await http('POST', `${api}/v1/batches?batchId=${viaForm.body.batch.id}`, csvUpload(other, API_KEYS.alice));
    expect(conflict.status).toBe(409);
    expect(conflict.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(conflict.body).toMatchObject({ code: 'batch_conflict', detail: expect.stringMatching(/another batch id/) });

    const bad = 'employee_id,name,phone,amount\nE1,Ann,0712345678,100\nE2,Ben,020 123 4567,100\nE3,Cy,0712345679,12.345\n';
    const dry = await http<{ dryRun: boolean; report: { accepted: boolean; invalid: number; errors: Array<{ line: number; column: string; rule: string }> } }>('POST', `${api}/v1/batches?dryRun=true`, csvUpload(bad, API_KEYS.alice));
    expect(dry.status).toBe(200);
    expect(dry.body.report).toMatchObject({ accepted: false, invalid: 2 });
    expect(dry.body.report.errors.map((e) => [e.line, e.column, e.rule])).toEqual([[3, 'phone', 'phone_not_kenyan_mobile'], [4, 'amount', 'amount_too_many_decimals']]);
    const refused = await http<{ code: string; report: { invalid: number } }>('POST', `${api}/v1/batches`, csvUpload(bad, API_KEYS.alice));
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'payroll_refused', report: { invalid: 2 } });
    const skipped = await http<{ batch: BatchBody }>('POST', `${api}/v1/batches?policy=skip-invalid&batchId=api-skip`, csvUpload(bad, API_KEYS.alice));
    expect(skipped.status).toBe(201);
    const errorsCsv = await http('GET', `${api}/v1/batches/api-skip/errors.csv`, { key: API_KEYS.victor });
    expect(errorsCsv.text.trim().split('\n')).toHaveLength(3);
    expect(errorsCsv.text).toContain('phone_not_kenyan_mobile');
    await waitFor('api-skip', 'COMPLETED');
  });

  it('refuses an upload over the size limit with 413, declared or streamed, stores nothing and keeps serving', async () => {
    const small = await engine.startApi({ maxUploadBytes: 10_000 });
    const big = payrollCsv(payrollRows(2000, { phone: (i) => `2547${93_000_000 + i}` }));
    const declared = await http<{ code: string; detail: string }>('POST', `${small}/v1/batches?batchId=api-big-1`, csvUpload(big, API_KEYS.alice));
    expect(declared.status).toBe(413);
    expect(declared.body).toMatchObject({ code: 'payload_too_large', detail: expect.stringContaining('larger than 9.8 KB') });

    // Chunked (no Content-Length): the limit trips mid-stream, before ingestion reads a row.
    const chunks = Array.from({ length: 20 }, (_, i) => big.slice(i * 5000, (i + 1) * 5000));
    const streamed = await fetch(`${small}/v1/batches?batchId=api-big-2`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEYS.alice}`, 'content-type': 'text/csv' },
      body: ReadableStream.from(chunks.map((c) => new TextEncoder().encode(c))),
      duplex: 'half',
    }).then((r) => r.status, (err: unknown) => `connection closed: ${String(err)}`);
    if (typeof streamed === 'number') expect(streamed).toBe(413);

    const stored = await engine.db.pool.query("SELECT count(*)::int AS n FROM batches WHERE id LIKE 'api-big-%'");
    expect(stored.rows[0]).toEqual({ n: 0 });
    expect((await http('GET', `${small}/healthz`)).status).toBe(200);
    const fine = await http('POST', `${small}/v1/batches?dryRun=true`, csvUpload(payrollCsv(payrollRows(2, { phone: (i) => `2547${93_100_000 + i}` })), API_KEYS.alice));
    expect(fine.status).toBe(200);
  });

  it('refuses a 60 MB single-field CSV at the record limit with 422 naming the row, raw or multipart, with or without a batch id (issue 12 item 7)', async () => {
    const huge = `employee_id,name,phone,amount\nE1,"${'x'.repeat(60 * 1024 * 1024)}",0712345678,100\n`;
    type Refused = { code: string; detail: string; report: { errors: Array<{ line: number; rule: string }> } };
    const expectRefused = (r: { status: number; body: Refused }) => {
      expect(r.status).toBe(422);
      expect(r.body.code).toBe('payroll_refused');
      expect(r.body.detail).toMatch(/^Row 1 \(line 2\): a record longer than 128,000 characters, the most one row may hold\. Split the long cell, or check for a quote that is never closed/);
      expect(r.body.report.errors.map((e) => [e.line, e.rule])).toEqual([[2, 'record_too_long']]);
    };
    // Without a batch id the upload is spooled first (its hash names the batch): the spool stops at the limit too.
    expectRefused(await http<Refused>('POST', `${api}/v1/batches`, csvUpload(huge, API_KEYS.alice)));
    expectRefused(await http<Refused>('POST', `${api}/v1/batches?batchId=api-huge-field`, csvUpload(huge, API_KEYS.alice)));
    const form = new FormData();
    form.append('file', new Blob([huge], { type: 'text/csv' }), 'huge.csv');
    expectRefused(await http<Refused>('POST', `${api}/v1/batches`, { key: API_KEYS.alice, body: form }));

    const stored = await engine.db.pool.query("SELECT count(*)::int AS n FROM batches WHERE id = 'api-huge-field' OR file_name = 'huge.csv'");
    expect(stored.rows[0]).toEqual({ n: 0 });
    expect((await http('GET', `${api}/healthz`)).status).toBe(200);
  });

  it('serves errors.csv with the BOM and every row number, byte for byte what `disburse validate --errors-csv` writes (issue 12 item 8)', async () => {
    // Blank lines, a cell over two lines, invalid rows, a repeated employee id (the first row, valid until
    // then, is dropped), a same-phone-same-amount warning and a formula: row numbers that are not line - 1.
    const csv = [
      'employee_id,name,phone,amount,reason',
      '',
      'E1,Ann,254794500001,100,"two',
      'lines"',
      'E2,Ben,020 123 4567,100,x',
      '   ',
      'E3,Cy,254794500003,12.345,y',
      'E4,Di,254794500004,100,z',
      'E1,Ann again,254794500005,100,dup',
      'E5,Eve,254794500004,100,pasted',
      'E6,Fay,254794500006,=1+2,formula',
      '',
    ].join('\r\n');
    const dir = await mkdtemp(join(tmpdir(), 'disburse-errors-csv-'));
    try {
      const file = join(dir, 'payroll.csv');
      const cliCsv = join(dir, 'errors.csv');
      await writeFile(file, csv);
      const root = fileURLToPath(new URL('../..', import.meta.url));
      const code = await new Promise<number | null>((resolve, reject) => {
        const child = spawn(process.execPath, [join(root, 'bin', 'disburse.js'), 'validate', file, '--policy', 'skip-invalid', '--acknowledge-warnings', '--errors-csv', cliCsv, '--json'], { cwd: root, stdio: 'ignore' });
        child.once('error', reject);
        child.once('close', resolve);
      });
      expect(code).toBe(0);

      const created = await http('POST', `${api}/v1/batches?batchId=api-errors-csv&policy=skip-invalid&acknowledgeWarnings=true`, csvUpload(csv, API_KEYS.alice));
      expect(created.status).toBe(201);
      const res = await fetch(`${api}/v1/batches/api-errors-csv/errors.csv`, { headers: { authorization: `Bearer ${API_KEYS.victor}` } });
      expect(res.status).toBe(200);
      const served = Buffer.from(await res.arrayBuffer());
      expect([...served.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const lines = served.toString('utf8').slice(1).trimEnd().split('\n');
      expect(lines[0]).toBe('line,row,severity,column,rule,value,message');
      expect(lines.slice(1).map((l) => l.split(',').slice(0, 5).join(','))).toEqual([
        '5,2,error,phone,phone_not_kenyan_mobile',
        '7,3,error,amount,amount_too_many_decimals',
        '9,5,error,employee_id,duplicate_employee_id',
        '3,1,error,employee_id,duplicate_employee_id',
        '10,6,warning,phone,duplicate_phone_amount',
        '11,7,error,amount,amount_format',
      ]);
      expect(served.equals(await readFile(cliCsv))).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    await waitFor('api-errors-csv', 'COMPLETED');
  });

  it('refuses missing, wrong and under-privileged keys; the approver must differ from the submitter', async () => {
    const csv = payrollCsv(payrollRows(2, { phone: (i) => `2547${93_000_000 + i}` }));
    expect((await http('GET', `${api}/v1/batches`)).status).toBe(401);
    expect((await http('GET', `${api}/v1/batches`, { key: 'not-a-key-at-all-0000' })).status).toBe(401);
    const viewer = await http('POST', `${api}/v1/batches`, csvUpload(csv, API_KEYS.victor));
    expect(viewer).toMatchObject({ status: 403, body: { code: 'forbidden', detail: 'victor has the viewer role; this needs submitter.' } });

    const submitted = await http<{ batch: BatchBody }>('POST', `${api}/v1/batches?batchId=api-approval&approvalRequired=true`, csvUpload(csv, API_KEYS.alice));
    expect(submitted.status).toBe(201);
    await waitFor('api-approval', 'AWAITING_APPROVAL');
    expect((await http('POST', `${api}/v1/batches/api-approval/approve`, { key: API_KEYS.alice })).status).toBe(403);
    const self = await http('POST', `${api}/v1/batches/api-approval/approve`, { key: API_KEYS.aliceApprover });
    expect(self).toMatchObject({ status: 403, body: { code: 'self_approval' } });
    // Nothing was paid while the batch waited for approval.
    const refs = [payoutReference('api-approval', 1, 1), payoutReference('api-approval', 2, 1)];
    expect(engine.sandbox.ledger.report().entries.filter((e) => refs.includes(e.reference))).toEqual([]);
    const approved = await http('POST', `${api}/v1/batches/api-approval/approve`, { key: API_KEYS.bob });
    expect(approved).toMatchObject({ status: 202, body: { action: 'approve', by: 'bob' } });
    await waitFor('api-approval', 'COMPLETED');
    const row = await engine.db.pool.query(`SELECT approved_by FROM batches WHERE id = 'api-approval'`);
    expect(row.rows[0]).toEqual({ approved_by: 'bob' });
    const late = await http('POST', `${api}/v1/batches/api-approval/pause`, { key: API_KEYS.alice });
    expect(late).toMatchObject({ status: 409, body: { code: 'wrong_state' } });
    expect((await http('GET', `${api}/v1/batches/nope`, { key: API_KEYS.victor })).status).toBe(404);
  });

  it('callback receiver: forged tokens and bad signatures are refused and counted; unknown payouts are kept', async () => {
    const signing = await engine.startApi({ callbackSigningKey: 'merchant-signing-key' });
    const body = JSON.stringify({ ResultCode: 0, ResultDesc: 'ok', OriginatorReference: 'UNKNOWNR1A1', TransactionID: 'PHY1' });
    const forged = await http('POST', `${api}/callbacks/pesaway/UNKNOWNR1A1/not-the-token`, { body, headers: { 'content-type': 'application/json' } });
    expect(forged.status).toBe(401);
    const valid = `${api}/callbacks/pesaway/UNKNOWNR1A1/${resultsToken(CALLBACK_SECRET, 'UNKNOWNR1A1')}`;
    const unknown = await http('POST', valid, { body, headers: { 'content-type': 'application/json' } });
    expect(unknown.status).toBe(200);
    // Stored before the answer; delivered (here: found to belong to no payout) just after it.
    const outcome = async () => (await engine.db.pool.query<{ outcome: string }>(`SELECT outcome FROM callbacks WHERE reference = 'UNKNOWNR1A1'`)).rows;
    expect((await outcome()).length).toBe(1);
    await eventually(async () => ((await outcome())[0]?.outcome === 'unknown_payout' ? true : undefined), 'the callback delivered', 10_000, 50);

    const signedUrl = `${signing}/callbacks/pesaway/UNKNOWNR1A1/${resultsToken(CALLBACK_SECRET, 'UNKNOWNR1A1')}`;
    const goodSig = await http('POST', signedUrl, { body, headers: { 'content-type': 'application/json', signature: signBody(body, 'merchant-signing-key') } });
    expect(goodSig.status).toBe(200);
    const tampered = await http('POST', signedUrl, { body: body.replace('"ResultCode":0', '"ResultCode":1'), headers: { 'content-type': 'application/json', signature: signBody(body, 'merchant-signing-key') } });
    expect(tampered.status).toBe(401);
    const unsigned = await http('POST', signedUrl, { body, headers: { 'content-type': 'application/json' } });
    expect(unsigned.status).toBe(401);
    const stats = await http<Record<string, number>>('GET', `${api}/v1/callbacks/stats`, { key: API_KEYS.victor });
    expect(stats.body).toMatchObject({ forged: 1, badSignature: 2, forgedEver: { token: 1, signature: 2 } });
  });

  it('delivers a callback that was stored but never delivered (the API died between its answer and the delivery)', async () => {
    const csv = payrollCsv(payrollRows(1, { phone: () => '254700000999' })); // the sandbox never settles it
    expect((await http('POST', `${api}/v1/batches?batchId=api-orphan`, csvUpload(csv, API_KEYS.alice))).status).toBe(201);
    const reference = payoutReference('api-orphan', 1, 1);
    const accepted = await eventually(async () => {
      const { rows } = await engine.db.pool.query<{ status: string; transactionId: string }>(`SELECT status, transaction_id AS "transactionId" FROM payouts WHERE reference = $1`, [reference]);
      return rows[0]?.status === 'accepted' ? rows[0] : undefined;
    }, 'the payout accepted', 60_000, 200);
    // What a crash leaves behind: the callback stored ('received'), PesaWay answered, no delivery made.
    const body = JSON.stringify({ ResultCode: 0, ResultDesc: 'ok', OriginatorReference: reference, TransactionID: accepted.transactionId, TransactionReceipt: 'ORPHAN1', TransactionAmount: '1000.00' });
    await engine.db.pool.query(`INSERT INTO callbacks (reference, body, received_at) VALUES ($1, $2, now() - interval '1 minute')`, [reference, Buffer.from(body)]);

    const delivery = new CallbackDelivery({ pool: engine.db.pool, temporal: engine.temporal.client, stats: emptyCallbackStats(), log: createLogger({ name: 'test', level: 'silent' }) });
    expect(await delivery.sweep(30_000)).toBe(1);
    await delivery.stop();
    const batch = await waitFor('api-orphan', 'COMPLETED');
    expect(batch.progress?.counts).toMatchObject({ succeeded: 1 });
    const stored = await engine.db.pool.query(`SELECT outcome FROM callbacks WHERE reference = $1`, [reference]);
    expect(stored.rows).toEqual([{ outcome: 'completed' }]);
    expect(await delivery.sweep(0)).toBe(0); // delivered callbacks are not swept again
  });

  it('answers bad parameters and bodies with 4xx, never 500 (issue 12 item 6)', async () => {
    const key = API_KEYS.alice;
    expect((await http('GET', `${api}/v1/batches?cursor=%00`, { key })).status).toBe(400);
    expect((await http('GET', `${api}/v1/batches/api-happy/payouts?cursor=2147483648`, { key })).status).toBe(400);
    const csv = payrollCsv(payrollRows(1, { phone: () => '254711000001' }));
    expect((await http('POST', `${api}/v1/batches?fileName=a%00b`, csvUpload(csv, key))).status).toBe(400);
    const json = await http<{ code: string; detail: string }>('POST', `${api}/v1/batches`, { key, json: {} });
    expect(json).toMatchObject({ status: 415, body: { code: 'unsupported_media_type' } });
    expect(json.body.detail).toContain('Content-Type: text/csv');

    // Found by the contract test (item 11): a form without a boundary was a 500; one cut short hung forever.
    const noBoundary = await http('POST', `${api}/v1/batches?dryRun=true`, { key, body: 'x', headers: { 'content-type': 'multipart/form-data' } });
    expect(noBoundary).toMatchObject({ status: 400, body: { code: 'multipart_invalid' } });
    const cut = '--abc\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nemployee_id,name,phone,amount\r\nE1,Ann,07123';
    const truncated = await http('POST', `${api}/v1/batches?dryRun=true`, { key, body: cut, headers: { 'content-type': 'multipart/form-data; boundary=abc' } });
    expect(truncated).toMatchObject({ status: 400, body: { code: 'upload_incomplete' } });
    // A known path asked with a method it does not answer: 405 with the methods it does, not a 404.
    for (const method of ['DELETE', 'PUT', 'QUERY']) {
      const wrong = await http(method, `${api}/v1/batches/api-e2e`, { key });
      expect(wrong.status, method).toBe(405);
      expect(wrong.headers.get('allow')).toBe('GET, HEAD');
      expect(wrong.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    expect((await http('DELETE', `${api}/v1/nothing-here`, { key })).status).toBe(404);
  });

  it('serves its OpenAPI description, health and readiness', async () => {
    type Op = { security?: unknown[]; requestBody?: { content: Record<string, unknown> }; responses: Record<string, { content?: Record<string, unknown> }> };
    const doc = await http<{ openapi: string; paths: Record<string, Record<string, Op>> }>('GET', `${api}/openapi.json`);
    expect(doc.body.openapi).toBe('3.1.0');
    // Item 11: problems as they are sent, public routes without the bearer key, an uploadable body.
    const submit = doc.body.paths['/v1/batches']!['post']!;
    expect(Object.keys(submit.requestBody!.content)).toEqual(expect.arrayContaining(['text/csv', 'multipart/form-data']));
    expect(Object.keys(submit.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403', '409', '413', '415', '422']));
    expect(Object.keys(submit.responses['422']!.content!)).toEqual(['application/problem+json']);
    for (const path of ['/healthz', '/readyz', '/openapi.json']) expect(doc.body.paths[path]!['get']!.security, path).toEqual([]);
    expect(doc.body.paths['/callbacks/pesaway/{reference}/{token}']!['post']!.security).toEqual([]);
    expect(doc.body.paths['/v1/batches/{id}']!['get']!.security).toBeUndefined(); // the document's default: the bearer key
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining([
      '/v1/batches', '/v1/batches/{id}', '/v1/batches/{id}/payouts', '/v1/batches/{id}/report.csv', '/v1/batches/{id}/errors.csv',
      '/v1/batches/{id}/approve', '/v1/batches/{id}/retry-failed', '/v1/batches/{id}/funds-added', '/readyz', '/healthz',
    ]));
    expect((await http('GET', `${api}/healthz`)).body).toEqual({ ok: true });
    expect((await http('GET', `${api}/readyz`)).body).toEqual({ ready: true, postgres: 'ok', temporal: 'ok' });
    const list = await http<{ items: BatchBody[] }>('GET', `${api}/v1/batches?status=COMPLETED&limit=2`, { key: API_KEYS.victor });
    expect(list.body.items.length).toBeGreaterThan(0);
    expect(list.body.items.every((b) => b.status === 'COMPLETED')).toBe(true);
  });
});
