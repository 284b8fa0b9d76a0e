import type {} from '@fastify/swagger';
import type { FastifyPluginCallback } from 'fastify';
import { PassThrough } from 'node:stream';
import { batchIssuePages, getBatch } from '../../db/batches.js';
import { getPayout, payoutTimeline, payoutsNeedingAttention } from '../../db/payouts.js';
import { ATTENTION_LISTS, type AttentionList } from '../../domain/attention.js';
import { PAYOUT_SEARCH_MAX, payoutPage } from '../../db/reports.js';
import { PAYOUT_STATUSES, type PayoutStatus } from '../../domain/payout-status.js';
import { ErrorsCsvWriter } from '../../payroll/errors-csv.js';
import { ANY_ROLE, requireRole } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { problems } from '../problem.js';
import { reportCsv } from '../report-csv.js';
import { batchIdParam, firstPayoutLink, problemResponses, referenceParam } from '../schemas.js';
import { payoutRecordView, payoutView, timelineView } from '../views.js';

/** A CSV download; its errors are problems like everywhere else. */
const csvResponse = (description: string) =>
  ({
    200: {
      description,
      headers: { 'content-disposition': { type: 'string', description: 'attachment; filename="<batch>-….csv"' } },
      content: { 'text/csv': { schema: { type: 'string' } } },
    },
    ...problemResponses([400, 401, 404, 500], { 404: 'No such batch' }),
  }) as const;

export function payoutRoutes(deps: ApiDeps): FastifyPluginCallback {
  const { pool } = deps;
  const batchOr404 = async (id: string) => {
    const batch = await getBatch(pool, id);
    if (!batch) throw problems.notFound(`Batch ${id}`);
    return batch;
  };

  return (app, _opts, done) => {
    app.get<{ Params: { id: string }; Querystring: { status?: PayoutStatus; q?: string; cursor?: number; limit?: number } }>(
      '/v1/batches/:id/payouts',
      {
        schema: {
          operationId: 'listBatchPayouts',
          summary: 'The payouts of a batch, row by row (current attempts)',
          tags: ['reports'],
          params: batchIdParam,
          querystring: {
            type: 'object',
            properties: {
              status: { type: 'string', enum: [...PAYOUT_STATUSES] },
              q: {
                type: 'string',
                maxLength: PAYOUT_SEARCH_MAX,
                pattern: '^[^\\u0000-\\u001f\\u007f]*$',
                description: 'search: rows whose employee id starts with it, whose name contains it (case-insensitive) or whose reference is it',
              },
              cursor: { type: 'integer', minimum: 0, maximum: 2_147_483_647, description: 'nextCursor of the previous page' },
              limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            },
          },
          response: {
            200: { description: 'A page of payouts, by row', type: 'object', properties: { items: { type: 'array', items: { $ref: 'Payout#' } }, nextCursor: { type: ['integer', 'null'] } } },
            ...problemResponses([400, 401, 404, 500], { 404: 'No such batch' }),
          },
        },
        links: { 200: firstPayoutLink },
      },
      async (request) => {
        requireRole(request, ANY_ROLE);
        await batchOr404(request.params.id);
        const limit = request.query.limit ?? 100;
        const rows = await payoutPage(pool, request.params.id, { status: request.query.status, search: request.query.q, afterRowNo: request.query.cursor ?? 0, limit });
        return { items: rows.map(payoutView), nextCursor: rows.length === limit ? rows.at(-1)!.rowNo : null };
      },
    );

    app.get<{ Params: { reference: string } }>(
      '/v1/payouts/:reference',
      {
        schema: {
          operationId: 'getPayout',
          summary: "One payout attempt by its reference, with its story: every status change, PesaWay answer and callback, in order",
          tags: ['payouts'],
          params: referenceParam,
          response: {
            200: { description: 'The payout attempt and its story', type: 'object', properties: { payout: { $ref: 'PayoutRecord#' }, timeline: { type: 'array', items: { $ref: 'TimelineEntry#' } } } },
            ...problemResponses([400, 401, 404, 500], { 404: 'No payout attempt has this reference' }),
          },
        },
      },
      async (request) => {
        requireRole(request, ANY_ROLE);
        const payout = await getPayout(pool, request.params.reference);
        if (!payout) throw problems.notFound(`Payout ${request.params.reference}`);
        const timeline = await payoutTimeline(pool, payout.reference);
        return { payout: payoutRecordView(payout), timeline: timeline.map(timelineView) };
      },
    );

    app.get<{ Querystring: { status: AttentionList; cursor?: string; limit?: number } }>(
      '/v1/payouts',
      {
        schema: {
          operationId: 'listAttentionPayouts',
          summary: 'Payouts that need a person, across batches, most recently changed first (current attempts)',
          description:
            '`flagged`: any attempt flagged for a person (a contradiction, an amount mismatch, an undeliverable callback, a failure PesaWay did not confirm; see `attention` and `evidence`), newest flag first; ' +
            '`unresolved`: no final answer before the settle deadline (chase PesaWay with the evidence); `failed` / `rejected`: fix and retry; `awaiting_funds`: top up the wallet.',
          tags: ['payouts'],
          querystring: {
            type: 'object',
            properties: {
              status: { type: 'string', enum: [...ATTENTION_LISTS], default: 'unresolved' },
              cursor: { ...referenceParam.properties.reference, description: 'nextCursor of the previous page' },
              limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            },
          },
          response: {
            200: { description: 'A page of payouts that need a person', type: 'object', properties: { items: { type: 'array', items: { $ref: 'PayoutRecord#' } }, nextCursor: { type: ['string', 'null'] } } },
            ...problemResponses([400, 401, 500]),
          },
        },
        links: { 200: firstPayoutLink },
      },
      async (request) => {
        requireRole(request, ANY_ROLE);
        const limit = request.query.limit ?? 100;
        const rows = await payoutsNeedingAttention(pool, { list: request.query.status, limit, before: request.query.cursor });
        return { items: rows.map(payoutRecordView), nextCursor: rows.length === limit ? rows.at(-1)!.reference : null };
      },
    );

    app.get<{ Params: { id: string } }>(
      '/v1/batches/:id/report.csv',
      { schema: { operationId: 'getBatchReport', summary: 'The row-by-row report as CSV', tags: ['reports'], params: batchIdParam, response: csvResponse('The report, one line per payout attempt') } },
      async (request, reply) => {
        requireRole(request, ANY_ROLE);
        const batch = await batchOr404(request.params.id);
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${batch.id}-report.csv"`)
          .send(reportCsv(pool, batch.id));
      },
    );

    app.get<{ Params: { id: string } }>(
      '/v1/batches/:id/errors.csv',
      { schema: { operationId: 'getBatchErrors', summary: 'Validation findings (skipped rows, warnings) as CSV', tags: ['reports'], params: batchIdParam, response: csvResponse('The findings, one line each') } },
      async (request, reply) => {
        requireRole(request, ANY_ROLE);
        const batch = await batchOr404(request.params.id);
        // The CLI's writer, over the stored findings: the same file, byte for byte, as `validate --errors-csv`.
        const body = new PassThrough();
        new ErrorsCsvWriter(body).writeAll(batchIssuePages(pool, batch.id)).catch((err: unknown) => {
          request.log.warn({ err, batchId: batch.id }, 'errors.csv not written to its end (download abandoned?)');
          body.destroy(err instanceof Error ? err : new Error(String(err)));
        });
        return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${batch.id}-errors.csv"`).send(body);
      },
    );
    done();
  };
}
