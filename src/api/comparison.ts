/**
 * A file compared with the previous run of its payroll, as the API shows it: the preview before anything is
 * stored, the answer to a submission, and a stored batch's page. The comparison itself is the payroll core's
 * (src/payroll/compare.ts); this module finds the previous run in PostgreSQL and turns findings into JSON
 * (KES strings, masked destinations as the core made them, rows of this file and of the previous one).
 */
import type { Batch, Queryable } from '../db/batches.js';
import { payrollRowsOf, previousBatchOfPayroll, type StoredPayrollRow } from '../db/payroll-history.js';
import { formatMinor } from '../domain/money.js';
import { type ComparisonFinding, comparePayrolls } from '../payroll/compare.js';
import type { ComparisonFindingView, ComparisonView } from './comparison-view.js';

/** Findings listed at most; the counts are always complete. */
export const COMPARISON_FINDINGS_MAX = 1000;

export type { ComparisonFindingView, ComparisonView } from './comparison-view.js';

type CurrentRow = Parameters<typeof comparePayrolls>[1][number];

function findingView(f: ComparisonFinding, previousRowOfLine: (line: number) => number | null): ComparisonFindingView {
  const none = { destination: null, previousDestination: null, amount: null, previousAmount: null, relativeChange: null };
  const here = { row: f.rowNo, line: f.line, employeeId: f.employeeId, message: f.message };
  switch (f.kind) {
    case 'new_payee':
      return { kind: f.kind, ...here, previousRow: null, previousLine: null, ...none, destination: f.destination, amount: formatMinor(f.amountMinor) };
    case 'destination_changed':
      return { kind: f.kind, ...here, previousRow: previousRowOfLine(f.previousLine), previousLine: f.previousLine, ...none, destination: f.destination, previousDestination: f.previousDestination };
    case 'amount_changed':
      return {
        kind: f.kind,
        ...here,
        previousRow: previousRowOfLine(f.previousLine),
        previousLine: f.previousLine,
        ...none,
        amount: formatMinor(f.amountMinor),
        previousAmount: formatMinor(f.previousAmountMinor),
        relativeChange: Number.isFinite(f.relativeChange) ? Math.round(f.relativeChange * 10_000) / 10_000 : null,
      };
    case 'payee_missing':
      // The core gives a missing payee the previous file's row and line: they are the previous batch's here.
      return { kind: f.kind, row: null, line: null, previousRow: f.rowNo, previousLine: f.line, employeeId: f.employeeId, message: f.message, ...none, destination: f.destination, previousAmount: formatMinor(f.previousAmountMinor) };
  }
}

/** The comparison of `current` (this file's valid rows) with the stored rows of `previous`. */
export function comparisonView(previous: Batch, previousRows: readonly StoredPayrollRow[], current: readonly CurrentRow[]): ComparisonView {
  const c = comparePayrolls(previousRows, current);
  const rowOfLine = new Map(previousRows.map((r) => [r.line, r.rowNo]));
  return {
    previousBatchId: previous.id,
    previousCreatedAt: previous.createdAt.toISOString(),
    counts: c.counts,
    matched: c.matched,
    previous: { count: c.previous.count, totalAmount: formatMinor(c.previous.totalMinor) },
    current: { count: c.current.count, totalAmount: formatMinor(c.current.totalMinor) },
    findings: c.findings.slice(0, COMPARISON_FINDINGS_MAX).map((f) => findingView(f, (line) => rowOfLine.get(line) ?? null)),
    findingsTruncated: c.findings.length > COMPARISON_FINDINGS_MAX,
  };
}

/** A file not stored yet (a dry run) against the newest batch of `payroll`; null when the payroll has none. */
export async function compareWithPayroll(db: Queryable, payroll: string, current: readonly CurrentRow[]): Promise<ComparisonView | null> {
  const previous = await previousBatchOfPayroll(db, payroll);
  if (!previous) return null;
  return comparisonView(previous, await payrollRowsOf(db, previous.id), current);
}

/**
 * A stored batch against the previous run of its payroll (the newest older batch with its label, not
 * cancelled). Recomputed from PostgreSQL each time: nothing about the comparison is stored. Null when the
 * batch has no label or its payroll no earlier run.
 */
export async function compareBatchWithPrevious(db: Queryable, batch: Batch): Promise<ComparisonView | null> {
  if (batch.payroll === null) return null;
  const previous = await previousBatchOfPayroll(db, batch.payroll, batch);
  if (!previous) return null;
  const [previousRows, rows] = await Promise.all([payrollRowsOf(db, previous.id), payrollRowsOf(db, batch.id)]);
  return comparisonView(previous, previousRows, rows);
}
