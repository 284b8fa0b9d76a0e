/** The payment channels a payout can go through. PesaWay's own spellings live in src/pesaway/wire.ts. */
export const CHANNELS = ['MPESA', 'AIRTEL', 'BANK'] as const;
export type Channel = (typeof CHANNELS)[number];
