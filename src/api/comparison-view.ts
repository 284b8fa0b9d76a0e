/**
 * The comparison as JSON (types only): what `src/api/comparison.ts` builds and the web console reads, in one
 * place. Kept free of the server's modules so the console, built for the browser, can import it.
 */
import type { ComparisonKind } from '../payroll/compare.js';

export interface ComparisonFindingView {
  kind: ComparisonKind;
  /** This file's row and line; null for `payee_missing` (the payee has no row in this file). */
  row: number | null;
  line: number | null;
  /** The previous batch's row and line of the same payee; null for `new_payee`. */
  previousRow: number | null;
  previousLine: number | null;
  employeeId: string | null;
  /** Masked: `MPESA 2547*****678`, `BANK ******6789 (01)`; for `payee_missing`, where it went last time. */
  destination: string | null;
  previousDestination: string | null;
  amount: string | null;
  previousAmount: string | null;
  /** (this − previous) / previous for `amount_changed`, e.g. 3 for +300%. */
  relativeChange: number | null;
  message: string;
}

export interface ComparisonView {
  previousBatchId: string;
  previousCreatedAt: string;
  counts: Record<ComparisonKind, number>;
  matched: number;
  previous: { count: number; totalAmount: string };
  current: { count: number; totalAmount: string };
  findings: ComparisonFindingView[];
  findingsTruncated: boolean;
}
