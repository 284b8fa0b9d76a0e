import { formatKes, formatMinor } from '../../domain/money.js';
import { comparisonHeadline, type ComparisonFinding, type PayrollComparison, type RunTotals } from '../../payroll/compare.js';
import type { Comparison } from './api-types.js';
import { minorOf } from './format.js';

/** Findings `--json` lists at most (the counts are always complete). */
export const JSON_FINDINGS_MAX = 1000;

/** `50`, `12.5` -> the number; anything else (negative, text) -> undefined. */
export function parsePercent(raw: string): number | undefined {
  if (!/^\d+(?:\.\d+)?$/.test(raw.trim())) return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * What the comparison section shows: the core's own comparison (`disburse validate --compare-with`), or
 * the API's (`disburse submit`) through comparisonFromApi.
 */
export interface ComparisonSummary {
  counts: PayrollComparison['counts'];
  matched: number;
  previous: RunTotals;
  current: RunTotals;
  findings: ReadonlyArray<Pick<ComparisonFinding, 'kind' | 'line' | 'message'>>;
  /** How many findings there are when `findings` holds only the first (the API lists at most 1,000). */
  findingsTotal?: number;
}

/** `line 4: <message> (new_payee)`; a missing payee names the previous run's line. */
function describeFinding(f: Pick<ComparisonFinding, 'kind' | 'line' | 'message'>, previousName: string): string {
  return `${f.kind === 'payee_missing' ? `${previousName}, line` : 'line'} ${f.line}: ${f.message} (${f.kind})`;
}

/**
 * The section after the validation summary: the headline, the totals, then the first `max` findings.
 * `previous` names the previous run (a path, a batch); `previousName` is how a missing payee's line is placed.
 */
export function comparisonLines(previous: string, c: ComparisonSummary, max: number, previousName = 'previous file'): string[] {
  const out = [
    `Compared with ${previous}: ${comparisonHeadline(c)}.`,
    `  Previous run: ${c.previous.count} payouts, ${formatKes(c.previous.totalMinor)}; this file: ${c.current.count} valid payouts, ${formatKes(c.current.totalMinor)}; ${c.matched} matched.`,
  ];
  if (c.findings.length === 0) return out;
  const shown = c.findings.slice(0, max);
  const total = c.findingsTotal ?? c.findings.length;
  out.push(`Comparison findings${total > shown.length ? ` (first ${shown.length} of ${total})` : ''} (warnings: they do not change the exit code):`);
  for (const f of shown) out.push(`  ${describeFinding(f, previousName)}`);
  return out;
}

/** The API's comparison in the shape comparisonLines reads: this file's line, or the previous batch's for a missing payee. */
export function comparisonFromApi(c: Comparison): ComparisonSummary {
  return {
    counts: c.counts,
    matched: c.matched,
    previous: { count: c.previous.count, totalMinor: minorOf(c.previous.totalAmount) },
    current: { count: c.current.count, totalMinor: minorOf(c.current.totalAmount) },
    findings: c.findings.map((f) => ({ kind: f.kind, line: f.line ?? f.previousLine ?? 0, message: f.message })),
    findingsTotal: Object.values(c.counts).reduce((a, b) => a + b, 0),
  };
}

/** `--json`'s `comparison`: counts, totals as decimal strings, findings (the first JSON_FINDINGS_MAX). */
export function comparisonJson(c: PayrollComparison): object {
  return {
    counts: c.counts,
    matched: c.matched,
    previous: { count: c.previous.count, totalAmount: formatMinor(c.previous.totalMinor) },
    current: { count: c.current.count, totalAmount: formatMinor(c.current.totalMinor) },
    findings: c.findings.slice(0, JSON_FINDINGS_MAX),
    findingsTruncated: c.findings.length > JSON_FINDINGS_MAX,
  };
}
