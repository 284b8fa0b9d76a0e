import { WorkbookError } from './workbook-error.js';

/**
 * What the reading library does not say about a workbook, read from its XML before the library runs:
 * the sheets in tab order (and which part holds each), and per sheet the facts that decide whether it may
 * be read at all: how large its grid is (the library builds rows as dense arrays, so one stray cell at
 * XFD1048576 would mean a billion-cell grid), which formulas have no saved result (the library reads those
 * as empty cells, which would silently drop an amount), and which cells are merged. Linear scans over text
 * already bounded by workbook-zip.ts.
 */

export interface SheetEntry {
  name: string;
  /** The zip part holding the sheet, e.g. `xl/worksheets/sheet1.xml`. */
  part: string;
}

/** Attribute values of one start tag (`a="1" r:id="rId1"`), names with their prefix. */
function attributes(tag: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const m of tag.matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) found.set(m[1]!, unescapeXml(m[2] ?? m[3] ?? ''));
  return found;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function unescapeXml(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (all, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : all;
    }
    return ENTITIES[body] ?? all;
  });
}

/** One unprefixed attribute of a start tag, cheaply: the per-cell path of the scan (a sheet has millions). */
const R_ATTR = /(?:^|\s)r\s*=\s*"([^"]*)"/;
const T_ATTR = /(?:^|\s)t\s*=\s*"([^"]*)"/;
const FORMULA = /<(?:\w+:)?f\b/;
const VALUE = /<(?:\w+:)?v\b/;

const attr = (attrs: Map<string, string>, local: string): string | undefined => {
  for (const [name, value] of attrs) if (name === local || name.endsWith(`:${local}`)) return value;
  return undefined;
};

/** The directory a part's relative targets start from: `xl/` for `xl/workbook.xml`. */
const folderOf = (part: string): string => part.slice(0, part.lastIndexOf('/') + 1);

function resolveTarget(from: string, target: string): string {
  const path = target.startsWith('/') ? target.slice(1) : folderOf(from) + target;
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '..') out.pop();
    else if (segment !== '.' && segment !== '') out.push(segment);
  }
  return out.join('/');
}

/** The sheets in tab order, each with its part. */
export function listSheets(parts: ReadonlyMap<string, Buffer>): SheetEntry[] {
  const workbookPart = parts.has('xl/workbook.xml') ? 'xl/workbook.xml' : [...parts.keys()].find((p) => p.endsWith('workbook.xml'));
  if (workbookPart === undefined) {
    throw new WorkbookError('workbook_unreadable', 'The file is a zip archive but not an Excel workbook (it has no workbook part). Save the payroll in Excel as .xlsx, or export it as CSV, and upload that.');
  }
  const relsPart = `${folderOf(workbookPart)}_rels/${workbookPart.slice(workbookPart.lastIndexOf('/') + 1)}.rels`;
  const targets = new Map<string, string>();
  for (const m of (parts.get(relsPart)?.toString('utf8') ?? '').matchAll(/<(?:\w+:)?Relationship\b([^>]*)>/g)) {
    const a = attributes(m[1]!);
    const id = attr(a, 'Id');
    const target = attr(a, 'Target');
    if (id !== undefined && target !== undefined) targets.set(id, resolveTarget(workbookPart, target));
  }
  const sheets: SheetEntry[] = [];
  for (const m of parts.get(workbookPart)!.toString('utf8').matchAll(/<(?:\w+:)?sheet\b([^>]*?)\/?>/g)) {
    const a = attributes(m[1]!);
    const name = attr(a, 'name');
    const part = targets.get(attr(a, 'id') ?? '');
    if (name !== undefined && part !== undefined) sheets.push({ name, part });
  }
  return sheets;
}

/** `C7` from zero-based column 2, row 7. */
export function cellAddress(column: number, row: number): string {
  let letters = '';
  for (let n = column + 1; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return `${letters}${row}`;
}

/** Zero-based column and 1-based row of `C7`; undefined when it is not a cell reference. */
export function parseAddress(ref: string): { column: number; row: number } | undefined {
  const m = /^\$?([A-Z]{1,3})\$?(\d{1,7})$/i.exec(ref.trim());
  if (!m) return undefined;
  let column = 0;
  for (const ch of m[1]!.toUpperCase()) column = column * 26 + (ch.charCodeAt(0) - 64);
  return { column: column - 1, row: Number(m[2]) };
}

export interface MergedRange {
  ref: string;
  top: number;
  bottom: number;
}

export interface SheetFacts {
  /** Cells the library would hold while reading: per row, up to its last cell (values or not). */
  gridCells: number;
  /** The last row holding a cell, and the widest row: Excel's own bounds are checked against these. */
  lastRow: number;
  lastColumn: number;
  /** Formula cells without a saved result, in sheet order (`D7`). */
  uncalculated: string[];
  /** Cells holding a formula error (`#DIV/0!`) by address: the library reads them as empty. */
  errors: Map<string, string>;
  merged: MergedRange[];
}

const EXCEL_MAX_ROWS = 1_048_576;
const EXCEL_MAX_COLUMNS = 16_384;

/**
 * The facts of one sheet's XML. `<row>` and `<c>` may carry their position (`r`) or leave it implied
 * (the next one); both are followed. A cell's content is searched for `<f` (a formula) and `<v` (its
 * saved result). About 1.5 µs a cell on this machine class: a 200,000-row payroll in about a second.
 */
export function scanSheet(xml: string): SheetFacts {
  const facts: SheetFacts = { gridCells: 0, lastRow: 0, lastColumn: 0, uncalculated: [], errors: new Map(), merged: [] };
  let row = 0;
  let column = -1;
  let rowWidth = 0;
  const closeRow = (): void => {
    facts.gridCells += rowWidth;
    rowWidth = 0;
  };
  // Start tags of rows and cells only; a cell's content is then found by its end tag, so the scan is
  // one pass of indexOf rather than a lazy regex over every cell.
  const tags = /<(\w+:)?(row|c)\b([^>]*)>/g;
  for (let m = tags.exec(xml); m !== null; m = tags.exec(xml)) {
    const attrs = m[3]!;
    if (m[2] === 'row') {
      closeRow();
      const r = Number(R_ATTR.exec(attrs)?.[1]);
      row = Number.isSafeInteger(r) && r > 0 ? r : row + 1;
      column = -1;
      continue;
    }
    let content: string | undefined;
    if (!attrs.endsWith('/')) {
      const close = `</${m[1] ?? ''}c>`;
      const end = xml.indexOf(close, tags.lastIndex);
      const stop = end === -1 ? xml.length : end;
      content = xml.slice(tags.lastIndex, stop);
      tags.lastIndex = end === -1 ? xml.length : end + close.length;
    }
    const ref = R_ATTR.exec(attrs)?.[1];
    const at = ref === undefined ? undefined : parseAddress(ref);
    column = at ? at.column : column + 1;
    if (at && at.row !== row) {
      // A cell outside its row element: place it by its own reference.
      closeRow();
      row = at.row;
    }
    if (row > EXCEL_MAX_ROWS || column >= EXCEL_MAX_COLUMNS) {
      throw new WorkbookError('workbook_unreadable', `The sheet has a cell beyond Excel's own limits (${cellAddress(Math.min(column, EXCEL_MAX_COLUMNS), row)}); the file is damaged. Open it in Excel, save it again, and upload that.`);
    }
    rowWidth = Math.max(rowWidth, column + 1);
    facts.lastRow = Math.max(facts.lastRow, row);
    facts.lastColumn = Math.max(facts.lastColumn, column + 1);
    if (content === undefined) continue;
    if (content.includes('f') && FORMULA.test(content) && !VALUE.test(content)) facts.uncalculated.push(cellAddress(column, row));
    else if (attrs.includes('t') && T_ATTR.exec(attrs)?.[1] === 'e') facts.errors.set(cellAddress(column, row), unescapeXml(/<(?:\w+:)?v\b[^>]*>([^<]*)</.exec(content)?.[1] ?? '#ERROR').trim());
  }
  closeRow();
  for (const m of xml.matchAll(/<(?:\w+:)?mergeCell\b([^>]*?)\/?>/g)) {
    const ref = attr(attributes(m[1]!), 'ref');
    const [from, to] = (ref ?? '').split(':').map(parseAddress);
    if (ref && from) facts.merged.push({ ref, top: from.row, bottom: (to ?? from).row });
  }
  return facts;
}
