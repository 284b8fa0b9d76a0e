import { createReadStream } from 'node:fs';
import { AppError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import { batchWithFile, completeBatch, getBatch, insertPendingBatch, type Batch } from '../db/batches.js';
import { recordEvent } from '../db/batch-runs.js';
import type { Pool } from '../db/pool.js';
import { formatKes } from '../domain/money.js';
import { assertBatchId, defaultBatchId } from '../payroll/batch-id.js';
import { assertPayrollLabel } from '../payroll/payroll-label.js';
import { BatchWriter } from './batch-writer.js';
import { digestInput, spoolInput, type FileDigest } from '../payroll/file-hash.js';
import type { PayrollInput } from '../payroll/input.js';
import type { ValidationReport } from '../payroll/report.js';
import { PayrollPrecheck, validatePayroll, type ValidateOptions } from '../payroll/validate-file.js';

export interface IngestOptions extends ValidateOptions {
  /** Names the batch; without it the id is derived from the file's hash (`b-` + 16 hex digits). */
  batchId?: string;
  fileName?: string;
  submittedBy?: string;
  /** The batch waits for a second person's approval before it runs. */
  approvalRequired?: boolean;
  /** Store the file as a new batch even though its content is already another batch (recorded on the batch). */
  allowDuplicateFile?: boolean;
  /** The payroll this file is a run of ("acme-monthly"): its previous batch is the baseline of comparisons. */
  payroll?: string | undefined;
  /** Pay at this time: the batch is SCHEDULED until then (checked by the caller: see src/domain/pay-at.ts). */
  payAt?: Date;
  /** Payouts per INSERT statement (default 1000). */
  rowsPerInsert?: number;
  log?: Logger;
}

/**
 * `created`: the batch and its payouts are stored (status CREATED, SCHEDULED with a pay time, or AWAITING_APPROVAL).
 * `existing`: this batch id already holds this very file; nothing changed (a resubmission is a no-op).
 *   `differences`: options this request asked for that the existing batch does not have (not applied).
 * `refused`: the file is not acceptable under its policy; nothing stored; the report says why.
 * `conflict`: this batch id already holds a different file; nothing changed.
 * `duplicate`: another batch already holds this very file, and the caller did not allow a second one.
 */
export type IngestResult =
  | { kind: 'created'; batch: Batch; report: ValidationReport }
  | { kind: 'existing'; batch: Batch; differences: OptionDifference[] }
  | { kind: 'refused'; report: ValidationReport }
  | { kind: 'conflict'; batchId: string; message: string }
  | { kind: 'duplicate'; batch: Batch; message: string };

/** An option of a resubmission that the batch already stored under that id has otherwise. */
export interface OptionDifference {
  option: 'policy' | 'approvalRequired' | 'allowDuplicateFile' | 'payroll' | 'payAt';
  /** `payAt` as an ISO string, or null for none. */
  requested: string | boolean | null;
  existing: string | boolean | null;
}

export class IngestError extends AppError {}

const UNIQUE_VIOLATION = '23505';

/**
 * Turns a payroll file into a stored batch in one transaction: the batch row, the file itself (in 1 MB
 * chunks, for audit), its payouts (bulk INSERTs, one statement per 1,000 rows) and, under skip-invalid, its findings.
 * The file is read once, in constant memory. Concurrent ingestions of one batch id are serialised by a
 * transaction-scoped advisory lock on the id: the first creates, the others then see it (existing or
 * conflict). Nothing already stored is ever changed.
 */
export async function ingestPayroll(pool: Pool, input: PayrollInput, options: IngestOptions = {}): Promise<IngestResult> {
  if (options.payroll !== undefined) assertPayrollLabel(options.payroll);
  if (options.batchId !== undefined) return ingestAs(pool, assertBatchId(options.batchId), () => input, options);
  // The id comes from the file's hash, needed before the first row can be stored: spool, then read again.
  // The file-level checks run while spooling, so an unreadable file (a huge field, the wrong encoding)
  // stops the upload there instead of being copied to its end first.
  const precheck = new PayrollPrecheck();
  const spooled = await spoolInput(input, (chunk) => precheck.push(chunk));
  try {
    if (!spooled.complete) return { kind: 'refused', report: await refusalOfPrefix(spooled.path, options, precheck) };
    return await ingestAs(pool, defaultBatchId(spooled.sha256), () => createReadStream(spooled.path, { highWaterMark: 1 << 16 }), options, spooled);
  } finally {
    await spooled.remove();
  }
}

/** `open` gives the file (called at most once); `known` is its digest when already computed. */
async function ingestAs(pool: Pool, batchId: string, open: () => PayrollInput, options: IngestOptions, known?: FileDigest): Promise<IngestResult> {
  const client = await pool.connect();
  let inTransaction = false;
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    inTransaction = true;
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`disburse/batch/${batchId}`]);

    const existing = await getBatch(client, batchId);
    if (existing) {
      await client.query('ROLLBACK');
      inTransaction = false;
      const file = known ?? (await digestInput(open()));
      const result: IngestResult =
        file.sha256 === existing.fileSha256 && file.size === existing.fileSize
          ? { kind: 'existing', batch: existing, differences: optionDifferences(existing, options) }
          : { kind: 'conflict', batchId, message: conflictMessage(existing, file.sha256, file.size) };
      options.log?.info({ batchId, kind: result.kind }, 'payroll already ingested under this batch id');
      return result;
    }

    await insertPendingBatch(client, {
      id: batchId,
      policy: options.policy ?? 'strict',
      fileName: options.fileName ?? null,
      submittedBy: options.submittedBy ?? null,
      approvalRequired: options.approvalRequired ?? false,
      allowDuplicateFile: options.allowDuplicateFile ?? false,
      payroll: options.payroll ?? null,
      payAt: options.payAt ?? null,
    });
    const writer = new BatchWriter(client, batchId, options.rowsPerInsert);
    const report = await validatePayroll(open(), options, writer);
    if (!report.accepted) {
      await client.query('ROLLBACK');
      inTransaction = false;
      options.log?.info({ batchId, rows: report.rows, invalid: report.invalid, refusal: report.refusal?.code }, 'payroll refused');
      return { kind: 'refused', report };
    }
    if (!options.allowDuplicateFile) {
      // Serialised on the file's hash, so two uploads of one file under two ids cannot both become batches.
      const file = { sha256: report.file.sha256!, size: report.file.size };
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`disburse/file/${file.sha256}`]);
      const twin = await batchWithFile(client, file, batchId);
      if (twin) {
        await client.query('ROLLBACK');
        inTransaction = false;
        options.log?.info({ batchId, existing: twin.id }, 'payroll refused: its file is already a batch');
        return { kind: 'duplicate', batch: twin, message: duplicateMessage(twin) };
      }
    }
    await writer.finish();
    await completeBatch(client, batchId, {
      // Scheduled first: an approval can come any time before the pay time, so it is asked for only then.
      status: options.payAt ? 'SCHEDULED' : options.approvalRequired ? 'AWAITING_APPROVAL' : 'CREATED',
      fileSha256: report.file.sha256!,
      fileSize: report.file.size,
      rowCount: report.rows,
      validCount: report.valid,
      invalidCount: report.invalid,
      warningCount: report.warningCount,
      totalMinor: report.totalMinor,
      feeEstimateMinor: report.feeEstimateMinor,
    });
    // Ingested straight into AWAITING_APPROVAL: that entry is logged here, with the batch (webhooks carry it).
    if (options.approvalRequired && !options.payAt) await recordEvent(client, { batchId, kind: 'batch.awaiting_approval', actor: options.submittedBy ?? 'ingest', detail: { from: null } });
    await client.query('COMMIT');
    inTransaction = false;
    const batch = (await getBatch(client, batchId))!;
    options.log?.info({ batchId, rows: report.rows, valid: report.valid, invalid: report.invalid, total: formatKes(report.totalMinor) }, 'payroll ingested');
    return { kind: 'created', batch, report };
  } catch (err) {
    if (inTransaction) {
      await client.query('ROLLBACK').catch((rollbackErr: unknown) => {
        broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
      });
    }
    if ((err as { code?: string }).code === UNIQUE_VIOLATION && (err as { constraint?: string }).constraint === 'payouts_pkey') {
      throw new IngestError('reference_collision', `A payout reference of batch "${batchId}" is already used by another batch; nothing was stored.`, {
        hint: 'This is a one-in-millions clash of batch tags: submit the file again under a different batch id.',
        cause: err,
      });
    }
    throw err;
  } finally {
    client.release(broken);
  }
}

function optionDifferences(existing: Batch, o: IngestOptions): OptionDifference[] {
  const asked: Array<[OptionDifference['option'], string | boolean | null, string | boolean | null]> = [
    ['policy', o.policy ?? 'strict', existing.policy],
    ['approvalRequired', o.approvalRequired ?? false, existing.approvalRequired],
    ['allowDuplicateFile', o.allowDuplicateFile ?? false, existing.allowDuplicateFile],
    // The label decides which run later files of the payroll are compared with: a batch silently kept under
    // another payroll (or none) than the caller names would make those comparisons wrong, so it differs too.
    ['payroll', o.payroll ?? null, existing.payroll],
    ['payAt', o.payAt?.toISOString() ?? null, existing.payAt?.toISOString() ?? null],
  ];
  return asked.filter(([, requested, had]) => requested !== had).map(([option, requested, had]) => ({ option, requested, existing: had }));
}

/** The existing batch's options, for a person: `policy strict, approval required: no`. */
export function batchOptionsText(b: Batch): string {
  return `policy ${b.policy}, approval required: ${b.approvalRequired ? 'yes' : 'no'}${b.payAt ? `, pay at ${b.payAt.toISOString()}` : ''}${b.allowDuplicateFile ? ', duplicate file allowed' : ''}${b.payroll === null ? '' : `, payroll "${b.payroll}"`}`;
}

function duplicateMessage(twin: Batch): string {
  return (
    `This file is already batch "${twin.id}" (${twin.status}, ${twin.rowCount} rows, ${formatKes(twin.totalMinor)}, received ${twin.createdAt.toISOString()}); ` +
    'nothing was stored, so nobody is paid twice. To follow that batch, use its id. If this really is a second payroll with the same content, ' +
    'submit it again with allowDuplicateFile=true (disburse submit --allow-duplicate-file); that choice is recorded on the new batch.'
  );
}

/**
 * The report for a file the precheck stopped: the full validation of the part that was read (the same
 * findings, in the same words, as a dry run), which stops at the same place. A truncated copy is never
 * stored: should that validation somehow pass, the precheck's own refusal is returned.
 */
async function refusalOfPrefix(path: string, options: ValidateOptions, precheck: PayrollPrecheck): Promise<ValidationReport> {
  const report = await validatePayroll(createReadStream(path, { highWaterMark: 1 << 16 }), options);
  return report.refusal?.code === 'file_invalid' ? report : precheck.report();
}

function conflictMessage(existing: Batch, sha256: string, size: number): string {
  return (
    `Batch "${existing.id}" already exists with a different file (SHA-256 ${existing.fileSha256.slice(0, 12)}…, ${existing.fileSize} bytes, ` +
    `received ${existing.createdAt.toISOString()}); this file is SHA-256 ${sha256.slice(0, 12)}…, ${size} bytes. Nothing was changed. ` +
    'To pay this file as well, submit it under a new batch id.'
  );
}
