import type { MinorUnits } from '../domain/money.js';
import { feeFor, type FeeBand } from '../domain/fees.js';
import { SandboxConfigError } from './errors.js';
import { UPPER_ALPHANUMERIC, type Rng } from './rng.js';

/**
 * The sandbox's wallet and payment ledger. Synchronous and free of I/O: Node runs one handler at a time,
 * so the duplicate check, the balance check and the reservation of one send happen atomically.
 *
 * Wallet model (pesaway-api.md §5.8): `current` is the money in the wallet; an accepted payment reserves
 * amount + fee; settlement either spends the reservation (success: current falls) or releases it (failure).
 * `available = current - reserved`; `uncleared` is always 0 here.
 */
export type PaymentKind = 'mobile-money' | 'bank';
export type PaymentChannel = 'MPESA' | 'Airtel' | 'Bank';
export type EntryStatus = 'pending' | 'succeeded' | 'failed';

export interface LedgerEntry {
  reference: string;
  transactionId: string;
  kind: PaymentKind;
  channel: PaymentChannel;
  amountMinor: MinorUnits;
  feeMinor: MinorUnits;
  /** Masked phone number or masked account number: the ledger never holds the full destination. */
  destination: string;
  status: EntryStatus;
  /** How many times this reference was accepted. The sandbox's proof of idempotency: never above 1. */
  acceptCount: number;
  /** Sends with this reference refused with `403.002` after acceptance. */
  duplicateAttempts: number;
  acceptedAt: string;
  settledAt?: string;
  resultCode?: number;
  resultDesc?: string;
  receipt?: string;
  receiverPartyPublicName?: string;
}

export interface PaymentRequest {
  reference: string;
  kind: PaymentKind;
  channel: PaymentChannel;
  amountMinor: MinorUnits;
  destination: string;
}

export type AcceptOutcome =
  | { kind: 'accepted'; entry: LedgerEntry }
  | { kind: 'duplicate'; entry: LedgerEntry }
  | { kind: 'insufficient'; requiredMinor: MinorUnits; availableMinor: MinorUnits };

export interface Settlement {
  resultCode: number;
  resultDesc: string;
  receipt?: string;
  receiverPartyPublicName?: string;
}

export interface WalletBalance {
  currentMinor: MinorUnits;
  availableMinor: MinorUnits;
  reservedMinor: MinorUnits;
  unclearedMinor: MinorUnits;
}

export interface LedgerTotals {
  accepted: number;
  succeeded: number;
  failed: number;
  pending: number;
  /** Amounts of succeeded payments (fees excluded). */
  paidMinor: MinorUnits;
  /** Fees of succeeded payments: failed payments are not charged. */
  feesMinor: MinorUnits;
}

export interface LedgerReport {
  entries: LedgerEntry[];
  totals: LedgerTotals;
  maxAcceptCount: number;
  balance: WalletBalance;
}

export interface PullFilter {
  startMs: number;
  /** Inclusive. */
  endMs: number;
  offset: number;
  limit: number;
  kind?: PaymentKind;
}

const copy = (entry: LedgerEntry): LedgerEntry => ({ ...entry });

export class Ledger {
  private currentMinor: MinorUnits;
  private reservedMinor: MinorUnits = 0;
  private readonly ordered: LedgerEntry[] = [];
  private readonly byReference = new Map<string, LedgerEntry>();
  private readonly byTransactionId = new Map<string, LedgerEntry>();

  constructor(
    balanceMinor: MinorUnits,
    private readonly tariff: readonly FeeBand[],
    private readonly ids: Rng,
    private readonly now: () => number = Date.now,
  ) {
    this.currentMinor = balanceMinor;
  }

  /** The fee PesaWay would charge, or undefined above the tariff's ceiling. */
  feeFor(amountMinor: MinorUnits): MinorUnits | undefined {
    return feeFor(amountMinor, this.tariff);
  }

  /**
   * Order matters: a reference already accepted is a duplicate even when the wallet is empty (the reference
   * is the idempotency key); only then is the balance checked; only then is money reserved.
   */
  accept(request: PaymentRequest): AcceptOutcome {
    const existing = this.byReference.get(request.reference);
    if (existing) {
      existing.duplicateAttempts += 1;
      return { kind: 'duplicate', entry: copy(existing) };
    }
    const feeMinor = this.feeFor(request.amountMinor);
    if (feeMinor === undefined) throw new RangeError(`amount ${request.amountMinor} is above the tariff; validate before accepting`);
    const requiredMinor = request.amountMinor + feeMinor;
    const availableMinor = this.currentMinor - this.reservedMinor;
    if (availableMinor < requiredMinor) return { kind: 'insufficient', requiredMinor, availableMinor };

    const entry: LedgerEntry = {
      reference: request.reference,
      transactionId: this.newTransactionId(),
      kind: request.kind,
      channel: request.channel,
      amountMinor: request.amountMinor,
      feeMinor,
      destination: request.destination,
      status: 'pending',
      acceptCount: 1,
      duplicateAttempts: 0,
      acceptedAt: new Date(this.now()).toISOString(),
    };
    this.reservedMinor += requiredMinor;
    this.ordered.push(entry);
    this.byReference.set(entry.reference, entry);
    this.byTransactionId.set(entry.transactionId, entry);
    return { kind: 'accepted', entry: copy(entry) };
  }

  /** Settles a pending payment once; later calls (or unknown references) return undefined. */
  settle(reference: string, settlement: Settlement): LedgerEntry | undefined {
    const entry = this.byReference.get(reference);
    if (!entry || entry.status !== 'pending') return undefined;
    const held = entry.amountMinor + entry.feeMinor;
    this.reservedMinor -= held;
    if (settlement.resultCode === 0) this.currentMinor -= held;
    entry.status = settlement.resultCode === 0 ? 'succeeded' : 'failed';
    entry.settledAt = new Date(this.now()).toISOString();
    entry.resultCode = settlement.resultCode;
    entry.resultDesc = settlement.resultDesc;
    if (settlement.receipt !== undefined) entry.receipt = settlement.receipt;
    if (settlement.receiverPartyPublicName !== undefined) entry.receiverPartyPublicName = settlement.receiverPartyPublicName;
    return copy(entry);
  }

  /** By PesaWay `TransactionID` or by the merchant's `ExternalReference`. */
  find(referenceOrTransactionId: string): LedgerEntry | undefined {
    const entry = this.byTransactionId.get(referenceOrTransactionId) ?? this.byReference.get(referenceOrTransactionId);
    return entry && copy(entry);
  }

  entries(): LedgerEntry[] {
    return this.ordered.map(copy);
  }

  pending(): LedgerEntry[] {
    return this.ordered.filter((e) => e.status === 'pending').map(copy);
  }

  /** Payments accepted in [startMs, endMs], in acceptance order, from row `offset`, at most `limit`. */
  pull(filter: PullFilter): LedgerEntry[] {
    const rows: LedgerEntry[] = [];
    let skipped = 0;
    for (const entry of this.ordered) {
      if (filter.kind !== undefined && entry.kind !== filter.kind) continue;
      const at = Date.parse(entry.acceptedAt);
      if (at < filter.startMs || at > filter.endMs) continue;
      if (skipped < filter.offset) {
        skipped += 1;
        continue;
      }
      rows.push(copy(entry));
      if (rows.length >= filter.limit) break;
    }
    return rows;
  }

  balance(): WalletBalance {
    return {
      currentMinor: this.currentMinor,
      availableMinor: this.currentMinor - this.reservedMinor,
      reservedMinor: this.reservedMinor,
      unclearedMinor: 0,
    };
  }

  topUp(amountMinor: MinorUnits): WalletBalance {
    if (!Number.isSafeInteger(amountMinor) || amountMinor <= 0) throw new SandboxConfigError('amount', 'a top-up must be a positive whole number of cents');
    this.currentMinor += amountMinor;
    return this.balance();
  }

  /** Sets `current`. Pending reservations stay, so `available` may go below zero until they settle. */
  setBalance(amountMinor: MinorUnits): WalletBalance {
    if (!Number.isSafeInteger(amountMinor) || amountMinor < 0) throw new SandboxConfigError('amount', 'a balance must be a non-negative whole number of cents');
    this.currentMinor = amountMinor;
    return this.balance();
  }

  totals(): LedgerTotals {
    const totals: LedgerTotals = { accepted: this.ordered.length, succeeded: 0, failed: 0, pending: 0, paidMinor: 0, feesMinor: 0 };
    for (const entry of this.ordered) {
      totals[entry.status] += 1;
      if (entry.status === 'succeeded') {
        totals.paidMinor += entry.amountMinor;
        totals.feesMinor += entry.feeMinor;
      }
    }
    return totals;
  }

  maxAcceptCount(): number {
    return this.ordered.reduce((max, e) => Math.max(max, e.acceptCount), 0);
  }

  report(): LedgerReport {
    return { entries: this.entries(), totals: this.totals(), maxAcceptCount: this.maxAcceptCount(), balance: this.balance() };
  }

  /** 'PHY' + 10 seeded uppercase alphanumerics, unique within this ledger. */
  private newTransactionId(): string {
    for (;;) {
      const id = `PHY${this.ids.string(10, UPPER_ALPHANUMERIC)}`;
      if (!this.byTransactionId.has(id)) return id;
    }
  }
}
