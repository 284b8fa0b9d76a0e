import fc from 'fast-check';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { MOBILE_PATTERN, normaliseKenyanMobile } from '../../src/payroll/phone.js';

const ok = (raw: string): string | undefined => {
  const r = normaliseKenyanMobile(raw);
  return r.ok ? r.phone : undefined;
};
const rule = (raw: string): string | undefined => {
  const r = normaliseKenyanMobile(raw);
  return r.ok ? undefined : r.finding.rule;
};

/** National significant numbers libphonenumber calls Kenyan mobiles: 7xx, 10x, 11x (Safaricom 0110/0111). */
const kenyanMobile = fc.oneof(
  fc.stringMatching(/^7\d{8}$/),
  fc.stringMatching(/^1(?:0[0-8]|1\d)\d{6}$/),
);

/** The digits written with a prefix and separators, as spreadsheets and people write them. */
const written = (nsn: string): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.constantFrom('', '0', '254', '+254', '+254 ', '00254', '+254-', '+2540'),
      fc.array(fc.constantFrom('', '', '', ' ', '-', '.', '\u00a0'), { minLength: nsn.length - 1, maxLength: nsn.length - 1 }),
      fc.constantFrom('', ' ', '  '),
    )
    .map(([prefix, seps, pad]) => `${pad}${prefix}${[...nsn].map((d, i) => d + (seps[i] ?? '')).join('')}${pad}`);

describe('Kenyan mobile numbers', () => {
  it('normalises the common spellings', () => {
    expect(ok('0712 345 678')).toBe('254712345678');
    expect(ok('712345678')).toBe('254712345678');
    expect(ok('+254 712-345-678')).toBe('254712345678');
    expect(ok('254712345678')).toBe('254712345678');
    expect(ok('0110 123 456')).toBe('254110123456');
    expect(ok('0111123456')).toBe('254111123456');
    expect(ok('(0722) 000-111')).toBe('254722000111');
    expect(ok('00254712345678')).toBe('254712345678');
    expect(ok('+2540712345678')).toBe('254712345678');
    expect(ok(' 0712.345.678 ')).toBe('254712345678');
  });

  it('refuses landlines, foreign numbers and non-numbers with a rule', () => {
    expect(rule('020 2222222')).toBe('phone_not_kenyan_mobile');
    expect(rule('+255 712 345 678')).toBe('phone_not_kenyan_mobile');
    expect(rule('+1 415 555 2671')).toBe('phone_not_kenyan_mobile');
    expect(rule('0150123456')).toBe('phone_invalid');
    expect(rule('12345')).toBe('phone_invalid');
    expect(rule('07123456789')).toBe('phone_invalid');
    expect(rule('0712345678 ext 4')).toBe('phone_invalid');
    expect(rule('0712345678/0722000111')).toBe('phone_invalid');
    expect(rule('call me')).toBe('phone_invalid');
    expect(rule('2.54712E+11')).toBe('phone_scientific_notation');
    expect(rule('')).toBe('phone_missing');
    expect(rule('   ')).toBe('phone_missing');
  });

  it('never shows a full number in its messages', () => {
    for (const raw of ['020 2222222', '+255 712 345 678', '0150123456', '2.54712E+11']) {
      const r = normaliseKenyanMobile(raw);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.finding.message.replace(/\D/g, '')).not.toContain(raw.replace(/\D/g, '').slice(0, 9));
    }
  });

  it('gives the same 254… number for any valid mobile in any formatting', () => {
    fc.assert(
      fc.property(kenyanMobile.chain((nsn) => fc.tuple(fc.constant(nsn), written(nsn))), ([nsn, text]) => {
        expect(ok(text)).toBe(`254${nsn}`);
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees with libphonenumber on every 9-digit national number (the fast path is only a shortcut)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{9}$/), fc.constantFrom('', '0', '+254'), (nsn, prefix) => {
        const parsed = parsePhoneNumberFromString(`${prefix}${nsn}`, 'KE');
        const mobile = parsed?.isValid() === true && parsed.country === 'KE' && parsed.getType() === 'MOBILE';
        expect(ok(`${prefix}${nsn}`)).toBe(mobile ? parsed.number.slice(1) : undefined);
      }),
      { numRuns: 5000 },
    );
  });

  it("takes its fast path's pattern from libphonenumber's metadata", () => {
    expect(MOBILE_PATTERN).toContain('7\\d\\d');
    expect(new RegExp(`^(?:${MOBILE_PATTERN})$`).test('110123456')).toBe(true);
  });

  it('only ever returns numbers the payouts table accepts', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789 +-()7'), maxLength: 20 }), (text) => {
        const phone = ok(text);
        if (phone !== undefined) expect(phone).toMatch(/^254[17]\d{8}$/);
      }),
      { numRuns: 5000 },
    );
  });
});
