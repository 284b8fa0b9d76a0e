import { Metadata, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { maskPhone } from '../common/mask.js';
import { RULES, finding, type Finding } from './issues.js';

/** A Kenyan mobile number in the one form the engine stores and PesaWay expects: `2547XXXXXXXX` / `2541XXXXXXXX`. */
export type KenyanMobile = string;

export type PhoneResult = { ok: true; phone: KenyanMobile } | { ok: false; finding: Finding };

/**
 * libphonenumber's own pattern for Kenyan mobile national numbers (today
 * `(?:1(?:0[0-8]|[18]\d|2[014]|3[05-9]|4[0-6])|7\d\d)\d{6}`), read from its metadata so the two can never
 * disagree. Its untyped runtime API is used; if that ever changes, every number simply takes the slow path.
 */
function libphonenumberMobilePattern(): string {
  try {
    const metadata = new Metadata() as unknown as { selectNumberingPlan(c: string): void; numberingPlan?: { type(t: string): { pattern(): string } | undefined } };
    metadata.selectNumberingPlan('KE');
    const pattern = metadata.numberingPlan?.type('MOBILE')?.pattern();
    if (typeof pattern === 'string' && pattern !== '') return pattern;
  } catch {
    // fall through
  }
  return '(?!)';
}

// The common spellings (digits with an optional 0, 254 or +254 prefix) of a number matching that pattern
// are decided here without the parser, which costs some 20 µs a number; everything else (separators
// aside) goes to libphonenumber, the authority.
export const MOBILE_PATTERN = libphonenumberMobilePattern();
const FAST_MOBILE = new RegExp(`^(?:\\+?254|0)?(${MOBILE_PATTERN})$`);
const SEPARATORS = /[\s\-.()\u00a0\u202f]/g;
const NON_DIGIT = /[^\d]/;
const ALLOWED = /^\+?[\d\s\-.()\u00a0\u202f]+$/;
const SCIENTIFIC = /^\d+(?:[.,]\d+)?e\+?\d+$/i;
const STORED_FORM = /^254[17]\d{8}$/;

// Written with X's: a real-looking number would be masked as personal data.
const EXAMPLE = 'like 07XX XXX XXX or +254 7XX XXX XXX';

const fail = (rule: (typeof RULES)[keyof typeof RULES], message: string): PhoneResult => ({ ok: false, finding: finding(rule, message) });

/**
 * Normalises a Kenyan mobile number written in any common way (`0712 345 678`, `712345678`,
 * `+254 712-345-678`, `254712345678`, `0110 123 456`, `00254…`) to `254XXXXXXXXX`. Landlines, foreign
 * numbers, extensions and anything libphonenumber does not validate as a Kenyan mobile are refused.
 */
export function normaliseKenyanMobile(raw: string): PhoneResult {
  const text = raw.trim();
  if (text === '') return fail(RULES.phoneMissing, `The phone number is empty; mobile money payouts need a Kenyan mobile number ${EXAMPLE}.`);
  const compact = NON_DIGIT.test(text) ? text.replace(SEPARATORS, '') : text;
  const fast = FAST_MOBILE.exec(compact);
  if (fast) {
    const phone = `254${fast[1]!}`;
    if (STORED_FORM.test(phone)) return { ok: true, phone };
  }

  const shown = `"${maskPhone(text)}"`;
  if (SCIENTIFIC.test(compact)) {
    return fail(RULES.phoneScientificNotation, `${shown} was turned into scientific notation by a spreadsheet, which loses digits; format the phone column as Text and export again.`);
  }
  if (!ALLOWED.test(text)) return fail(RULES.phoneInvalid, `${shown} is not a phone number; expected a Kenyan mobile number ${EXAMPLE}.`);
  // `00` is the international prefix outside Kenya; libphonenumber only knows Kenya's own `000`.
  const candidate = compact.startsWith('00') && !compact.startsWith('000') ? `+${compact.slice(2)}` : compact;
  const parsed = parsePhoneNumberFromString(candidate, 'KE');
  if (!parsed) return fail(RULES.phoneInvalid, `${shown} is not a phone number; expected a Kenyan mobile number ${EXAMPLE}.`);
  if (parsed.countryCallingCode !== '254') {
    const where = parsed.country ? ` (${parsed.country})` : ` (+${parsed.countryCallingCode})`;
    return fail(RULES.phoneNotKenyanMobile, `${shown} is a foreign number${where}; only Kenyan mobile numbers can receive these payouts.`);
  }
  if (!parsed.isValid()) return fail(RULES.phoneInvalid, `${shown} is not a valid Kenyan number: check the digits (expected a mobile number ${EXAMPLE}).`);
  const type = parsed.getType();
  const phone = parsed.number.slice(1);
  if ((type !== 'MOBILE' && type !== 'FIXED_LINE_OR_MOBILE') || !STORED_FORM.test(phone)) {
    const what = type === 'FIXED_LINE' ? 'a Kenyan landline' : 'a Kenyan number that is not a mobile number';
    return fail(RULES.phoneNotKenyanMobile, `${shown} is ${what}; mobile money needs a mobile number starting 07 or 01.`);
  }
  return { ok: true, phone };
}
