import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskPhone, maskPhonesInText, maskReceiver, scrubPersonalText } from '../../src/common/mask.js';

/** A Kenyan mobile's nine national digits (`7…` or `1…`). */
const nationalNumber = fc.tuple(fc.constantFrom('7', '1'), fc.stringMatching(/^\d{8}$/)).map(([a, b]) => `${a}${b}`);

/** Every way the number gets written: prefixes and separators, the spellings seen in payroll files and provider texts. */
const SPELLINGS: ReadonlyArray<(n: string) => string> = [
  (n) => `254${n}`,
  (n) => `+254${n}`,
  (n) => `0${n}`,
  (n) => n,
  (n) => `+254 ${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`,
  (n) => `254 ${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`,
  (n) => `254.${n.slice(0, 3)}.${n.slice(3, 6)}.${n.slice(6)}`,
  (n) => `+254-${n.slice(0, 3)}-${n.slice(3, 6)}-${n.slice(6)}`,
  (n) => `0${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`,
  (n) => `0${n.slice(0, 3)}-${n.slice(3, 6)}-${n.slice(6)}`,
  (n) => `0${n.slice(0, 3)}.${n.slice(3, 6)}.${n.slice(6)}`,
  (n) => `(0${n.slice(0, 3)}) ${n.slice(3, 6)} ${n.slice(6)}`,
  (n) => `+254 (0) ${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`,
  (n) => `00254 ${n.slice(0, 3)} ${n.slice(3)}`,
  (n) => `07 ${n.slice(1, 3)} ${n.slice(3, 5)} ${n.slice(5, 7)} ${n.slice(7)}`.replace(/^07/, `0${n[0]}`),
  (n) => `${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`,
];

const digitsOf = (s: string): string => s.replace(/\D/g, '');

/**
 * What masking may show of a number: at most four leading digits (as written) and the last three, with at
 * least the national number's middle three hidden (so `345` of `712345678` never shows).
 */
function expectMasked(masked: string, written: string): void {
  const full = digitsOf(written);
  const shape = /^(\d{0,4})(\*+)(\d{3})$/.exec(masked);
  expect(shape, `${written} -> ${masked}`).not.toBeNull();
  const [, head, stars, tail] = shape!;
  expect(full.startsWith(head!)).toBe(true);
  expect(tail).toBe(full.slice(-3));
  expect(stars!.length).toBe(full.length - head!.length - 3);
  expect(head!.length, `${written} -> ${masked}`).toBeLessThanOrEqual(full.length - 6);
}

describe('phone masking', () => {
  it('keeps the prefix and last three digits only', () => {
    expect(maskPhone('254712345678')).toBe('2547*****678');
    expect(maskPhone('0712345678')).toBe('0712***678');
    expect(maskPhone('254.711.000.109')).toBe('2547*****109');
    expect(maskPhone('712345678')).toBe('7*****678');
  });

  it('leaves a masked value as it is', () => {
    expect(maskPhone('2547*****678')).toBe('2547*****678');
    expect(maskPhone('********9012')).toBe('********9012');
  });

  it('masks numbers inside free text in every common form', () => {
    const text = 'Invalid PhoneNumber 254712345678; also +254 712-345-678 and 0110 123 456, 254.711.000.109 or (0745) 120 987.';
    const masked = maskPhonesInText(text);
    expect(masked).not.toMatch(/12345|345.?678|123.?456|711.?000|120.?987/);
    expect(masked).toBe('Invalid PhoneNumber 2547*****678; also 2547*****678 and 0110***456, 2547*****109 or 0745***987.');
  });

  it('leaves amounts, dates and other digits next to a number alone', () => {
    expect(maskPhonesInText('KES 1500 254711000109 500')).toBe('KES 1500 2547*****109 500');
    expect(maskPhonesInText('needs 1000000.00 KES at 2026-11-28 09:14:03.120000+00:00')).toBe('needs 1000000.00 KES at 2026-11-28 09:14:03.120000+00:00');
    expect(maskPhonesInText('reference PAYRUN42-EMP0007, row 12')).toBe('reference PAYRUN42-EMP0007, row 12');
  });

  it('never reveals more than the allowed digits of a Kenyan mobile number, in any spelling, alone or in text', () => {
    fc.assert(
      fc.property(nationalNumber, fc.integer({ min: 0, max: SPELLINGS.length - 1 }), (national, spelling) => {
        const written = SPELLINGS[spelling]!(national);
        expectMasked(maskPhone(written), written);
        const inText = maskPhonesInText(`Paid to ${written} - NANCY WAIRIMU.`);
        expect(inText).toMatch(/^Paid to \S+ - NANCY WAIRIMU\.$/);
        expectMasked(inText.slice('Paid to '.length, inText.indexOf(' - ')), written);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps 254 numbers in the one masked shape the engine shows', () => {
    fc.assert(
      fc.property(fc.constantFrom('2547', '2541'), fc.stringMatching(/^\d{8}$/), (prefix, rest) => {
        const phone = `${prefix}${rest}`;
        const masked = maskPhone(phone);
        expect(masked).toHaveLength(12);
        expect(masked.slice(4, 9)).toBe('*****');
        expect(maskPhonesInText(`to ${phone} now`)).toBe(`to ${masked} now`);
      }),
    );
  });
});

describe('receiver names', () => {
  it('drops the name after a number, whatever the number looked like', () => {
    expect(scrubPersonalText('254.711.000.109 - NANCY WAIRIMU')).toBe('2547*****109');
    expect(scrubPersonalText('2547*****838 - FAITH CHEBET')).toBe('2547*****838');
    expect(scrubPersonalText('Declined. Receiver: 0790.456.324 - Mutua Nduku.')).toBe('Declined. Receiver: 0790***324.');
    expect(scrubPersonalText('sent to +254 711 000 109 JOHN KAMAU today')).toBe('sent to 2547*****109 today');
    expect(scrubPersonalText('********9012 - JOHN KAMAU')).toBe('********9012');
    expect(scrubPersonalText('to 2547*****678 now')).toBe('to 2547*****678 now');
  });

  it('reduces a receiver to its masked number', () => {
    expect(maskReceiver('254.711.000.109 - NANCY WAIRIMU')).toBe('2547*****109');
    expect(maskReceiver('John Kym Doe')).toBe('[receiver]');
  });

  it('leaves no generated name or number behind', () => {
    const name = fc.array(fc.stringMatching(/^[A-Z][A-Za-z']{2,10}$/), { minLength: 1, maxLength: 4 }).map((w) => w.join(' '));
    fc.assert(
      fc.property(nationalNumber, fc.integer({ min: 0, max: SPELLINGS.length - 1 }), name, fc.constantFrom(' - ', ': ', ' – '), (national, spelling, who, sep) => {
        const written = SPELLINGS[spelling]!(national);
        const scrubbed = scrubPersonalText(`paid ${written}${sep}${who}`);
        for (const word of who.split(' ')) expect(scrubbed).not.toContain(word);
        expectMasked(scrubbed.slice('paid '.length), written);
      }),
      { numRuns: 1000 },
    );
  });
});
