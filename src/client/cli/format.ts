/** Text for people: money, counts, findings, tables. Money arrives as decimal strings and is parsed strictly. */
import { formatKes, parseDecimal, type MinorUnits } from '../../domain/money.js';
import type { Finding } from './api-types.js';

/** "1500.50" -> minor units; a malformed amount from the API is a bug worth seeing, not a silent NaN. */
export function minorOf(decimal: string): MinorUnits {
  return parseDecimal(decimal);
}

/** "20240.00" -> "KES 20,240.00". */
export function kes(decimal: string): string {
  return formatKes(minorOf(decimal));
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `line 12, column "phone": <message> (rule)`, as `disburse validate` prints findings. */
export function describeFinding(f: Finding): string {
  const where = [f.line === null ? 'file' : `line ${f.line}`, f.column === null ? undefined : `column "${f.column}"`].filter(Boolean).join(', ');
  return `${where}: ${f.message} (${f.rule})`;
}

/** A titled list of findings, at most `max` of them. */
export function findingLines(title: string, findings: readonly Finding[], max: number): string[] {
  if (findings.length === 0) return [];
  const shown = findings.slice(0, max);
  return [`${title}${findings.length > shown.length ? ` (first ${shown.length} of ${findings.length})` : ''}:`, ...shown.map((f) => `  ${describeFinding(f)}`)];
}

/** Left-aligned columns separated by two spaces; `right` names columns to right-align (numbers). */
export function table(headers: readonly string[], rows: readonly (readonly string[])[], right: ReadonlySet<number> = new Set()): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}

/** "2026-11-28T09:15:02.123Z" -> "2026-11-28 09:15" (UTC), short enough for a table. */
export function shortTime(iso: string): string {
  return iso.replace('T', ' ').slice(0, 16);
}

/** Writes lines, each ending in a newline. */
export function writeLines(stream: NodeJS.WritableStream, lines: readonly string[]): void {
  if (lines.length > 0) stream.write(`${lines.join('\n')}\n`);
}
