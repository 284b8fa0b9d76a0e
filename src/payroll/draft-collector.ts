import type { PayrollSink } from './validate-file.js';
import type { PayoutDraft } from './row.js';

/**
 * Keeps a file's valid rows as validation finds them (whatever the verdict), minus the ones retracted
 * later (an employee id seen again), for comparing one run with another. Memory grows with the rows.
 */
export class DraftCollector implements Pick<PayrollSink, 'validRow' | 'retract'> {
  private readonly rows: PayoutDraft[] = [];
  private readonly retracted = new Set<number>();

  validRow(draft: PayoutDraft): void {
    this.rows.push(draft);
  }

  retract(rowNo: number): void {
    this.retracted.add(rowNo);
  }

  /** The valid rows in file order. */
  drafts(): PayoutDraft[] {
    return this.retracted.size === 0 ? this.rows : this.rows.filter((d) => !this.retracted.has(d.rowNo));
  }
}
