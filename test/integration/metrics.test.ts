/**
 * Prometheus metrics on the real stack: a worker process (the engine's /metrics and the Temporal SDK's
 * exporter) and the API's /metrics are scraped during and after a batch paid against a sandbox that fails 10%
 * of calls with a 5xx; the engine's counts must equal the sandbox's own (and the webhook receiver's, and the
 * file's), no label holds a reference, and every series the Grafana dashboard plots exists.
 */
import type { ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/dev/ports.js';
import { API_KEYS, type Engine, startEngine } from '../support/engine.js';
import { http } from '../support/http.js';
import { payrollCsv, payrollRows, sumMinor } from '../support/payroll.js';
import { eventually } from '../support/waiting.js';

const BATCH = 'metrics-2026-12';
const COUNT = 60;
const TOKEN = 'metrics-token-0123456789';
const ROWS = payrollRows(COUNT);

/** Every sample of a metric in Prometheus text, with its labels. */
function samples(text: string, name: string): Array<{ labels: Record<string, string>; value: number }> {
  const out: Array<{ labels: Record<string, string>; value: number }> = [];
  for (const line of text.split('\n')) {
    const m = new RegExp(`^${name}(?:\\{([^}]*)\\})? (\\S+)$`).exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...(m[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1]!, l[2]!]));
    out.push({ labels, value: Number(m[2]) });
  }
  return out;
}
const total = (text: string, name: string, match: Record<string, string>): number =>
  samples(text, name)
    .filter((s) => Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);

describe('Prometheus metrics', () => {
  let engine: Engine;
  let api: string;
  let worker: ChildProcess;
  let workerMetrics: string;
  let sdkMetrics: string;
  /** The last scrape of each endpoint, for the dashboard check. */
  const scraped: string[] = [];
  const scrape = async (url: string, key: string | undefined = TOKEN): Promise<string> => {
    const res = await http('GET', url, key ? { key } : {});
    expect(res.status, res.text.slice(0, 200)).toBe(200);
    return res.text;
  };

  /** A webhook receiver: the types of the events it was sent. */
  const hooks: string[] = [];
  let receiver: Server;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        hooks.push((JSON.parse(body) as { type: string }).type);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const hookPort = (receiver.address() as { port: number }).port;
    engine = await startEngine({ workers: 'none', sandbox: { faults: { serverErrorRate: 0.1 }, settleDelayMs: { min: 20, max: 100 } } });
    api = await engine.startApi({ metricsToken: TOKEN });
    const [metricsPort, sdkPort] = [await freePort(), await freePort()];
    workerMetrics = `http://127.0.0.1:${metricsPort}/metrics`;
    sdkMetrics = `http://127.0.0.1:${sdkPort}/metrics`;
    // PesaWay calls back the API under test (not the test engine's own receiver), so its metrics see every callback.
    worker = engine.spawnWorkerProcess({
      WEBHOOK_ENDPOINTS: `http://127.0.0.1:${hookPort}/hooks|whsec_metrics_test_0123456789|batch.completed`,
      CALLBACK_BASE_URL: api,
      METRICS_PORT: String(metricsPort),
      METRICS_TOKEN: TOKEN,
      TEMPORAL_METRICS_ADDRESS: `127.0.0.1:${sdkPort}`,
    });
    await eventually(async () => ((await fetch(workerMetrics).catch(() => undefined))?.status === 401 ? true : undefined), 'the worker serving metrics', 60_000);
  }, 120_000);
  afterAll(async () => {
    receiver?.close();
    worker?.kill('SIGTERM');
    await engine?.stop();
  });

  it('counts PesaWay calls and callbacks as the sandbox saw them, during the batch and after it', async () => {
    const res = await http('POST', `${api}/v1/batches?batchId=${BATCH}&approvalRequired=false`, { key: API_KEYS.alice, body: payrollCsv(ROWS), headers: { 'content-type': 'text/csv' } });
    expect(res.status, res.text).toBe(201);
    // While it pays: both endpoints answer, and the batch shows as RUNNING.
    const during = await eventually(async () => {
      const text = await scrape(`${api}/metrics`);
      return total(text, 'disburse_batches', { status: 'RUNNING' }) === 1 ? text : undefined;
    }, 'the batch running', 60_000, 100);
    expect(during).toMatch(/^disburse_process_cpu_seconds_total/m);
    await scrape(workerMetrics);
    await eventually(async () => {
      const { rows } = await engine.db.pool.query<{ status: string }>('SELECT status FROM batches WHERE id = $1', [BATCH]);
      return rows[0]?.status === 'COMPLETED' ? true : undefined;
    }, 'the batch paid', 120_000);

    const sandbox = engine.sandbox.stats();
    const sends = sandbox.requests['mobileSend'] ?? {};
    expect(sends['5xx'] ?? 0).toBeGreaterThan(0);
    const w = await scrape(workerMetrics);
    expect(total(w, 'disburse_pesaway_requests_total', { endpoint: 'send', outcome: '200.001' })).toBe(sends['200.001'] ?? 0);
    expect(total(w, 'disburse_pesaway_requests_total', { endpoint: 'send', outcome: 'server-error' })).toBe(sends['5xx']);
    expect(total(w, 'disburse_pesaway_requests_total', { endpoint: 'send' })).toBe(Object.values(sends).reduce((a, b) => a + b, 0));
    expect(total(w, 'disburse_pesaway_request_duration_seconds_count', { endpoint: 'send' })).toBe(total(w, 'disburse_pesaway_requests_total', { endpoint: 'send' }));
    expect(total(w, 'disburse_pesaway_requests_total', { endpoint: 'token' })).toBe(Object.values(sandbox.requests['token'] ?? {}).reduce((a, b) => a + b, 0));

    // Every callback the sandbox delivered was counted once by what it did (each of these payouts was paid once).
    const a = await eventually(async () => {
      const text = await scrape(`${api}/metrics`);
      return total(text, 'disburse_callbacks_total', {}) === engine.sandbox.stats().faults.callbacksDelivered ? text : undefined;
    }, 'every callback counted', 30_000, 200);
    expect(total(a, 'disburse_callbacks_total', { outcome: 'completed' }) + total(a, 'disburse_callbacks_total', { outcome: 'applied' })).toBe(COUNT);
    expect(total(a, 'disburse_batches', { status: 'COMPLETED' })).toBe(1);
    // Payouts moved by either process (the worker's sends and polls, the API's callbacks): each succeeded once.
    const both = (name: string, match: Record<string, string>) => total(w, name, match) + total(a, name, match);
    expect(both('disburse_payouts_total', { status: 'succeeded', channel: 'MPESA' })).toBe(COUNT);
    expect(both('disburse_payouts_total', { status: 'submitting' })).toBe(COUNT);
    expect(both('disburse_paid_kes_total', { channel: 'MPESA' })).toBeCloseTo(sumMinor(ROWS) / 100, 2);
    expect(both('disburse_settlement_duration_seconds_count', { status: 'succeeded' })).toBe(COUNT);
    // The upload: its rows and one ingestion; nothing is parked for funds now.
    expect(total(a, 'disburse_ingested_rows_total', { result: 'created' })).toBe(COUNT);
    expect(total(a, 'disburse_ingestion_duration_seconds_count', { result: 'created' })).toBe(1);
    expect(total(a, 'disburse_awaiting_funds_kes', {})).toBe(0);
    // The batch.completed webhook, counted as the receiver got it.
    const delivered = await eventually(async () => {
      const text = await scrape(workerMetrics);
      return hooks.length === 1 && total(text, 'disburse_webhook_deliveries_total', { type: 'batch.completed', outcome: 'delivered' }) === 1 ? text : undefined;
    }, 'the webhook delivered and counted', 30_000, 200);
    expect(total(delivered, 'disburse_webhook_deliveries_total', {})).toBe(hooks.length);
    scraped.push(delivered);
    expect(total(a, 'disburse_batches', { status: 'RUNNING' })).toBe(0);

    // Bounded labels: no reference, batch id or number anywhere.
    const { rows } = await engine.db.pool.query<{ reference: string }>('SELECT reference FROM payouts WHERE batch_id = $1 LIMIT 1', [BATCH]);
    scraped.push(w, a);
    for (const text of [w, a]) {
      expect(text).not.toContain(rows[0]!.reference);
      expect(text).not.toContain(BATCH);
      expect(text).not.toMatch(/2547\d/);
    }
  });

  it('exposes the Temporal SDK metrics of the worker, and refuses a scrape without the token', async () => {
    const sdk = await eventually(async () => {
      const text = await (await fetch(sdkMetrics)).text();
      return text.includes('activity_type="payOut"') ? text : undefined;
    }, 'the SDK exporter reporting the payout activity', 30_000, 500);
    expect(sdk).toMatch(/^temporal_\w+/m);
    // Every series the Grafana dashboard plots exists in what these endpoints export.
    const dashboard = await readFile(fileURLToPath(new URL('../../deploy/grafana/dashboards/disburse.json', import.meta.url)), 'utf8');
    const plotted = new Set(dashboard.match(/\b(?:disburse|temporal)_\w+/g));
    expect(plotted.size).toBeGreaterThan(5);
    const exported = [...scraped, sdk].join('\n');
    for (const name of plotted) expect(exported, `dashboard series ${name}`).toMatch(new RegExp(`^${name}[{ ]`, 'm'));
    expect((await http('GET', workerMetrics)).status).toBe(401);
    expect((await http('GET', `${api}/metrics`)).status).toBe(401);
    expect((await http('GET', `${api}/metrics`, { key: 'wrong-token-0123456789' })).status).toBe(401);
  });
});
