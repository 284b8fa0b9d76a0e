import { readSheet } from 'read-excel-file/node';
import { mapColumns } from './columns.js';
import { WorkbookError } from './workbook-error.js';
import { cellAddress, listSheets, scanSheet, type SheetFacts } from './workbook-scan.js';
import { repackWorkbook, tooLarge, unpackWorkbook } from './workbook-zip.js';

/**
 * An Excel workbook's sheet as the payroll core's records: the sheet's rows, each cell turned into the
 * text a CSV export of it would hold, so every rule, message, errors CSV and report of the CSV path
 * applies unchanged. Index i of `rows` is the sheet's row i + 1 as Excel shows it; index j of a row is
 * column j (A = 0). Cell types:
 *
 * - text: as stored (trimmed).
 * - numbers in the amount column: a value within a millionth of a shilling of a whole cent is that cent
 *   (`1500.5` → `1500.50`; `0.30000000000000004`, a sum's binary noise, → `0.30`); anything else keeps its
 *   digits (`1500.505`) and is refused like a CSV amount with more than 2 decimals. Never rounded to money.
 * - numbers elsewhere: every digit of a whole number (`712345678`, a phone that lost its leading 0, which
 *   the phone rule accepts; `254712345678`); other numbers as JavaScript writes them.
 * - dates: `2026-11-30` (with a time: ISO 8601). Booleans: `TRUE` / `FALSE`.
 * - formulas: their saved result. A formula with no saved result refuses the workbook, naming the cells;
 *   one whose result is an error shows it (`#DIV/0!`), so the rule for that column says what is wrong.
 * - merged cells: a merge within one row keeps its value in its first cell (as Excel shows it). A merge
 *   over several rows of the table refuses the workbook: each row must carry its own values.
 * - empty rows: skipped like blank CSV lines; empty rows after the last are not read at all.
 */

/** Cells the read may hold (rows up to their last cell): some 200,000 payroll rows of 10 columns. */
export const MAX_WORKBOOK_CELLS = 2_000_000;

export interface WorkbookLimits {
  /** Bytes of XML once unpacked (default MAX_WORKBOOK_XML_BYTES). */
  xmlBytes?: number;
  cells?: number;
}

export interface WorkbookSheet {
  /** The sheet that was read. */
  sheet: string;
  /** Every sheet of the workbook, in tab order (hidden ones included). */
  sheets: string[];
  rows: string[][];
}

/** A number cell's text exactly as stored in the file, so nothing is rounded before the rules see it. */
class StoredNumber {
  constructor(readonly raw: string) {}
}

type Cell = string | boolean | Date | StoredNumber | null;

/** The sheet named `sheet` (exact, else ignoring case and outer spaces), or the first one. */
function chooseSheet(names: readonly string[], sheet: string | undefined): string {
  if (names.length === 0) throw new WorkbookError('workbook_unreadable', 'The workbook has no sheets. Open it in Excel, check the payroll sheet is there, save it as .xlsx, and upload it again.', []);
  if (sheet === undefined) return names[0]!;
  const exact = names.find((n) => n === sheet);
  if (exact !== undefined) return exact;
  const loose = names.filter((n) => n.trim().toLowerCase() === sheet.trim().toLowerCase());
  if (loose.length === 1) return loose[0]!;
  throw new WorkbookError(
    'sheet_not_found',
    `The workbook has no sheet named "${sheet}". Its sheets are: ${names.map((n) => `"${n}"`).join(', ')}. Choose one of them, or leave the sheet out to read the first.`,
    names,
  );
}

const listCells = (cells: readonly string[]): string => (cells.length <= 5 ? cells.join(', ') : `${cells.slice(0, 5).join(', ')} and ${cells.length - 5} more`);

function checkSize(facts: SheetFacts, sheet: string, maxCells: number): void {
  const dense = facts.lastRow * facts.lastColumn;
  if (facts.gridCells > maxCells || dense > maxCells) {
    throw tooLarge(
      `sheet "${sheet}" spans ${facts.lastRow.toLocaleString('en')} rows by ${facts.lastColumn.toLocaleString('en')} columns (more than ${maxCells.toLocaleString('en')} cells)`,
    );
  }
}

function checkFormulas(facts: SheetFacts, sheet: string): void {
  if (facts.uncalculated.length === 0) return;
  const n = facts.uncalculated.length;
  throw new WorkbookError(
    'formula_not_calculated',
    `Sheet "${sheet}" has ${n === 1 ? 'a formula' : `${n} formulas`} whose result was never saved (cell${n === 1 ? '' : 's'} ${listCells(facts.uncalculated)}), ` +
      'so the amount or number it stands for is unknown; the program that wrote the file did not calculate it. Open the workbook in Excel or LibreOffice, let it calculate, save it, and upload it again.',
  );
}

/** The first row holding anything: the header, as the CSV path takes the first non-blank line. */
const headerIndex = (rows: readonly Cell[][]): number => rows.findIndex((row) => row.some((c) => c !== null && c !== ''));

function checkMerges(facts: SheetFacts, sheet: string, headerRow: number): void {
  const across = facts.merged.filter((m) => m.bottom > m.top && m.bottom >= headerRow);
  if (across.length === 0) return;
  throw new WorkbookError(
    'merged_cells',
    `Sheet "${sheet}" has cells merged over several rows (${listCells(across.map((m) => m.ref))}): a merged cell holds its value in its first row only, so the other rows would have none. ` +
      'Unmerge them (Home → Merge & Center → Unmerge Cells), fill in every row, save, and upload again.',
  );
}

const WHOLE_CENT_TOLERANCE = 1e-4;

/** An amount cell's number as the amount rule reads it (see the file comment). */
export function amountText(raw: string): string {
  const n = Number(raw);
  if (!Number.isFinite(n)) return raw;
  const cents = n * 100;
  const whole = Math.round(cents);
  if (Math.abs(cents - whole) >= WHOLE_CENT_TOLERANCE || !Number.isSafeInteger(whole)) return String(n);
  const abs = Math.abs(whole);
  return `${whole < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** A number outside the amount column: whole numbers with every digit, others as JavaScript writes them. */
export function numberText(raw: string): string {
  const n = Number(raw);
  return Number.isFinite(n) ? String(n) : raw;
}

function dateText(date: Date): string {
  const iso = date.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.replace('.000Z', 'Z');
}

function cellText(cell: Cell, isAmount: boolean, errorValue: string | undefined): string {
  if (cell === null) return errorValue ?? '';
  if (typeof cell === 'string') return cell;
  if (typeof cell === 'boolean') return cell ? 'TRUE' : 'FALSE';
  if (cell instanceof StoredNumber) return isAmount ? amountText(cell.raw) : numberText(cell.raw);
  return dateText(cell);
}

/** The rows as text, the header deciding which column holds amounts. */
export function sheetRecords(rows: readonly Cell[][], errors: ReadonlyMap<string, string> = new Map()): string[][] {
  const header = headerIndex(rows);
  let amountColumn = -1;
  if (header !== -1) {
    const mapping = mapColumns(rows[header]!.map((c) => cellText(c, false, undefined)));
    if (mapping.ok) amountColumn = mapping.map.index.amount;
  }
  return rows.map((row, i) => row.map((cell, j) => cellText(cell, j === amountColumn, errors.size === 0 ? undefined : errors.get(cellAddress(j, i + 1)))));
}

/**
 * Reads one sheet (`sheet`, or the first) of the workbook in `bytes`. Bounded: see workbook-zip.ts for the
 * unpacked size, MAX_WORKBOOK_CELLS for the grid. Throws WorkbookError, whose message says what to do.
 */
export async function readWorkbook(bytes: Buffer, options: { sheet?: string; limits?: WorkbookLimits } = {}): Promise<WorkbookSheet> {
  const parts = unpackWorkbook(bytes, options.limits?.xmlBytes);
  const entries = listSheets(parts);
  const names = entries.map((e) => e.name);
  const sheet = chooseSheet(names, options.sheet);
  const entry = entries.find((e) => e.name === sheet)!;
  const xml = parts.get(entry.part);
  if (xml === undefined) throw new WorkbookError('workbook_unreadable', `Sheet "${sheet}" is listed in the workbook but its content is missing; the file is damaged. Open it in Excel, save it again, and upload that.`, names);
  const facts = scanSheet(xml.toString('utf8'));
  checkSize(facts, sheet, options.limits?.cells ?? MAX_WORKBOOK_CELLS);
  checkFormulas(facts, sheet);

  let rows: Cell[][];
  try {
    rows = (await readSheet<StoredNumber>(repackWorkbook(parts), sheet, { parseNumber: (raw) => new StoredNumber(raw) })) as unknown as Cell[][];
  } catch (err) {
    throw new WorkbookError('workbook_unreadable', `Sheet "${sheet}" cannot be read (${(err as Error).message}). Open the workbook in Excel, save it again as .xlsx (or export the sheet as CSV), and upload that.`, names);
  }
  checkMerges(facts, sheet, headerIndex(rows) + 1);
  return { sheet, sheets: names, rows: sheetRecords(rows, facts.errors) };
}
