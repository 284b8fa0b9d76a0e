import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBatch, listIssues, readBatchFile } from '../../src/db/batches.js';
import { payoutReference } from '../../src/domain/reference.js';
import { FILE_CHUNK_BYTES } from '../../src/ingest/batch-writer.js';
import { IngestError, ingestPayroll, type IngestResult } from '../../src/ingest/ingest.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const fixture = (name: string): Buffer => readFileSync(fileURLToPath(new URL(`../fixtures/payroll/${name}`, import.meta.url)));
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** A file as a stream of small chunks, like an upload. */
function stream(bytes: Buffer, size = 4096): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size));
  return Readable.from(parts);
}

/** A payroll of `rows` valid M-Pesa rows (about 60 bytes each). */
function bigPayroll(rows: number, salt = ''): Buffer {
  const lines = ['Employee ID,Name,Phone,Amount,Reason'];
  for (let i = 1; i <= rows; i++) lines.push(`E${salt}${i},Employee ${i},07${String(10_000_000 + i).slice(-8)},${1000 + (i % 500)}.50,March salary`);
  return Buffer.from(`${lines.join('\n')}\n`);
}

describe('payroll ingestion into PostgreSQL', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.close();
  });

  const count = async (sql: string, params: unknown[] = []): Promise<number> => {
    const { rows } = await db.pool.query<{ n: number }>(`SELECT (${sql})::int AS n`, params);
    return rows[0]!.n;
  };
  const storedFile = async (batchId: string): Promise<Buffer> => {
    const parts: Buffer[] = [];
    for await (const part of readBatchFile(db.pool, batchId)) parts.push(part);
    return Buffer.concat(parts);
  };
  const created = (result: IngestResult) => {
    if (result.kind !== 'created') throw new Error(`expected created, got ${JSON.stringify(result).slice(0, 500)}`);
    return result;
  };

  it('stores the batch, its payouts with deterministic references, and the exact file', async () => {
    const bytes = fixture('clean.csv');
    const result = created(await ingestPayroll(db.pool, stream(bytes, 50), { batchId: 'payroll-2026-03', fileName: 'clean.csv', submittedBy: 'officer@example.co.ke' }));
    expect(result.batch).toMatchObject({
      id: 'payroll-2026-03',
      status: 'CREATED',
      policy: 'strict',
      fileName: 'clean.csv',
      fileSha256: sha256(bytes),
      fileSize: bytes.length,
      rowCount: 5,
      validCount: 5,
      invalidCount: 0,
      warningCount: 0,
      totalMinor: 9_030_050,
      feeEstimateMinor: 16_800,
      submittedBy: 'officer@example.co.ke',
      approvalRequired: false,
    });
    const { rows } = await db.pool.query(
      `SELECT reference, row_no, line, attempt, is_current, channel, phone, name, employee_id, reason, amount_minor, fee_estimate_minor, status
       FROM payouts WHERE batch_id = $1 ORDER BY row_no`,
      ['payroll-2026-03'],
    );
    expect(rows).toEqual([
      ['254712345678', 'Achieng Odhiambo', 'E001', 'MPESA', 'March salary', 1_500_000, 3300],
      ['254722000111', 'Brian Kiprono', 'E002', 'MPESA', 'March salary', 2_250_050, 3900],
      ['254110123456', 'Cynthia Wambui', 'E003', 'MPESA', 'Salary', 980_000, 2400],
      ['254733123456', 'David Mutua', 'E004', 'AIRTEL', 'March salary', 3_100_000, 3900],
      ['254745678901', 'Esther Njeri', 'E005', 'MPESA', 'Overtime', 1_200_000, 3300],
    ].map(([phone, name, employeeId, channel, reason, amount, fee], i) => ({
      reference: payoutReference('payroll-2026-03', i + 1, 1),
      row_no: i + 1,
      line: i + 2,
      attempt: 1,
      is_current: true,
      channel,
      phone,
      name,
      employee_id: employeeId,
      reason,
      amount_minor: amount,
      fee_estimate_minor: fee,
      status: 'pending',
    })));
    expect(await storedFile('payroll-2026-03')).toEqual(bytes);
    expect(await listIssues(db.pool, 'payroll-2026-03')).toEqual([]);
  });

  it('streams a multi-megabyte file in 1 MB chunks and many INSERTs, and keeps it byte for byte', async () => {
    const bytes = bigPayroll(40_000);
    expect(bytes.length).toBeGreaterThan(2 * FILE_CHUNK_BYTES);
    const result = created(await ingestPayroll(db.pool, stream(bytes, 65_536), { batchId: 'big-1', rowsPerInsert: 3000 }));
    expect(result.batch).toMatchObject({ rowCount: 40_000, validCount: 40_000, fileSize: bytes.length, fileSha256: sha256(bytes) });
    expect(await count('SELECT count(*) FROM payouts WHERE batch_id = $1', ['big-1'])).toBe(40_000);
    expect(await count('SELECT count(*) FROM batch_file_chunks WHERE batch_id = $1', ['big-1'])).toBe(Math.ceil(bytes.length / FILE_CHUNK_BYTES));
    expect(await count('SELECT max(length(content)) FROM batch_file_chunks WHERE batch_id = $1', ['big-1'])).toBe(FILE_CHUNK_BYTES);
    expect(await count('SELECT sum(amount_minor) / 100 FROM payouts WHERE batch_id = $1', ['big-1'])).toBe(Math.floor(result.batch.totalMinor / 100));
    expect(await storedFile('big-1')).toEqual(bytes);
    const last = await db.pool.query('SELECT reference, line FROM payouts WHERE batch_id = $1 AND row_no = 40000', ['big-1']);
    expect(last.rows).toEqual([{ reference: payoutReference('big-1', 40_000, 1), line: 40_001 }]);
  });

  it('stops reading a file at a record over the limit, with or without a batch id (the spooled copy stops too)', async () => {
    for (const batchId of [undefined, 'huge-field']) {
      let pulled = 0;
      // 1,000 chunks of 64 KB (62.5 MB) inside one quoted cell: only the first few may ever be asked for.
      function* upload(): Generator<Buffer> {
        pulled++;
        yield Buffer.from('Employee ID,Name,Phone,Amount\nE1,"');
        for (let i = 0; i < 1000; i++) {
          pulled++;
          yield Buffer.alloc(65_536, 0x78);
        }
      }
      const result = await ingestPayroll(db.pool, Readable.from(upload(), { objectMode: false, highWaterMark: 65_536 }), batchId === undefined ? {} : { batchId });
      expect(result.kind).toBe('refused');
      if (result.kind !== 'refused') continue;
      expect(result.report.issues.map((i) => [i.line, i.rule])).toEqual([[2, 'record_too_long']]);
      expect(result.report.refusal?.message).toMatch(/^Row 1 \(line 2\): a record longer than 128,000 characters/);
      expect(pulled).toBeLessThan(6);
    }
    expect(await getBatch(db.pool, 'huge-field')).toBeUndefined();
  });

  it('treats the same batch id with the same file as a no-op returning the existing batch, saying which options differ', async () => {
    const bytes = fixture('excel-semicolon-bom.csv');
    const first = created(await ingestPayroll(db.pool, stream(bytes), { batchId: 'same-file' }));
    const again = await ingestPayroll(db.pool, stream(bytes, 7), { batchId: 'same-file', policy: 'skip-invalid' });
    expect(again).toEqual({ kind: 'existing', batch: first.batch, differences: [{ option: 'policy', requested: 'skip-invalid', existing: 'strict' }] });
    expect(await count('SELECT count(*) FROM payouts WHERE batch_id = $1', ['same-file'])).toBe(4);
    expect(await count('SELECT count(*) FROM batch_file_chunks WHERE batch_id = $1', ['same-file'])).toBe(1);
  });

  it('refuses the same batch id with a different file, clearly, losing nothing', async () => {
    const original = fixture('clean.csv');
    created(await ingestPayroll(db.pool, stream(original), { batchId: 'taken', allowDuplicateFile: true }));
    const before = await getBatch(db.pool, 'taken');
    const other = fixture('quoted-thousands.csv');
    const result = await ingestPayroll(db.pool, stream(other), { batchId: 'taken' });
    expect(result.kind).toBe('conflict');
    if (result.kind !== 'conflict') return;
    expect(result.batchId).toBe('taken');
    expect(result.message).toContain(`Batch "taken" already exists with a different file (SHA-256 ${sha256(original).slice(0, 12)}…, ${original.length} bytes`);
    expect(result.message).toContain(`this file is SHA-256 ${sha256(other).slice(0, 12)}…, ${other.length} bytes. Nothing was changed.`);
    expect(await getBatch(db.pool, 'taken')).toEqual(before);
    expect(await count('SELECT count(*) FROM payouts WHERE batch_id = $1', ['taken'])).toBe(5);
    expect(await storedFile('taken')).toEqual(original);
  });

  it('derives the batch id from the file hash when none is given, so a resubmission is a no-op', async () => {
    const bytes = fixture('tab-delimited.csv');
    const first = created(await ingestPayroll(db.pool, stream(bytes)));
    expect(first.batch.id).toBe(`b-${sha256(bytes).slice(0, 16)}`);
    const again = await ingestPayroll(db.pool, stream(bytes));
    expect(again).toEqual({ kind: 'existing', batch: first.batch, differences: [] });
  });

  it('lets exactly one of two concurrent ingestions of a batch id create it', async () => {
    const bytes = bigPayroll(5000, 'c');
    const same = await Promise.all([
      ingestPayroll(db.pool, stream(bytes), { batchId: 'race-same' }),
      ingestPayroll(db.pool, stream(bytes), { batchId: 'race-same' }),
    ]);
    expect(same.map((r) => r.kind).sort()).toEqual(['created', 'existing']);
    expect(await count('SELECT count(*) FROM payouts WHERE batch_id = $1', ['race-same'])).toBe(5000);

    const [a, b] = [bigPayroll(3000, 'a'), bigPayroll(3000, 'b')];
    const different = await Promise.all([
      ingestPayroll(db.pool, stream(a), { batchId: 'race-different' }),
      ingestPayroll(db.pool, stream(b), { batchId: 'race-different' }),
    ]);
    expect(different.map((r) => r.kind).sort()).toEqual(['conflict', 'created']);
    const winner = different.find((r) => r.kind === 'created');
    expect(await storedFile('race-different')).toEqual(winner === different[0] ? a : b);
    expect(await count('SELECT count(*) FROM payouts WHERE batch_id = $1', ['race-different'])).toBe(3000);
  });

  it('stores nothing for a file refused under strict', async () => {
    const result = await ingestPayroll(db.pool, stream(fixture('mixed-phones.csv')), { batchId: 'strict-refused' });
    expect(result.kind).toBe('refused');
    if (result.kind === 'refused') expect(result.report).toMatchObject({ refusal: { code: 'rows_invalid' }, invalid: 5 });
    expect(await getBatch(db.pool, 'strict-refused')).toBeUndefined();
    expect(await count("SELECT count(*) FROM batch_file_chunks WHERE batch_id = 'strict-refused'")).toBe(0);
    expect(await count("SELECT count(*) FROM payouts WHERE batch_id = 'strict-refused'")).toBe(0);
    // Refused is not taken: the corrected file can use the id.
    created(await ingestPayroll(db.pool, stream(fixture('clean.csv')), { batchId: 'strict-refused', allowDuplicateFile: true }));
  });

  it('stores the valid rows and the findings under skip-invalid', async () => {
    const result = created(await ingestPayroll(db.pool, stream(fixture('mixed-phones.csv')), { batchId: 'skip', policy: 'skip-invalid' }));
    expect(result.batch).toMatchObject({ policy: 'skip-invalid', rowCount: 12, validCount: 7, invalidCount: 5, warningCount: 0, totalMinor: 700_000 });
    expect(await count("SELECT count(*) FROM payouts WHERE batch_id = 'skip'")).toBe(7);
    const issues = await listIssues(db.pool, 'skip');
    expect(issues.map((i) => [i.seq, i.severity, i.line, i.column, i.rule, i.value])).toEqual([
      [0, 'error', 8, 'MSISDN', 'phone_not_kenyan_mobile', '0202***222'],
      [1, 'error', 9, 'MSISDN', 'phone_not_kenyan_mobile', '2557*****678'],
      [2, 'error', 10, 'MSISDN', 'phone_invalid', '***45'],
      [3, 'error', 11, 'MSISDN', 'phone_scientific_notation', '*********11'],
      [4, 'error', 12, 'MSISDN', 'phone_missing', null],
    ]);
    expect(await listIssues(db.pool, 'skip', { afterSeq: 3 })).toHaveLength(1);
  });

  it('refuses unacknowledged warnings, and stores them when acknowledged', async () => {
    const refused = await ingestPayroll(db.pool, stream(fixture('windows-1252.csv')), { batchId: 'warned' });
    expect(refused.kind === 'refused' && refused.report.refusal?.code).toBe('warnings_unacknowledged');
    expect(await getBatch(db.pool, 'warned')).toBeUndefined();

    const result = created(await ingestPayroll(db.pool, stream(fixture('windows-1252.csv')), { batchId: 'warned', acknowledgeWarnings: true, approvalRequired: true }));
    expect(result.batch).toMatchObject({ status: 'AWAITING_APPROVAL', approvalRequired: true, warningCount: 1, validCount: 3 });
    const { rows } = await db.pool.query("SELECT name, reason FROM payouts WHERE batch_id = 'warned' ORDER BY row_no");
    expect(rows).toEqual([
      { name: 'José Müller', reason: 'Salary – March' },
      { name: 'Renée François', reason: '“Bonus” Q1' },
      { name: 'Jürgen Ødegård', reason: 'Salary' },
    ]);
    expect((await listIssues(db.pool, 'warned')).map((i) => [i.severity, i.rule, i.line])).toEqual([['warning', 'transcoded_from_windows_1252', 2]]);
    expect(await storedFile('warned')).toEqual(fixture('windows-1252.csv'));
  });

  it('removes an already inserted row when a later row repeats its employee id', async () => {
    const rows = ['Employee ID,Phone,Amount', 'X1,0712000001,100', 'X2,0712000002,200', 'X3,0712000003,300', 'X4,0712000004,400', 'X1,0712000005,500', 'X5,0712000006,600'];
    const result = created(await ingestPayroll(db.pool, stream(Buffer.from(rows.join('\n')), 30), { batchId: 'retract', policy: 'skip-invalid', rowsPerInsert: 1 }));
    expect(result.batch).toMatchObject({ validCount: 4, invalidCount: 2, totalMinor: 150_000 });
    const stored = await db.pool.query("SELECT row_no FROM payouts WHERE batch_id = 'retract' ORDER BY row_no");
    expect(stored.rows.map((r: { row_no: number }) => r.row_no)).toEqual([2, 3, 4, 6]);
  });

  it('turns a clash of payout references into a clear error and stores nothing', async () => {
    created(await ingestPayroll(db.pool, stream(fixture('bank-only.csv')), { batchId: 'holder' }));
    // Simulate the one-in-millions case: a stored payout already carries the reference batch "clash" would use.
    await db.pool.query("UPDATE payouts SET reference = $1 WHERE batch_id = 'holder' AND row_no = 1", [payoutReference('clash', 1, 1)]);
    const err = await ingestPayroll(db.pool, stream(fixture('clean.csv')), { batchId: 'clash', allowDuplicateFile: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IngestError);
    expect((err as IngestError).code).toBe('reference_collision');
    expect(await getBatch(db.pool, 'clash')).toBeUndefined();
  });

  it('rejects a malformed batch id before reading anything', async () => {
    await expect(ingestPayroll(db.pool, stream(fixture('clean.csv')), { batchId: '../etc' })).rejects.toMatchObject({ code: 'batch_id_invalid' });
  });
});
