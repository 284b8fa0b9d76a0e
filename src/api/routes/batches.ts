import { createHash } from 'node:crypto';
import { finished, Readable } from 'node:stream';
import { cleanText } from '../../payroll/text.js';
import type {} from '@fastify/multipart';
import type {} from '@fastify/swagger';
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import { startBatch } from '../../client/batches.js';
import { type Batch, getBatch } from '../../db/batches.js';
import { listBatches } from '../../db/reports.js';
import { storageFault } from '../../db/storage-errors.js';
import { BATCH_STATUSES, type BatchStatus } from '../../domain/batch-status.js';
import { type OptionDifference, batchOptionsText, ingestPayroll } from '../../ingest/ingest.js';
import type { PayrollFileHints } from '../../payroll/payroll-file.js';
import { type Policy, reportJson } from '../../payroll/report.js';
import { PAYROLL_LABEL_PATTERN } from '../../payroll/payroll-label.js';
import { ANY_ROLE, requireRole, type Principal } from '../auth.js';
import { byteLimit, discardRest, fileTooLarge } from '../byte-limit.js';
import { previewPayroll, submittedComparison } from '../preview.js';
import { comparisonMembers } from '../preview-schemas.js';
import type { ApiDeps } from '../deps.js';
import { payAtParam, payAtQuery } from '../pay-at.js';
import { openUpload, sheetParam, uploadHints, WORKBOOK_CONTENT_TYPES, workbookSchema, xlsxBody } from '../payroll-upload.js';
import { Problem, problems, storageProblem } from '../problem.js';
import { batchProgress } from '../progress.js';
import { batchIdParam, batchLinks, problemResponses } from '../schemas.js';
import { batchSummaryLine, batchView } from '../views.js';

interface SubmitQuery {
  batchId?: string;
  policy?: Policy;
  approvalRequired?: boolean;
  dryRun?: boolean;
  acknowledgeWarnings?: boolean;
  allowDuplicateFile?: boolean;
  fileName?: string;
  payroll?: string;
  payAt?: string;
  sheet?: string;
}

/** Body types read as a raw CSV stream (besides `multipart/form-data`). */
const CSV_CONTENT_TYPES = ['text/csv', 'application/csv', 'text/plain', 'application/octet-stream'] as const;

/** Text without control characters (PostgreSQL text cannot hold NUL, and none belongs in a name). */
const NO_CONTROL_CHARACTERS = '^[^\\u0000-\\u001f\\u007f]*$';

/** A file name as a browser or client sent it, cleaned like any free text of the payroll. */
const cleanFileName = (name: string | undefined): string | undefined => (name === undefined ? undefined : cleanText(name).slice(0, 200) || undefined);

/** A payroll label: the runs of one payroll share it, and a file is compared with the previous run of its label. */
const payrollParam = {
  type: 'string',
  pattern: PAYROLL_LABEL_PATTERN.source,
  description: 'the payroll this file is a run of (e.g. acme-monthly), compared exactly: the dry run compares the file with the newest batch of this payroll (cancelled ones skipped), and the batch keeps it',
  examples: ['acme-monthly'],
} as const;

const submitQuery = {
  type: 'object',
  properties: {
    batchId: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$', description: 'name the batch; default: derived from Idempotency-Key or the file hash' },
    policy: { type: 'string', enum: ['strict', 'skip-invalid'], default: 'strict' },
    approvalRequired: { type: 'boolean', default: false },
    dryRun: { type: 'boolean', default: false, description: 'validate only; nothing is stored' },
    acknowledgeWarnings: { type: 'boolean', default: false },
    allowDuplicateFile: { type: 'boolean', default: false, description: 'store this file as a new batch even though its content is already a batch (recorded on the batch); otherwise 409 duplicate_file' },
    fileName: { type: 'string', maxLength: 200, pattern: NO_CONTROL_CHARACTERS },
    payroll: payrollParam,
    payAt: payAtQuery,
    sheet: sheetParam,
  },
} as const;

/** The CSV bytes, for the OpenAPI document only: the route reads the body itself, as a stream. */
const csvBody = {
  type: 'string',
  format: 'binary',
  contentMediaType: 'text/csv',
  description: 'the payroll CSV, UTF-8 (a BOM is fine): a header row naming the columns (employee id, name, phone or account, amount, …), then one row per payout',
  examples: ['employee_id,name,phone,amount,reason\nE001,Achieng Otieno,0712 345 678,1500.00,Salary November\nE002,Kamau Njoroge,254722000111,2500.50,Salary November\n'],
} as const;

/**
 * `POST /v1/batches` bodies as the document shows them, so client generators can upload. Not given to Fastify
 * as `schema.body`: it would validate (and so buffer) a body that must stay a stream.
 */
const submitBody = {
  content: {
    ...Object.fromEntries(CSV_CONTENT_TYPES.map((type) => [type, { schema: csvBody }])),
    [WORKBOOK_CONTENT_TYPES[0]]: { schema: xlsxBody },
    'multipart/form-data': {
      schema: { type: 'object', properties: { file: { ...csvBody, description: 'the payroll CSV or Excel workbook (.xlsx); its file name is kept unless `fileName` is given' } }, required: ['file'] },
    },
  },
} as const;

/** Room for a multipart envelope (boundaries, part headers) around a file at the limit. */
const MULTIPART_OVERHEAD = 64 * 1024;

/** Errors of the multipart parser that carry their own status (limits, prototype keys) keep it; the rest are 400s. */
function asUploadProblem(err: unknown, problem: (why: string) => Problem): Error {
  if (err instanceof Problem) return err;
  const e = err as Error & { statusCode?: number };
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) return e;
  return problem(e.message ?? String(err));
}

/** A multipart body that cannot be parsed (no boundary, not multipart at all) is the sender's mistake. */
const multipartUnreadable = (why: string): Problem =>
  new Problem(400, 'multipart_invalid', 'Unreadable multipart form', `The multipart form cannot be read (${why}): send it with a boundary and the CSV as a part named "file", or send the CSV itself with Content-Type: text/csv.`);

/** The body stopped before the file did: a form cut short, a connection dropped mid-upload. */
const uploadIncomplete = (why: string): Problem =>
  new Problem(400, 'upload_incomplete', 'Upload incomplete', `The upload ended before the file did (${why}): send the whole file again.`);

/** The upload as a stream, whether a raw `text/csv` body or a multipart form with a `file` part. */
async function uploadStream(request: FastifyRequest, query: SubmitQuery): Promise<{ stream: Readable; fileName: string | undefined; hints: PayrollFileHints }> {
  if (request.isMultipart()) {
    const part = await request.file().catch((err: unknown) => {
      throw asUploadProblem(err, multipartUnreadable);
    });
    if (!part) throw new Problem(400, 'file_missing', 'No file', 'The multipart form has no file part: send the CSV as a part named "file".');
    return { stream: part.file, fileName: query.fileName ?? cleanFileName(part.filename), hints: uploadHints(part.mimetype, part.filename, query.sheet) };
  }
  if (!request.body) throw new Problem(400, 'file_missing', 'No file', 'Send the CSV as the body (Content-Type: text/csv) or as multipart/form-data.');
  if (!(request.body instanceof Readable)) {
    throw new Problem(415, 'unsupported_media_type', 'Unsupported Media Type', `A payroll is a CSV file or an Excel workbook (.xlsx), not ${request.headers['content-type'] ?? 'this body'}: send it with Content-Type: text/csv (or ${WORKBOOK_CONTENT_TYPES[0]}), or as multipart/form-data with a part named "file".`);
  }
  return { stream: request.body, fileName: query.fileName, hints: uploadHints(request.headers['content-type'], query.fileName, query.sheet) };
}

type Upload = Awaited<ReturnType<typeof uploadStream>>;

/** A resubmission asked for options its existing batch does not have: nothing changed, and it says which it has. */
function optionsDiffer(batch: Batch, differences: readonly OptionDifference[]): Problem {
  const asked = differences.map((d) => `${d.option}=${String(d.requested)}`).join(', ');
  return new Problem(
    409,
    'options_differ',
    'Batch exists with other options',
    `This file is already batch "${batch.id}" with ${batchOptionsText(batch)}; this request asked for ${asked}, which was not applied. ` +
      'Nothing was changed. To pay the file with other options, cancel that batch first (if it has not paid) and submit under a new batch id with allowDuplicateFile=true.',
    { batchId: batch.id, existingOptions: { policy: batch.policy, approvalRequired: batch.approvalRequired, allowDuplicateFile: batch.allowDuplicateFile, payroll: batch.payroll, payAt: batch.payAt?.toISOString() ?? null } },
  );
}

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
    app.addContentTypeParser([...CSV_CONTENT_TYPES, ...WORKBOOK_CONTENT_TYPES], (_req, payload, next) => next(null, payload));

    /** Validates, stores and starts the uploaded payroll: the answer to POST /v1/batches. */
    async function submit(request: FastifyRequest<{ Querystring: SubmitQuery }>, reply: FastifyReply, upload: Upload, who: Principal): Promise<FastifyReply> {
      const q = request.query;
      const payAt = payAtParam(q.payAt);
      const limited = upload.stream.pipe(byteLimit(config.maxUploadBytes));
      // A source that fails or closes before its end (a multipart part the parser gave up on, even before we got
      // it, is already closed without an end) fails the input: the reader gets a 400, never a stream that hangs.
      const source = upload.stream;
      if (source.errored || (source.destroyed && !source.readableEnded)) limited.destroy(asUploadProblem(source.errored ?? new Error('the part was closed before its end'), uploadIncomplete));
      else finished(source, (err) => err && limited.destroy(asUploadProblem(err, uploadIncomplete)));
      // The limit can trip before ingestion starts reading (it first looks the batch up): the error must
      // stay on the stream, where the reader finds it (`errored`), not escape as an uncaught exception.
      limited.on('error', () => undefined);
      // A CSV streams on; an .xlsx is read (bounded) and its sheet's rows go on as the CSV the core validates.
      const { input, workbook } = await openUpload(limited, upload.hints);
      const policy = q.policy ?? 'strict';
      const options = { policy, acknowledgeWarnings: q.acknowledgeWarnings ?? false, limits: deps.limits };

      if (q.dryRun) {
        const { report, preview } = await previewPayroll({ pool, temporal, taskQueues: settings.taskQueues }, input, options, q.payroll);
        return reply.code(200).send({ dryRun: true, created: false, payAt: payAt?.toISOString() ?? null, workbook, report: { accepted: report.accepted, refusal: report.refusal, ...reportJson(report) }, preview });
      }
      const batchId = q.batchId ?? idempotentId(request.headers['idempotency-key'] as string | undefined);
      const ingestStarted = performance.now();
      const result = await ingestPayroll(pool, input, {
        ...options,
        ...(batchId ? { batchId } : {}),
        ...(upload.fileName ? { fileName: upload.fileName } : {}),
        submittedBy: who.user,
        approvalRequired: q.approvalRequired ?? false,
        allowDuplicateFile: q.allowDuplicateFile ?? false,
        payroll: q.payroll,
        ...(payAt ? { payAt } : {}),
        log: deps.log,
      }).catch((err: unknown) => {
        // The upload is one transaction: refused or cut off, none of it is stored, and the same file under
        // the same id later becomes the same batch. The answer says so (503, not a 500).
        const fault = storageFault(err);
        throw fault ? storageProblem(fault, 'upload', err) : err;
      });
      deps.metrics?.ingestionSeconds.observe({ result: result.kind }, (performance.now() - ingestStarted) / 1000);
      if ('report' in result) deps.metrics?.ingestedRows.inc({ result: result.kind }, result.report.rows);
      switch (result.kind) {
        case 'refused':
          throw new Problem(422, 'payroll_refused', 'Payroll refused', result.report.refusal?.message ?? 'The file is not acceptable under its policy.', {
            report: { accepted: false, refusal: result.report.refusal, ...reportJson(result.report) },
            workbook,
          });
        case 'conflict':
          throw new Problem(409, 'batch_conflict', 'Batch id already used', `${result.message} Choose another batch id to submit this file as a new batch.`);
        case 'duplicate':
          throw new Problem(409, 'duplicate_file', 'File already submitted', result.message, { batchId: result.batch.id, batch: batchView(result.batch, viewBase) });
        case 'existing': {
          if (result.differences.length > 0) throw optionsDiffer(result.batch, result.differences);
          // Also heals a submission whose workflow start was lost: starting an existing batch is a no-op.
          await startBatch(temporal, result.batch.id, settings, batchSummaryLine(result.batch));
          return reply.code(200).send({ created: false, workbook, batch: batchView(result.batch, viewBase), ...(await submittedComparison(pool, result.batch, request.log)) });
        }
        case 'created': {
          await startBatch(temporal, result.batch.id, settings, batchSummaryLine(result.batch));
          request.log.info({ batchId: result.batch.id, rows: result.report.valid, by: who.user }, 'Batch submitted');
          return reply
            .code(201)
            .header('location', `/v1/batches/${encodeURIComponent(result.batch.id)}`)
            .send({
              created: true,
              workbook,
              batch: batchView(result.batch, viewBase),
              report: { accepted: true, refusal: null, ...reportJson(result.report) },
              ...(await submittedComparison(pool, result.batch, request.log)),
            });
        }
      }
    }

    app.post<{ Querystring: SubmitQuery }>(
      '/v1/batches',
      {
        schema: {
          operationId: 'submitBatch',
          summary: 'Submit a payroll CSV or Excel workbook',
          description:
            'Body: the CSV as `text/csv`, an Excel workbook (.xlsx) as `' + WORKBOOK_CONTENT_TYPES[0] + '`, or `multipart/form-data` with a `file` part. Validates, stores and starts the batch. ' +
            'A workbook is read from its first sheet, or the one named by `sheet`; its rows are validated exactly as a CSV, each finding\'s `line` being the sheet row; the answer\'s `workbook` names the sheet read and lists them all. ' +
            'Resubmitting the same file (or the same Idempotency-Key) with the same options returns the existing batch (200); with other options, 409 `options_differ` naming the existing options. ' +
            'A file whose content is already another batch is refused with 409 `duplicate_file` naming it, whatever the key or batch id, unless `allowDuplicateFile=true`. ' +
            'With `dryRun=true` nothing is stored and the answer carries a `preview`: totals with estimated fees, the wallet\'s balance and shortfall, and with `payroll` the comparison with that payroll\'s previous batch. ' +
            'A stored batch\'s answer carries its `comparison` with the previous batch of its payroll. ' +
            'With `payAt` the batch is SCHEDULED until that time, then pays (or, with approvalRequired and no approval yet, waits for one).',
          tags: ['batches'],
          querystring: submitQuery,
          headers: { type: 'object', properties: { 'idempotency-key': { type: 'string', maxLength: 200, description: 'a retried upload with the same key returns the same batch' } } },
          response: {
            200: {
              description: 'The batch already existed (same file, batch id or Idempotency-Key), or the dry run\'s report and preview',
              type: 'object',
              properties: {
                created: { type: 'boolean' },
                dryRun: { type: 'boolean' },
                payAt: { type: ['string', 'null'], description: 'dry run: the pay time the batch would have' },
                workbook: workbookSchema,
                batch: { $ref: 'Batch#' },
                report: { $ref: 'ValidationReport#' },
                preview: { $ref: 'Preview#' },
                ...comparisonMembers,
              },
            },
            201: {
              description: 'The batch was stored and started',
              type: 'object',
              headers: { location: { type: 'string', description: 'the new batch: /v1/batches/{id}' } },
              properties: { created: { type: 'boolean' }, workbook: workbookSchema, batch: { $ref: 'Batch#' }, report: { $ref: 'ValidationReport#' }, ...comparisonMembers },
            },
            ...problemResponses([400, 401, 403, 409, 413, 415, 422, 500], {
              400: 'No file in the body, an unreadable or incomplete upload, a payAt that is not a future RFC 3339 date-time within 90 days (`pay_at_invalid`), or a parameter or header that breaks its schema',
              403: 'Needs the submitter role',
              409: 'The file is already another batch (`duplicate_file`, naming it: pass allowDuplicateFile=true to pay it again), the batch exists with other options (`options_differ`, naming them), or the batch id is taken by another file (`batch_conflict`)',
              413: 'The file is larger than MAX_UPLOAD_MB',
              415: 'The body is neither CSV, an .xlsx workbook nor a multipart form, or it is a legacy .xls workbook (`legacy_xls`: save it as .xlsx or CSV)',
              422: 'The payroll is refused under its policy; `report` lists every finding (`payroll_refused`). For a workbook: no such sheet (`sheet_not_found`, with `sheets`), too large once unpacked (`workbook_too_large`), unreadable or password-protected (`workbook_unreadable`, `workbook_encrypted`), a formula without a saved result (`formula_not_calculated`) or cells merged over several rows (`merged_cells`)',
              503: 'PostgreSQL is unreachable (`storage_unavailable`) or refuses writes (`storage_read_only`, `storage_full`): nothing of the upload was stored. Retry the same file with the same batch id (or Idempotency-Key) after `Retry-After` seconds: it becomes the same batch',
            }),
          },
        },
        links: { 200: batchLinks('$response.body#/batch/id'), 201: batchLinks('$response.body#/batch/id') },
        config: { swaggerTransform: ({ schema, url }: { schema: object; url: string }) => ({ url, schema: { ...schema, body: submitBody } }) },
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

    app.get<{ Querystring: { status?: BatchStatus; payroll?: string; limit?: number; cursor?: string } }>(
      '/v1/batches',
      {
        schema: {
          operationId: 'listBatches',
          summary: 'List batches, newest first',
          tags: ['batches'],
          querystring: {
            type: 'object',
            properties: {
              status: { type: 'string', enum: [...BATCH_STATUSES] },
              payroll: { ...payrollParam, description: 'only the batches of this payroll' },
              limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
              cursor: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$', description: 'nextCursor of the previous page' },
            },
          },
          response: {
            200: { description: 'A page of batches', type: 'object', properties: { items: { type: 'array', items: { $ref: 'Batch#' } }, nextCursor: { type: ['string', 'null'] } } },
            ...problemResponses([400, 401, 500]),
          },
        },
        links: { 200: { getBatch: { operationId: 'getBatch', parameters: { id: '$response.body#/items/0/id' } } } },
      },
      async (request) => {
        requireRole(request, ANY_ROLE);
        const limit = request.query.limit ?? 50;
        const batches = await listBatches(pool, { status: request.query.status, payroll: request.query.payroll, limit, before: request.query.cursor });
        return { items: batches.map((b) => batchView(b, viewBase)), nextCursor: batches.length === limit ? batches.at(-1)!.id : null };
      },
    );

    app.get<{ Params: { id: string } }>(
      '/v1/batches/:id',
      {
        schema: {
          operationId: 'getBatch',
          summary: 'A batch with its progress',
          tags: ['batches'],
          params: batchIdParam,
          response: { 200: { description: 'The batch', $ref: 'Batch#' }, ...problemResponses([400, 401, 404, 500], { 404: 'No such batch' }) },
        },
        links: { 200: batchLinks('$response.body#/id', ['listBatchPayouts', 'getBatchReport', 'getBatchErrors']) },
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
