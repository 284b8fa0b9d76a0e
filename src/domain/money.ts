/**
 * Money is integer minor units (cents of a shilling) everywhere inside the engine. Decimal strings from
 * files, PesaWay responses and callbacks are parsed strictly; floats never carry money.
 */
export type MinorUnits = number;

export const MINOR_PER_MAJOR = 100;

export class AmountFormatError extends Error {
  constructor(readonly input: string, readonly rule: string) {
    super(`"${input}" is not a valid amount: ${rule}`);
    this.name = 'AmountFormatError';
  }
}

const DECIMAL = /^(\d+)(?:\.(\d{1,2}))?$/;

/**
 * Strict: `"1500"`, `"1500.5"`, `"1500.50"` -> 150050 minor units. No sign, no exponent, no separators,
 * at most two decimals. (The payroll parser accepts friendlier forms before calling this.)
 */
export function parseDecimal(input: string): MinorUnits {
  const match = DECIMAL.exec(input);
  if (!match) throw new AmountFormatError(input, 'expected digits with at most two decimals, like 1500.00');
  const whole = Number(match[1]);
  const cents = Number((match[2] ?? '').padEnd(2, '0'));
  const minor = whole * MINOR_PER_MAJOR + cents;
  if (!Number.isSafeInteger(minor)) throw new AmountFormatError(input, 'too large');
  return minor;
}

/** Lenient for provider output: also accepts a JSON number or more decimals if they are zeros (`"50.000"`). */
export function parseProviderAmount(input: unknown): MinorUnits | undefined {
  // A JSON number is read through its shortest decimal spelling, never multiplied as a float.
  if (typeof input === 'number') return Number.isFinite(input) ? parseProviderAmount(String(input)) : undefined;
  if (typeof input !== 'string') return undefined;
  const trimmed = input.trim().replace(/(\.\d{2})0+$/, '$1').replace(/\.0$/, '.00');
  try {
    return parseDecimal(trimmed);
  } catch {
    return undefined;
  }
}

/** 150050 -> `"1500.50"`. */
export function formatMinor(minor: MinorUnits): string {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`amount ${minor} is not an integer number of minor units`);
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  return `${sign}${Math.trunc(abs / MINOR_PER_MAJOR)}.${String(abs % MINOR_PER_MAJOR).padStart(2, '0')}`;
}

/** 150050 -> 1500.5, for JSON request bodies that want a Number. Exact: the decimal has two places at most. */
export function minorToNumber(minor: MinorUnits): number {
  return Number(formatMinor(minor));
}

/** `KES 1,500.50` for people. */
export function formatKes(minor: MinorUnits): string {
  const [whole, cents] = formatMinor(minor).split('.') as [string, string];
  return `KES ${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${cents}`;
}
