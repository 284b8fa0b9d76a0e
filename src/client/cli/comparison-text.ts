import { formatKes, formatMinor } from '../../domain/money.js';
import { comparisonHeadline, type ComparisonFinding, type PayrollComparison } from '../../payroll/compare.js';

/** Findings `--json` lists at most (the counts are always complete). */
export const JSON_FINDINGS_MAX = 1000;

/** `50`, `12.5` -> the number; anything else (negative, text) -> undefined. */
export function parsePercent(raw: string): number | undefined {
  if (!/^\d+(?:\.\d+)?$/.test(raw.trim())) return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? value : undefined;
}

/** `line 4: <message> (new_payee)`; a missing payee names the previous file's line. */
function describeFinding(f: ComparisonFinding): string {
  return `${f.kind === 'payee_missing' ? 'previous file, line' : 'line'} ${f.line}: ${f.message} (${f.kind})`;
}

/** The section after the validation summary: the headline, the totals, then the first `max` findings. */
export function comparisonLines(previousPath: string, c: PayrollComparison, max: number): string[] {
  const out = [
    `Compared with ${previousPath}: ${comparisonHeadline(c)}.`,
    `  Previous run: ${c.previous.count} payouts, ${formatKes(c.previous.totalMinor)}; this file: ${c.current.count} valid payouts, ${formatKes(c.current.totalMinor)}; ${c.matched} matched.`,
  ];
  if (c.findings.length === 0) return out;
  const shown = c.findings.slice(0, max);
  out.push(`Comparison findings${c.findings.length > shown.length ? ` (first ${shown.length} of ${c.findings.length})` : ''} (warnings: they do not change the exit code):`);
  for (const f of shown) out.push(`  ${describeFinding(f)}`);
  return out;
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
