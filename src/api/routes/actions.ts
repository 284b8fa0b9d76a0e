import type {} from '@fastify/swagger';
import type { FastifyPluginCallback } from 'fastify';
import { maskPhonesInText } from '../../common/mask.js';
import { type BatchCommand, rejectBatch, retryFailed, signalBatch } from '../../client/batches.js';
import { type Batch, getBatch } from '../../db/batches.js';
import type { BatchStatus } from '../../domain/batch-status.js';
import { type Role, requireRole } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { Problem, problems } from '../problem.js';
import { type BATCH_ACTIONS, batchIdParam, problemResponses } from '../schemas.js';

interface Action {
  path: string;
  operationId: (typeof BATCH_ACTIONS)[number];
  summary: string;
  roles: readonly Role[];
  /** Statuses in which the action makes sense; anything else is a 409 that says why. */
  allowed: readonly BatchStatus[];
  /** What the 403 also means, beyond the role. */
  forbidden?: string;
  /** What the 409 also means, beyond the status. */
  conflict?: string;
  /** The JSON body the action takes, if any (declared, so Fastify validates it and the document shows it). */
  body?: object;
  run: (deps: ApiDeps, batch: Batch, user: string, body: unknown) => Promise<void>;
}

/** A second person's decision (approve, reject) on a batch that is SCHEDULED needs one not made yet. */
function undecided(batch: Batch, action: string): void {
  if (batch.status !== 'SCHEDULED') return;
  if (!batch.approvalRequired) throw new Problem(409, 'wrong_state', 'Not possible now', `Batch ${batch.id} was submitted without approvalRequired: it pays at its pay time without an approval, so there is nothing to ${action}. To stop it, cancel it.`);
  if (batch.approvedBy !== null) throw new Problem(409, 'wrong_state', 'Not possible now', `Batch ${batch.id} was already approved by ${batch.approvedBy}; it pays at its pay time. To stop it, cancel it.`);
}

/** `{ reason }` of a rejection: what the submitter reads, so they can fix the payroll and submit it again. */
const rejectBody = {
  type: 'object',
  properties: { reason: { type: 'string', minLength: 1, maxLength: 500, pattern: '^[^\\u0000-\\u001f\\u007f]*[^\\s\\u0000-\\u001f\\u007f][^\\u0000-\\u001f\\u007f]*$', description: 'why the batch is rejected (1–500 characters, not only spaces, no control characters); the submitter reads it' } },
  required: ['reason'],
  additionalProperties: false,
} as const;

const signal = (command: BatchCommand) => (deps: ApiDeps, batch: Batch, user: string) => signalBatch(deps.temporal, batch.id, command, user);
const CANCELLABLE: readonly BatchStatus[] = ['SCHEDULED', 'AWAITING_APPROVAL', 'RUNNING', 'PAUSED', 'AWAITING_FUNDS'];

const ACTIONS: readonly Action[] = [
  {
    path: 'approve',
    operationId: 'approveBatch',
    summary: 'Approve a batch that waits for approval (the approver must not be its submitter)',
    roles: ['approver'],
    allowed: ['AWAITING_APPROVAL', 'SCHEDULED'],
    forbidden: 'an approver may not approve a batch they submitted (`self_approval`)',
    conflict: '; or SCHEDULED without approvalRequired, or approved already',
    run: async (deps, batch, user) => {
      undecided(batch, 'approve');
      if (batch.submittedBy === user) throw new Problem(403, 'self_approval', 'Self-approval', `${user} submitted batch ${batch.id}; another approver must approve it.`);
      await signalBatch(deps.temporal, batch.id, 'approve', user);
    },
  },
  {
    path: 'reject',
    operationId: 'rejectBatch',
    summary: 'Reject a batch that waits for approval (or is scheduled and not approved yet): it ends CANCELLED, nothing paid',
    roles: ['approver'],
    allowed: ['AWAITING_APPROVAL', 'SCHEDULED'],
    forbidden: 'an approver may not reject a batch they submitted (`self_rejection`)',
    conflict: '; or SCHEDULED without approvalRequired, or approved already',
    body: rejectBody,
    run: async (deps, batch, user, body) => {
      undecided(batch, 'reject');
      if (batch.submittedBy === user) throw new Problem(403, 'self_rejection', 'Self-rejection', `${user} submitted batch ${batch.id}; another approver must decide on it. To withdraw it yourself, cancel it.`);
      // Free text travels in the workflow's history and is stored: phone numbers in it are masked first.
      await rejectBatch(deps.temporal, batch.id, user, maskPhonesInText((body as { reason: string }).reason.trim()));
    },
  },
  // Not while SCHEDULED: nothing is sent before the pay time anyway; to stop a scheduled batch, cancel it.
  { path: 'pause', operationId: 'pauseBatch', summary: 'Stop starting new payouts (those in flight settle)', roles: ['submitter', 'approver'], allowed: ['RUNNING', 'AWAITING_FUNDS'], run: signal('pause') },
  { path: 'resume', operationId: 'resumeBatch', summary: 'Resume a paused batch', roles: ['submitter', 'approver'], allowed: ['PAUSED', 'RUNNING'], run: signal('resume') },
  { path: 'cancel', operationId: 'cancelBatch', summary: 'Cancel: unsent payouts end cancelled, accepted ones settle', roles: ['submitter', 'approver'], allowed: CANCELLABLE, run: signal('cancel') },
  { path: 'funds-added', operationId: 'reportFundsAdded', summary: 'Tell a batch awaiting funds that the wallet was topped up', roles: ['submitter', 'approver'], allowed: ['AWAITING_FUNDS', 'RUNNING', 'PAUSED'], run: signal('fundsAdded') },
  {
    path: 'retry-failed',
    operationId: 'retryFailedPayouts',
    summary: 'Pay the failed rows again, each under its next attempt\'s reference',
    roles: ['submitter'],
    allowed: ['COMPLETED', 'RUNNING', 'PAUSED', 'AWAITING_FUNDS'],
    run: (deps, batch, user) => retryFailed(deps.temporal, batch.id, deps.settings, user),
  },
];

export function actionRoutes(deps: ApiDeps): FastifyPluginCallback {
  return (app, _opts, done) => {
    for (const action of ACTIONS) {
      app.post<{ Params: { id: string }; Body: unknown }>(
        `/v1/batches/:id/${action.path}`,
        {
          schema: {
            operationId: action.operationId,
            summary: action.summary,
            tags: ['operations'],
            params: batchIdParam,
            ...(action.body ? { body: action.body } : {}),
            response: {
              202: { description: 'The batch was told; it acts on it within a moment', type: 'object', properties: { batchId: { type: 'string' }, action: { type: 'string' }, by: { type: 'string' } } },
              ...problemResponses([400, 401, 403, 404, 409, 413, 415, 500], {
                ...(action.body ? { 400: 'A body that breaks its schema (a reason of 1–500 characters is required), or a parameter that does' } : {}),
                403: `Needs the ${action.roles.join(' or ')} role${action.forbidden ? `; and ${action.forbidden}` : ''}`,
                404: 'No such batch',
                409: `The batch is not ${action.allowed.join(' or ')}${action.conflict ?? ''} (\`wrong_state\`)`,
                413: action.body ? 'A body larger than 1 MB' : 'A body (this takes none) larger than 1 MB',
                415: action.body ? 'A body of a type other than JSON' : 'A body (this takes none) of a type other than JSON',
              }),
            },
          },
        },
        async (request, reply) => {
          const who = requireRole(request, action.roles);
          const batch = await getBatch(deps.pool, request.params.id);
          if (!batch) throw problems.notFound(`Batch ${request.params.id}`);
          if (!action.allowed.includes(batch.status)) {
            throw new Problem(409, 'wrong_state', 'Not possible now', `Batch ${batch.id} is ${batch.status}; ${action.path} needs it to be ${action.allowed.join(' or ')}.`);
          }
          await action.run(deps, batch, who.user, request.body);
          request.log.info({ batchId: batch.id, action: action.path, by: who.user }, 'Batch action');
          return reply.code(202).send({ batchId: batch.id, action: action.path, by: who.user });
        },
      );
    }
    done();
  };
}
