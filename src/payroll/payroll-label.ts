import { AppError } from '../common/errors.js';

/**
 * A payroll label names the runs of one payroll ("acme-monthly", "Casuals weekly"): each month's file is a
 * batch under the same label, and a new file is compared with the previous batch of its label. Labels are
 * compared exactly (case and spaces count), like batch ids. The same rule as the CHECK on `batches.payroll`.
 */
export const PAYROLL_LABEL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/;

export class PayrollLabelError extends AppError {
  constructor(label: string) {
    super('payroll_label_invalid', `"${label.slice(0, 80)}" is not a valid payroll label.`, {
      hint: 'Use 1 to 64 letters, digits, spaces, dots, dashes or underscores, starting with a letter or digit (e.g. acme-monthly).',
    });
  }
}

export function assertPayrollLabel(label: string): string {
  if (!PAYROLL_LABEL_PATTERN.test(label)) throw new PayrollLabelError(label);
  return label;
}
