import { maskPhone } from '../common/mask.js';
import { formatKes, type MinorUnits } from '../domain/money.js';
import { maskAccount } from './bank.js';
import type { PayoutDraft } from './row.js';

/**
 * A payroll file compared with the previous run of the same payroll: the checks that catch payroll fraud
 * and typos (a new payee, a known employee's phone or account swapped, an amount far from last time's, a
 * payee gone). Findings are warnings for a person to look at, never errors: they do not change whether a
 * file is acceptable.
 *
 * Matching: a row is matched by its employee id (ASCII case folded, as the validator's duplicate check
 * does). A row without an employee id is matched by its destination (channel and phone, or account and
 * bank) among the previous run's rows that had no employee id either, so files without an id column are
 * still compared; such a row cannot have a `destination_changed` (the destination is its identity). When a
 * key appears several times in a file (the validator refuses that for employee ids, but drafts may come
 * from elsewhere), the n-th occurrence here is matched with the n-th there, so extra rows show up as new
 * or missing.
 *
 * Personal data: findings carry destinations masked here (`2547*****678`, `******6789`), never the full
 * numbers, so no caller (CLI, API, console) can leak them by forgetting to mask (the project's one
 * phone mask, src/common/mask.ts, as the rest of the payroll core uses).
 *
 * Pure and O(n): two maps over the rows, findings in this file's row order, then the missing payees in the
 * previous file's row order.
 */

export const COMPARISON_KINDS = ['new_payee', 'destination_changed', 'amount_changed', 'payee_missing'] as const;
export type ComparisonKind = (typeof COMPARISON_KINDS)[number];

export interface ComparisonOptions {
  /** An amount is far from last time's when it moved by more than this fraction of it. Default 0.5 (±50%). */
  amountChangeRatio?: number;
  /** ... and by at least this much (minor units). Default KES 1,000. */
  amountChangeMinMinor?: MinorUnits;
}

export const DEFAULT_AMOUNT_CHANGE_RATIO = 0.5;
export const DEFAULT_AMOUNT_CHANGE_MIN_MINOR: MinorUnits = 100_000;

interface FindingBase {
  /** This file's line and row (for `payee_missing`, the previous file's). */
  line: number;
  rowNo: number;
  employeeId: string | null;
  /** One line for the payroll officer: what changed and what to check. Numbers masked. */
  message: string;
}

export interface NewPayeeFinding extends FindingBase {
  kind: 'new_payee';
  destination: string;
  amountMinor: MinorUnits;
}

export interface DestinationChangedFinding extends FindingBase {
  kind: 'destination_changed';
  previousLine: number;
  /** Masked: `MPESA 2547*****678`, `BANK ******6789 (01)`. */
  previousDestination: string;
  destination: string;
}

export interface AmountChangedFinding extends FindingBase {
  kind: 'amount_changed';
  previousLine: number;
  previousAmountMinor: MinorUnits;
  amountMinor: MinorUnits;
  /** (this - previous) / previous, e.g. 3 for +300%. */
  relativeChange: number;
}

export interface PayeeMissingFinding extends FindingBase {
  kind: 'payee_missing';
  destination: string;
  previousAmountMinor: MinorUnits;
}

export type ComparisonFinding = NewPayeeFinding | DestinationChangedFinding | AmountChangedFinding | PayeeMissingFinding;

export interface RunTotals {
  count: number;
  totalMinor: MinorUnits;
}

export interface PayrollComparison {
  counts: Record<ComparisonKind, number>;
  /** Rows of this file matched with a row of the previous one. */
  matched: number;
  previous: RunTotals;
  current: RunTotals;
  findings: ComparisonFinding[];
}

/** Options that cannot mean anything (a negative threshold): a caller's mistake, named. */
export class ComparisonOptionsError extends Error {
  readonly code = 'comparison_options_invalid';
  constructor(message: string) {
    super(message);
    this.name = 'ComparisonOptionsError';
  }
}

type Row = Pick<PayoutDraft, 'rowNo' | 'line' | 'channel' | 'phone' | 'accountNumber' | 'bankCode' | 'bankName' | 'employeeId' | 'amountMinor'>;

const foldAscii = (text: string): string => text.replace(/[A-Z]+/g, (s) => s.toLowerCase());

/** The matching key: the employee id, or (prefixed so the two never collide) the destination. */
function keyOf(row: Row): string {
  if (row.employeeId !== null && row.employeeId !== '') return `i:${foldAscii(row.employeeId)}`;
  if (row.channel === 'BANK') return `b:${row.accountNumber ?? ''}@${(row.bankCode ?? '').toLowerCase()}/${(row.bankName ?? '').toLowerCase()}`;
  return `m:${row.channel}:${row.phone ?? ''}`;
}

/** A destination for people, masked: `MPESA 2547*****678`, `BANK ******6789 (01 KCB)`. */
export function describeDestination(row: Row): string {
  if (row.channel !== 'BANK') return `${row.channel} ${maskPhone(row.phone ?? '')}`;
  const bank = [row.bankCode, row.bankName].filter((v) => v !== null && v !== '').join(' ');
  return `BANK ${maskAccount(row.accountNumber ?? '')}${bank === '' ? '' : ` (${bank})`}`;
}

/** Whether two rows pay the same place. A bank known by code on one side and by name on the other counts as the same bank. */
function sameDestination(a: Row, b: Row): boolean {
  if (a.channel !== b.channel) return false;
  if (a.channel !== 'BANK') return a.phone === b.phone;
  if (a.accountNumber !== b.accountNumber) return false;
  if (a.bankCode && b.bankCode) return a.bankCode.toLowerCase() === b.bankCode.toLowerCase();
  if (a.bankName && b.bankName) return a.bankName.toLowerCase() === b.bankName.toLowerCase();
  return true;
}

function checkOptions(options: ComparisonOptions): { ratio: number; minMinor: number } {
  const ratio = options.amountChangeRatio ?? DEFAULT_AMOUNT_CHANGE_RATIO;
  const minMinor = options.amountChangeMinMinor ?? DEFAULT_AMOUNT_CHANGE_MIN_MINOR;
  if (!Number.isFinite(ratio) || ratio < 0) throw new ComparisonOptionsError(`The amount change threshold must be a fraction of 0 or more (0.5 for 50%), got ${ratio}.`);
  if (!Number.isSafeInteger(minMinor) || minMinor < 0) throw new ComparisonOptionsError(`The smallest amount change must be a whole number of minor units, 0 or more, got ${minMinor}.`);
  return { ratio, minMinor };
}

const who = (row: Row): string => (row.employeeId ? `Employee ${row.employeeId}` : `The payee without an employee id paid to ${describeDestination(row)}`);
const percent = (change: number): string => `${change >= 0 ? '+' : ''}${Math.round(change * 100)}%`;

/** Compares this file's valid rows with the previous run's. Inputs are not modified. */
export function comparePayrolls(previous: readonly Row[], current: readonly Row[], options: ComparisonOptions = {}): PayrollComparison {
  const { ratio, minMinor } = checkOptions(options);

  // key -> the previous rows with it, in order; `taken` counts how many were matched so far.
  const before = new Map<string, { rows: Row[]; taken: number }>();
  let previousTotal = 0;
  for (const row of previous) {
    previousTotal += row.amountMinor;
    const key = keyOf(row);
    const entry = before.get(key);
    if (entry) entry.rows.push(row);
    else before.set(key, { rows: [row], taken: 0 });
  }

  const findings: ComparisonFinding[] = [];
  const counts: Record<ComparisonKind, number> = { new_payee: 0, destination_changed: 0, amount_changed: 0, payee_missing: 0 };
  const add = (f: ComparisonFinding): void => {
    counts[f.kind]++;
    findings.push(f);
  };
  let currentTotal = 0;
  let matched = 0;

  for (const row of current) {
    currentTotal += row.amountMinor;
    const entry = before.get(keyOf(row));
    const old = entry && entry.taken < entry.rows.length ? entry.rows[entry.taken++] : undefined;
    const base = { line: row.line, rowNo: row.rowNo, employeeId: row.employeeId };
    if (!old) {
      const destination = describeDestination(row);
      const payee = row.employeeId ? `employee ${row.employeeId}` : destination;
      const what = entry
        ? `${payee} is paid more often than in the previous run (${entry.rows.length === 1 ? 'once' : `${entry.rows.length} times`} there)`
        : `${payee} was not in the previous run`;
      add({
        kind: 'new_payee',
        ...base,
        destination,
        amountMinor: row.amountMinor,
        message: `New payee: ${what}; check the employee exists and ${formatKes(row.amountMinor)} to ${destination} is right.`,
      });
      continue;
    }
    matched++;
    if (!sameDestination(old, row)) {
      const previousDestination = describeDestination(old);
      const destination = describeDestination(row);
      add({
        kind: 'destination_changed',
        ...base,
        previousLine: old.line,
        previousDestination,
        destination,
        message: `${who(row)} is paid to ${destination}, last time to ${previousDestination}${destination === previousDestination ? ' (they differ in the hidden digits)' : ''}; confirm the change with the employee before paying.`,
      });
    }
    const delta = row.amountMinor - old.amountMinor;
    const abs = Math.abs(delta);
    if (abs >= minMinor && abs > ratio * old.amountMinor && abs > 0) {
      const relativeChange = old.amountMinor === 0 ? Number.POSITIVE_INFINITY : delta / old.amountMinor;
      add({
        kind: 'amount_changed',
        ...base,
        previousLine: old.line,
        previousAmountMinor: old.amountMinor,
        amountMinor: row.amountMinor,
        relativeChange,
        message: `${who(row)} gets ${formatKes(row.amountMinor)}, last time ${formatKes(old.amountMinor)} (${Number.isFinite(relativeChange) ? percent(relativeChange) : 'up from nothing'}); check the amount for a typo.`,
      });
    }
  }

  for (const entry of before.values()) {
    for (let i = entry.taken; i < entry.rows.length; i++) {
      const row = entry.rows[i]!;
      const destination = describeDestination(row);
      add({
        kind: 'payee_missing',
        line: row.line,
        rowNo: row.rowNo,
        employeeId: row.employeeId,
        destination,
        previousAmountMinor: row.amountMinor,
        message: `${who(row)} was paid ${formatKes(row.amountMinor)} last time (line ${row.line}) but is not among this file's valid rows; check whether they left or their row is missing or invalid.`,
      });
    }
  }
  // Map order is the order keys were first seen, not line order: put the missing back in the previous file's order.
  const firstMissing = findings.length - counts.payee_missing;
  const missing = findings.splice(firstMissing).sort((a, b) => a.rowNo - b.rowNo);
  findings.push(...missing);

  return {
    counts,
    matched,
    previous: { count: previous.length, totalMinor: previousTotal },
    current: { count: current.length, totalMinor: currentTotal },
    findings,
  };
}

/** `3 new payees, 1 changed destination, 2 changed amounts, 1 missing payee` */
export function comparisonHeadline(c: Pick<PayrollComparison, 'counts'>): string {
  const n = (count: number, one: string, many: string): string => `${count} ${count === 1 ? one : many}`;
  return [
    n(c.counts.new_payee, 'new payee', 'new payees'),
    n(c.counts.destination_changed, 'changed destination', 'changed destinations'),
    n(c.counts.amount_changed, 'changed amount', 'changed amounts'),
    n(c.counts.payee_missing, 'missing payee', 'missing payees'),
  ].join(', ');
}
