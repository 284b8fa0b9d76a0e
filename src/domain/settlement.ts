import type { MinorUnits } from './money.js';

/**
 * The final answer PesaWay gives about a payment, from a result callback or a transaction query
 * (src/pesaway/result.ts reads every known spelling of it).
 */
export interface SettlementResult {
  reference: string | undefined;
  transactionId: string | undefined;
  /** 0 = paid; anything else = failed. */
  resultCode: number;
  resultDesc: string;
  receipt: string | undefined;
  amountMinor: MinorUnits | undefined;
  receiverName: string | undefined;
  completedAt: string | undefined;
}
