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
 * Streams findings into an errors CSV as validation goes (use it as, or inside, a PayrollSink): bounded
 * buffering, backpressure at each checkpoint. Starts with a UTF-8 byte-order mark so Excel reads it right.
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
    if (!this.out.write(text)) await new Promise<void>((resolve) => this.out.once('drain', () => resolve()));
  }
}
