/**
 * Which character separates the fields: Excel writes `,` or, with European regional settings, `;`;
 * "Text (Tab delimited)" writes tabs; some HR systems write `|`. Excel's `sep=;` first line names it
 * outright and is honoured. Otherwise the header line decides: the candidate that occurs most often
 * outside quotes wins (ties: , then ; then tab then |); a header with none of them is comma-separated.
 */
export interface Dialect {
  delimiter: string;
  /** The file starts with Excel's `sep=X` line, which is not part of the data. */
  sepLine: boolean;
}

const CANDIDATES = [',', ';', '\t', '|'] as const;
/** A header line longer than this is not a header; decide with what we have. */
export const MAX_HEADER_CHARS = 64 * 1024;
const SEP_LINE = /^sep=([^\n"])[ \t]*$/i;

/** The dialect of a file from its first characters; undefined when more text is needed to tell. */
export function sniffDialect(text: string, final: boolean): Dialect | undefined {
  let start = 0;
  // Blank lines before the header are skipped (csv-parse skips them too).
  for (;;) {
    const end = text.indexOf('\n', start);
    if (end === -1 || text.slice(start, end).trim() !== '') break;
    start = end + 1;
  }
  const firstEnd = text.indexOf('\n', start);
  if (firstEnd === -1 && !final && text.length < MAX_HEADER_CHARS) return undefined;
  const firstLine = text.slice(start, firstEnd === -1 ? undefined : firstEnd);
  const sep = SEP_LINE.exec(firstLine);
  if (sep) return { delimiter: sep[1]!, sepLine: true };
  return { delimiter: headerDelimiter(text, start), sepLine: false };
}

function headerDelimiter(text: string, start: number): string {
  const counts = new Map<string, number>(CANDIDATES.map((c) => [c, 0]));
  let quoted = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === '\n') break;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best: string = ',';
  let bestCount = 0;
  for (const candidate of CANDIDATES) {
    const count = counts.get(candidate)!;
    if (count > bestCount) {
      best = candidate;
      bestCount = count;
    }
  }
  return best;
}
