import type {} from '@fastify/swagger';
import type { FastifyPluginCallback } from 'fastify';
import { type BatchCommand, retryFailed, signalBatch } from '../../client/batches.js';
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
  run: (deps: ApiDeps, batch: Batch, user: string) => Promise<void>;
}

const signal = (command: BatchCommand) => (deps: ApiDeps, batch: Batch, user: string) => signalBatch(deps.temporal, batch.id, command, user);
const RUNNING: readonly BatchStatus[] = ['RUNNING', 'PAUSED', 'AWAITING_FUNDS', 'AWAITING_APPROVAL'];

const ACTIONS: readonly Action[] = [
  {
    path: 'approve',
    operationId: 'approveBatch',
    summary: 'Approve a batch that waits for approval (the approver must not be its submitter)',
    roles: ['approver'],
    allowed: ['AWAITING_APPROVAL'],
    run: async (deps, batch, user) => {
      if (batch.submittedBy === user) throw new Problem(403, 'self_approval', 'Self-approval', `${user} submitted batch ${batch.id}; another approver must approve it.`);
      await signalBatch(deps.temporal, batch.id, 'approve', user);
    },
  },
  { path: 'pause', operationId: 'pauseBatch', summary: 'Stop starting new payouts (those in flight settle)', roles: ['submitter', 'approver'], allowed: ['RUNNING', 'AWAITING_FUNDS'], run: signal('pause') },
  { path: 'resume', operationId: 'resumeBatch', summary: 'Resume a paused batch', roles: ['submitter', 'approver'], allowed: ['PAUSED', 'RUNNING'], run: signal('resume') },
  { path: 'cancel', operationId: 'cancelBatch', summary: 'Cancel: unsent payouts end cancelled, accepted ones settle', roles: ['submitter', 'approver'], allowed: RUNNING, run: signal('cancel') },
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
      app.post<{ Params: { id: string } }>(
        `/v1/batches/:id/${action.path}`,
        {
          schema: {
            operationId: action.operationId,
            summary: action.summary,
            tags: ['operations'],
            params: batchIdParam,
            response: {
              202: { description: 'The batch was told; it acts on it within a moment', type: 'object', properties: { batchId: { type: 'string' }, action: { type: 'string' }, by: { type: 'string' } } },
              ...problemResponses([400, 401, 403, 404, 409, 413, 415, 500], {
                403: `Needs the ${action.roles.join(' or ')} role${action.path === 'approve' ? "; and an approver may not approve a batch they submitted (`self_approval`)" : ''}`,
                404: 'No such batch',
                409: `The batch is not ${action.allowed.join(' or ')} (\`wrong_state\`)`,
                413: 'A body (this takes none) larger than 1 MB',
                415: 'A body (this takes none) of a type other than JSON',
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
          await action.run(deps, batch, who.user);
          request.log.info({ batchId: batch.id, action: action.path, by: who.user }, 'Batch action');
          return reply.code(202).send({ batchId: batch.id, action: action.path, by: who.user });
        },
      );
    }
    done();
  };
}
