/**
 * Phone numbers are personal data: logs, errors and workflow payloads carry them masked.
 * `254712345678` -> `2547*****678`; short or odd values keep only their last two characters.
 */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/[^\d]/g, '');
  if (digits.length >= 9) return `${digits.slice(0, 4)}${'*'.repeat(digits.length - 7)}${digits.slice(-3)}`;
  if (phone.length <= 2) return '*'.repeat(phone.length);
  return `${'*'.repeat(phone.length - 2)}${phone.slice(-2)}`;
}

// Kenyan mobile numbers as they appear in free text: 2547..., +2547..., 07..., 01..., 7..., with separators.
const PHONE_IN_TEXT = /(?<!\d)(?:\+?254[\s-]?|0)?[17]\d{2}[\s-]?\d{3}[\s-]?\d{3}(?!\d)/g;

/** Masks every phone-number-looking run inside free text (e.g. a provider's error message). */
export function maskPhonesInText(text: string): string {
  return text.replace(PHONE_IN_TEXT, (match) => maskPhone(match));
}
