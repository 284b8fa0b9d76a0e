import { CsvError } from 'csv-parse';
import { parse } from 'csv-parse/sync';
import { RULES, fileIssue, type Issue } from './issues.js';

/** Called for every record (blank lines included, as `['']`) with the line it starts on. */
export type RecordHandler = (fields: string[], line: number) => void;

/**
 * The most characters one record may hold (line breaks inside its quoted cells included). A longer one is
 * refused as soon as its text passes the limit, so a stray quote or a huge cell never makes the reader
 * hold, or csv-parse re-read, megabytes of text.
 */
export const MAX_RECORD_CHARS = 128_000;
const QUOTE = 0x22;

/** The record starting on `line` is longer than MAX_RECORD_CHARS; nothing after that point is read. */
export class RecordTooLongError extends Error {
  readonly code = 'record_too_long';

  constructor(readonly line: number) {
    super(`The record starting on line ${line} is longer than ${MAX_RECORD_CHARS} characters.`);
    this.name = 'RecordTooLongError';
  }
}

/** How a finding names the record on `line`: "Row 3 (line 4)", "The header (line 1)". */
export type RecordPlace = (line: number) => string;

function lineBreaksIn(fields: readonly string[]): number {
  let count = 0;
  for (const field of fields) {
    for (let i = field.indexOf('\n'); i !== -1; i = field.indexOf('\n', i + 1)) count++;
  }
  return count;
}

function countLineBreaks(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function countQuotes(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('"', from); i !== -1 && i < to; i = text.indexOf('"', i + 1)) n++;
  return n;
}

/**
 * Splits one line in the plainest CSV shape: each cell either has no quote at all, or is wholly quoted
 * (`"Otieno, James"`, `"say ""hi"""`) and followed by the delimiter or the end of the line. Anything else
 * (a quote inside an unquoted cell, text after a closing quote, a quote left open) returns undefined and
 * goes to csv-parse. In this shape there is exactly one reading, the one csv-parse gives.
 */
export function splitPlainLine(line: string, delimiter: string): string[] | undefined {
  const fields: string[] = [];
  const end = line.length;
  let i = 0;
  for (;;) {
    if (line.charCodeAt(i) === QUOTE) {
      let value = '';
      let from = i + 1;
      for (;;) {
        const q = line.indexOf('"', from);
        if (q === -1) return undefined;
        if (line.charCodeAt(q + 1) === QUOTE) {
          value += line.slice(from, q + 1);
          from = q + 2;
          continue;
        }
        value += line.slice(from, q);
        fields.push(value);
        if (q + 1 === end) return fields;
        if (line[q + 1] !== delimiter) return undefined;
        i = q + 2;
        break;
      }
    } else {
      const next = line.indexOf(delimiter, i);
      const field = line.slice(i, next === -1 ? end : next);
      if (field.includes('"')) return undefined;
      fields.push(field);
      if (next === -1) return fields;
      i = next + 1;
    }
  }
}

/**
 * Reads records from LF-terminated text (see line-endings.ts) chunk by chunk, handing each over
 * synchronously with the line it starts on.
 *
 * csv-parse is the parser for everything that needs one: a record whose quoting is anything but the plain
 * shape above (cells spanning lines, quotes inside unquoted cells, malformed quoting) is collected with
 * the lines that follow until csv-parse reads it as complete records, and csv-parse's reading is taken.
 * Lines in the plain shape (nearly every line of a payroll export) are split directly: csv-parse is
 * byte-at-a-time JavaScript at about 100,000 records a second on this class of machine, which alone would
 * miss the 150,000 rows a second the engine must validate. A property test holds the two to the same
 * records, lines and errors for any input and any chunking.
 *
 * Line numbers: a record spans one line plus the line breaks inside its quoted cells.
 */
export class CsvRecordReader {
  private readonly options;
  /** The incomplete last line of the text so far. */
  private carry = '';
  /** Complete lines waiting for csv-parse: they start a record it has not read to its end yet. */
  private pending = '';
  private pendingLines = 0;
  private pendingQuotes = 0;
  /** Line on which the next record starts. */
  private nextLine = 1;

  constructor(private readonly delimiter: string, private readonly onRecord: RecordHandler) {
    this.options = { delimiter, record_delimiter: '\n', relax_column_count: true, relax_quotes: true, bom: false } as const;
  }

  /** Line on which the record being read starts (where a parse error is reported). */
  get line(): number {
    return this.nextLine;
  }

  /** Reads the complete lines of `chunk` (with what was left over before); the rest waits for more. */
  write(chunk: string): void {
    // The carry holds no line break: the search for the next one starts after it, so a long line read in
    // many chunks is scanned once, not once per chunk.
    const scanFrom = this.carry.length;
    const text = this.carry === '' ? chunk : this.carry + chunk;
    const { delimiter } = this;
    let start = 0;
    let quote = text.indexOf('"');
    for (let nl = text.indexOf('\n', scanFrom); nl !== -1; nl = text.indexOf('\n', start)) {
      if (quote !== -1 && quote < start) quote = text.indexOf('"', start);
      if (this.pendingLines === 0 && nl - start <= MAX_RECORD_CHARS) {
        if (quote === -1 || quote > nl) {
          this.emit(text.slice(start, nl).split(delimiter), 1);
          start = nl + 1;
          continue;
        }
        const fields = splitPlainLine(text.slice(start, nl), delimiter);
        if (fields) {
          this.emit(fields, 1);
          start = nl + 1;
          continue;
        }
      }
      this.hold(text, start, nl + 1, false);
      start = nl + 1;
    }
    this.carry = text.slice(start);
    this.checkOpenRecord();
  }

  /** Reads the last line (which has no line break) and whatever csv-parse still holds. */
  end(): void {
    const last = this.carry;
    this.carry = '';
    if (this.pendingLines === 0 && last !== '') {
      const fields = last.includes('"') ? splitPlainLine(last, this.delimiter) : last.split(this.delimiter);
      if (fields && last.length <= MAX_RECORD_CHARS) {
        this.emit(fields, 1);
        return;
      }
    }
    if (last !== '') this.hold(last, 0, last.length, true);
    else if (this.pendingLines > 0) this.parsePending(true);
  }

  /**
   * A csv-parse error or an over-long record as a file-level finding at the record where reading stopped;
   * other errors rethrown. `place` names that record for the officer (default: its line).
   */
  describe(err: unknown, place: RecordPlace = (l) => `Line ${l}`): Issue {
    if (err instanceof RecordTooLongError) {
      const message =
        `${place(err.line)}: a record longer than ${MAX_RECORD_CHARS.toLocaleString('en')} characters, the most one row may hold. ` +
        'Split the long cell, or check for a quote that is never closed (the cell then runs on over the following lines). ' +
        'The file must be fixed before it can be checked further.';
      return fileIssue(RULES.recordTooLong, message, { line: err.line });
    }
    if (!(err instanceof CsvError)) throw err;
    const line = this.nextLine;
    const afterQuote = `Line ${line} has text right after a closing quote; a quote inside a quoted cell must be doubled ("").`;
    const messages: Record<string, string> = {
      CSV_QUOTE_NOT_CLOSED: `The quoted cell that starts on line ${line} is never closed: a closing " is missing.`,
      CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: afterQuote,
      CSV_INVALID_CLOSING_QUOTE: afterQuote,
    };
    const message = messages[err.code] ?? `Line ${line} cannot be read as CSV (${err.code}).`;
    return fileIssue(RULES.csvMalformed, `${message} The file must be fixed before it can be checked further.`, { line });
  }

  /**
   * Adds text[from, to) to the lines waiting for csv-parse and asks csv-parse to read them when they may
   * be complete: an even number of quotes (a quoted cell closed), at 1, 2, 4, 8... lines (relaxed quotes
   * leave the count odd; this bounds the re-reading), or at the end of the input. A line that would take
   * the waiting text over the record limit is refused before it is added.
   */
  private hold(text: string, from: number, to: number, final: boolean): void {
    // The line break ending a record is not part of it; one inside a quoted cell (already waiting) is.
    const length = to - from - (text.charCodeAt(to - 1) === 0x0a ? 1 : 0);
    if (this.pending.length + length > MAX_RECORD_CHARS) {
      if (this.pendingLines > 0) this.parsePending(false);
      // What is still waiting is the start of one open record, and this line belongs to it (or starts one).
      if (this.pending.length + length > MAX_RECORD_CHARS) throw new RecordTooLongError(this.nextLine);
    }
    this.pending += text.slice(from, to);
    this.pendingLines++;
    this.pendingQuotes += countQuotes(text, from, to);
    const n = this.pendingLines;
    if (final || this.pendingQuotes % 2 === 0 || (n & (n - 1)) === 0) this.parsePending(final);
  }

  /** The record being read is at least the waiting lines plus the incomplete last line: refused past the limit. */
  private checkOpenRecord(): void {
    if (this.pending.length + this.carry.length <= MAX_RECORD_CHARS) return;
    if (this.pendingLines > 0) this.parsePending(false);
    if (this.pending.length + this.carry.length > MAX_RECORD_CHARS) throw new RecordTooLongError(this.nextLine);
  }

  private parsePending(final: boolean): void {
    let records: string[][];
    try {
      records = parse(this.pending, this.options);
    } catch (err) {
      // A quoted cell still open: its end is in lines to come.
      if (!final && err instanceof CsvError && err.code === 'CSV_QUOTE_NOT_CLOSED') {
        this.keepOpenRecord(typeof err.records === 'number' ? err.records : 0);
        return;
      }
      throw err;
    }
    this.pending = '';
    this.pendingLines = 0;
    this.pendingQuotes = 0;
    for (const fields of records) this.emit(fields, 1 + lineBreaksIn(fields));
  }

  /**
   * The waiting lines hold `complete` finished records and then the start of an open one: the finished
   * ones are read now (nothing that follows can change them), so what waits is the open record alone and
   * its length is what the limit is checked against.
   */
  private keepOpenRecord(complete: number): void {
    if (complete === 0) return;
    const rows = parse(this.pending, { ...this.options, raw: true, to: complete }) as unknown as Array<{ record: string[]; raw: string }>;
    let used = 0;
    for (const { record, raw } of rows) {
      used += raw.length;
      this.emit(record, 1 + lineBreaksIn(record));
    }
    this.pending = this.pending.slice(used);
    this.pendingLines = countLineBreaks(this.pending);
    this.pendingQuotes = countQuotes(this.pending, 0, this.pending.length);
  }

  private emit(fields: string[], span: number): void {
    const line = this.nextLine;
    this.nextLine += span;
    this.onRecord(fields, line);
  }
}
