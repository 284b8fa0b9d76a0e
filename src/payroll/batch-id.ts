import { AppError } from '../common/errors.js';

/** The same rule as the CHECK on `batches.id`. */
export const BATCH_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export class BatchIdError extends AppError {
  constructor(id: string) {
    super('batch_id_invalid', `"${id.slice(0, 80)}" is not a valid batch id.`, {
      hint: 'Use 1 to 64 letters, digits, dots, dashes or underscores, starting with a letter or digit (e.g. payroll-2026-03).',
    });
  }
}

export function assertBatchId(id: string): string {
  if (!BATCH_ID_PATTERN.test(id)) throw new BatchIdError(id);
  return id;
}

/**
 * The batch id of a file submitted without one: `b-` and the first 16 hex digits of its SHA-256, so the
 * same file submitted twice is the same batch (and the second submission a no-op).
 */
export function defaultBatchId(fileSha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(fileSha256)) throw new RangeError('expected a SHA-256 in lower-case hex');
  return `b-${fileSha256.slice(0, 16)}`;
}
