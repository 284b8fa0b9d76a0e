import type { MinorUnits } from '../domain/money.js';
import type { SettlementResult } from '../domain/settlement.js';

/**
 * Why a call's result is unknown. For a send, every one of these means "the payment may or may not have
 * been made": the engine resends the SAME reference or queries, and never mints a new one.
 */
export type AmbiguityReason = 'timeout' | 'connection' | 'server-error' | 'unparseable' | 'unexpected-code';

/** Answers every PesaWay call can give besides its own success. */
export type CommonFailure =
  | { kind: 'invalid'; code: '400.001'; message: string }
  | { kind: 'rate-limited'; code: '429.001'; message: string }
  /** Still refused after one token refresh: a configuration problem, not a payout problem. */
  | { kind: 'unauthorized'; code: '401.001'; message: string }
  | { kind: 'ambiguous'; reason: AmbiguityReason; httpStatus: number | undefined; detail: string };

export type SendOutcome =
  | { kind: 'accepted'; transactionId: string | undefined; reference: string }
  /** `403.002`: this reference was accepted before. Never a failure: query it. */
  | { kind: 'reference-used'; code: '403.002'; message: string }
  /** `455.001`: nothing was paid; the same reference may be sent again after a top-up. */
  | { kind: 'insufficient-balance'; code: '455.001'; message: string }
  | { kind: 'not-found'; code: '404.000'; message: string }
  | CommonFailure;

export type QueryOutcome =
  | { kind: 'settled'; result: SettlementResult }
  | { kind: 'pending'; transactionId: string | undefined }
  /** `404.000`: PesaWay does not know this reference: it was never accepted. */
  | { kind: 'not-found'; code: '404.000'; message: string }
  | CommonFailure;

export interface Balance {
  currentMinor: MinorUnits;
  availableMinor: MinorUnits;
  unclearedMinor: MinorUnits;
  reservedMinor: MinorUnits;
}

export type BalanceOutcome = { kind: 'balance'; balance: Balance } | { kind: 'not-found'; code: '404.000'; message: string } | CommonFailure;

export interface PulledPayment {
  pesawayReference: string;
  receipt: string;
  transactionDate: string;
  recipient: string;
  externalReference: string;
  transactionType: string;
  amountMinor: MinorUnits | undefined;
}

export type PullOutcome = { kind: 'page'; payments: PulledPayment[] } | { kind: 'not-found'; code: '404.000'; message: string } | CommonFailure;
