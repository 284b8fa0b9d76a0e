/**
 * The engine's own Prometheus metrics (the Temporal SDK's are the worker's separate exporter): one registry
 * per process, passed to what records into it. Label sets stay bounded: endpoints, PesaWay outcomes (status
 * codes and the few ambiguity reasons), callback outcomes, batch states, never a reference or a batch id.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export type MetricsProcess = 'api' | 'worker';

export interface EngineMetrics {
  registry: Registry;
  /** PesaWay HTTP calls: `endpoint` (token, send, query, balance, pull), `outcome` (`200.001`, a status code, or timeout / http-5xx / …). */
  pesawayRequests: Counter<'endpoint' | 'outcome'>;
  pesawayRequestSeconds: Histogram<'endpoint'>;
  /** Result callbacks by what became of them: forged, bad_signature, malformed, not_stored (storage refused it: answered 503), then completed, applied, duplicate, contradiction, ignored, unknown_payout. */
  callbacks: Counter<'outcome'>;
  /** Payouts moved into each status in this process, by channel (a counter of moves: forward-only, so each status once a payout). */
  payouts: Counter<'status' | 'channel'>;
  /** KES paid (payouts moved to succeeded), by channel. */
  paidKes: Counter<'channel'>;
  /** From first send to the final answer (succeeded, failed, rejected, unresolved). */
  settlementSeconds: Histogram<'status'>;
  /** Signed webhooks POSTed, by event type and outcome (delivered: a 2xx; failed: retried with backoff). */
  webhookDeliveries: Counter<'type' | 'outcome'>;
  /** Rows of uploaded payrolls read, by what became of the upload; with the duration, rows per second. */
  ingestedRows: Counter<'result'>;
  ingestionSeconds: Histogram<'result'>;
}

/** A fresh registry with the engine's metrics and Node's default ones, labelled with the process. */
export function createEngineMetrics(process: MetricsProcess): EngineMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ process });
  collectDefaultMetrics({ register: registry, prefix: 'disburse_' });
  return {
    registry,
    pesawayRequests: new Counter({
      name: 'disburse_pesaway_requests_total',
      help: 'PesaWay HTTP calls by endpoint and outcome (PesaWay status code, or why there was no definite answer)',
      labelNames: ['endpoint', 'outcome'],
      registers: [registry],
    }),
    pesawayRequestSeconds: new Histogram({
      name: 'disburse_pesaway_request_duration_seconds',
      help: 'PesaWay HTTP call latency, from request to classified answer',
      labelNames: ['endpoint'],
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    callbacks: new Counter({
      name: 'disburse_callbacks_total',
      help: 'PesaWay result callbacks by outcome (refused at the door, or what delivering them did)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    payouts: new Counter({
      name: 'disburse_payouts_total',
      help: 'Payouts moved into a status by this process, by channel (sum over processes for the engine)',
      labelNames: ['status', 'channel'],
      registers: [registry],
    }),
    paidKes: new Counter({
      name: 'disburse_paid_kes_total',
      help: 'KES paid out (payouts that succeeded), by channel',
      labelNames: ['channel'],
      registers: [registry],
    }),
    webhookDeliveries: new Counter({
      name: 'disburse_webhook_deliveries_total',
      help: 'Signed webhook POSTs by event type and outcome',
      labelNames: ['type', 'outcome'],
      registers: [registry],
    }),
    ingestedRows: new Counter({
      name: 'disburse_ingested_rows_total',
      help: 'Payroll rows read by uploads, by result (created, refused, duplicate, existing, conflict)',
      labelNames: ['result'],
      registers: [registry],
    }),
    ingestionSeconds: new Histogram({
      name: 'disburse_ingestion_duration_seconds',
      help: 'Upload ingestion time (parse, validate, store), by result; rows/s = rate(rows) / rate(seconds_sum)',
      labelNames: ['result'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [registry],
    }),
    settlementSeconds: new Histogram({
      name: 'disburse_settlement_duration_seconds',
      help: 'From the first send to PesaWay to the final answer, by final status',
      labelNames: ['status'],
      buckets: [1, 5, 15, 30, 60, 300, 900, 3600, 6 * 3600, 24 * 3600],
      registers: [registry],
    }),
  };
}

/** A gauge read from elsewhere (PostgreSQL) when Prometheus scrapes; errors leave the last values. */
export function scrapedGauge<L extends string>(
  registry: Registry,
  spec: { name: string; help: string; labelNames: readonly L[] },
  read: () => Promise<Array<{ labels: Record<L, string>; value: number }>>,
): Gauge<L> {
  return new Gauge<L>({
    ...spec,
    registers: [registry],
    async collect() {
      const values = await read().catch(() => undefined);
      if (!values) return;
      this.reset();
      for (const v of values) this.set(v.labels, v.value);
    },
  });
}

const FINAL = new Set(['succeeded', 'failed', 'rejected', 'unresolved']);

/** The observer for observePayoutMoves (src/db/payout-transitions.ts) that counts into `metrics`. */
export function payoutMoveCounter(metrics: Pick<EngineMetrics, 'payouts' | 'paidKes' | 'settlementSeconds'>) {
  return (move: { to: string; channel: string; amountMinor: number; secondsSinceSubmitted: number | null }): void => {
    metrics.payouts.inc({ status: move.to, channel: move.channel });
    if (move.to === 'succeeded') metrics.paidKes.inc({ channel: move.channel }, move.amountMinor / 100);
    if (FINAL.has(move.to) && move.secondsSinceSubmitted !== null) metrics.settlementSeconds.observe({ status: move.to }, move.secondsSinceSubmitted);
  };
}
