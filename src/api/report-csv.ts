import { Readable } from 'node:stream';
import type { Pool } from '../db/pool.js';
import { reportRows } from '../db/reports.js';
import { csvCell } from '../payroll/errors-csv.js';
import { attentionText } from '../domain/attention.js';
import { evidenceText } from '../domain/evidence.js';
import { payoutView } from './views.js';

export const REPORT_CSV_HEADER = 'row,line,attempt,reference,employee_id,name,channel,destination,amount,status,transaction_id,receipt,result_code,reason,settled_at,evidence,attention';

/**
 * The row-by-row report as CSV, streamed from PostgreSQL page by page. Cells that a spreadsheet would read
 * as a formula (=, +, -, @) are neutralised; destinations are masked.
 */
export function reportCsv(pool: Pool, batchId: string): Readable {
  async function* lines(): AsyncGenerator<string> {
    yield `${REPORT_CSV_HEADER}\n`;
    for await (const row of reportRows(pool, batchId)) {
      const v = payoutView(row);
      yield [v.row, v.line, v.attempt, v.reference, v.employeeId, v.name, v.channel, v.destination, v.amount, v.status, v.transactionId, v.receipt, v.resultCode, v.reason, v.settledAt, evidenceText(v.evidence), attentionText(v.attention, v.attentionOpen ? null : v.attentionResolution)]
        .map((cell) => csvCell(cell))
        .join(',') + '\n';
    }
  }
  return Readable.from(lines());
}
