import type {} from '@fastify/swagger';
import type { FastifyPluginCallback } from 'fastify';
import { resolveAttention } from '../../db/payout-attention.js';
import { getPayout } from '../../db/payouts.js';
import { requireRole } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { Problem, problems } from '../problem.js';
import { problemResponses, referenceParam } from '../schemas.js';
import { payoutRecordView } from '../views.js';

/** What a person found, in their words: free text, no control characters, short enough for a list. */
const noteSchema = { type: 'string', minLength: 1, maxLength: 500, pattern: '^[^\\u0000-\\u001f\\u007f]*\\S[^\\u0000-\\u001f\\u007f]*$' } as const;

/**
 * A person's answer to a flagged payout (invariant 7 puts contradictions before a person; this is where the
 * person answers). Approvers only: they are the ones who check money against PesaWay.
 */
export function attentionRoutes(deps: ApiDeps): FastifyPluginCallback {
  return (app, _opts, done) => {
    app.post<{ Params: { reference: string }; Body: { note: string } }>(
      '/v1/payouts/:reference/attention/resolve',
      {
        schema: {
          operationId: 'resolvePayoutAttention',
          summary: 'Record that a person checked a flagged payout, and what they found; it leaves the flagged list',
          description:
            'Covers the flags raised so far; a flag raised later reopens the payout. It authorises nothing: `retry-failed` still resends a failure only after a fresh PesaWay query confirms it.',
          tags: ['payouts'],
          params: referenceParam,
          body: {
            type: 'object',
            properties: { note: { ...noteSchema, description: 'what you checked and found, e.g. "PesaWay support confirmed PHY123 paid once"' } },
            required: ['note'],
            additionalProperties: false,
          },
          response: {
            200: { description: 'The payout with its resolution', type: 'object', properties: { payout: { $ref: 'PayoutRecord#' } } },
            ...problemResponses([400, 401, 403, 404, 409, 500], { 403: 'Needs the approver role', 404: 'No payout attempt has this reference', 409: 'The payout has no open flag (`nothing_to_resolve`)' }),
          },
        },
      },
      async (request) => {
        const who = requireRole(request, ['approver']);
        const { reference } = request.params;
        const note = request.body.note.trim();
        const outcome = await resolveAttention(deps.pool, reference, who.user, note);
        if (outcome.kind === 'not_found') throw problems.notFound(`Payout ${reference}`);
        if (outcome.kind === 'nothing_open') throw new Problem(409, 'nothing_to_resolve', 'Nothing to resolve', `Payout ${reference} has no open flag: it was never flagged, or every flag is resolved already.`);
        request.log.warn({ reference, by: who.user, reasons: outcome.reasons }, 'Attention flags resolved by a person');
        const payout = await getPayout(deps.pool, reference);
        return { payout: payoutRecordView(payout!) };
      },
    );
    done();
  };
}
