import type { MinorUnits } from './money.js';

/**
 * PesaWay's B2C charge per transaction, by amount band (KES). Not documented by PesaWay: this is the
 * tariff integrators use (pesaway-api.md §11). The engine uses it only to *estimate* what a batch needs;
 * the wallet's `available` balance and `455.001` remain the authority. The sandbox charges it.
 */
export interface FeeBand {
  /** Upper bound of the band, inclusive, in minor units. */
  upToMinor: MinorUnits;
  feeMinor: MinorUnits;
}

export const DEFAULT_TARIFF: readonly FeeBand[] = [
  { upToMinor: 1_500_00, feeMinor: 12_00 },
  { upToMinor: 5_000_00, feeMinor: 19_00 },
  { upToMinor: 10_000_00, feeMinor: 24_00 },
  { upToMinor: 20_000_00, feeMinor: 33_00 },
  { upToMinor: 250_000_00, feeMinor: 39_00 },
];

/** Largest single payout the tariff covers (KES 250,000). */
export const MAX_PAYOUT_MINOR: MinorUnits = 250_000_00;

/** The fee for one payout, or undefined above the tariff's ceiling. */
export function feeFor(amountMinor: MinorUnits, tariff: readonly FeeBand[] = DEFAULT_TARIFF): MinorUnits | undefined {
  return tariff.find((band) => amountMinor <= band.upToMinor)?.feeMinor;
}
