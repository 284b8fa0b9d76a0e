import type { PayoutStatus } from './payout-status.js';

/** Where a payout activity left its payout: ended, `unresolved`, or `parked` on 455.001 (nothing paid). */
export type PayoutEnd = Extract<PayoutStatus, 'succeeded' | 'failed' | 'rejected' | 'cancelled' | 'unresolved'>;
export interface PayoutOutcome {
  reference: string;
  status: PayoutEnd | 'parked';
}

/**
 * The outcome a payout's record stands for, as its activity returns it (and as the callback receiver
 * completes the waiting activity with it); `undefined` while the payout is still moving.
 */
export function outcomeOf(reference: string, status: PayoutStatus): PayoutOutcome | undefined {
  switch (status) {
    case 'succeeded':
    case 'failed':
    case 'rejected':
    case 'cancelled':
    case 'unresolved':
      return { reference, status };
    case 'awaiting_funds':
      return { reference, status: 'parked' };
    default:
      return undefined;
  }
}
