import { PAY_AT_HINT, checkPayAt } from '../domain/pay-at.js';
import { Problem } from './problem.js';

/** The `payAt` query parameter of POST /v1/batches, as an instant; a 400 `pay_at_invalid` saying what to send. */
export function payAtParam(text: string | undefined, now = new Date()): Date | undefined {
  if (text === undefined) return undefined;
  const checked = checkPayAt(text, now);
  if (!checked.ok) throw new Problem(400, 'pay_at_invalid', 'Invalid pay time', `payAt: ${checked.why}. ${PAY_AT_HINT}`);
  return checked.at;
}

/** The query parameter as the OpenAPI document shows it (the route checks it itself, to answer `pay_at_invalid`). */
export const payAtQuery = {
  type: 'string',
  maxLength: 64,
  description:
    'pay at this date and time: an RFC 3339 date-time with its offset, in the future and at most 90 days ahead. The batch is SCHEDULED until then (nothing sent; ' +
    'it can be approved, rejected or cancelled meanwhile). Anything else is a 400 `pay_at_invalid`.',
  examples: ['2026-12-25T06:00:00+03:00'],
} as const;
