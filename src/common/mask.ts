/**
 * Phone numbers and receiver names are personal data: logs, errors and workflow payloads carry numbers
 * masked and names not at all (names stay in PostgreSQL).
 */

/** Digits shown at the start of a masked number of 10 or more digits (`2547`, `0712`). */
const SHOWN_PREFIX = 4;
/** Digits shown at its end. */
const SHOWN_SUFFIX = 3;

/**
 * Masks one value: `254712345678` -> `2547*****678`, `0712 345 678` -> `0712***678`, and whatever the
 * spelling (`+254 712-345-678`, `254.712.345.678`, `(0712) 345 678`) only the digits count, so no more than
 * four leading and three trailing digits ever show. A bare nine-digit number (`712345678`) shows its first
 * digit and last three. Short or odd values keep only their last two characters.
 */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/[^\d]/g, '');
  // Masked already (`2547*****678`, `****9012`): masking again would only hide what is meant to show.
  if (phone.includes('*') && digits.length <= SHOWN_PREFIX + SHOWN_SUFFIX + 1) return phone;
  if (digits.length >= 9) {
    const prefix = digits.length >= 10 ? SHOWN_PREFIX : digits.length - 8;
    return `${digits.slice(0, prefix)}${'*'.repeat(digits.length - prefix - SHOWN_SUFFIX)}${digits.slice(-SHOWN_SUFFIX)}`;
  }
  if (phone.length <= 2) return '*'.repeat(phone.length);
  return `${'*'.repeat(phone.length - 2)}${phone.slice(-2)}`;
}

/**
 * A Kenyan mobile number as digits, in every prefix form: `2547…`/`2541…`, `+254 (0) 7…` (2540…),
 * `00254…`, `07…`/`01…`, or the bare nine digits `7…`/`1…`.
 */
const KENYAN_DIGITS = /^(?:00254|254|2540|0)?[17]\d{8}$/;

/**
 * A run of nine or more digits with the separators people write numbers with (spaces, dots, dashes,
 * parentheses, a leading `+`): the place a number can hide in free text. A run may hold several numbers,
 * or a number next to an amount; {@link maskPhonesInText} looks at its digit groups.
 */
const DIGIT_RUN = /[+(]*\d(?:[\s.\-()\u00a0\u202f]{0,3}\d){8,}\)?/g;

interface Group {
  digits: string;
  start: number;
  end: number;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function groupsOf(run: string): Group[] {
  const groups: Group[] = [];
  let start = -1;
  for (let i = 0; i <= run.length; i++) {
    const digit = i < run.length && isDigit(run.charCodeAt(i));
    if (digit && start < 0) start = i;
    else if (!digit && start >= 0) {
      groups.push({ digits: run.slice(start, i), start, end: i });
      start = -1;
    }
  }
  // `…000.00` at the end of a run is an amount's cents, never the end of a phone number.
  const last = groups.at(-1);
  if (groups.length > 1 && last && last.digits.length === 2 && run[last.start - 1] === '.') groups.pop();
  return groups;
}

/** Masks the Kenyan numbers among a run's digit groups (consecutive groups that together spell one). */
function maskRun(run: string): string {
  const groups = groupsOf(run);
  if (groups.length === 1 && !KENYAN_DIGITS.test(groups[0]!.digits)) return run;
  const spans: Array<{ start: number; end: number }> = [];
  for (let i = 0; i < groups.length; i++) {
    let digits = '';
    let found = -1;
    for (let j = i; j < groups.length; j++) {
      digits += groups[j]!.digits;
      if (digits.length > 14) break;
      if (KENYAN_DIGITS.test(digits)) found = j;
    }
    if (found >= 0) {
      spans.push({ start: groups[i]!.start, end: groups[found]!.end });
      i = found;
    }
  }
  let out = run;
  for (const s of spans.reverse()) {
    // A leading `+` or `(` belongs to the number: `+254 …`, `(0712) …`.
    let start = s.start;
    while (start > 0 && /[+(]/.test(out[start - 1]!)) start -= 1;
    let end = s.end;
    if (out[end] === ')' && out.slice(start, end).includes('(')) end += 1;
    out = `${out.slice(0, start)}${maskPhone(out.slice(start, end))}${out.slice(end)}`;
  }
  return out;
}

/**
 * Masks every Kenyan mobile number inside free text (a provider's error message, a receiver string), in
 * any spelling: `254.711.000.109`, `+254 711 000 109`, `0711-000-109`, `(0711) 000 109`, `0110 234 567`.
 * Digits around it (an amount, a date) are left alone.
 */
export function maskPhonesInText(text: string): string {
  return text.replace(DIGIT_RUN, maskRun);
}

/** A masked phone (`2547*****109`) or account number (`********9012`). */
const MASKED = String.raw`\d{0,4}\*{3,}\d{2,4}`;
const WORD = String.raw`[\p{L}'’]+`;
const CAPITALISED = String.raw`\p{Lu}[\p{L}'’]*`;
/**
 * A masked number followed by the name it belongs to: `2547*****109 - NANCY WAIRIMU` or `… - Mutua Nduku`
 * (after `-`, `:`, `–`: a word, then up to four more capitalised ones, so `- KIPRONO LANGAT is not
 * registered` keeps its `is not registered`), or `2547*****109 NANCY WAIRIMU` (upper-case words only, so
 * `… 2547*****109 now` stays).
 */
const NUMBER_THEN_NAME = new RegExp(
  String.raw`(${MASKED})(?:\s*[-–—:|]\s*${WORD}(?:[ \-]${CAPITALISED}){0,4}|(?:\s+\p{Lu}[\p{Lu}'’\-]+){1,5}(?![\p{Ll}]))`,
  'gu',
);
const MASKED_ONLY = new RegExp(MASKED);

/**
 * Free text fit for Temporal and logs: phone numbers masked and the name after a number (PesaWay's
 * `ReceiverPartyPublicName` shape, `<number> - <NAME>`, also when quoted inside a `ResultDesc`) removed:
 * `254.711.000.109 - NANCY WAIRIMU` -> `2547*****109`.
 */
export function scrubPersonalText(text: string): string {
  const masked = maskPhonesInText(text);
  return masked.includes('***') ? masked.replace(NUMBER_THEN_NAME, '$1') : masked;
}

/** A bare JSON number value: `:100000000,` — an amount or a time, not a number in text. */
function isJsonNumber(run: string, offset: number, line: string): boolean {
  return /^\d+$/.test(run) && /[:,[]/.test(line[offset - 1] ?? '') && /^[,}\]\n]?$/.test(line[offset + run.length] ?? '');
}

/**
 * {@link scrubPersonalText} for a finished JSON log line: strings are scrubbed, bare JSON numbers
 * (`"totalMinor":100000000`) are left alone, since masking them would be wrong and break the line.
 */
export function scrubPersonalJson(line: string): string {
  const masked = line.replace(DIGIT_RUN, (run: string, offset: number) => (isJsonNumber(run, offset, line) ? run : maskRun(run)));
  return masked.includes('***') ? masked.replace(NUMBER_THEN_NAME, '$1') : masked;
}

/**
 * A receiver as PesaWay reports it (`<number> - <NAME>`), reduced to what may leave PostgreSQL: the masked
 * number alone, or `[receiver]` when it holds no number.
 */
export function maskReceiver(receiver: string): string {
  const masked = maskPhonesInText(receiver).match(MASKED_ONLY);
  return masked ? masked[0] : '[receiver]';
}
