import { createReadStream } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { batchHistoryCost } from '../../src/temporal/history-cost.js';
import type { BenchStack } from './stack.js';

export interface BatchOutcome {
  batchId: string;
  status: string;
  wallMs: number;
  counts: Record<string, number>;
}

async function api<T>(stack: BenchStack, method: string, path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${stack.apiUrl}${path}`, { ...init, method, headers: { authorization: `Bearer ${stack.keys.submitter}`, ...(init.headers as Record<string, string>) } });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

/** Uploads a payroll through the API and waits until its batch is COMPLETED (or CANCELLED). Wall time: upload to last settlement. */
export async function uploadAndWait(stack: BenchStack, csvPath: string, batchId: string, onProgress?: (line: string) => void): Promise<BatchOutcome> {
  const started = Date.now();
  await api(stack, 'POST', `/v1/batches?batchId=${batchId}&policy=skip-invalid&acknowledgeWarnings=true`, {
    body: createReadStream(csvPath),
    headers: { 'content-type': 'text/csv' },
    duplex: 'half',
  });
  let last = '';
  for (;;) {
    let batch: { status: string; progress?: { counts: Record<string, number> } } | undefined;
    try {
      batch = await api(stack, 'GET', `/v1/batches/${batchId}`);
    } catch (err) {
      onProgress?.(`(progress unavailable: ${(err as Error).message.slice(0, 120)})`); // e.g. the API is restarting
    }
    if (batch) {
      const c = batch.progress?.counts ?? {};
      const line = `${batch.status} succeeded=${c['succeeded'] ?? 0} failed=${c['failed'] ?? 0} inFlight=${c['inFlight'] ?? 0} pending=${c['pending'] ?? 0}`;
      if (line !== last) onProgress?.(`${((Date.now() - started) / 1000).toFixed(0)}s ${line}`);
      last = line;
      if (batch.status === 'COMPLETED' || batch.status === 'CANCELLED') return { batchId, status: batch.status, wallMs: Date.now() - started, counts: c };
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}

export interface SandboxStats {
  requests: Record<string, Record<string, number>>;
  faults: Record<string, number>;
}

export async function sandboxStats(stack: BenchStack): Promise<SandboxStats> {
  return (await fetch(`${stack.sandboxUrl}/__sandbox/stats`)).json() as Promise<SandboxStats>;
}

export function sum(record: Record<string, number> | undefined): number {
  return Object.values(record ?? {}).reduce((a, b) => a + b, 0);
}

/** Events and billable actions of every workflow run of a batch, per payout. */
export async function batchCostPerPayout(stack: BenchStack, batchId: string, payouts: number) {
  const connection = await Connection.connect({ address: stack.temporalAddress });
  try {
    const cost = await batchHistoryCost(new Client({ connection }), batchId);
    return { batchRuns: cost.batchRuns, shardRuns: cost.shardRuns, maxRunEvents: cost.maxRunEvents, eventsPerPayout: round(cost.events / payouts), actionsPerPayout: round(cost.actions / payouts) };
  } finally {
    await connection.close();
  }
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;
