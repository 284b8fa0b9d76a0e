import type { FastifyPluginCallback } from 'fastify';
import { getBatch } from '../../db/batches.js';
import { ANY_ROLE, requireRole } from '../auth.js';
import { compareBatchWithPrevious } from '../comparison.js';
import type { ApiDeps } from '../deps.js';
import { problems } from '../problem.js';
import { comparisonMembers } from '../preview-schemas.js';
import { batchIdParam, problemResponses } from '../schemas.js';

/** `GET /v1/batches/:id/comparison`: a stored batch against the previous run of its payroll, recomputed from PostgreSQL. */
export function comparisonRoutes(deps: Pick<ApiDeps, 'pool'>): FastifyPluginCallback {
  const { pool } = deps;
  return (app, _opts, done) => {
    app.get<{ Params: { id: string } }>(
      '/v1/batches/:id/comparison',
      {
        schema: {
          operationId: 'getBatchComparison',
          summary: 'A batch compared with the previous batch of its payroll',
          description:
            'New payees, changed destinations (masked), amounts far from last time\'s, payees missing: this batch\'s rows against those of the newest earlier batch with the same payroll label ' +
            '(cancelled batches skipped). `comparison` is null when the batch has no payroll label or its payroll no earlier batch.',
          tags: ['batches'],
          params: batchIdParam,
          response: {
            200: {
              description: 'The comparison',
              type: 'object',
              properties: { batchId: { type: 'string' }, payroll: { type: ['string', 'null'] }, comparison: comparisonMembers.comparison },
            },
            ...problemResponses([400, 401, 404, 500], { 404: 'No such batch' }),
          },
        },
      },
      async (request) => {
        requireRole(request, ANY_ROLE);
        const batch = await getBatch(pool, request.params.id);
        if (!batch) throw problems.notFound(`Batch ${request.params.id}`);
        return { batchId: batch.id, payroll: batch.payroll, comparison: await compareBatchWithPrevious(pool, batch) };
      },
    );
    done();
  };
}
