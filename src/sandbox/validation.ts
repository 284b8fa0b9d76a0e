import { maskPhone } from '../common/mask.js';
import { type MinorUnits, formatMinor, parseDecimal, parseProviderAmount } from '../domain/money.js';

/**
 * Request checks for the API. Hand-written rather than JSON-schema so that each refusal is PesaWay's
 * `400.001` with a message naming the field and the rule, and never echoes a full phone number.
 * Pure functions: they only read the parsed body.
 */
export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

export interface MobileSend {
  reference: string;
  amountMinor: MinorUnits;
  phone: string;
  channel: 'MPESA' | 'Airtel';
  reason: string;
  resultsUrl: string;
}

export interface BankSend {
  reference: string;
  amountMinor: MinorUnits;
  accountNumber: string;
  bankCode: string | undefined;
  bankName: string | undefined;
  reason: string;
  resultsUrl: string;
}

export interface PullQuery {
  startMs: number;
  endMs: number;
  transType: 'Payment' | 'Collection' | 'Refund';
  offset: number;
}

/** Thrown inside a check and caught by `check`: never escapes this module. */
class Invalid extends Error {}

const fail = (message: string): never => {
  throw new Invalid(message);
};

function check<T>(read: () => T): Checked<T> {
  try {
    return { ok: true, value: read() };
  } catch (err) {
    if (err instanceof Invalid) return { ok: false, message: err.message };
    throw err;
  }
}

function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return fail('the request body must be a JSON object');
  return body as Record<string, unknown>;
}

function string(obj: Record<string, unknown>, field: string): string {
  const value = obj[field];
  if (value === undefined || value === null) return fail(`${field} is required`);
  if (typeof value !== 'string') return fail(`${field} must be a string`);
  return value;
}

function optionalString(obj: Record<string, unknown>, field: string): string | undefined {
  const value = obj[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') return fail(`${field} must be a string`);
  return value;
}

const REFERENCE = /^[A-Za-z0-9_-]{1,64}$/;

function reference(obj: Record<string, unknown>): string {
  const value = string(obj, 'ExternalReference');
  if (!REFERENCE.test(value)) fail("ExternalReference must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-'");
  return value;
}

/** A JSON number or a numeric string, > 0, at most two decimals, at most `maxMinor`. */
export function amount(obj: Record<string, unknown>, maxMinor: MinorUnits): MinorUnits {
  const value = obj['Amount'];
  if (value === undefined || value === null) return fail('Amount is required');
  let minor: MinorUnits | undefined;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value <= 0) fail('Amount must be greater than 0');
    minor = parseProviderAmount(value);
    if (minor === undefined) fail('Amount must have at most 2 decimals');
  } else if (typeof value === 'string') {
    const trimmed = value.trim();
    if (/^-/.test(trimmed)) fail('Amount must be greater than 0');
    try {
      minor = parseDecimal(trimmed);
    } catch {
      fail('Amount must be a number with at most 2 decimals, like 1500 or 1500.50');
    }
  } else {
    fail('Amount must be a number');
  }
  if (minor === undefined || !Number.isSafeInteger(minor)) return fail('Amount must be a number with at most 2 decimals');
  if (minor <= 0) fail('Amount must be greater than 0');
  if (minor > maxMinor) fail(`Amount must not exceed ${formatMinor(maxMinor)} KES per transaction`);
  return minor;
}

function resultsUrl(obj: Record<string, unknown>): string {
  const value = string(obj, 'ResultsUrl');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail('ResultsUrl must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail('ResultsUrl must be an absolute http(s) URL');
  return value;
}

function reason(obj: Record<string, unknown>): string {
  const value = string(obj, 'Reason');
  if (value.length > 100) fail('Reason must be at most 100 characters');
  return value;
}

function currency(obj: Record<string, unknown>, required: boolean): void {
  const value = required ? string(obj, 'Currency') : optionalString(obj, 'Currency');
  if (value !== undefined && value !== 'KES') fail('Currency must be KES');
}

const KENYAN_MOBILE = /^254[17]\d{8}$/;

export function validateMobileSend(body: unknown, maxAmountMinor: MinorUnits): Checked<MobileSend> {
  return check(() => {
    const obj = objectBody(body);
    const ref = reference(obj);
    const amountMinor = amount(obj, maxAmountMinor);
    const phone = string(obj, 'PhoneNumber');
    if (!KENYAN_MOBILE.test(phone)) fail(`PhoneNumber must be 2547XXXXXXXX or 2541XXXXXXXX (country code, no '+'); got "${maskPhone(phone)}"`);
    const channelRaw = string(obj, 'Channel');
    const channel = channelRaw.toUpperCase() === 'MPESA' ? 'MPESA' : channelRaw.toUpperCase() === 'AIRTEL' ? 'Airtel' : fail('Channel must be MPESA or Airtel');
    currency(obj, false);
    return { reference: ref, amountMinor, phone, channel, reason: reason(obj), resultsUrl: resultsUrl(obj) };
  });
}

export function validateBankSend(body: unknown, maxAmountMinor: MinorUnits): Checked<BankSend> {
  return check(() => {
    const obj = objectBody(body);
    const ref = reference(obj);
    const amountMinor = amount(obj, maxAmountMinor);
    const accountNumber = string(obj, 'AccountNumber');
    if (!/^\d{6,20}$/.test(accountNumber)) fail('AccountNumber must be 6-20 digits');
    if (string(obj, 'Channel').toUpperCase() !== 'BANK') fail('Channel must be Bank for bank payments');
    const bankCode = optionalString(obj, 'BankCode')?.trim() || undefined;
    const bankName = optionalString(obj, 'BankName')?.trim() || undefined;
    if (bankCode === undefined && bankName === undefined) fail('BankCode or BankName is required');
    currency(obj, true);
    return { reference: ref, amountMinor, accountNumber, bankCode, bankName, reason: reason(obj), resultsUrl: resultsUrl(obj) };
  });
}

export function validateQuery(body: unknown): Checked<string> {
  return check(() => {
    const value = string(objectBody(body), 'TransactionReference').trim();
    if (value === '' || value.length > 64) fail('TransactionReference must be 1-64 characters');
    return value;
  });
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2}))?$/;

/** `YYYY-MM-DD HH:MM:SS` (UTC), or a bare date as one integrator sends: start or end of that day. */
function dateTime(obj: Record<string, unknown>, field: 'StartDate' | 'EndDate'): number {
  const value = string(obj, field).trim();
  const m = DATE_TIME.exec(value);
  if (!m) return fail(`${field} must be formatted YYYY-MM-DD HH:MM:SS`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dateOnly = m[4] === undefined;
  const [h, mi, s] = dateOnly ? (field === 'StartDate' ? [0, 0, 0] : [23, 59, 59]) : [Number(m[4]), Number(m[5]), Number(m[6])];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    fail(`${field} is not a real date and time: "${value}"`);
  }
  // Seconds granularity: an end of 10:00:05 includes 10:00:05.999.
  return field === 'EndDate' ? ms + 999 : ms;
}

export function validatePull(body: unknown): Checked<PullQuery> {
  return check(() => {
    const obj = objectBody(body);
    const startMs = dateTime(obj, 'StartDate');
    const endMs = dateTime(obj, 'EndDate');
    if (endMs < startMs) fail('EndDate must not be before StartDate');
    const type = string(obj, 'TransType');
    if (type !== 'Payment' && type !== 'Collection' && type !== 'Refund') fail('TransType must be Payment or Collection');
    const rawOffset = obj['OffsetValue'] ?? 0;
    const offset = typeof rawOffset === 'string' && /^\d+$/.test(rawOffset.trim()) ? Number(rawOffset) : rawOffset;
    if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) fail('OffsetValue must be a row offset: a whole number from 0');
    return { startMs, endMs, transType: type as PullQuery['transType'], offset: offset as number };
  });
}

export type TokenCheck =
  | { ok: true; key: string; secret: string }
  | { ok: false; code: 'missing-credentials' | 'invalid-parameter'; message: string };

/** Missing credentials are PesaWay's `401.001` ("Missing authentication credentials"), a bad grant_type `400.001`. */
export function validateTokenRequest(body: unknown): TokenCheck {
  const obj = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const key = obj['consumer_key'];
  const secret = obj['consumer_secret'];
  if (typeof key !== 'string' || key === '' || typeof secret !== 'string' || secret === '') {
    return { ok: false, code: 'missing-credentials', message: 'Missing authentication credentials: consumer_key and consumer_secret are required' };
  }
  if (obj['grant_type'] !== 'client_credentials') return { ok: false, code: 'invalid-parameter', message: 'grant_type must be client_credentials' };
  return { ok: true, key, secret };
}
