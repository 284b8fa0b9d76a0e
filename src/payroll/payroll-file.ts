import { toBuffer, type PayrollInput } from './input.js';
import { WorkbookError } from './workbook-error.js';
import { readWorkbook, type WorkbookLimits } from './workbook.js';
import { sheetAsCsv } from './workbook-csv.js';
import { isLegacyXls, isZip } from './workbook-zip.js';

/** What the sender said the file is (a Content-Type, a file name); the bytes have the last word. */
export interface PayrollFileHints {
  /** The sheet to read from a workbook (default: the first). A CSV has no sheets: ignored there. */
  sheet?: string;
  /** The sender called it a workbook (.xlsx name or the spreadsheetml Content-Type). */
  claimsWorkbook?: boolean;
  /** The sender called it a legacy Excel file (.xls name or application/vnd.ms-excel). */
  claimsXls?: boolean;
  limits?: WorkbookLimits;
}

/** For a workbook: which sheet was read, and all of them (so a UI can offer another). */
export interface WorkbookFacts {
  format: 'xlsx';
  sheet: string;
  sheets: string[];
}

export interface OpenedPayroll {
  /** What the payroll core validates: the CSV as received, or the workbook's sheet as CSV (workbook-csv.ts). */
  input: PayrollInput;
  workbook: WorkbookFacts | null;
}

export { XLS_CONTENT_TYPE, XLSX_CONTENT_TYPE } from './file-types.js';

const legacyXls = (): WorkbookError =>
  new WorkbookError(
    'legacy_xls',
    'This is a legacy Excel .xls file (or a password-protected workbook, which Excel stores the same old way), which is not read: ' +
      'open it in Excel, remove any password, and save as .xlsx (Excel Workbook) or CSV, then upload that.',
  );

/**
 * Tells a workbook from a CSV by its first bytes (zip: `PK\x03\x04`; legacy .xls: `D0 CF 11 E0`) and
 * gives the payroll core its records either way. A CSV streams on untouched; a workbook is read whole
 * (a zip's directory is at its end), within the upload's byte limit and the bounds of workbook.ts.
 */
export async function openPayroll(input: PayrollInput, hints: PayrollFileHints = {}): Promise<OpenedPayroll> {
  const source = input[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headLength = 0;
  let ended = false;
  while (headLength < 4) {
    const next = await source.next();
    if (next.done) {
      ended = true;
      break;
    }
    const chunk = toBuffer(next.value);
    head.push(chunk);
    headLength += chunk.length;
  }
  const start = Buffer.concat(head, headLength);
  if (isLegacyXls(start) || (hints.claimsXls && !isZip(start))) {
    await source.return?.();
    throw legacyXls();
  }
  if (isZip(start) || hints.claimsWorkbook) {
    if (!isZip(start)) {
      await source.return?.();
      throw new WorkbookError('workbook_unreadable', 'The file was sent as an Excel workbook (.xlsx) but is not one (an .xlsx file is a zip archive). Send a CSV as text/csv, or save the payroll in Excel as .xlsx and upload that.');
    }
    const chunks: Buffer[] = [start];
    if (!ended) for (let next = await source.next(); !next.done; next = await source.next()) chunks.push(toBuffer(next.value));
    const sheet = await readWorkbook(Buffer.concat(chunks), { ...(hints.sheet === undefined ? {} : { sheet: hints.sheet }), ...(hints.limits ? { limits: hints.limits } : {}) });
    return { input: sheetAsCsv(sheet.rows), workbook: { format: 'xlsx', sheet: sheet.sheet, sheets: sheet.sheets } };
  }
  return { input: resume(start, ended, source), workbook: null };
}

/** The bytes already read, then the rest of the source; an early stop closes the source. */
async function* resume(start: Buffer, ended: boolean, source: AsyncIterator<Buffer | Uint8Array | string>): AsyncGenerator<Buffer> {
  try {
    if (start.length > 0) yield start;
    if (ended) return;
    for (let next = await source.next(); !next.done; next = await source.next()) yield toBuffer(next.value);
  } finally {
    await source.return?.();
  }
}
