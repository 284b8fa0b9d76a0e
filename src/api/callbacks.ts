import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyPluginCallback } from 'fastify';
import { type CallbackOutcome, markCallback, storeCallback } from '../db/callbacks.js';
import { UnknownPayoutError, transitionPayout } from '../db/payouts.js';
import type { Pool } from '../db/pool.js';
import type { PayoutStatus } from '../domain/payout-status.js';
import { type SettlementResult, parseResultBody } from '../pesaway/result.js';
import { verifyResultsToken } from '../pesaway/results-url.js';
import { verifySignature } from '../pesaway/signature.js';
import { SIGNATURE_HEADER } from '../pesaway/wire.js';
import { settlementSignal, workflowIds } from '../workflows/definitions.js';

export interface CallbackStats {
  received: number;
  forged: number;
  badSignature: number;
  signalled: number;
  applied: number;
  stored: number;
}

export interface CallbackReceiverOptions {
  pool: Pool;
  temporal: Client;
  callbackSecret: string;
  /** When PesaWay signs callbacks (merchant setting), the key; then unsigned or badly signed ones are refused. */
  signingKey?: string | undefined;
  stats: CallbackStats;
}

export function emptyCallbackStats(): CallbackStats {
  return { received: 0, forged: 0, badSignature: 0, signalled: 0, applied: 0, stored: 0 };
}

const ACK = { code: '200.001', status: 'received' };

/**
 * `POST /callbacks/pesaway/:reference/:token`. The raw body is stored before anything else; then the
 * payout workflow is signalled. A callback for a finished or unknown payout is kept and acknowledged (a
 * late final answer still settles an `unresolved` payout, forward-only). PesaWay gets its answer fast.
 */
export const callbackReceiver: FastifyPluginCallback<CallbackReceiverOptions> = (app, opts, done) => {
  const { pool, temporal, stats } = opts;

  // Raw bytes: the signature is computed over exactly what was sent.
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 64 * 1024 }, (_req, body, done) => done(null, body));
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: 64 * 1024 }, (_req, body, done) => done(null, body));

  app.post<{ Params: { reference: string; token: string } }>('/callbacks/pesaway/:reference/:token', async (req, reply) => {
    stats.received += 1;
    const { reference, token } = req.params;
    if (!/^[A-Za-z0-9]{1,64}$/.test(reference) || !verifyResultsToken(opts.callbackSecret, reference, token)) {
      stats.forged += 1;
      req.log.warn({ reference }, 'Callback with an invalid token refused');
      return reply.code(401).send({ code: '401.001', message: 'invalid callback token' });
    }
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.from('');
    const signatureValid = opts.signingKey ? verifySignature(raw, req.headers[SIGNATURE_HEADER] as string | undefined, opts.signingKey) : undefined;
    if (signatureValid === false) {
      stats.badSignature += 1;
      req.log.warn({ reference }, 'Callback with a bad signature refused');
      return reply.code(401).send({ code: '401.001', message: 'invalid signature' });
    }

    const text = raw.toString('utf8');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = parseResultBody(json);
    const id = await storeCallback(pool, { reference, body: text, signatureValid, resultCode: parsed.kind === 'final' ? parsed.result.resultCode : undefined });
    stats.stored += 1;

    let outcome: CallbackOutcome;
    if (parsed.kind === 'malformed') outcome = 'malformed';
    else if (parsed.kind === 'pending') outcome = 'pending';
    else if (parsed.result.reference !== undefined && parsed.result.reference !== reference) outcome = 'mismatch';
    else outcome = await deliver(reference, { ...parsed.result, reference });
    await markCallback(pool, id, outcome);
    req.log.debug({ reference, outcome }, 'Callback');
    return reply.send(ACK);
  });

  /**
   * Records the final answer (forward-only, so a duplicate or a stale one changes nothing), then tells the
   * payout workflow where the record stands. A finished or unknown payout needs no signal: a late final
   * answer still settles an `unresolved` one.
   */
  async function deliver(reference: string, result: SettlementResult): Promise<CallbackOutcome> {
    const failed = result.resultCode !== 0;
    let moved: { applied: boolean; current: PayoutStatus };
    try {
      moved = await transitionPayout(pool, {
        reference,
        to: failed ? 'failed' : 'succeeded',
        result,
        ...(failed ? { failureReason: result.resultDesc || `ResultCode ${result.resultCode}` } : {}),
        source: 'callback',
      });
    } catch (err) {
      if (err instanceof UnknownPayoutError) return 'unknown_payout';
      throw err;
    }
    if (moved.applied) stats.applied += 1;
    try {
      await temporal.workflow.getHandle(workflowIds.payout(reference)).signal(settlementSignal, { result, recordedStatus: moved.current });
      stats.signalled += 1;
      return 'signalled';
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      return moved.applied ? 'applied' : 'ignored';
    }
  }
  done();
};
