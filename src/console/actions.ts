/**
 * Which batch actions the console offers to whom, in which status: a mirror of the API's rules
 * (src/api/routes/actions.ts) so nobody is shown a button that can only fail. The API enforces them anyway.
 */
import type { Batch, BatchStatus, Role, Session } from './types.js';
import { kes, plural } from './format.js';

export type ActionId = 'approve' | 'reject' | 'pause' | 'resume' | 'cancel' | 'funds-added' | 'retry-failed';

export interface BatchAction {
  id: ActionId;
  label: string;
  roles: readonly Role[];
  statuses: readonly BatchStatus[];
  /** Destructive actions get a red button and say what cannot be undone. */
  danger?: boolean;
  /** The confirmation's sentence, with the amounts at stake. */
  confirm: (b: Batch) => string;
}

const payouts = (b: Batch) => `${plural(b.valid, 'payout')}, ${kes(b.totalAmount)}`;

export const BATCH_ACTIONS: readonly BatchAction[] = [
  {
    id: 'approve',
    label: 'Approve',
    roles: ['approver'],
    statuses: ['AWAITING_APPROVAL', 'SCHEDULED'],
    confirm: (b) => `Approve batch ${b.id}: ${payouts(b)} (estimated fees ${kes(b.feeEstimate)}). ${b.payAt ? `It pays at ${new Date(b.payAt).toLocaleString('en-KE')}.` : 'Paying starts at once.'}`,
  },
  {
    id: 'reject',
    label: 'Reject',
    roles: ['approver'],
    statuses: ['AWAITING_APPROVAL', 'SCHEDULED'],
    danger: true,
    confirm: (b) => `Reject batch ${b.id}: ${payouts(b)} will not be paid. The submitter sees your reason.`,
  },
  {
    id: 'pause',
    label: 'Pause',
    roles: ['submitter', 'approver'],
    statuses: ['RUNNING', 'AWAITING_FUNDS'],
    confirm: (b) => `Pause batch ${b.id}: no new payouts start (${kes(b.progress?.amounts.pending)} not paid yet); those already sent settle.`,
  },
  {
    id: 'resume',
    label: 'Resume',
    roles: ['submitter', 'approver'],
    statuses: ['PAUSED', 'RUNNING'],
    confirm: (b) => `Resume batch ${b.id}: paying the remaining ${kes(b.progress?.amounts.pending)} starts again.`,
  },
  {
    id: 'funds-added',
    label: 'Funds added',
    roles: ['submitter', 'approver'],
    statuses: ['AWAITING_FUNDS'],
    confirm: (b) => `Tell batch ${b.id} the wallet was topped up: it checks the balance now and pays the remaining ${kes(b.progress?.amounts.pending)}.`,
  },
  {
    id: 'retry-failed',
    label: 'Retry failed',
    roles: ['submitter'],
    statuses: ['COMPLETED'],
    confirm: (b) => `Retry the failed rows of batch ${b.id}: ${plural(b.progress?.counts.failed ?? 0, 'payout')}, ${kes(b.progress?.amounts.failed)}, each under a new reference.`,
  },
  {
    id: 'cancel',
    label: 'Cancel batch',
    roles: ['submitter', 'approver'],
    statuses: ['AWAITING_APPROVAL', 'SCHEDULED', 'RUNNING', 'PAUSED', 'AWAITING_FUNDS'],
    danger: true,
    confirm: (b) => `Cancel batch ${b.id}: payouts not sent yet (${kes(b.progress?.amounts.pending)}) end cancelled; those PesaWay accepted already settle. This cannot be undone.`,
  },
];

/** The actions this user may take on this batch now. */
export function actionsFor(batch: Batch, session: Session): BatchAction[] {
  const status = batch.progress?.status ?? batch.status;
  return BATCH_ACTIONS.filter((a) => {
    if (!a.roles.includes(session.role) || !a.statuses.includes(status)) return false;
    // Maker-checker: the submitter's own batch is approved (or rejected) by someone else.
    if ((a.id === 'approve' || a.id === 'reject') && batch.submittedBy === session.user) return false;
    if (a.id === 'retry-failed' && (batch.progress?.counts.failed ?? 0) === 0) return false;
    if (a.id === 'pause' && batch.progress?.paused) return false;
    if (a.id === 'resume' && status !== 'PAUSED' && !batch.progress?.paused) return false;
    return true;
  });
}
