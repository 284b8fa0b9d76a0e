/**
 * Follows a batch until it is COMPLETED or CANCELLED: polls `GET /v1/batches/{id}`, shows each change, and
 * ends with the summary. Contact lost after the first answer is retried for a while (a watch should survive
 * an API restart); Ctrl-C stops watching, never the batch.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isFinalBatchStatus } from '../../domain/batch-status.js';
import { ApiError } from './api-errors.js';
import { batchPath, type ApiClient } from './api-client.js';
import type { Batch } from './api-types.js';
import { batchSummary, tally, unpaidBreakdown, unpaidCount } from './batch-text.js';
import { EXIT, type CliContext } from './context.js';
import { kes, plural, writeLines } from './format.js';
import { ServiceUnreachableError } from './http.js';
import { BarDisplay, isTty, LineDisplay, type WatchDisplay } from './watch-display.js';

export const DEFAULT_INTERVAL_MS = 1000;
/** How long the API may stay unreachable (or failing) before the watch gives up. */
const PATIENCE_MS = 60_000;

export interface WatchOptions {
  intervalMs: number;
  /** Print one JSON object at the end (the final batch, or `jsonExtra` with it as `batch`); progress goes to stderr. */
  json: boolean;
  jsonExtra?: Record<string, unknown>;
}

const transient = (err: unknown): boolean => err instanceof ServiceUnreachableError || (err instanceof ApiError && err.status >= 500);

/** Polls until the batch ends; undefined when `signal` stopped the watch first. */
async function follow(api: ApiClient, batchId: string, display: WatchDisplay, intervalMs: number, signal: AbortSignal): Promise<Batch | undefined> {
  let failingSince: number | undefined;
  let seen = false;
  while (!signal.aborted) {
    try {
      const batch = await api.get<Batch>(batchPath(batchId), { signal });
      if (failingSince !== undefined) display.warn('Back in contact with the API.');
      failingSince = undefined;
      seen = true;
      display.show(batch);
      if (isFinalBatchStatus(batch.status)) return batch;
    } catch (err) {
      if (signal.aborted) return undefined;
      // A wrong URL or an API that is not running fails at once; only lost contact is waited out.
      if (!seen || !transient(err)) throw err;
      const now = Date.now();
      if (failingSince === undefined) {
        failingSince = now;
        display.warn(`${(err as Error).message.replace(/\.?$/, '.')} Retrying for up to ${PATIENCE_MS / 1000} s; the batch carries on meanwhile.`);
      } else if (now - failingSince > PATIENCE_MS) {
        throw err;
      }
    }
    try {
      await sleep(intervalMs, undefined, { signal });
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The last words: what was paid and, when some were not, where to look and what to do. */
function outcomeLines(batch: Batch): string[] {
  const p = batch.progress;
  if (!p) return [];
  const t = tally(p.counts);
  const unpaid = unpaidCount(t);
  if (unpaid === 0) return [`All ${plural(t.paid, 'payout')} paid: ${kes(p.amounts.succeeded)}.`];
  const lines = [`${plural(unpaid, 'payout')} of ${t.total} not paid (${unpaidBreakdown(t)}). Row by row: disburse report ${batch.id}`];
  if (t.failed + t.rejected > 0) lines.push(`Pay the failed rows again, under new references: disburse retry-failed ${batch.id}`);
  if (t.unresolved > 0) lines.push('Unresolved payouts may or may not have been paid: check them with PesaWay before paying anyone again.');
  return lines;
}

/** Exit code of a watched batch: 0 when every payout was paid, 1 otherwise. */
export function watchedExitCode(batch: Batch): number {
  return batch.progress && unpaidCount(tally(batch.progress.counts)) === 0 ? EXIT.ok : EXIT.rejected;
}

/** Watches `batchId` to its end on `cli`, prints the summary, and returns the exit code. */
export async function watchToEnd(api: ApiClient, batchId: string, cli: CliContext, options: WatchOptions): Promise<number> {
  const display: WatchDisplay = !options.json && isTty(cli.stdout) ? new BarDisplay(cli.stdout) : new LineDisplay(options.json ? cli.stderr : cli.stdout, cli.stderr);
  const stop = new AbortController();
  const onInterrupt = (): void => stop.abort();
  process.once('SIGINT', onInterrupt);
  let batch: Batch | undefined;
  try {
    batch = await follow(api, batchId, display, options.intervalMs, stop.signal);
  } finally {
    process.off('SIGINT', onInterrupt);
    display.stop();
  }
  if (batch === undefined) {
    cli.stderr.write(`Stopped watching; batch ${batchId} carries on. Watch again with: disburse watch ${batchId}\n`);
    return EXIT.interrupted;
  }
  if (options.json) cli.stdout.write(`${JSON.stringify(options.jsonExtra ? { ...options.jsonExtra, batch } : batch)}\n`);
  else writeLines(cli.stdout, ['', ...batchSummary(batch), ...outcomeLines(batch)]);
  return watchedExitCode(batch);
}
