/** A batch or payout status as a labelled badge (colour is never the only signal: the word is there). */
const WORDS: Record<string, string> = {
  CREATED: 'Created',
  SCHEDULED: 'Scheduled',
  AWAITING_APPROVAL: 'Awaiting approval',
  RUNNING: 'Running',
  PAUSED: 'Paused',
  AWAITING_FUNDS: 'Awaiting funds',
  CANCELLING: 'Cancelling',
  COMPLETED: 'Completed',
  CANCELLED: 'Cancelled',
  REJECTED: 'Rejected',
  pending: 'pending',
  submitting: 'sending',
  awaiting_funds: 'awaiting funds',
  accepted: 'accepted',
  succeeded: 'paid',
  failed: 'failed',
  rejected: 'rejected',
  cancelled: 'cancelled',
  unresolved: 'unresolved',
};

/**
 * What to call a batch's state: a rejected batch is stored CANCELLED with its rejection beside it (rejected is
 * a reason, not a state), but "Cancelled" would hide from the submitter that an approver turned it down.
 */
export function batchStatusShown(status: string, rejection: unknown): string {
  return status === 'CANCELLED' && rejection ? 'REJECTED' : status;
}

export function statusWord(status: string): string {
  return WORDS[status] ?? status;
}

export function StatusBadge({ status }: { status: string }) {
  return (
    <span class={`badge badge-${status.toLowerCase()}`} data-status={status}>
      {statusWord(status)}
    </span>
  );
}
