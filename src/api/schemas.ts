/** JSON schemas shared by routes, and the source of the OpenAPI document. */
import { ATTENTION_REASONS } from '../domain/attention.js';
import { BATCH_STATUSES } from '../domain/batch-status.js';

export const money = { type: 'string', pattern: '^\\d+\\.\\d{2}$', examples: ['1500.00'] } as const;

export const problemSchema = {
  $id: 'Problem',
  type: 'object',
  description: 'RFC 9457 problem details',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string' },
    instance: { type: 'string' },
  },
  required: ['title', 'status', 'detail', 'code'],
  additionalProperties: true,
} as const;

const counts = {
  type: 'object',
  properties: Object.fromEntries(['pending', 'inFlight', 'awaitingFunds', 'succeeded', 'failed', 'rejected', 'cancelled', 'unresolved'].map((k) => [k, { type: 'integer' }])),
} as const;

export const progressSchema = {
  $id: 'Progress',
  type: 'object',
  properties: {
    status: { type: 'string' },
    paused: { type: 'boolean' },
    counts,
    amounts: {
      type: 'object',
      description: 'KES by where the money stands; `pending` is not settled yet, `unresolved` had no final answer before the settle deadline',
      properties: Object.fromEntries(['total', 'succeeded', 'failed', 'rejected', 'cancelled', 'unresolved', 'pending'].map((k) => [k, money])),
    },
    shortfall: { anyOf: [money, { type: 'null' }], description: 'money missing to finish, while AWAITING_FUNDS' },
    available: { anyOf: [money, { type: 'null' }], description: "the wallet's available balance when last read (availableAt)" },
    availableAt: { type: ['string', 'null'] },
    awaitingFundsSince: { type: ['string', 'null'] },
    payAt: { type: ['string', 'null'], description: 'when a scheduled batch pays (SCHEDULED until then)' },
    countsAt: { type: ['string', 'null'], description: 'when the counts were read from the database' },
    shardsRunning: { type: 'integer' },
    waitingOnPesaway: {
      description: 'PesaWay has not answered the workers since `since` (PESAWAY_UNREACHABLE_AFTER_MS): payouts retry under their own references and resume by themselves; `alertedAt` once the alert was raised (PESAWAY_OUTAGE_ALERT_AFTER_MS). Null while PesaWay answers.',
      anyOf: [
        { type: 'object', properties: { since: { type: 'string', format: 'date-time' }, lastError: { type: 'string' }, alertedAt: { type: ['string', 'null'], format: 'date-time' } }, required: ['since', 'lastError', 'alertedAt'] },
        { type: 'null' },
      ],
    },
    flagged: { type: 'integer', description: 'payouts flagged for a person (contradictions, amount mismatches, undeliverable callbacks, unconfirmed failures): GET /v1/payouts?status=flagged' },
    source: { type: 'string', enum: ['workflow', 'database'] },
  },
} as const;

export const batchSchema = {
  $id: 'Batch',
  type: 'object',
  properties: {
    id: { type: 'string' },
    status: { type: 'string', enum: [...BATCH_STATUSES] },
    policy: { type: 'string', enum: ['strict', 'skip-invalid'] },
    fileName: { type: ['string', 'null'] },
    fileSha256: { type: 'string' },
    fileSize: { type: 'integer' },
    rows: { type: 'integer' },
    valid: { type: 'integer' },
    invalid: { type: 'integer' },
    warnings: { type: 'integer' },
    totalAmount: money,
    feeEstimate: money,
    submittedBy: { type: ['string', 'null'] },
    approvalRequired: { type: 'boolean' },
    allowDuplicateFile: { type: 'boolean', description: 'submitted although its file was already another batch, on the submitter\'s explicit word' },
    payroll: { type: ['string', 'null'], description: 'the payroll this batch is a run of (`payroll` at submission), e.g. acme-monthly; null for none' },
    approvedBy: { type: ['string', 'null'] },
    payAt: { type: ['string', 'null'], format: 'date-time', description: 'when the batch pays (it is SCHEDULED until then); null: as soon as it may' },
    rejection: {
      anyOf: [
        {
          type: 'object',
          properties: { by: { type: 'string' }, at: { type: 'string', format: 'date-time' }, reason: { type: 'string' } },
          required: ['by', 'at', 'reason'],
        },
        { type: 'null' },
      ],
      description: 'set when an approver rejected the batch (it ended CANCELLED, nothing paid)',
    },
    createdAt: { type: 'string', format: 'date-time' },
    finishedAt: { type: ['string', 'null'] },
    progress: { $ref: 'Progress#' },
    links: {
      type: 'object',
      properties: { self: { type: 'string' }, payouts: { type: 'string' }, report: { type: 'string' }, errors: { type: 'string' }, temporal: { type: ['string', 'null'] } },
    },
  },
} as const;

export const reportSchema = {
  $id: 'ValidationReport',
  type: 'object',
  properties: {
    accepted: { type: 'boolean' },
    refusal: { type: ['object', 'null'], additionalProperties: true },
    rows: { type: 'integer' },
    valid: { type: 'integer' },
    invalid: { type: 'integer' },
    warnings: { type: 'integer' },
    totalAmount: money,
    errors: { type: 'array', items: { type: 'object', additionalProperties: true } },
    warningsList: { type: 'array', items: { type: 'object', additionalProperties: true } },
  },
} as const;

export const payoutSchema = {
  $id: 'Payout',
  type: 'object',
  properties: {
    row: { type: 'integer' },
    line: { type: 'integer' },
    attempt: { type: 'integer' },
    reference: { type: 'string' },
    employeeId: { type: ['string', 'null'] },
    name: { type: ['string', 'null'] },
    channel: { type: 'string', enum: ['MPESA', 'AIRTEL', 'BANK'] },
    destination: { type: 'string', description: 'masked phone or account number' },
    amount: money,
    status: { type: 'string' },
    transactionId: { type: ['string', 'null'] },
    receipt: { type: ['string', 'null'] },
    resultCode: { type: ['integer', 'null'] },
    reason: { type: ['string', 'null'] },
    settledAt: { type: ['string', 'null'] },
    evidence: { type: ['object', 'null'], additionalProperties: true, description: 'for unresolved or contradicted payouts: PesaWay transaction id, queries, last answers and errors' },
    attention: {
      type: 'array',
      items: { type: 'string', enum: [...ATTENTION_REASONS] },
      description: 'why a person must look at this payout (a contradiction, an amount mismatch, an undeliverable callback, a failure PesaWay did not confirm); empty when nothing is in doubt',
    },
    attentionOpen: { type: 'boolean', description: 'a flag no one has resolved yet (what the flagged list shows)' },
    attentionResolution: {
      type: ['object', 'null'],
      properties: { by: { type: 'string' }, at: { type: 'string' }, note: { type: 'string' } },
      description: 'a person\'s answer to the flags raised before `at` (POST /v1/payouts/{reference}/attention/resolve); null until then. A flag raised later reopens the payout',
    },
  },
} as const;

/** A payout attempt with where it belongs: for one payout's page and the attention list. */
export const payoutRecordSchema = {
  $id: 'PayoutRecord',
  type: 'object',
  properties: {
    ...payoutSchema.properties,
    batchId: { type: 'string' },
    current: { type: 'boolean', description: 'false for an attempt a retry of failed rows has replaced' },
    updatedAt: { type: 'string' },
  },
} as const;

export const timelineEntrySchema = {
  $id: 'TimelineEntry',
  type: 'object',
  properties: {
    at: { type: 'string' },
    kind: { type: 'string', description: '`payout.<status>` for a status change, `payout.query`, `payout.reference_used`, …, or `callback`' },
    text: { type: 'string', description: 'the entry in words' },
    source: { type: ['string', 'null'], description: 'who or what caused it: payout (its activity), callback, query, batch, an operator' },
    detail: { type: 'object', additionalProperties: true },
  },
} as const;

export const referenceParam = {
  type: 'object',
  properties: { reference: { type: 'string', pattern: '^[0-9A-HJKMNP-TV-Z]{10}R[1-9][0-9]*A[1-9][0-9]*$', description: 'the ExternalReference PesaWay saw' } },
  required: ['reference'],
} as const;

export const batchIdParam = {
  type: 'object',
  properties: { id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' } },
  required: ['id'],
} as const;

/** The operations on one batch; with `actions`, the ones that change it too. */
const BATCH_READS = ['getBatch', 'listBatchPayouts', 'getBatchReport', 'getBatchErrors', 'getBatchComparison'] as const;
export const BATCH_ACTIONS = ['approveBatch', 'rejectBatch', 'pauseBatch', 'resumeBatch', 'cancelBatch', 'reportFundsAdded', 'retryFailedPayouts'] as const;

/**
 * OpenAPI links from a response naming a batch (`id` at the runtime expression `id`) to what can be done
 * with it next: clients and tools follow them instead of guessing URLs.
 */
export function batchLinks(id: string, operations: readonly string[] = [...BATCH_READS, ...BATCH_ACTIONS]) {
  return Object.fromEntries(operations.map((operationId) => [operationId, { operationId, parameters: { id } }]));
}

/** A link from a page of payouts to its first payout's story. */
export const firstPayoutLink = { getPayout: { operationId: 'getPayout', parameters: { reference: '$response.body#/items/0/reference' } } };

/** What each error status means, as the OpenAPI document says it; routes list the ones they can send. */
const PROBLEM_MEANINGS = {
  400: 'A parameter, header or body breaks its schema, or the request cannot be read',
  401: 'No API key or session, or one that is not configured (`Authorization: Bearer <key>`, or the cookie of POST /v1/session)',
  403: "The caller's role may not do this, or a session-cookie request lacks its X-CSRF-Token",
  404: 'No such resource',
  409: "The resource's state does not allow this",
  413: 'The body is larger than allowed',
  415: 'The body has a content type this operation does not read',
  422: 'The request was read but is refused',
  500: 'An internal error; the log has the details',
  503: 'PostgreSQL is unreachable (`storage_unavailable`) or refuses writes (`storage_read_only`, `storage_full`); nothing of the request was stored. Retry after `Retry-After` seconds',
} as const;

export type ProblemStatus = keyof typeof PROBLEM_MEANINGS;

/** An error response exactly as the problem handler sends it: `application/problem+json`, a `Problem` body. */
export function problemResponse(description: string) {
  return { description, content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } } } as const;
}

/** The `Retry-After` header of a 503: seconds to wait before retrying. */
export const retryAfterHeader = { 'retry-after': { type: 'integer', description: 'seconds to wait before retrying' } } as const;

/**
 * The error responses of a route, by status, each as `application/problem+json`; `meanings` replaces the
 * generic description where the route can say more (e.g. which resource a 404 is about). A route that can
 * fail inside (it lists 500) reads or writes PostgreSQL, so it can also answer 503 when the database is
 * unreachable or refuses writes: 503 comes with 500 unless listed itself.
 */
export function problemResponses(statuses: readonly ProblemStatus[], meanings: Partial<Record<ProblemStatus, string>> = {}) {
  const all = statuses.includes(500) && !statuses.includes(503) ? [...statuses, 503 as const] : statuses;
  return Object.fromEntries(
    all.map((s) => [s, s === 503 ? { ...problemResponse(meanings[s] ?? PROBLEM_MEANINGS[s]), headers: retryAfterHeader } : problemResponse(meanings[s] ?? PROBLEM_MEANINGS[s])]),
  ) as Partial<Record<ProblemStatus, ReturnType<typeof problemResponse> & { headers?: typeof retryAfterHeader }>>;
}
