import type { MinorUnits } from '../domain/money.js';
import { KeyIndex, hashKey } from './key-index.js';
import { PagedArray } from './paged-array.js';

const VALID = 1;
const FLAGGED = 2;

/**
 * Remembers, per data row, just enough to report and undo duplicates: its line, amount and whether it is
 * valid (9 bytes a row in typed arrays), plus two hash indexes: employee ids (case-insensitive) and
 * payees (phone or bank account, with the amount). Memory grows with the row count, not with row width.
 */
export class DuplicateTracker {
  private readonly employees = new KeyIndex();
  private readonly payees = new KeyIndex();
  private readonly lines = new PagedArray(Int32Array);
  // Amounts fit: limits.ts caps them at KES 250,000 (25,000,000 minor units).
  private readonly amounts = new PagedArray(Int32Array);
  private readonly flags = new PagedArray(Uint8Array);

  /** Notes a row after validation. Row numbers arrive in order, starting at 1. */
  record(rowNo: number, line: number, valid: boolean, amountMinor: MinorUnits): void {
    this.lines.set(rowNo, line);
    this.amounts.set(rowNo, amountMinor);
    this.flags.set(rowNo, valid ? VALID : 0);
  }

  /** The row that first had this employee id, or 0 when this is its first appearance (now remembered). */
  firstWithEmployeeId(employeeId: string, rowNo: number): number {
    const h = hashKey(employeeId, 0, true);
    return this.employees.putIfAbsent(h[0]!, h[1]!, rowNo);
  }

  /** The earlier valid row paying the same payee the same amount, or 0 (now remembered). */
  firstWithPayeeAndAmount(payee: string, amountMinor: MinorUnits, rowNo: number): number {
    const h = hashKey(payee, amountMinor);
    return this.payees.putIfAbsent(h[0]!, h[1]!, rowNo);
  }

  lineOf(rowNo: number): number {
    return this.lines.get(rowNo);
  }

  amountOf(rowNo: number): MinorUnits {
    return this.amounts.get(rowNo);
  }

  isValid(rowNo: number): boolean {
    return (this.flags.get(rowNo) & VALID) !== 0;
  }

  markInvalid(rowNo: number): void {
    this.flags.set(rowNo, this.flags.get(rowNo) & ~VALID);
  }

  /** Whether the first row of a duplicated employee id was already told about it (tell it once). */
  isFlagged(rowNo: number): boolean {
    return (this.flags.get(rowNo) & FLAGGED) !== 0;
  }

  flag(rowNo: number): void {
    this.flags.set(rowNo, this.flags.get(rowNo) | FLAGGED);
  }
}
