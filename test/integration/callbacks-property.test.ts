/**
 * Property tests for the callback path (issue 12): the real receiver over HTTP, a real PostgreSQL. Any
 * bytes under any content type (odd, invalid, multipart, text/plain, none) with a valid URL token are
 * acknowledged 200, never 5xx, stored as exactly the bytes sent with the header as sent, and end
 * classified; the receiver keeps serving. Sent one at a time and in concurrent bursts (so the group
 * commit stores many of them in one INSERT, and a mix-up of ids between them would show).
 */
import { request } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeJson } from '../../src/api/callback-delivery.js';
import { CALLBACK_OUTCOMES } from '../../src/db/callbacks.js';
import { parseResultBody } from '../../src/pesaway/result.js';
import { resultsToken } from '../../src/pesaway/results-url.js';
import { CALLBACK_SECRET, type Engine, startEngine } from '../support/engine.js';
import { eventually } from '../support/waiting.js';

/** What the receiver may answer a callback with a valid URL token and a body within its limit. */
const ACK = { code: '200.001', status: 'received' };

interface Sent {
  reference: string;
  body: Buffer;
  contentType: string | undefined;
}

/** A raw POST (node:http, so header values may hold any byte Node allows in a header: tab, 0x20-0x7E, 0x80-0xFF). */
function post(base: string, sent: Sent): Promise<{ status: number; text: string }> {
  const url = new URL(`${base}/callbacks/pesaway/${sent.reference}/${resultsToken(CALLBACK_SECRET, sent.reference)}`);
  const headers: Record<string, string | number> = { 'content-length': sent.body.length };
  if (sent.contentType !== undefined) headers['content-type'] = sent.contentType;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(sent.body);
  });
}

const headerChar = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
  { weight: 1, arbitrary: fc.constant(0x09) },
  { weight: 2, arbitrary: fc.integer({ min: 0x80, max: 0xff }) },
).map((c) => String.fromCharCode(c));

const contentType = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
    'text/plain; charset=iso-8859-1',
    'multipart/form-data; boundary=----x',
    'multipart/form-data',
    'application/x-www-form-urlencoded',
    'application/octet-stream',
    'application/xml',
    '',
    ' ',
    '*/*',
    'application/',
    '/json',
    ';;;',
    'application/json; charset=',
    'APPLICATION/JSON',
    'text/html; charset="utf-8"; q=0.1',
  ),
  fc.array(headerChar, { maxLength: 300 }).map((chars) => chars.join('')),
  fc.tuple(fc.constantFrom('application', 'text', 'multipart', 'x'), fc.string({ maxLength: 20 }), fc.string({ maxLength: 40 })).map(([t, s, p]) => `${t}/${s}; ${p}`.replace(/[^\t\x20-\x7e]/g, '?')),
);

const scalar = fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null), fc.boolean(), fc.constantFrom('0', '1', ' 2001 ', '99999999999', '1e20', '-1', ''));

/** Bodies shaped like a result (final, pending, mismatching, wrapped), with odd values in every field. */
const resultLike = (reference: string) =>
  fc
    .record(
      {
        ResultCode: scalar,
        ResultDesc: fc.oneof(fc.string(), scalar),
        OriginatorReference: fc.oneof(fc.constant(reference), fc.string({ maxLength: 30 }), scalar),
        TransactionID: fc.oneof(fc.string({ maxLength: 30 }), scalar),
        TransactionAmount: fc.oneof(fc.constantFrom('100.00', '1,000.50', '-5', 'abc', '1e400'), scalar),
        TransactionReceipt: fc.string({ maxLength: 20 }),
      },
      { requiredKeys: [] },
    )
    .chain((obj) => fc.constantFrom<unknown>(obj, { data: obj }, { Result: obj }, [obj]))
    .map((v) => Buffer.from(JSON.stringify(v)));

const bodyFor = (reference: string) =>
  fc.oneof(
    fc.uint8Array({ maxLength: 4096 }).map((a) => Buffer.from(a)),
    fc.json({ maxDepth: 3 }).map((j) => Buffer.from(j)),
    fc.string({ unit: 'binary', maxLength: 500 }).map((s) => Buffer.from(s)),
    resultLike(reference),
    // Truncated JSON, a NUL inside a string, a byte-order mark.
    resultLike(reference).map((b) => b.subarray(0, Math.floor(b.length / 2))),
    resultLike(reference).map((b) => Buffer.from(b.toString('utf8').replace('{', '{"X":"a\\u0000b",'))),
    resultLike(reference).map((b) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), b])),
  );

let counter = 0;
/** Unique per case, a valid reference shape; none is a payout of this database (so final results end `unknown_payout`). */
const callback: fc.Arbitrary<Sent> = fc
  .tuple(fc.stringMatching(/^[A-Za-z0-9]{1,20}$/), fc.nat())
  .map(([stem, n]) => `P${(counter++).toString(36)}x${stem}${n}`.slice(0, 64))
  .chain((reference) => fc.record({ reference: fc.constant(reference), body: bodyFor(reference), contentType }));

describe('callback receiver, property: any bytes and any content type in -> stored, classified, no throw', () => {
  let engine: Engine;
  let api: string;
  const all: Sent[] = [];
  beforeAll(async () => {
    engine = await startEngine({ workers: 'none' });
    api = await engine.startApi();
  });
  afterAll(async () => engine?.stop());

  const storedRows = async (reference: string) =>
    (await engine.db.pool.query<{ body: Buffer; content_type: string | null; outcome: string }>(`SELECT body, content_type, outcome FROM callbacks WHERE reference = $1 ORDER BY id`, [reference])).rows;

  async function check(sent: Sent, res: { status: number; text: string }): Promise<void> {
    expect(res.status, `status for content-type ${JSON.stringify(sent.contentType)}, ${sent.body.length} bytes: ${res.text}`).toBe(200);
    expect(JSON.parse(res.text)).toEqual(ACK);
    // Acknowledged means committed: the row is there the moment the answer is.
    const rows = await storedRows(sent.reference);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.body.equals(sent.body), 'the exact bytes stored').toBe(true);
    // The header as HTTP delivers it (surrounding spaces and tabs are not part of a value), up to 200 characters.
    expect(rows[0]!.content_type).toBe(sent.contentType === undefined ? null : sent.contentType.replace(/^[ \t]+|[ \t]+$/g, '').slice(0, 200));
    expect(CALLBACK_OUTCOMES).toContain(rows[0]!.outcome);
    all.push(sent);
  }

  it('one at a time: 200, the bytes stored, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(callback, async (sent) => {
        await check(sent, await post(api, sent));
      }),
      { numRuns: 150 },
    );
  });

  it('in concurrent bursts (grouped into shared INSERTs): each its own row, its own bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(callback, { minLength: 5, maxLength: 40 }), async (burst) => {
        const answers = await Promise.all(burst.map((sent) => post(api, sent)));
        for (const [i, sent] of burst.entries()) await check(sent, answers[i]!);
      }),
      { numRuns: 15 },
    );
  });

  it('ends every stored callback classified (none left `received`), and keeps serving', async () => {
    expect(all.length).toBeGreaterThan(150);
    const references = all.map((s) => s.reference);
    const rows = await eventually(async () => {
      const { rows } = await engine.db.pool.query<{ reference: string; outcome: string }>(`SELECT reference, outcome FROM callbacks WHERE reference = ANY($1)`, [references]);
      return rows.length === references.length && rows.every((r) => r.outcome !== 'received') ? rows : undefined;
    }, 'every callback delivered or classified', 30_000, 200);
    // Each row classified as its own bytes say (a row given another's id would be marked for the other).
    const byReference = new Map(rows.map((r) => [r.reference, r.outcome]));
    for (const sent of all) {
      const parsed = parseResultBody(safeJson(sent.body.toString('utf8')));
      const expected =
        parsed.kind !== 'final' ? parsed.kind : parsed.result.reference !== undefined && parsed.result.reference !== sent.reference ? 'mismatch' : 'unknown_payout';
      expect(byReference.get(sent.reference), sent.body.toString('utf8').slice(0, 200)).toBe(expected);
    }
    // Still serving, and a well-formed result for a payout that does not exist is kept and classified.
    const reference = 'StillServing1';
    const body = Buffer.from(JSON.stringify({ ResultCode: 0, ResultDesc: 'ok', OriginatorReference: reference, TransactionID: 'T1' }));
    expect((await post(api, { reference, body, contentType: 'application/json' })).status).toBe(200);
    await eventually(async () => ((await storedRows(reference))[0]?.outcome === 'unknown_payout' ? true : undefined), 'classified unknown_payout', 10_000, 100);
  });
});
