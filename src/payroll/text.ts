/**
 * Free text (names, reasons, bank names) as it may be stored and sent on: control characters (tabs, line
 * breaks inside quoted cells) become spaces; invisible format characters (zero-width, bidirectional
 * overrides, stray byte-order marks) are dropped so what the officer sees is what is sent.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
// eslint-disable-next-line no-control-regex -- as above
const NEEDS_CLEANING = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]|\s{2}/;
const RUNS_OF_SPACE = /\s{2,}/g;

export function cleanText(raw: string): string {
  if (!NEEDS_CLEANING.test(raw)) return raw.trim();
  return raw.replace(INVISIBLE, '').replace(CONTROL, ' ').replace(RUNS_OF_SPACE, ' ').trim();
}

/** For reports: the first characters of a long value, so a report never repeats a whole paragraph. */
export function excerpt(text: string, max = 40): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
