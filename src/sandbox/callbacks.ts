import type { Logger } from '../common/log.js';
import { maskPhonesInText } from '../common/mask.js';
import { SIGNATURE_HEADER } from '../pesaway/wire.js';
import { signBody } from '../pesaway/signature.js';
import type { FaultController } from './faults.js';
import type { CallbackRetry } from './options.js';
import type { Outage } from './outage.js';
import type { TimerSet } from './timers.js';

export interface CallbackDispatcherDeps {
  faults: FaultController;
  timers: TimerSet;
  retry: CallbackRetry;
  timeoutMs: number;
  signingKey: string | undefined;
  logger: Logger;
  /** While PesaWay is down, deliveries coming due wait in its queue. */
  outage: Pick<Outage, 'defer'>;
}

/**
 * POSTs result callbacks to each payment's `ResultsUrl`: compact JSON, signed when a key is set, retried
 * with exponential backoff on non-2xx or network errors. Drop, delay, duplicate and reorder faults are
 * decided once per callback. During an outage every delivery that comes due is queued until it ends.
 * Never throws: a callback that cannot be delivered is logged and counted.
 */
export class CallbackDispatcher {
  private readonly aborter = new AbortController();

  constructor(private readonly deps: CallbackDispatcherDeps) {}

  dispatch(url: string, body: Record<string, unknown>): void {
    // Held whole: its fault plan is drawn on release, so it meets the faults in force then.
    if (this.deps.outage.defer(() => this.dispatch(url, body))) return;
    const plan = this.deps.faults.callbackPlan();
    if (plan.drop) {
      this.deps.logger.debug({ reference: referenceOf(body) }, 'callback dropped (fault)');
      return;
    }
    // Serialised once: the duplicate carries exactly the same bytes (and signature) as the original.
    const raw = JSON.stringify(body);
    this.deps.timers.after(plan.delayMs, () => this.run(url, raw, 1));
    if (plan.duplicateDelayMs !== undefined) this.deps.timers.after(plan.duplicateDelayMs, () => this.run(url, raw, 1));
  }

  /** Aborts callbacks in flight; timers are cancelled by the TimerSet. */
  close(): void {
    this.aborter.abort();
  }

  private run(url: string, raw: string, attempt: number): void {
    // A planned delivery (delayed, duplicate or retry) coming due mid-outage keeps its plan and waits.
    if (this.deps.outage.defer(() => this.run(url, raw, attempt))) return;
    this.attempt(url, raw, attempt).catch((err: unknown) => this.deps.logger.error({ err }, 'callback dispatcher failed'));
  }

  private async attempt(url: string, raw: string, attempt: number): Promise<void> {
    const { faults, timers, retry, timeoutMs, signingKey, logger } = this.deps;
    if (timers.isClosed) return;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (signingKey !== undefined) headers[SIGNATURE_HEADER] = signBody(raw, signingKey);
    let problem: string;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers,
        body: raw,
        signal: AbortSignal.any([this.aborter.signal, AbortSignal.timeout(timeoutMs)]),
      });
      await res.arrayBuffer(); // drain, so the keep-alive socket is reusable
      if (res.ok) {
        faults.count('callbacksDelivered');
        return;
      }
      problem = `HTTP ${res.status}`;
    } catch (err) {
      if (timers.isClosed) return;
      problem = err instanceof Error ? `${err.name}: ${err.message}${causeOf(err)}` : String(err);
    }
    if (attempt >= retry.maxAttempts) {
      faults.count('callbacksAbandoned');
      logger.warn({ url: safeUrl(url), attempts: attempt, problem: maskPhonesInText(problem) }, 'callback abandoned');
      return;
    }
    faults.count('callbackRetries');
    const backoff = Math.min(retry.maxMs, retry.baseMs * 2 ** (attempt - 1));
    logger.debug({ url: safeUrl(url), attempt, problem, backoff }, 'callback failed; will retry');
    timers.after(backoff, () => this.run(url, raw, attempt + 1));
  }
}

function causeOf(err: Error): string {
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error ? ` (${cause.message})` : '';
}

/** Logs the receiver without its query string, which may carry a token. */
function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(invalid url)';
  }
}

function referenceOf(body: Record<string, unknown>): unknown {
  return body['OriginatorReference'] ?? body['Originator'];
}
