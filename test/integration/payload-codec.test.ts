/**
 * Encrypted payloads on the real stack: a batch paid with TEMPORAL_PAYLOAD_KEYS set leaves the Temporal server
 * holding ciphertext only (no amount, reference, name or masked number in any history event), the codec server
 * gives the Web UI the original JSON back, and a key rotated out of first place still reads old runs.
 */
import { randomBytes } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskPhone } from '../../src/common/mask.js';
import { workflowIds } from '../../src/workflows/definitions.js';
import { API_KEYS, type Engine, startEngine } from '../support/engine.js';
import { batchHistoryTexts } from '../support/history-text.js';
import { http } from '../support/http.js';
import { payrollCsv, payrollRows } from '../support/payroll.js';
import { eventually } from '../support/waiting.js';

const BATCH = 'codec-2026-12';
const OLD = { id: '2026-06', key: randomBytes(32) };
const NEW = { id: '2026-12', key: randomBytes(32) };
const ROWS = payrollRows(5, { amount: (i) => 1234 + i });
const UI = 'http://localhost:8233';

interface WirePayload {
  metadata: Record<string, string>;
  data: string;
}
const wire = (p: temporal.api.common.v1.IPayload): WirePayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data ?? []).toString('base64'),
});
const metadataText = (p: WirePayload, key: string): string | undefined => (p.metadata[key] === undefined ? undefined : Buffer.from(p.metadata[key], 'base64').toString());

/** Every Payload in a history event (anything with `metadata` and `data`), with where it sits. */
function payloadsIn(value: unknown, path: string): Array<[string, temporal.api.common.v1.IPayload]> {
  if (!value || typeof value !== 'object' || value instanceof Uint8Array) return [];
  const o = value as Record<string, unknown>;
  if ('data' in o && 'metadata' in o && (o['data'] === null || o['data'] instanceof Uint8Array)) return [[path, o]];
  return Object.entries(o).flatMap(([k, v]) => payloadsIn(v, `${path}.${k}`));
}

async function batchRuns(client: Client, batchId: string): Promise<Array<{ workflowId: string; runId: string }>> {
  const runs: Array<{ workflowId: string; runId: string }> = [];
  for await (const r of client.workflow.list({ query: `BatchId = '${batchId}'` })) runs.push({ workflowId: r.workflowId, runId: r.runId });
  return runs;
}

describe('encrypted Temporal payloads', () => {
  let engine: Engine;
  let api: string;
  /** The batch's start input, as the server stores it. */
  let started: WirePayload;

  const codec = (base: string, op: 'encode' | 'decode', payloads: WirePayload[], headers: Record<string, string> = {}, key: string | null = API_KEYS.victor) =>
    http<{ payloads: WirePayload[]; code?: string; detail?: string }>('POST', `${base}/codec/${op}`, { ...(key ? { key } : {}), json: { payloads }, headers });

  beforeAll(async () => {
    engine = await startEngine({ payloadKeys: [OLD], sandbox: { settleDelayMs: { min: 20, max: 80 } } });
    api = await engine.startApi();
    const res = await http('POST', `${api}/v1/batches?batchId=${BATCH}&approvalRequired=false`, { key: API_KEYS.alice, body: payrollCsv(ROWS), headers: { 'content-type': 'text/csv' } });
    expect(res.status, res.text).toBe(201);
    await eventually(async () => {
      const { rows } = await engine.db.pool.query<{ status: string }>('SELECT status FROM batches WHERE id = $1', [BATCH]);
      return rows[0]?.status === 'COMPLETED' ? true : undefined;
    }, 'the batch paid', 120_000);
  }, 180_000);
  afterAll(() => engine?.stop());

  it('leaves nothing in clear on the Temporal server: every payload is ciphertext under the current key', async () => {
    // A client without the codec sees what the server stores.
    const raw = new Client({ connection: engine.temporal.client.connection, namespace: 'default' });
    const texts = await batchHistoryTexts(engine.temporal.client, BATCH, 4, raw);
    expect(texts.length).toBeGreaterThanOrEqual(2); // the batch and its shard
    const all = texts.flatMap((t) => t.events).join('\n');
    const { rows } = await engine.db.pool.query<{ reference: string; transaction_id: string }>('SELECT reference, transaction_id FROM payouts WHERE batch_id = $1', [BATCH]);
    expect(rows).toHaveLength(ROWS.length);
    const secrets = [
      ...rows.flatMap((r) => [r.reference, r.transaction_id]),
      ...ROWS.flatMap((r) => [r.name, r.employeeId, r.phone, maskPhone(r.phone)]),
      // Field names of the workflows' JSON, and the Web UI summary's currency: none readable without the key.
      'amountMinor',
      'KES',
    ];
    for (const s of secrets) {
      const where = texts.flatMap((t) => t.events).find((e) => e.includes(s));
      expect(where && where.slice(Math.max(0, where.indexOf(s) - 600), where.indexOf(s) + 100), s).toBeUndefined();
    }
    expect(all).toContain('binary/encrypted');
    // Structurally: every payload of every event is ours, except the search attributes (BatchId and BatchStatus,
    // which the server must read to index them; documented).
    const encodings = new Map<string, number>();
    for (const run of await batchRuns(engine.temporal.client, BATCH)) {
      const h = await raw.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
      for (const event of h.events ?? []) for (const [path, p] of payloadsIn(event, '')) {
        const encoding = Buffer.from(p.metadata?.['encoding'] ?? []).toString();
        const kind = path.includes('searchAttributes') ? `search attribute ${encoding}` : encoding;
        encodings.set(kind, (encodings.get(kind) ?? 0) + 1);
      }
    }
    expect([...encodings.keys()].sort()).toEqual(['binary/encrypted', 'search attribute json/plain']);
    expect(encodings.get('binary/encrypted')).toBeGreaterThan(20);

    const history = await raw.workflow.getHandle(workflowIds.batch(BATCH)).fetchHistory();
    const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    expect(input).toBeDefined();
    started = wire(input!);
    expect(metadataText(started, 'encoding')).toBe('binary/encrypted');
    expect(metadataText(started, 'encryption-key-id')).toBe(OLD.id);
  });

  it('gives the Web UI the original JSON back through the codec server, with CORS for its origin only', async () => {
    const res = await codec(api, 'decode', [started], { origin: UI });
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(UI);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    const decoded = res.body.payloads[0]!;
    expect(metadataText(decoded, 'encoding')).toBe('json/plain');
    expect(JSON.parse(Buffer.from(decoded.data, 'base64').toString())).toMatchObject({ batchId: BATCH });

    const preflight = await http('OPTIONS', `${api}/codec/decode`, { headers: { origin: UI, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(UI);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-namespace');
    const stranger = await codec(api, 'decode', [started], { origin: 'https://evil.example' });
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();

    // No key, no answer; a console session (the Web UI's "include credentials") needs no CSRF token here.
    expect((await codec(api, 'decode', [started], {}, null)).status).toBe(401);
    const session = await http('POST', `${api}/v1/session`, { json: { apiKey: API_KEYS.victor } });
    const cookie = session.headers.get('set-cookie')!.split(';')[0]!;
    const withCookie = await codec(api, 'decode', [started], { cookie, origin: UI }, null);
    expect(withCookie.status, withCookie.text).toBe(200);
    expect(withCookie.body.payloads[0]!.data).toBe(decoded.data);
  });

  it('reads runs started under a key rotated out of first place, encrypts with the new one, and names a missing key', async () => {
    const rotated = await engine.startApi({ codec: { keys: [NEW, OLD], corsOrigins: [UI] } });
    const old = await codec(rotated, 'decode', [started]);
    expect(old.status).toBe(200);
    expect(JSON.parse(Buffer.from(old.body.payloads[0]!.data, 'base64').toString())).toMatchObject({ batchId: BATCH });
    const plain = old.body.payloads[0]!;
    const sealed = await codec(rotated, 'encode', [plain]);
    expect(metadataText(sealed.body.payloads[0]!, 'encryption-key-id')).toBe(NEW.id);
    expect((await codec(rotated, 'decode', sealed.body.payloads)).body.payloads[0]!.data).toBe(plain.data);

    const dropped = await engine.startApi({ codec: { keys: [NEW], corsOrigins: [UI] } });
    const refused = await codec(dropped, 'decode', [started]);
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('payload_undecryptable');
    expect(refused.body.detail).toContain(`key "${OLD.id}", which is not in TEMPORAL_PAYLOAD_KEYS`);
    expect(refused.text).not.toContain(OLD.key.toString('base64'));

    const off = await engine.startApi({ codec: { keys: undefined, corsOrigins: [UI] } });
    const disabled = await codec(off, 'decode', [started]);
    expect(disabled.status).toBe(404);
    expect(disabled.body.code).toBe('codec_disabled');
  });
});
