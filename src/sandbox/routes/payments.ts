import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import { maskPhone } from '../../common/mask.js';
import { formatMinor } from '../../domain/money.js';
import { CODES, PATHS } from '../../pesaway/wire.js';
import type { SandboxContext } from '../context.js';
import type { PaymentRequest } from '../ledger.js';
import { replyError, replyOk } from '../replies.js';
import type { SettlementPlan } from '../settlement.js';
import type { EndpointName } from '../stats.js';
import { type PlannedOutcome, plannedOutcome, recipientName, spelledPhone } from '../test-destinations.js';
import { validateBankSend, validateMobileSend } from '../validation.js';

/** `0123456789012` -> `*********9012`: bank accounts keep their last four digits only. */
export function maskAccount(account: string): string {
  return `${'*'.repeat(Math.max(0, account.length - 4))}${account.slice(-4)}`;
}

/**
 * Mobile-money and bank send-payment. After validation: a reused reference is `403.002` (checked before the
 * balance: the reference is the idempotency key); then `455.001` if the wallet cannot cover amount + fee;
 * else the payment is accepted, money reserved and settlement scheduled.
 */
export function paymentRoutes(ctx: SandboxContext): FastifyPluginCallback {
  const { dialect } = ctx.options;

  /**
   * What the receiver is reported as (`<number> - <NAME>`) and the planned outcome; with `unmasked` receiver
   * numbers a failure's description names the receiver too, as a provider's free text may.
   */
  function receiverPlan(outcome: PlannedOutcome, masked: string, full: string, nameKey: string): Pick<SettlementPlan, 'outcome' | 'receiverPartyPublicName'> {
    const party = `${dialect.receiverNumber === 'unmasked' ? full : masked} - ${recipientName(nameKey)}`;
    const withParty = outcome.kind === 'failure' && dialect.receiverNumber === 'unmasked' ? { ...outcome, resultDesc: `${outcome.resultDesc} Receiver: ${party}.` } : outcome;
    return { outcome: withParty, receiverPartyPublicName: party };
  }

  function accept(request: FastifyRequest, reply: FastifyReply, endpoint: EndpointName, payment: PaymentRequest, plan: SettlementPlan): FastifyReply {
    const result = ctx.ledger.accept(payment);
    switch (result.kind) {
      case 'duplicate':
        return replyError(dialect, request, reply, CODES.referenceUsed, 'TransactionReference is already used');
      case 'insufficient':
        return replyError(dialect, request, reply, CODES.insufficientBalance,
          `Insufficient balance: the payment needs ${formatMinor(result.requiredMinor)} KES including fees, ${formatMinor(result.availableMinor)} KES is available`);
      case 'accepted': {
        const { entry } = result;
        ctx.settler.schedule(entry, plan);
        if (ctx.faults.loseResponse()) return loseResponse(request, reply, endpoint);
        const answer = { code: CODES.success, TransactionID: entry.transactionId, OriginatorReference: entry.reference };
        const hold = ctx.faults.get().acceptedReplyDelayMs;
        if (hold > 0) {
          void ctx.timers.sleep(hold).then(() => replyOk(request, reply, answer));
          return reply;
        }
        return replyOk(request, reply, answer);
      }
    }
  }

  /** The payment stands; only the answer is lost. A TCP reset is what a client sees when a proxy dies mid-reply. */
  function loseResponse(request: FastifyRequest, reply: FastifyReply, endpoint: EndpointName): FastifyReply {
    request.sandboxOutcome = 'lost';
    ctx.faults.count('lostResponses');
    ctx.stats.record(endpoint, 'lost');
    reply.hijack();
    request.raw.socket.resetAndDestroy();
    return reply;
  }

  return (app, _opts, done) => {
    app.post(PATHS.mobileSend, { config: { endpoint: 'mobileSend' } }, (request, reply) => {
      const checked = validateMobileSend(request.body, ctx.maxAmountMinor);
      if (!checked.ok) {
        replyError(dialect, request, reply, CODES.invalidParameter, `Invalid parameter: ${checked.message}`);
        return;
      }
      const send = checked.value;
      const destination = maskPhone(send.phone);
      accept(
        request, reply, 'mobileSend',
        { reference: send.reference, kind: 'mobile-money', channel: send.channel, amountMinor: send.amountMinor, destination },
        { resultsUrl: send.resultsUrl, ...receiverPlan(plannedOutcome({ phone: send.phone }), destination, spelledPhone(send.phone), send.phone) },
      );
    });

    app.post(PATHS.bankSend, { config: { endpoint: 'bankSend' } }, (request, reply) => {
      const checked = validateBankSend(request.body, ctx.maxAmountMinor);
      if (!checked.ok) {
        replyError(dialect, request, reply, CODES.invalidParameter, `Invalid parameter: ${checked.message}`);
        return;
      }
      const send = checked.value;
      const destination = maskAccount(send.accountNumber);
      accept(
        request, reply, 'bankSend',
        { reference: send.reference, kind: 'bank', channel: 'Bank', amountMinor: send.amountMinor, destination },
        { resultsUrl: send.resultsUrl, ...receiverPlan(plannedOutcome({ accountNumber: send.accountNumber }), destination, send.accountNumber, send.accountNumber) },
      );
    });
    done();
  };
}
