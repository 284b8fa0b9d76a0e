import { createHmac, timingSafeEqual } from 'node:crypto';
import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signalBatch, startBatch } from '../../src/client/batches.js';
import { TEST_PHONES } from '../../src/sandbox/index.js';
import { historyCost } from '../../src/temporal/history-cost.js';
import { workflowIds } from '../../src/workflows/definitions.js';
import { API_KEYS, type Engine, startEngine } from '../support/engine.js';
import { http } from '../support/http.js';
import { payrollCsv, payrollRows } from '../support/payroll.js';
import { eventually } from '../support/waiting.js';

// KES 1,000 payouts cost 1,012 with the fee; the wallet covers two, so the batch runs dry part-way.
const PER_PAYOUT = 1000_00 + 12_00;
// A short settle deadline makes the never-settling payout unresolved within the test (engine-deadline.test.ts).
const TIMING = { callbackWaitMs: 1000, pollInitialMs: 500, pollMaxMs: 2000, settleDeadlineMs: 15_000, pesawayAttemptTimeoutMs: 5000 };
const ENV_SECRET = 'whsec_env-endpoint-secret-0123456789';

interface Delivery {
  path: string;
  eventId: string;
  body: { id: string; type: string; createdAt: string; data: Record<string, unknown> };
  raw: string;
  signatureValid: boolean;
}

/**
 * What an integrator writes (README, "Webhooks"), on its own: recompute the HMAC over "<t>.<raw body>",
 * compare in constant time, refuse a timestamp more than 5 minutes away, dedupe by event id.
 */
function verify(secret: string, header: string | undefined, raw: string): boolean {
  const fields = new Map((header ?? '').split(',').map((kv) => kv.split('=') as [string, string]));
  const t = Number(fields.get('t'));
  const v1 = Buffer.from(fields.get('v1') ?? '', 'hex');
  const expected = createHmac('sha256', secret).update(`${t}.${raw}`).digest();
  return Number.isInteger(t) && Math.abs(Date.now() / 1000 - t) <= 300 && v1.length === expected.length && timingSafeEqual(v1, expected);
}

/** A receiver on 127.0.0.1: verifies each signature, dedupes by event id, and fails chosen first deliveries. */
function startReceiver(secrets: Map<string, string>, failFirst: (d: Delivery) => boolean, down: (path: string) => boolean) {
  const deliveries: Delivery[] = [];
  const processed = new Map<string, Delivery>();
  let duplicates = 0;
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '';
      const body = JSON.parse(raw) as Delivery['body'];
      const d: Delivery = { path, eventId: String(req.headers['pesaway-disburse-event-id']), body, raw, signatureValid: verify(secrets.get(path) ?? '', req.headers['pesaway-disburse-signature'] as string | undefined, raw) };
      deliveries.push(d);
      if (!d.signatureValid) return void res.writeHead(400).end('bad signature');
      if (down(path)) return void res.writeHead(503).end('down for maintenance');
      const key = `${path} ${body.id}`;
      if (processed.has(key)) {
        duplicates += 1;
        return void res.writeHead(200).end('duplicate');
      }
      processed.set(key, d);
      // Processed, but the answer says otherwise (as when an acknowledgement is lost): the engine must retry.
      if (failFirst(d)) return void res.writeHead(500).end('try again');
      res.writeHead(204).end();
    });
  });
  return {
    deliveries,
    processed: (path: string) => [...processed.values()].filter((d) => d.path === path),
    duplicates: () => duplicates,
    listen: () => new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Waits until `probe` (a synchronous look at what the receiver saw) returns a value. */
const seen = <T>(probe: () => T | undefined, what: string, timeoutMs = 30_000): Promise<T> => eventually(() => Promise.resolve(probe()), what, timeoutMs);

describe('signed webhooks', () => {
  let engine: Engine;
  let receiverUrl: string;
  const secrets = new Map<string, string>([['/env', ENV_SECRET]]);
  let failedOnce = false;
  // `/down` answers 503 until the test brings it back: its events wait, then arrive in order.
  let downIsDown = true;
  const receiver = startReceiver(
    secrets,
    (d) => {
      if (failedOnce || d.body.type !== 'batch.awaiting_approval') return false;
      failedOnce = true;
      return true;
    },
    (path) => path === '/down' && downIsDown,
  );

  beforeAll(async () => {
    receiverUrl = await receiver.listen();
    engine = await startEngine({
      sandbox: { balanceMinor: 2 * PER_PAYOUT, settleDelayMs: { min: 20, max: 100 } },
      settings: { windowSize: 2, pageSize: 10, fundsPollInitialMs: 60_000, fundsPollMaxMs: 60_000, payout: TIMING },
      webhooks: { longPollMs: 3000, retryMaxIntervalMs: 1000, endpoints: [{ id: 'we_env_test', url: `${receiverUrl}/env`, secret: ENV_SECRET, eventTypes: ['batch.completed'] }] },
    });
  });
  afterAll(async () => {
    await engine?.stop();
    await receiver.close();
  });

  it('delivers every event of a batch with approval, a failure, a top-up and an unresolved payout, signed, at least once', async () => {
    const api = await engine.startApi();
    // Viewers cannot add endpoints; the secret is answered once, at creation, and never listed.
    expect((await http('POST', `${api}/v1/webhooks`, { key: API_KEYS.victor, json: { url: `${receiverUrl}/api` } })).status).toBe(403);
    const bad = await http<{ code: string }>('POST', `${api}/v1/webhooks`, { key: API_KEYS.alice, json: { url: `${receiverUrl}/api`, eventTypes: ['batch.done'] } });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    const created = await http<{ id: string; secret: string; eventTypes: string[] }>('POST', `${api}/v1/webhooks`, { key: API_KEYS.alice, json: { url: `${receiverUrl}/api` } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^we_/), secret: expect.stringMatching(/^whsec_/), eventTypes: ['*'] });
    secrets.set('/api', created.body.secret);
    const endpointId = created.body.id;
    const downHook = await http<{ id: string; secret: string }>('POST', `${api}/v1/webhooks`, { key: API_KEYS.bob, json: { url: `${receiverUrl}/down`, eventTypes: ['batch.completed', 'batch.cancelled'] } });
    expect(downHook.status).toBe(201);
    secrets.set('/down', downHook.body.secret);
    const listed = await http<{ items: Array<{ id: string; source: string }> }>('GET', `${api}/v1/webhooks`, { key: API_KEYS.bob });
    expect(listed.body.items.map((e) => [e.id, e.source]).sort()).toEqual([[endpointId, 'api'], [downHook.body.id, 'api'], ['we_env_test', 'env']].sort());
    expect(listed.text).not.toContain(created.body.secret);
    expect(listed.text).not.toContain(ENV_SECRET);

    // Six payouts: row 2 fails at settlement, row 4 never settles (unresolved), the wallet covers two.
    const rows = payrollRows(6, { amount: () => 1000, phone: (i) => (i === 1 ? TEST_PHONES.unregistered : i === 3 ? TEST_PHONES.neverSettles : `2547${40_000_000 + i}`) });
    await engine.ingest(payrollCsv(rows), { batchId: 'hooks-1', approvalRequired: true, submittedBy: 'alice' });
    const { handle } = await startBatch(engine.temporal.client, 'hooks-1', engine.settings);

    const types = (path: string, batchId: string) => receiver.processed(path).filter((d) => d.body.data['batchId'] === batchId).map((d) => d.body.type);
    // The first delivery of awaiting_approval was answered 500: it arrives again, and is deduped.
    await seen(() => (receiver.duplicates() >= 1 ? true : undefined), 'the retried awaiting_approval', 30_000);
    expect(types('/api', 'hooks-1')).toEqual(['batch.awaiting_approval']);
    await signalBatch(engine.temporal.client, 'hooks-1', 'approve', 'bob');

    const alert = await seen(() => receiver.processed('/api').find((d) => d.body.type === 'batch.awaiting_funds'), 'batch.awaiting_funds', 60_000);
    expect(alert.body.data).toMatchObject({ batchId: 'hooks-1', status: 'AWAITING_FUNDS', shortfall: expect.stringMatching(/^\d+\.\d{2}$/), shortfallMinor: expect.any(Number) });
    engine.sandbox.topUp(10 * PER_PAYOUT);
    await signalBatch(engine.temporal.client, 'hooks-1', 'fundsAdded', 'treasury');

    const summary = await handle.result();
    expect(summary).toMatchObject({ status: 'COMPLETED', counts: { succeeded: 4, failed: 1, unresolved: 1 } });
    await seen(() => (types('/api', 'hooks-1').includes('batch.completed') ? true : undefined), 'batch.completed delivered', 30_000);

    // Exactly the log's webhook events of this batch arrived, once each after dedupe, every signature valid.
    const logged = await engine.db.pool.query<{ id: string; kind: string }>(
      `SELECT id::text, kind FROM events WHERE batch_id = 'hooks-1' AND kind IN ('batch.awaiting_approval', 'batch.awaiting_funds', 'batch.completed', 'batch.cancelled', 'payout.failed', 'payout.unresolved', 'payout.attention') ORDER BY id`,
    );
    const got = receiver.processed('/api').filter((d) => d.body.data['batchId'] === 'hooks-1');
    expect(got.map((d) => d.body.id).sort()).toEqual(logged.rows.map((r) => `evt_${r.id}`).sort());
    for (const kind of ['batch.awaiting_approval', 'batch.awaiting_funds', 'payout.failed', 'payout.unresolved', 'batch.completed']) {
      expect(got.filter((d) => d.body.type === kind), kind).toHaveLength(1);
    }
    expect(receiver.deliveries.every((d) => d.signatureValid)).toBe(true);
    expect(receiver.deliveries.every((d) => d.eventId === d.body.id)).toBe(true);
    expect(receiver.duplicates()).toBeGreaterThanOrEqual(1);
    // Delivered in the log's order.
    const ids = got.map((d) => Number(d.body.id.slice(4)));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));

    const failed = got.find((d) => d.body.type === 'payout.failed')!;
    expect(failed.body.data).toMatchObject({ batchId: 'hooks-1', row: 2, status: 'failed', amount: '1000.00', amountMinor: 1000_00, resultCode: 2040, channel: 'MPESA' });
    expect(got.find((d) => d.body.type === 'payout.unresolved')!.body.data).toMatchObject({ row: 4, status: 'unresolved', transactionId: expect.stringMatching(/^PHY/) });
    expect(got.find((d) => d.body.type === 'batch.completed')!.body.data).toMatchObject({ status: 'COMPLETED', counts: { succeeded: 4, failed: 1, unresolved: 1 } });
    // No personal data: no phone number, masked or not, and no names.
    for (const d of receiver.deliveries) {
      expect(d.raw).not.toMatch(/2547\d/);
      expect(d.raw).not.toContain('Employee');
    }

    // The environment's endpoint subscribed to batch.completed only, signed with its own secret.
    await seen(() => (receiver.processed('/env').length > 0 ? true : undefined), 'the env endpoint', 30_000);
    expect(receiver.processed('/env').map((d) => d.body.type)).toEqual(['batch.completed']);

    // The endpoint's record: the acknowledged deliveries, no error left after the retry succeeded.
    const after = await http<{ items: Array<{ id: string; delivered: number; lastError: string | null; lastEventId: string }> }>('GET', `${api}/v1/webhooks`, { key: API_KEYS.alice });
    const mine = after.body.items.find((e) => e.id === endpointId)!;
    expect(mine).toMatchObject({ delivered: got.length, lastError: null, lastEventId: got.at(-1)!.body.id });

    // The endpoint that is down is retried (with backoff) and says why.
    await seen(() => (receiver.deliveries.filter((d) => d.path === '/down').length >= 2 ? true : undefined), 'retries to /down');
    const failing = await http<{ items: Array<{ id: string; delivered: number; lastError: string | null; failingSince: string | null }> }>('GET', `${api}/v1/webhooks`, { key: API_KEYS.alice });
    expect(failing.body.items.find((e) => e.id === downHook.body.id)).toMatchObject({ delivered: 0, lastError: expect.stringMatching(/batch\.completed.*answered HTTP 503/), failingSince: expect.any(String) });
    expect(failing.text).not.toContain(downHook.body.secret);

    // A cancelled batch says so.
    await engine.ingest(payrollCsv(payrollRows(2, { amount: () => 1000, phone: (i) => `2547${41_000_000 + i}` })), { batchId: 'hooks-2', approvalRequired: true, submittedBy: 'alice' });
    const second = await startBatch(engine.temporal.client, 'hooks-2', engine.settings);
    await signalBatch(engine.temporal.client, 'hooks-2', 'cancel', 'alice');
    expect(await second.handle.result()).toMatchObject({ status: 'CANCELLED' });
    await seen(() => (types('/api', 'hooks-2').includes('batch.cancelled') ? true : undefined), 'batch.cancelled delivered', 30_000);
    expect(types('/api', 'hooks-2')).toEqual(['batch.awaiting_approval', 'batch.cancelled']);

    // Back up: what waited arrives, in order, then the endpoint's error is cleared.
    downIsDown = false;
    await seen(() => (receiver.processed('/down').length === 2 ? true : undefined), 'the backlog of /down');
    expect(receiver.processed('/down').map((d) => [d.body.type, d.body.data['batchId']])).toEqual([['batch.completed', 'hooks-1'], ['batch.cancelled', 'hooks-2']]);
    const recovered = await http<{ items: Array<{ id: string; delivered: number; lastError: string | null; failingSince: string | null }> }>('GET', `${api}/v1/webhooks`, { key: API_KEYS.alice });
    expect(recovered.body.items.find((e) => e.id === downHook.body.id)).toMatchObject({ delivered: 2, lastError: null, failingSince: null });

    // A test ping reaches this endpoint only; deleting the endpoint ends its delivery workflow.
    const ping = await http<{ eventId: string }>('POST', `${api}/v1/webhooks/${endpointId}/test`, { key: API_KEYS.alice });
    expect(ping.status).toBe(202);
    await seen(() => receiver.processed('/api').find((d) => d.body.id === ping.body.eventId), 'the test ping', 30_000);
    expect(receiver.processed('/env').some((d) => d.body.type === 'webhook.test')).toBe(false);
    expect((await http('DELETE', `${api}/v1/webhooks/we_env_test`, { key: API_KEYS.alice })).status).toBe(409);
    expect((await http('DELETE', `${api}/v1/webhooks/${endpointId}`, { key: API_KEYS.alice })).status).toBe(200);
    await eventually(async () => {
      const { status } = await engine.temporal.client.workflow.getHandle(workflowIds.webhook(endpointId)).describe();
      return status.name === 'COMPLETED' ? true : undefined;
    }, 'the delivery workflow to end', 30_000);
  });

  it('an endpoint costs about one activity per long poll: one action and a handful of history events a round', async () => {
    const { events } = await engine.temporal.client.workflow.getHandle(workflowIds.webhook('we_env_test')).fetchHistory();
    const rounds = (events ?? []).filter((e) => e.activityTaskScheduledEventAttributes).length;
    const cost = historyCost(events ?? []);
    process.stdout.write(`${JSON.stringify({ webhookWorkflow: { rounds, events: cost.events, actions: cost.actions, longPollMs: engine.webhooks.longPollMs } })}\n`);
    expect(rounds).toBeGreaterThan(2);
    // The start, then each round: its activity attempt (no retries: this endpoint never failed).
    expect(cost.actions).toBeLessThanOrEqual(rounds + 1);
    expect(cost.events / rounds).toBeLessThanOrEqual(7);
  });

  it('lists the webhook routes in /openapi.json', async () => {
    const api = await engine.startApi();
    const doc = await http<{ paths: Record<string, Record<string, unknown>> }>('GET', `${api}/openapi.json`);
    expect(Object.keys(doc.body.paths['/v1/webhooks'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.body.paths['/v1/webhooks/{id}'] ?? {})).toEqual(['delete']);
    expect(Object.keys(doc.body.paths['/v1/webhooks/{id}/test'] ?? {})).toEqual(['post']);
  });
});
