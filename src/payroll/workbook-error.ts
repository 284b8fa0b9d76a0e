import { AppError } from '../common/errors.js';

/**
 * Why a workbook could not be turned into payroll rows. The API answers each with a problem of this code;
 * the CLI prints the message. Each message says what to do in Excel.
 */
export type WorkbookErrorCode =
  | 'legacy_xls'
  | 'workbook_unreadable'
  | 'workbook_encrypted'
  | 'workbook_too_large'
  | 'sheet_not_found'
  | 'formula_not_calculated'
  | 'merged_cells';

export class WorkbookError extends AppError {
  declare readonly code: WorkbookErrorCode;

  /** `sheets`: the workbook's sheet names in tab order, when they are known (a UI offers them as choices). */
  constructor(code: WorkbookErrorCode, message: string, readonly sheets?: readonly string[]) {
    super(code, message);
  }
}
