/** The API's `GET /metrics`: callbacks by outcome, batches by state (read from PostgreSQL at each scrape), Node's own. */
import type { FastifyPluginCallback } from 'fastify';
import type { EngineMetrics } from '../../metrics/engine-metrics.js';
import { scrapedGauge } from '../../metrics/engine-metrics.js';
import { scrapeAllowed } from '../../metrics/exposition.js';
import type { ApiDeps } from '../deps.js';

export function metricsRoutes(deps: Pick<ApiDeps, 'pool' | 'config'>, metrics: EngineMetrics): FastifyPluginCallback {
  scrapedGauge(metrics.registry, { name: 'disburse_batches', help: 'Batches by state', labelNames: ['status'] as const }, async () => {
    const { rows } = await deps.pool.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM batches GROUP BY status');
    return rows.map((r) => ({ labels: { status: r.status }, value: r.n }));
  });
  scrapedGauge(metrics.registry, { name: 'disburse_awaiting_funds_kes', help: 'KES (with estimated fees) of payouts parked for funds (455.001): what a top-up must cover', labelNames: [] as const }, async () => {
    const { rows } = await deps.pool.query<{ kes: string | null }>(
      "SELECT (sum(amount_minor + fee_estimate_minor) / 100.0)::text AS kes FROM payouts WHERE is_current AND status = 'awaiting_funds'",
    );
    return [{ labels: {}, value: Number(rows[0]?.kes ?? 0) }];
  });
  return (app, _opts, done) => {
    app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
      if (!scrapeAllowed(deps.config.metricsToken, request.headers.authorization)) return reply.code(401).type('text/plain').send('Send Authorization: Bearer <METRICS_TOKEN>.\n');
      return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    });
    done();
  };
}
