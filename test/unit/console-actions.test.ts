/**
 * Which batch actions the console offers: the API's rules (src/api/routes/actions.ts) mirrored, so nobody is
 * shown a button that can only fail; maker-checker included. (The API enforces them anyway: see the e2e test.)
 */
import { describe, expect, it } from 'vitest';
import { actionsFor } from '../../src/console/actions.js';
import type { Batch, BatchStatus, Counts, Role } from '../../src/console/types.js';

const counts = (c: Partial<Counts> = {}): Counts => ({ pending: 0, inFlight: 0, awaitingFunds: 0, succeeded: 0, failed: 0, rejected: 0, cancelled: 0, unresolved: 0, ...c });

function batch(status: BatchStatus, extra: { failed?: number; paused?: boolean } = {}): Batch {
  const amounts = { total: '2000.00', succeeded: '0.00', failed: '500.00', rejected: '0.00', cancelled: '0.00', unresolved: '0.00', pending: '1500.00' };
  return {
    id: 'b1', status, policy: 'strict', fileName: 'p.csv', fileSha256: 'x', fileSize: 1, rows: 2, valid: 2, invalid: 0, warnings: 0, totalAmount: '2000.00', feeEstimate: '24.00',
    submittedBy: 'alice', approvalRequired: true, allowDuplicateFile: false, payroll: null, approvedBy: null, payAt: null, rejection: null, createdAt: '2026-12-01T08:00:00Z', finishedAt: null,
    links: { self: '', payouts: '', report: '', errors: '', temporal: null },
    progress: { status, paused: extra.paused ?? false, counts: counts({ failed: extra.failed ?? 0 }), amounts, shortfall: null, available: null, availableAt: null, awaitingFundsSince: null, payAt: null, countsAt: null, shardsRunning: 0, waitingOnPesaway: null, flagged: 0, source: 'workflow' },
  };
}
const ids = (b: Batch, user: string, role: Role) => actionsFor(b, { user, role, expiresAt: null, csrfToken: null }).map((a) => a.id);

describe('actionsFor', () => {
  it('lets another approver approve or reject a batch awaiting approval, never its submitter', () => {
    expect(ids(batch('AWAITING_APPROVAL'), 'bob', 'approver')).toEqual(['approve', 'reject', 'cancel']);
    expect(ids(batch('AWAITING_APPROVAL'), 'alice', 'approver')).toEqual(['cancel']);
    expect(ids(batch('AWAITING_APPROVAL'), 'alice', 'submitter')).toEqual(['cancel']);
    expect(ids(batch('SCHEDULED'), 'bob', 'approver')).toEqual(['approve', 'reject', 'cancel']);
  });
  it('offers pause and funds added while awaiting funds, resume once paused', () => {
    expect(ids(batch('RUNNING'), 'alice', 'submitter')).toEqual(['pause', 'cancel']);
    expect(ids(batch('AWAITING_FUNDS'), 'alice', 'submitter')).toEqual(['pause', 'funds-added', 'cancel']);
    expect(ids(batch('PAUSED'), 'bob', 'approver')).toEqual(['resume', 'cancel']);
    expect(ids(batch('RUNNING', { paused: true }), 'bob', 'approver')).toEqual(['resume', 'cancel']);
  });
  it('offers retry to the submitter of a completed batch with failed rows only', () => {
    expect(ids(batch('COMPLETED', { failed: 1 }), 'alice', 'submitter')).toEqual(['retry-failed']);
    expect(ids(batch('COMPLETED'), 'alice', 'submitter')).toEqual([]);
    expect(ids(batch('COMPLETED', { failed: 1 }), 'bob', 'approver')).toEqual([]);
  });
  it('offers a viewer nothing, in any status', () => {
    for (const s of ['SCHEDULED', 'AWAITING_APPROVAL', 'RUNNING', 'PAUSED', 'AWAITING_FUNDS', 'COMPLETED', 'CANCELLED'] as const) expect(ids(batch(s, { failed: 1 }), 'victor', 'viewer')).toEqual([]);
  });
  it('states the amounts in the confirmation', () => {
    const approve = actionsFor(batch('AWAITING_APPROVAL'), { user: 'bob', role: 'approver', expiresAt: null, csrfToken: null })[0]!;
    expect(approve.confirm(batch('AWAITING_APPROVAL'))).toBe('Approve batch b1: 2 payouts, KES 2,000.00 (estimated fees KES 24.00). Paying starts at once.');
  });
});
