/**
 * `payAt`: when a scheduled batch pays (payday morning). An RFC 3339 date-time with its offset, so the
 * instant is never a guess about the server's time zone, in the future and at most 90 days ahead (a
 * batch waiting longer is more likely a typo in the year than a plan). Pure: `now` is passed in.
 */

/** The furthest ahead a batch can be scheduled. */
export const PAY_AT_MAX_DAYS = 90;

const DAY_MS = 86_400_000;

/** `2026-12-25T06:00:00+03:00`, `2026-12-25T03:00:00.000Z`: seconds required, fraction optional, offset required. */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

export type PayAtCheck = { ok: true; at: Date } | { ok: false; why: string };

/** What a caller should send instead, appended to every refusal. */
export const PAY_AT_HINT = `Send payAt as an RFC 3339 date-time with its offset, in the future and at most ${PAY_AT_MAX_DAYS} days ahead, e.g. 2026-12-25T06:00:00+03:00 (06:00 in Nairobi).`;

/** Parses and checks a pay time against `now`. */
export function checkPayAt(text: string, now: Date): PayAtCheck {
  const m = RFC3339.exec(text);
  if (!m) return { ok: false, why: `"${text.slice(0, 64)}" is not an RFC 3339 date-time with an offset (Z or ±hh:mm)` };
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const offsetMinutes = m[8] ? 0 : (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (month < 1 || month > 12 || calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) return { ok: false, why: `${text} names no calendar day` };
  if (hour > 23 || minute > 59 || second > 59) return { ok: false, why: `${text} names no time of day (leap seconds are not accepted)` };
  if (Number(m[10] ?? 0) > 23 || Number(m[11] ?? 0) > 59) return { ok: false, why: `${text} has no valid offset` };
  const fraction = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  const at = new Date(Date.UTC(year, month - 1, day, hour, minute, second, fraction) - offsetMinutes * 60_000);
  if (at.getTime() <= now.getTime()) return { ok: false, why: `${at.toISOString()} is not in the future (now ${now.toISOString()})` };
  if (at.getTime() > now.getTime() + PAY_AT_MAX_DAYS * DAY_MS) return { ok: false, why: `${at.toISOString()} is more than ${PAY_AT_MAX_DAYS} days ahead` };
  return { ok: true, at };
}
