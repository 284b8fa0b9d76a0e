import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskPhone, maskPhonesInText } from '../../src/common/mask.js';

describe('phone masking', () => {
  it('keeps the prefix and last three digits only', () => {
    expect(maskPhone('254712345678')).toBe('2547*****678');
    expect(maskPhone('0712345678')).toBe('0712***678');
  });

  it('masks numbers inside free text in every common form', () => {
    const text = 'Invalid PhoneNumber 254712345678; also +254 712-345-678 and 0110 123 456.';
    const masked = maskPhonesInText(text);
    expect(masked).not.toMatch(/12345|345.?678|123.?456/);
    expect(masked).toContain('Invalid PhoneNumber 2547*****678');
  });

  it('never reveals the middle digits of a Kenyan mobile number', () => {
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
