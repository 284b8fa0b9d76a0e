import { describe, expect, it } from 'vitest';
import { payAtParam } from '../../src/api/pay-at.js';
import { Problem } from '../../src/api/problem.js';
import { PAY_AT_MAX_DAYS, checkPayAt } from '../../src/domain/pay-at.js';

const NOW = new Date('2026-12-02T07:00:00.000Z');

const refusal = (text: string): string => {
  const r = checkPayAt(text, NOW);
  if (r.ok) throw new Error(`${text} was accepted as ${r.at.toISOString()}`);
  return r.why;
};

describe('payAt: an RFC 3339 date-time with its offset, in the future, at most 90 days ahead', () => {
  it('reads the offset: 06:00 in Nairobi is 03:00 UTC', () => {
    expect(checkPayAt('2026-12-25T06:00:00+03:00', NOW)).toEqual({ ok: true, at: new Date('2026-12-25T03:00:00.000Z') });
    expect(checkPayAt('2026-12-25T03:00:00Z', NOW)).toEqual({ ok: true, at: new Date('2026-12-25T03:00:00.000Z') });
    expect(checkPayAt('2026-12-24T22:30:00-04:30', NOW)).toEqual({ ok: true, at: new Date('2026-12-25T03:00:00.000Z') });
    expect(checkPayAt('2026-12-25t03:00:00.250z', NOW)).toEqual({ ok: true, at: new Date('2026-12-25T03:00:00.250Z') });
  });

  it('refuses a time without an offset, without seconds, or not a date-time at all', () => {
    expect(refusal('2026-12-25T06:00:00')).toMatch(/not an RFC 3339 date-time with an offset/);
    expect(refusal('2026-12-25T06:00+03:00')).toMatch(/not an RFC 3339/);
    expect(refusal('2026-12-25 06:00:00+03:00')).toMatch(/not an RFC 3339/);
    expect(refusal('2026-12-25T06:00:00+0300')).toMatch(/not an RFC 3339/);
    expect(refusal('2026-12-25')).toMatch(/not an RFC 3339/);
    expect(refusal('tomorrow')).toMatch(/not an RFC 3339/);
    expect(refusal('')).toMatch(/not an RFC 3339/);
  });

  it('refuses days and times that do not exist', () => {
    expect(refusal('2026-02-29T06:00:00Z')).toMatch(/no calendar day/);
    expect(refusal('2026-13-01T06:00:00Z')).toMatch(/no calendar day/);
    expect(refusal('2026-12-32T06:00:00Z')).toMatch(/no calendar day/);
    expect(refusal('2026-12-25T24:00:00Z')).toMatch(/no time of day/);
    expect(refusal('2026-12-31T23:59:60Z')).toMatch(/leap seconds/);
    expect(refusal('2026-12-25T06:00:00+24:00')).toMatch(/no valid offset/);
  });

  it('refuses the past and now; accepts a millisecond ahead', () => {
    expect(refusal('2026-12-02T06:59:59Z')).toMatch(/not in the future/);
    expect(refusal('2026-12-02T10:00:00+03:00')).toMatch(/not in the future/); // 07:00 UTC: now exactly
    expect(checkPayAt('2026-12-02T07:00:00.001Z', NOW).ok).toBe(true);
  });

  it(`refuses more than ${PAY_AT_MAX_DAYS} days ahead, to the millisecond`, () => {
    const limit = new Date(NOW.getTime() + PAY_AT_MAX_DAYS * 86_400_000);
    expect(checkPayAt(limit.toISOString(), NOW)).toEqual({ ok: true, at: limit });
    expect(refusal(new Date(limit.getTime() + 1).toISOString())).toMatch(/more than 90 days ahead/);
    expect(refusal('2027-12-25T06:00:00+03:00')).toMatch(/more than 90 days ahead/);
  });

  it('as the API parameter: a 400 pay_at_invalid that says what to send; absent is no pay time', () => {
    expect(payAtParam(undefined, NOW)).toBeUndefined();
    expect(payAtParam('2026-12-25T06:00:00+03:00', NOW)).toEqual(new Date('2026-12-25T03:00:00.000Z'));
    let thrown: unknown;
    try {
      payAtParam('2026-11-30T06:00:00+03:00', NOW);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(Problem);
    expect(thrown).toMatchObject({ status: 400, code: 'pay_at_invalid' });
    expect((thrown as Problem).message).toMatch(/not in the future.*e\.g\. 2026-12-25T06:00:00\+03:00/);
  });
});
