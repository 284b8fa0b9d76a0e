import type { FastifyPluginCallback } from 'fastify';
import { formatMinor } from '../../domain/money.js';
import { CODES, PATHS, type PulledTransaction } from '../../pesaway/wire.js';
import type { SandboxContext } from '../context.js';
import type { LedgerEntry } from '../ledger.js';
import { replyError, replyOk } from '../replies.js';
import type { EndpointName } from '../stats.js';
import { validatePull } from '../validation.js';

/** At most this many rows per request (pesaway-api.md §5.9). */
export const PULL_PAGE_SIZE = 100;

const STATUS = { pending: 'Pending', succeeded: 'Completed', failed: 'Failed' } as const;

/**
 * A statement row. The documented fields, plus `Status` (not documented; one integrator filters on it) so a
 * reconciler never mistakes a failed or pending payment for a paid one.
 */
function row(entry: LedgerEntry): PulledTransaction & { Status: string } {
  return {
    Reference: entry.transactionId,
    Receipt: entry.receipt ?? '',
    TransactionDate: `${entry.acceptedAt.slice(0, 19)}Z`,
    Recipient: entry.receiverPartyPublicName ?? entry.destination,
    ExternalReference: entry.reference,
    TransactionType: 'Payment',
    Amount: formatMinor(entry.amountMinor),
    Status: STATUS[entry.status],
  };
}

/**
 * Pull transactions, on the integrators' path and on the documented one: payments accepted between
 * StartDate and EndDate (UTC, inclusive), in acceptance order, from row OffsetValue, at most 100. The sandbox
 * makes payouts only, so `Collection` (and `Refund`) lists are empty.
 */
export function pullRoutes(ctx: SandboxContext): FastifyPluginCallback {
  return (app, _opts, done) => {
    const route = (path: string, endpoint: EndpointName): void => {
      app.post(path, { config: { endpoint } }, (request, reply) => {
        const checked = validatePull(request.body);
        if (!checked.ok) {
          replyError(ctx.options.dialect, request, reply, CODES.invalidParameter, `Invalid parameter: ${checked.message}`);
          return;
        }
        const { startMs, endMs, offset, transType } = checked.value;
        const rows = transType === 'Payment' ? ctx.ledger.pull({ startMs, endMs, offset, limit: PULL_PAGE_SIZE }).map(row) : [];
        replyOk(request, reply, rows);
      });
    };
    route(PATHS.pullTransactions, 'pullTransactions');
    route(PATHS.pullTransactionsDocumented, 'pullTransactionsDocumented');
    done();
  };
}
