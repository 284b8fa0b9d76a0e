import { createReadStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { formatKes, parseDecimal } from '../domain/money.js';
import type { SandboxHandle } from '../sandbox/index.js';

interface BatchBody {
  id: string;
  status: string;
  totalAmount: string;
  progress?: {
    counts: Record<'pending' | 'inFlight' | 'awaitingFunds' | 'succeeded' | 'failed' | 'rejected' | 'cancelled' | 'unresolved', number>;
    amounts: { total: string; succeeded: string; failed: string };
    shortfall: string | null;
  };
}

export interface DemoResult {
  batchId: string;
  status: string;
  counts: NonNullable<BatchBody['progress']>['counts'];
  paid: string;
  total: string;
  reportPath: string;
  toppedUp: string[];
}

async function api<T>(apiUrl: string, key: string, method: string, path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${apiUrl}${path}`, { ...init, method, headers: { authorization: `Bearer ${key}`, ...(init.headers as Record<string, string>) } });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return (text.startsWith('{') ? JSON.parse(text) : text) as T;
}

/**
 * The demo's payroll officer: submits the CSV over HTTP like any client, watches it, and when the wallet
 * runs dry tops the sandbox up by exactly the shortfall and tells the batch (saying so on screen).
 */
export async function runDemoBatch(o: { apiUrl: string; key: string; file: string; batchId: string; sandbox: SandboxHandle; reportsDir: string; say: (line: string) => void }): Promise<DemoResult> {
  const { say } = o;
  const submitted = await api<{ batch: BatchBody; report: { rows: number; valid: number; invalid: number; totalAmount: string } }>(
    o.apiUrl,
    o.key,
    'POST',
    `/v1/batches?batchId=${encodeURIComponent(o.batchId)}&policy=skip-invalid&fileName=${encodeURIComponent(basename(o.file))}`,
    { body: createReadStream(o.file), headers: { 'content-type': 'text/csv' }, duplex: 'half' },
  );
  const r = submitted.report;
  say(`Submitted ${basename(o.file)} as batch ${o.batchId}: ${r.rows} rows, ${r.valid} valid, ${r.invalid} invalid (skipped; see errors.csv), total ${formatKes(parseDecimal(r.totalAmount))}`);

  const toppedUp: string[] = [];
  let last = '';
  // One top-up per shortfall: wait for the batch to leave AWAITING_FUNDS before topping up again.
  let toppedUpThisTime = false;
  let batch: BatchBody;
  for (;;) {
    batch = await api<BatchBody>(o.apiUrl, o.key, 'GET', `/v1/batches/${encodeURIComponent(o.batchId)}`);
    const p = batch.progress;
    if (p) {
      const c = p.counts;
      const line = `${batch.status.padEnd(15)} paid ${String(c.succeeded).padStart(3)}  failed ${c.failed}  in flight ${String(c.inFlight).padStart(3)}  pending ${String(c.pending).padStart(3)}  ${formatKes(parseDecimal(p.amounts.succeeded))} of ${formatKes(parseDecimal(p.amounts.total))}`;
      if (line !== last) say(line);
      last = line;
      if (batch.status !== 'AWAITING_FUNDS') toppedUpThisTime = false;
      if (batch.status === 'AWAITING_FUNDS' && !toppedUpThisTime && p.shortfall && c.inFlight === c.awaitingFunds) {
        const shortfall = parseDecimal(p.shortfall);
        if (shortfall > 0) {
          say(`The PesaWay wallet ran out (455.001). Shortfall ${formatKes(shortfall)}: topping up the sandbox wallet and telling the batch (funds-added).`);
          o.sandbox.topUp(shortfall);
          await api(o.apiUrl, o.key, 'POST', `/v1/batches/${encodeURIComponent(o.batchId)}/funds-added`);
          toppedUp.push(formatKes(shortfall));
          toppedUpThisTime = true;
        }
      }
    }
    if (batch.status === 'COMPLETED' || batch.status === 'CANCELLED') break;
    await new Promise((res) => setTimeout(res, 1000));
  }
  const csv = await api<string>(o.apiUrl, o.key, 'GET', `/v1/batches/${encodeURIComponent(o.batchId)}/report.csv`);
  await mkdir(o.reportsDir, { recursive: true });
  const reportPath = join(o.reportsDir, `${o.batchId}-report.csv`);
  await writeFile(reportPath, csv);
  const p = batch.progress!;
  return { batchId: o.batchId, status: batch.status, counts: p.counts, paid: p.amounts.succeeded, total: p.amounts.total, reportPath, toppedUp };
}
