/** A batch's lifecycle, mirrored in the `BatchStatus` search attribute. */
export const BATCH_STATUSES = [
  'CREATED',
  'AWAITING_APPROVAL',
  'RUNNING',
  'PAUSED',
  'AWAITING_FUNDS',
  'CANCELLING',
  'COMPLETED',
  'CANCELLED',
  'REJECTED',
] as const;

export type BatchStatus = (typeof BATCH_STATUSES)[number];

export const FINAL_BATCH_STATUSES: readonly BatchStatus[] = ['COMPLETED', 'CANCELLED', 'REJECTED'];

export function isFinalBatchStatus(status: BatchStatus): boolean {
  return FINAL_BATCH_STATUSES.includes(status);
}
