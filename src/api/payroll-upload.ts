import { openPayroll, XLS_CONTENT_TYPE, XLSX_CONTENT_TYPE, type OpenedPayroll, type PayrollFileHints } from '../payroll/payroll-file.js';
import type { PayrollInput } from '../payroll/input.js';
import { WorkbookError, type WorkbookErrorCode } from '../payroll/workbook-error.js';
import { Problem } from './problem.js';

/**
 * The upload route's side of Excel workbooks: what the sender's Content-Type and file name say the file
 * is, and a workbook's refusals as problem details. The reading itself is the payroll core's
 * (src/payroll/payroll-file.ts); the route stays about HTTP.
 */

/** Body types read as raw Excel bytes: a workbook (read), a legacy .xls (refused with 415 and what to do). */
export const WORKBOOK_CONTENT_TYPES = [XLSX_CONTENT_TYPE, XLS_CONTENT_TYPE] as const;

const mediaType = (contentType: string | undefined): string => (contentType ?? '').split(';')[0]!.trim().toLowerCase();

/** The hints for openPayroll from a Content-Type (of the body or of the multipart part) and a file name. */
export function uploadHints(contentType: string | undefined, fileName: string | undefined, sheet: string | undefined): PayrollFileHints {
  const type = mediaType(contentType);
  const name = (fileName ?? '').trim().toLowerCase();
  return {
    ...(sheet === undefined ? {} : { sheet }),
    claimsWorkbook: type === XLSX_CONTENT_TYPE || name.endsWith('.xlsx'),
    claimsXls: type === XLS_CONTENT_TYPE || name.endsWith('.xls'),
  };
}

const STATUS: Record<WorkbookErrorCode, number> = {
  legacy_xls: 415,
  workbook_unreadable: 422,
  workbook_encrypted: 422,
  workbook_too_large: 422,
  sheet_not_found: 422,
  formula_not_calculated: 422,
  merged_cells: 422,
};

const TITLE: Record<WorkbookErrorCode, string> = {
  legacy_xls: 'Legacy Excel file',
  workbook_unreadable: 'Workbook unreadable',
  workbook_encrypted: 'Workbook password-protected',
  workbook_too_large: 'Workbook too large',
  sheet_not_found: 'Sheet not found',
  formula_not_calculated: 'Formula without a result',
  merged_cells: 'Merged cells in the payroll',
};

/** A workbook refusal as the problem the client gets; `sheets` rides along when known. */
export function workbookProblem(err: WorkbookError): Problem {
  return new Problem(STATUS[err.code], err.code, TITLE[err.code], err.message, err.sheets === undefined ? {} : { sheets: [...err.sheets] });
}

/** openPayroll, its refusals as problems. */
export async function openUpload(input: PayrollInput, hints: PayrollFileHints): Promise<OpenedPayroll> {
  try {
    return await openPayroll(input, hints);
  } catch (err) {
    throw err instanceof WorkbookError ? workbookProblem(err) : err;
  }
}

/** The `workbook` member of the submit answer: null for a CSV. */
export const workbookSchema = {
  type: ['object', 'null'],
  description: 'For an Excel workbook: the sheet that was read and all its sheets in tab order (choose another with `sheet`); null for a CSV',
  properties: {
    format: { type: 'string', enum: ['xlsx'] },
    sheet: { type: 'string' },
    sheets: { type: 'array', items: { type: 'string' } },
  },
  required: ['format', 'sheet', 'sheets'],
} as const;

/** The `sheet` query parameter. */
export const sheetParam = {
  type: 'string',
  minLength: 1,
  maxLength: 100,
  pattern: '^[^\\u0000-\\u001f\\u007f]*$',
  description: 'for an Excel workbook: the sheet to read, by name (default: the first sheet); ignored for a CSV. An unknown name is 422 `sheet_not_found` listing the sheets',
} as const;

/** The workbook body, for the OpenAPI document. */
export const xlsxBody = {
  type: 'string',
  format: 'binary',
  contentMediaType: XLSX_CONTENT_TYPE,
  description: 'the payroll as an Excel workbook (.xlsx): the first sheet, or the one named by `sheet`, with a header row and one row per payout, validated exactly as the CSV',
} as const;
