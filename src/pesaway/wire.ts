import type { Channel } from '../domain/channel.js';

/**
 * PesaWay's wire contract as the engine speaks it (see ../shared/pesaway-api.md). Shared by the client
 * and the sandbox so the two can never drift apart on a path or a code.
 */
export const PATHS = {
  token: '/api/v1/token/',
  mobileSend: '/api/v1/mobile-money/send-payment/',
  bankSend: '/api/v1/bank/send-payment/',
  mobileQuery: '/api/v1/mobile-money/transaction-query/',
  bankQuery: '/api/v1/bank/transaction-query/',
  balance: '/api/v1/account-balance/',
  /** Integrators' path; the docs also show `/api/v1/pull-transactions/` (the sandbox serves both). */
  pullTransactions: '/api/v1/mobile-money/pull-transactions/',
  pullTransactionsDocumented: '/api/v1/pull-transactions/',
} as const;

/** Status codes from the docs' "Common Responses", plus those integrators have met. */
export const CODES = {
  success: '200.001',
  unauthorized: '401.001',
  invalidParameter: '400.001',
  notFound: '404.000',
  referenceUsed: '403.002',
  insufficientBalance: '455.001',
  rateLimited: '429.001',
} as const;

export type PesaWayCode = (typeof CODES)[keyof typeof CODES];

/** Channel strings PesaWay expects in `Channel`. */
export const CHANNEL_WIRE: Readonly<Record<Channel, string>> = { MPESA: 'MPESA', AIRTEL: 'Airtel', BANK: 'Bank' };

/** Send request bodies. `Amount` is a JSON number with at most two decimals. */
export interface MobileSendBody {
  ExternalReference: string;
  Amount: number;
  PhoneNumber: string;
  Channel: string;
  Reason: string;
  ResultsUrl: string;
  Currency?: string;
  MerchantCode?: string;
}

export interface BankSendBody {
  ExternalReference: string;
  Amount: number;
  AccountNumber: string;
  Channel: string;
  BankCode?: string;
  BankName?: string;
  Currency: string;
  Reason: string;
  ResultsUrl: string;
  MerchantCode?: string;
}

export interface QueryBody {
  /** PesaWay's `TransactionID` when known, else our `ExternalReference`. */
  TransactionReference: string;
}

export interface PullTransactionsBody {
  StartDate: string;
  EndDate: string;
  TransType: 'Payment' | 'Collection';
  OffsetValue: number;
}

/** The result callback (and transaction-query) fields, in their most common spelling. */
export interface ResultBody {
  ResultCode: number | string;
  ResultDesc: string;
  OriginatorReference: string;
  TransactionID: string;
  TransactionReceipt?: string;
  TransactionAmount?: string;
  ReceiverPartyPublicName?: string;
  TransactionCompletedDateTime?: string;
}

/** A row of pull-transactions. */
export interface PulledTransaction {
  Reference: string;
  Receipt: string;
  TransactionDate: string;
  Recipient: string;
  ExternalReference: string;
  TransactionType: string;
  Amount: string;
}

/** Header carrying Base64(HMAC-SHA256(key, raw body)) when callback signing is on. */
export const SIGNATURE_HEADER = 'signature';
