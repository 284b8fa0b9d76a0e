import type { Channel } from '../domain/channel.js';
import { RULES, finding, type Finding } from './issues.js';

export type ChannelResult = { ok: true; channel: Channel } | { ok: false; finding: Finding };

/** What people write in a channel column, reduced to lower-case letters, mapped to PesaWay's channels. */
const SPELLINGS: Readonly<Record<string, Channel>> = {
  mpesa: 'MPESA',
  safaricom: 'MPESA',
  airtel: 'AIRTEL',
  airtelmoney: 'AIRTEL',
  bank: 'BANK',
  eft: 'BANK',
  rtgs: 'BANK',
  pesalink: 'BANK',
};

const ACCEPTED = 'M-Pesa (mpesa, safaricom), Airtel (airtel, airtel money) or bank (bank, eft, rtgs, pesalink)';

/**
 * The channel a row names, case- and punctuation-insensitively (`M-Pesa`, `MPESA`, `Airtel Money`).
 * An empty cell is not decided here: the row chooses from what it has (see row.ts).
 */
export function parseChannel(raw: string): ChannelResult {
  const key = raw.toLowerCase().replace(/[^a-z]/g, '');
  const channel = SPELLINGS[key];
  if (channel) return { ok: true, channel };
  return { ok: false, finding: finding(RULES.channelUnknown, `"${raw.trim()}" is not a payment channel; use ${ACCEPTED}, or leave it empty for M-Pesa.`) };
}
