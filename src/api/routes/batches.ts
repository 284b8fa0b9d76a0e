import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { cleanText } from '../../payroll/text.js';
import type {} from '@fastify/multipart';
import type {} from '@fastify/swagger';
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import { startBatch } from '../../client/batches.js';
import { getBatch } from '../../db/batches.js';
import { listBatches } from '../../db/reports.js';
import { BATCH_STATUSES, type BatchStatus } from '../../domain/batch-status.js';
import { ingestPayroll } from '../../ingest/ingest.js';
import { type Policy, reportJson } from '../../payroll/report.js';
import { validatePayroll } from '../../payroll/validate-file.js';
import { ANY_ROLE, requireRole, type Principal } from '../auth.js';
import { byteLimit, discardRest, fileTooLarge } from '../byte-limit.js';
import type { ApiDeps } from '../deps.js';
import { Problem, problems } from '../problem.js';
import { batchProgress } from '../progress.js';
import { batchIdParam, problemResponses } from '../schemas.js';
import { batchSummaryLine, batchView } from '../views.js';

interface SubmitQuery {
  batchId?: string;
  policy?: Policy;
  approvalRequired?: boolean;
  dryRun?: boolean;
  acknowledgeWarnings?: boolean;
  fileName?: string;
}

/** Text without control characters (PostgreSQL text cannot hold NUL, and none belongs in a name). */
const NO_CONTROL_CHARACTERS = '^[^\\u0000-\\u001f\\u007f]*$';

/** A file name as a browser or client sent it, cleaned like any free text of the payroll. */
const cleanFileName = (name: string | undefined): string | undefined => (name === undefined ? undefined : cleanText(name).slice(0, 200) || undefined);

const submitQuery = {
  type: 'object',
  properties: {
    batchId: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$', description: 'name the batch; default: derived from Idempotency-Key or the file hash' },
    policy: { type: 'string', enum: ['strict', 'skip-invalid'], default: 'strict' },
    approvalRequired: { type: 'boolean', default: false },
    dryRun: { type: 'boolean', default: false, description: 'validate only; nothing is stored' },
    acknowledgeWarnings: { type: 'boolean', default: false },
    fileName: { type: 'string', maxLength: 200, pattern: NO_CONTROL_CHARACTERS },
  },
} as const;

/** Room for a multipart envelope (boundaries, part headers) around a file at the limit. */
const MULTIPART_OVERHEAD = 64 * 1024;

/** The upload as a stream, whether a raw `text/csv` body or a multipart form with a `file` part. */
async function uploadStream(request: FastifyRequest, query: SubmitQuery): Promise<{ stream: Readable; fileName: string | undefined }> {
  if (request.isMultipart()) {
    const part = await request.file();
    if (!part) throw new Problem(400, 'file_missing', 'No file', 'The multipart form has no file part: send the CSV as a part named "file".');
    return { stream: part.file, fileName: query.fileName ?? cleanFileName(part.filename) };
  }
  if (!request.body) throw new Problem(400, 'file_missing', 'No file', 'Send the CSV as the body (Content-Type: text/csv) or as multipart/form-data.');
  if (!(request.body instanceof Readable)) {
    throw new Problem(415, 'unsupported_media_type', 'Unsupported Media Type', `A payroll is a CSV file, not ${request.headers['content-type'] ?? 'this body'}: send it with Content-Type: text/csv, or as multipart/form-data with a part named "file".`);
  }
  return { stream: request.body, fileName: query.fileName };
}

type Upload = Awaited<ReturnType<typeof uploadStream>>;

/** `Idempotency-Key` names the batch when no id is given, so a retried upload returns the same batch. */
function idempotentId(key: string | undefined): string | undefined {
  if (!key) return undefined;
  if (key.length > 200) throw new Problem(400, 'idempotency_key_too_long', 'Idempotency-Key too long', 'Use at most 200 characters.');
  return `k-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}

export function batchRoutes(deps: ApiDeps): FastifyPluginCallback {
  const { pool, temporal, config, settings } = deps;
  const viewBase = { temporalUiUrl: config.temporalUiUrl, namespace: deps.namespace };

  return (app, _opts, done) => {
    // CSV bodies stay streams: a 50 MB payroll never sits in memory.
    app.addContentTypeParser(['text/csv', 'application/csv', 'text/plain', 'application/octet-stream'], (_req, payload, next) => next(null, payload));

    /** Validates, stores and starts the uploaded payroll: the answer to POST /v1/batches. */
    async function submit(request: FastifyRequest<{ Querystring: SubmitQuery }>, reply: FastifyReply, upload: Upload, who: Principal): Promise<FastifyReply> {
      const q = request.query;
      const input = upload.stream.pipe(byteLimit(config.maxUploadBytes));
      upload.stream.once('error', (err) => input.destroy(err));
      // The limit can trip before ingestion starts reading (it first looks the batch up): the error must
      // stay on the stream, where the reader finds it (`errored`), not escape as an uncaught exception.
      input.on('error', () => undefined);
      const policy = q.policy ?? 'strict';
      const options = { policy, acknowledgeWarnings: q.acknowledgeWarnings ?? false, limits: deps.limits };

      if (q.dryRun) {
        const report = await validatePayroll(input, options);
        return reply.code(200).send({ dryRun: true, created: false, report: { accepted: report.accepted, refusal: report.refusal, ...reportJson(report) } });
      }
      const batchId = q.batchId ?? idempotentId(request.headers['idempotency-key'] as string | undefined);
      const result = await ingestPayroll(pool, input, {
        ...options,
        ...(batchId ? { batchId } : {}),
        ...(upload.fileName ? { fileName: upload.fileName } : {}),
        submittedBy: who.user,
        approvalRequired: q.approvalRequired ?? false,
        log: deps.log,
      });
      switch (result.kind) {
        case 'refused':
          throw new Problem(422, 'payroll_refused', 'Payroll refused', result.report.refusal?.message ?? 'The file is not acceptable under its policy.', {
            report: { accepted: false, refusal: result.report.refusal, ...reportJson(result.report) },
          });
        case 'conflict':
          throw new Problem(409, 'batch_conflict', 'Batch id already used', `${result.message} Choose another batch id to submit this file as a new batch.`);
        case 'existing': {
          // Also heals a submission whose workflow start was lost: starting an existing batch is a no-op.
          await startBatch(temporal, result.batch.id, settings, batchSummaryLine(result.batch));
          return reply.code(200).send({ created: false, batch: batchView(result.batch, viewBase) });
        }
        case 'created': {
          await startBatch(temporal, result.batch.id, settings, batchSummaryLine(result.batch));
          request.log.info({ batchId: result.batch.id, rows: result.report.valid, by: who.user }, 'Batch submitted');
          return reply
            .code(201)
            .header('location', `/v1/batches/${encodeURIComponent(result.batch.id)}`)
            .send({ created: true, batch: batchView(result.batch, viewBase), report: { accepted: true, refusal: null, ...reportJson(result.report) } });
        }
      }
    }

    app.post<{ Querystring: SubmitQuery }>(
      '/v1/batches',
      {
        schema: {
          summary: 'Submit a payroll CSV',
          description:
            'Body: the CSV as `text/csv`, or `multipart/form-data` with a `file` part. Validates, stores and starts the batch. ' +
            'Resubmitting the same file (or the same Idempotency-Key) returns the existing batch.',
          tags: ['batches'],
          querystring: submitQuery,
          headers: { type: 'object', properties: { 'idempotency-key': { type: 'string' } } },
          response: {
            200: { type: 'object', properties: { created: { type: 'boolean' }, dryRun: { type: 'boolean' }, batch: { $ref: 'Batch#' }, report: { $ref: 'ValidationReport#' } } },
            201: { type: 'object', properties: { created: { type: 'boolean' }, batch: { $ref: 'Batch#' }, report: { $ref: 'ValidationReport#' } } },
            ...problemResponses,
            409: { $ref: 'Problem#' },
            413: { $ref: 'Problem#' },
            422: { $ref: 'Problem#' },
          },
        },
      },
      async (request, reply) => {
        const who = requireRole(request, ['submitter']);
        const q = request.query;
        // A declared size over the limit is refused before a byte is read.
        if (Number(request.headers['content-length'] ?? 0) > config.maxUploadBytes + MULTIPART_OVERHEAD) throw fileTooLarge(config.maxUploadBytes);
        const upload = await uploadStream(request, q);
        let tooLarge = false;
        try {
          return await submit(request, reply, upload, who);
        } catch (err) {
          tooLarge = err instanceof Problem && err.status === 413;
          throw err;
        } finally {
          // A refusal can come before the end of the upload (a record over the limit): what is left is
          // read and dropped, never kept, so the client gets its answer instead of a reset connection.
          // (Not past the size limit: that upload is not read further.)
          if (!tooLarge) discardRest(upload.stream, config.maxUploadBytes + MULTIPART_OVERHEAD, () => request.raw.destroy());
        }
      },
    );

    app.get<{ Querystring: { status?: BatchStatus; limit?: number; cursor?: string } }>(
      '/v1/batches',
      {
        schema: {
          summary: 'List batches, newest first',
          tags: ['batches'],
          querystring: {
            type: 'object',
            properties: {
              status: { type: 'string', enum: [...BATCH_STATUSES] },
              limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
              cursor: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$', description: 'nextCursor of the previous page' },
            },
          },
          response: { 200: { type: 'object', properties: { items: { type: 'array', items: { $ref: 'Batch#' } }, nextCursor: { type: ['string', 'null'] } } }, ...problemResponses },
        },
      },
      async (request) => {
        requireRole(request, ANY_ROLE);
        const limit = request.query.limit ?? 50;
        const batches = await listBatches(pool, { status: request.query.status, limit, before: request.query.cursor });
        return { items: batches.map((b) => batchView(b, viewBase)), nextCursor: batches.length === limit ? batches.at(-1)!.id : null };
      },
    );

    app.get<{ Params: { id: string } }>(
      '/v1/batches/:id',
      {
        schema: { summary: 'A batch with its progress', tags: ['batches'], params: batchIdParam, response: { 200: { $ref: 'Batch#' }, ...problemResponses } },
      },
      async (request) => {
        requireRole(request, ANY_ROLE);
        const batch = await getBatch(pool, request.params.id);
        if (!batch) throw problems.notFound(`Batch ${request.params.id}`);
        return batchView(batch, viewBase, await batchProgress(pool, temporal, batch));
      },
    );
    done();
  };
}
