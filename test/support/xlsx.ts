import { strToU8, zipSync, type Zippable } from 'fflate';
import { cellAddress } from '../../src/payroll/workbook-scan.js';

/**
 * Tiny .xlsx workbooks built in the test, part by part, the way Excel writes them (shared strings, a
 * styles part with a date format, `r` on every row and cell): no binary fixture is committed, and each
 * test states exactly which cell types it holds.
 */
export type TestCell =
  | string
  | number
  | boolean
  | null
  | { formula: string; cached?: string | number; text?: boolean }
  | { error: string }
  | { date: number }
  | { raw: string };

export interface TestSheet {
  name: string;
  rows: TestCell[][];
  /** Merged ranges, e.g. `A2:A3`. */
  merges?: string[];
  /** Row of the first row (default 1) and column of the first cell (default 0 = A). */
  firstRow?: number;
  firstColumn?: number;
  /** Raw XML put inside <sheetData> after the rows (for hand-made oddities). */
  extraXml?: string;
}

const esc = (s: string): string => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

function cellXml(cell: TestCell, ref: string, strings: string[]): string {
  if (cell === null) return '';
  if (typeof cell === 'string') {
    strings.push(cell);
    return `<c r="${ref}" t="s"><v>${strings.length - 1}</v></c>`;
  }
  if (typeof cell === 'number') return `<c r="${ref}"><v>${String(cell)}</v></c>`;
  if (typeof cell === 'boolean') return `<c r="${ref}" t="b"><v>${cell ? 1 : 0}</v></c>`;
  if ('formula' in cell) {
    const v = cell.cached === undefined ? '' : `<v>${esc(String(cell.cached))}</v>`;
    return `<c r="${ref}"${cell.text ? ' t="str"' : ''}><f>${esc(cell.formula)}</f>${v}</c>`;
  }
  if ('error' in cell) return `<c r="${ref}" t="e"><f>1/0</f><v>${esc(cell.error)}</v></c>`;
  if ('date' in cell) return `<c r="${ref}" s="1"><v>${cell.date}</v></c>`;
  return `<c r="${ref}"><v>${cell.raw}</v></c>`;
}

function sheetXml(sheet: TestSheet, strings: string[]): string {
  const first = sheet.firstRow ?? 1;
  const col0 = sheet.firstColumn ?? 0;
  const rows = sheet.rows
    .map((cells, i) => {
      const r = first + i;
      return `<row r="${r}">${cells.map((c, j) => cellXml(c, cellAddress(col0 + j, r), strings)).join('')}</row>`;
    })
    .join('');
  const merges = sheet.merges?.length ? `<mergeCells count="${sheet.merges.length}">${sheet.merges.map((m) => `<mergeCell ref="${m}"/>`).join('')}</mergeCells>` : '';
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${rows}${sheet.extraXml ?? ''}</sheetData>${merges}</worksheet>`;
}

const STYLES =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
  '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" applyNumberFormat="1"/></cellXfs></styleSheet>';

/** The parts of a workbook with these sheets, before zipping (tests may add or replace parts). */
export function workbookParts(sheets: TestSheet[]): Record<string, string> {
  const strings: string[] = [];
  const parts: Record<string, string> = {};
  sheets.forEach((s, i) => (parts[`xl/worksheets/sheet${i + 1}.xml`] = sheetXml(s, strings)));
  parts['[Content_Types].xml'] =
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
    sheets.map((_, i) => `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`).join('') +
    '</Types>';
  parts['_rels/.rels'] =
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>';
  parts['xl/workbook.xml'] =
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>' +
    sheets.map((s, i) => `<sheet name="${esc(s.name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('') +
    '</sheets></workbook>';
  parts['xl/_rels/workbook.xml.rels'] =
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
    sheets.map((_, i) => `<Relationship Id="rId${i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join('') +
    `<Relationship Id="rId${sheets.length + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
    `<Relationship Id="rId${sheets.length + 2}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>` +
    '</Relationships>';
  parts['xl/styles.xml'] = STYLES;
  parts['xl/sharedStrings.xml'] =
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="${strings.length}" uniqueCount="${strings.length}">` +
    strings.map((s) => `<si><t xml:space="preserve">${esc(s)}</t></si>`).join('') +
    '</sst>';
  return parts;
}

/** Zips parts (deflated, as Excel does). */
export function zipParts(parts: Record<string, string | Uint8Array>): Buffer {
  const files: Zippable = {};
  for (const [name, content] of Object.entries(parts)) files[name] = typeof content === 'string' ? strToU8(content) : content;
  const zipped = zipSync(files, { level: 6 });
  return Buffer.from(zipped.buffer, zipped.byteOffset, zipped.byteLength);
}

export const buildWorkbook = (sheets: TestSheet[]): Buffer => zipParts(workbookParts(sheets));

/** The rows of a CSV payroll as workbook cells: every cell text, as if typed into Excel as text. */
export const csvAsRows = (csv: string): TestCell[][] =>
  csv
    .trimEnd()
    .split('\n')
    .map((line) => (line === '' ? [] : line.split(',')));

/** A zip of `count` parts, each the deflate stream `blob`, every header claiming 1 byte once unpacked. */
export function zipBomb(blob: Buffer, count = 1): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (let i = 0; i < count; i++) {
    const name = Buffer.from(`xl/worksheets/sheet${i + 1}.xml`);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(blob.length, 18);
    local.writeUInt32LE(1, 22); // the lie: "1 byte once unpacked"
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(blob.length, 20);
    central.writeUInt32LE(1, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, blob);
    centrals.push(central, name);
    offset += 30 + name.length + blob.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}
