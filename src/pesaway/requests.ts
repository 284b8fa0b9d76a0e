import type { MinorUnits } from '../domain/money.js';
import type { Channel } from '../domain/channel.js';

/** One payout as the engine asks PesaWay to make it. `reference` is the idempotency key. */
export type SendRequest =
  | {
      channel: 'MPESA' | 'AIRTEL';
      reference: string;
      amountMinor: MinorUnits;
      /** `2547XXXXXXXX` / `2541XXXXXXXX`. */
      phone: string;
      reason: string;
      resultsUrl: string;
    }
  | {
      channel: 'BANK';
      reference: string;
      amountMinor: MinorUnits;
      accountNumber: string;
      bankCode: string | undefined;
      bankName: string | undefined;
      reason: string;
      resultsUrl: string;
    };

export interface QueryRequest {
  reference: string;
  /** PesaWay's id from the send; preferred when known (integrators query by it). */
  transactionId?: string | undefined;
  channel: Channel;
}

export interface PullRequest {
  start: Date;
  end: Date;
  offset: number;
  type?: 'Payment' | 'Collection';
}
