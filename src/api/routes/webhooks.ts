import { randomBytes } from 'node:crypto';
import type {} from '@fastify/swagger';
import type { FastifyPluginCallback } from 'fastify';
import { startWebhookDelivery } from '../../client/webhooks.js';
import { type WebhookEndpoint, createEndpoint, disableEndpoint, getEndpoint, listEndpoints, recordTestEvent } from '../../db/webhooks.js';
import { ALL_WEBHOOK_EVENTS, WEBHOOK_EVENT_TYPES, webhookEventId } from '../../domain/webhook-events.js';
import { WEBHOOK_URL_PATTERN, newWebhookSecret, typesProblem, urlProblem } from '../../webhooks/endpoints-config.js';
import { type Role, requireRole } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { Problem, problems } from '../problem.js';
import { problemResponses } from '../schemas.js';

/**
 * Who manages endpoints: submitters (the systems that trigger batches register where they hear back) and
 * approvers (operators). Not viewers: an endpoint receives every batch's events, so adding one is a write.
 */
const MANAGERS: readonly Role[] = ['submitter', 'approver'];

const endpointSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', examples: ['we_3kq9x0c2m4v7b1n8'] },
    url: { type: 'string' },
    eventTypes: { type: 'array', items: { type: 'string' } },
    enabled: { type: 'boolean' },
    source: { type: 'string', enum: ['env', 'api'], description: '`env`: from WEBHOOK_ENDPOINTS (change it there)' },
    createdAt: { type: 'string', format: 'date-time' },
    createdBy: { type: ['string', 'null'] },
    disabledAt: { type: ['string', 'null'] },
    delivered: { type: 'integer', description: 'deliveries acknowledged with a 2xx' },
    lastEventId: { type: ['string', 'null'], description: 'the last event acknowledged (`evt_…`)' },
    lastDeliveredAt: { type: ['string', 'null'] },
    lastAttemptAt: { type: ['string', 'null'] },
    lastError: { type: ['string', 'null'], description: 'why the last attempt failed; cleared by the next success' },
    failingSince: { type: ['string', 'null'] },
  },
} as const;

const endpointIdParam = { type: 'object', properties: { id: { type: 'string', pattern: '^we_[A-Za-z0-9_-]{1,64}$' } }, required: ['id'] } as const;
const iso = (d: Date | null): string | null => d?.toISOString() ?? null;

function endpointView(e: WebhookEndpoint) {
  return {
    id: e.id,
    url: e.url,
    eventTypes: e.eventTypes,
    enabled: e.enabled,
    source: e.source,
    createdAt: e.createdAt.toISOString(),
    createdBy: e.createdBy,
    disabledAt: iso(e.disabledAt),
    delivered: e.deliveredCount,
    lastEventId: e.lastEventId === null ? null : webhookEventId(e.lastEventId),
    lastDeliveredAt: iso(e.lastDeliveredAt),
    lastAttemptAt: iso(e.lastAttemptAt),
    lastError: e.lastError,
    failingSince: iso(e.failingSince),
  };
}

/** `GET/POST /v1/webhooks`, `DELETE /v1/webhooks/{id}`, `POST /v1/webhooks/{id}/test`. */
export function webhookRoutes(deps: ApiDeps): FastifyPluginCallback {
  const { pool } = deps;
  const endpointOr404 = async (id: string): Promise<WebhookEndpoint> => {
    const found = await getEndpoint(pool, id);
    if (!found) throw problems.notFound(`Webhook endpoint ${id}`);
    return found;
  };

  return (app, _opts, done) => {
    app.get<{ Querystring: { all?: boolean } }>(
      '/v1/webhooks',
      {
        schema: {
          summary: 'Webhook endpoints (never their secrets)',
          tags: ['webhooks'],
          querystring: { type: 'object', properties: { all: { type: 'boolean', default: false, description: 'include disabled endpoints' } } },
          response: { 200: { type: 'object', properties: { items: { type: 'array', items: endpointSchema } } }, ...problemResponses([400, 401, 403, 500]) },
        },
      },
      async (request) => {
        requireRole(request, MANAGERS);
        return { items: (await listEndpoints(pool, request.query.all ?? false)).map(endpointView) };
      },
    );

    app.post<{ Body: { url: string; eventTypes?: string[] } }>(
      '/v1/webhooks',
      {
        schema: {
          summary: 'Add an endpoint; the answer carries its signing secret, shown this once',
          tags: ['webhooks'],
          body: {
            type: 'object',
            required: ['url'],
            additionalProperties: false,
            properties: {
              url: { type: 'string', maxLength: 2000, pattern: WEBHOOK_URL_PATTERN, description: 'http(s) URL that receives signed POSTs' },
              eventTypes: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: [...WEBHOOK_EVENT_TYPES, ALL_WEBHOOK_EVENTS] }, default: [ALL_WEBHOOK_EVENTS] },
            },
          },
          response: {
            201: { type: 'object', properties: { ...endpointSchema.properties, secret: { type: 'string', description: 'HMAC-SHA256 signing secret (`whsec_…`): store it now, it is never shown again' } } },
            ...problemResponses([400, 401, 403, 415, 500]),
          },
        },
      },
      async (request, reply) => {
        const who = requireRole(request, MANAGERS);
        const { url } = request.body;
        const eventTypes = request.body.eventTypes ?? [ALL_WEBHOOK_EVENTS];
        const badUrl = urlProblem(url);
        if (badUrl) throw new Problem(400, 'invalid_url', 'Invalid URL', `url ${badUrl}; give the http(s) address that should receive the webhooks.`);
        const badTypes = typesProblem(eventTypes);
        if (badTypes) throw new Problem(400, 'invalid_event_types', 'Invalid event types', `eventTypes ${badTypes}.`);
        const secret = newWebhookSecret();
        const endpoint = await createEndpoint(pool, { id: `we_${randomBytes(12).toString('base64url')}`, url, secret, eventTypes, createdBy: who.user });
        // If this start fails the endpoint still exists; the worker starts its deliveries at its next start.
        await startWebhookDelivery(deps.temporal, endpoint.id, deps.webhooks);
        request.log.info({ endpointId: endpoint.id, eventTypes, by: who.user }, 'Webhook endpoint added');
        return reply.code(201).send({ ...endpointView(endpoint), secret });
      },
    );

    app.delete<{ Params: { id: string } }>(
      '/v1/webhooks/:id',
      {
        schema: {
          summary: 'Stop delivering to an endpoint (kept, disabled, for its history)',
          tags: ['webhooks'],
          params: endpointIdParam,
          response: { 200: endpointSchema, ...problemResponses([400, 401, 403, 404, 409, 500], { 404: 'No such endpoint', 409: 'An endpoint from WEBHOOK_ENDPOINTS is changed there, not here' }) },
        },
      },
      async (request) => {
        const who = requireRole(request, MANAGERS);
        const endpoint = await endpointOr404(request.params.id);
        if (endpoint.source === 'env') {
          throw new Problem(409, 'configured_by_environment', 'Configured by environment', `Endpoint ${endpoint.id} comes from WEBHOOK_ENDPOINTS; remove it there and restart the worker and API.`);
        }
        await disableEndpoint(pool, endpoint.id);
        request.log.info({ endpointId: endpoint.id, by: who.user }, 'Webhook endpoint disabled');
        return endpointView((await getEndpoint(pool, endpoint.id))!);
      },
    );

    app.post<{ Params: { id: string } }>(
      '/v1/webhooks/:id/test',
      {
        schema: {
          summary: 'Send a signed `webhook.test` event to this endpoint (delivered like any other, in order)',
          tags: ['webhooks'],
          params: endpointIdParam,
          response: { 202: { type: 'object', properties: { eventId: { type: 'string' } } }, ...problemResponses([400, 401, 403, 404, 409, 500], { 404: 'No such endpoint', 409: 'The endpoint is disabled' }) },
        },
      },
      async (request, reply) => {
        const who = requireRole(request, MANAGERS);
        const endpoint = await endpointOr404(request.params.id);
        if (!endpoint.enabled) throw new Problem(409, 'endpoint_disabled', 'Endpoint disabled', `Endpoint ${endpoint.id} is disabled; add a new one to receive webhooks.`);
        const eventId = await recordTestEvent(pool, endpoint.id, who.user);
        return reply.code(202).send({ eventId: webhookEventId(eventId) });
      },
    );
    done();
  };
}
