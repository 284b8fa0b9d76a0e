import type { Issue } from './issues.js';

/**
 * The officer's errors file: one line per finding, opened in Excel next to the payroll. Cells that a
 * spreadsheet would run as a formula (starting with = + - @, tab or carriage return) get a leading
 * apostrophe, so a crafted value in an upload cannot execute anything on the officer's machine.
 */
export const ERRORS_CSV_HEADER = 'line,row,severity,column,rule,value,message';

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\n\r]/;

export function neutraliseFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  const text = neutraliseFormula(String(value));
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function errorsCsvLine(issue: Issue): string {
  return [issue.line, issue.rowNo, issue.severity, issue.column, issue.rule, issue.value, issue.message].map(csvCell).join(',');
}

/**
 * Writes the errors CSV, the one writer for every copy of it: the CLI's `--errors-csv` (as, or inside, a
 * PayrollSink while validation goes) and the API's `errors.csv` (from the stored findings), so both are
 * the same bytes for the same file. Bounded buffering, backpressure at each checkpoint. Starts with a
 * UTF-8 byte-order mark so Excel reads it right.
 */
export class ErrorsCsvWriter {
  private lines: string[] = [`\ufeff${ERRORS_CSV_HEADER}`];
  count = 0;

  constructor(private readonly out: NodeJS.WritableStream) {}

  issue(issue: Issue): void {
    this.lines.push(errorsCsvLine(issue));
    this.count++;
  }

  async checkpoint(): Promise<void> {
    if (this.lines.length < 500) return;
    await this.flush();
  }

  /** Writes `pages` of findings (stored ones, say) and closes. */
  async writeAll(pages: AsyncIterable<readonly Issue[]>): Promise<void> {
    for await (const page of pages) {
      for (const issue of page) this.issue(issue);
      await this.checkpoint();
    }
    await this.close();
  }

  async close(): Promise<void> {
    await this.flush();
    await new Promise<void>((resolve, reject) => {
      this.out.once('error', reject);
      this.out.end(() => resolve());
    });
  }

  private async flush(): Promise<void> {
    if (this.lines.length === 0) return;
    const text = `${this.lines.join('\n')}\n`;
    this.lines = [];
    if (!this.out.write(text)) await drained(this.out);
  }
}

/** Resolves when `out` takes more; rejects when it is closed first (a download abandoned half way). */
function drained(out: NodeJS.WritableStream): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const settle = (err?: Error): void => {
      out.off('drain', onDrain);
      out.off('close', onClose);
      out.off('error', settle);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = (): void => settle();
    const onClose = (): void => settle(new Error('The errors CSV output was closed before everything was written.'));
    out.once('drain', onDrain);
    out.once('close', onClose);
    out.once('error', settle);
  });
}
