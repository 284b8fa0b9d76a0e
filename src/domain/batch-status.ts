/**
 * A batch's lifecycle, mirrored in the `BatchStatus` search attribute. A file that fails validation never
 * becomes a batch (its report goes back to the submitter). A batch an approver rejects ends CANCELLED, its
 * rejection recorded beside it (who, when, why): rejected is a reason, not a state of its own.
 * SCHEDULED: submitted with a pay time (`payAt`); it waits durably until then, nothing sent, and can be
 * approved, rejected or cancelled meanwhile.
 * COMPLETED is final until an operator asks to retry the failed rows, which runs the batch again.
 */
export const BATCH_STATUSES = [
  'CREATED',
  'SCHEDULED',
  'AWAITING_APPROVAL',
  'RUNNING',
  'PAUSED',
  'AWAITING_FUNDS',
  'CANCELLING',
  'COMPLETED',
  'CANCELLED',
] as const;

export type BatchStatus = (typeof BATCH_STATUSES)[number];

export const FINAL_BATCH_STATUSES: readonly BatchStatus[] = ['COMPLETED', 'CANCELLED'];

export function isFinalBatchStatus(status: BatchStatus): boolean {
  return FINAL_BATCH_STATUSES.includes(status);
}
