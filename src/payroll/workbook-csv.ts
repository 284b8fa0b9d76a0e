import { Readable } from 'node:stream';

/**
 * A sheet's records as the CSV the payroll core reads: one line per sheet row, so line N of the text is
 * row N of the sheet and every finding's line is the row Excel shows. Every non-empty cell is quoted (no
 * delimiter or quote inside a cell can shift a column); a line break inside a cell becomes a space (a
 * quoted line break would push the following rows' line numbers off the sheet's, and cleanText makes free
 * text's line breaks spaces anyway). An empty row is an empty line, which the core skips.
 *
 * This text is also what identifies the file: its SHA-256 is the payroll's hash, so a workbook saved
 * again with the same rows (new timestamps, styles, another author) is still the same file.
 */
const LINE_BREAKS = /\r\n|[\r\n]/g;

const csvCell = (text: string): string => (text === '' ? '' : `"${text.replace(LINE_BREAKS, ' ').replaceAll('"', '""')}"`);

/** The CSV line of one sheet row; a row of empty cells is an empty line. */
export function csvLine(row: readonly string[]): string {
  return row.every((cell) => cell === '') ? '' : row.map(csvCell).join(',');
}

const CHUNK_CHARS = 64 * 1024;

/** The rows as UTF-8 chunks of about 64 KB, each line ending in a line feed (a stream: PayrollInput is async). */
export const sheetAsCsv = (rows: readonly (readonly string[])[]): Readable => Readable.from(csvChunks(rows), { objectMode: false });

function* csvChunks(rows: readonly (readonly string[])[]): Generator<Buffer> {
  let text = '';
  for (const row of rows) {
    text += `${csvLine(row)}\n`;
    if (text.length >= CHUNK_CHARS) {
      yield Buffer.from(text, 'utf8');
      text = '';
    }
  }
  if (text !== '') yield Buffer.from(text, 'utf8');
}
