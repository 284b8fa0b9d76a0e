import { deletePayoutRows, insertFileChunk, insertIssues, insertPayouts, type Queryable } from '../db/batches.js';
import type { Issue } from '../payroll/issues.js';
import type { PayoutDraft } from '../payroll/row.js';
import type { PayrollSink } from '../payroll/validate-file.js';

/** The audit copy is stored in pieces of this size, so no step ever holds the whole file. */
export const FILE_CHUNK_BYTES = 1 << 20;
const ISSUES_PER_INSERT = 1000;

/**
 * The ingestion's sink: writes the file's bytes, its valid rows and its findings into PostgreSQL while
 * the file streams through, inside the caller's transaction. One statement at a time is in flight while
 * parsing goes on, so the database and the parser work in parallel and buffers stay bounded.
 * Once the file is doomed (it will be refused and rolled back) it stops writing.
 */
export class BatchWriter implements PayrollSink {
  private fileParts: Buffer[] = [];
  private fileBytes = 0;
  private chunkSeq = 0;
  private payouts: PayoutDraft[] = [];
  private retracted: number[] = [];
  private issues: Issue[] = [];
  private issueSeq = 0;
  private inFlight: Promise<void> = Promise.resolve();
  private failure: Error | undefined;
  private abandoned = false;

  constructor(
    private readonly db: Queryable,
    private readonly batchId: string,
    private readonly rowsPerInsert = 1000,
  ) {}

  bytes(chunk: Buffer): void {
    if (this.abandoned) return;
    // A copy: a source may reuse its buffer once it has been handed over.
    this.fileParts.push(Buffer.from(chunk));
    this.fileBytes += chunk.length;
  }

  payout(draft: PayoutDraft): void {
    this.payouts.push(draft);
  }

  retract(rowNo: number): void {
    const pending = this.payouts.findIndex((p) => p.rowNo === rowNo);
    if (pending !== -1) this.payouts.splice(pending, 1);
    else this.retracted.push(rowNo);
  }

  issue(issue: Issue): void {
    if (!this.abandoned) this.issues.push(issue);
  }

  doomed(): void {
    this.abandoned = true;
    this.fileParts = [];
    this.payouts = [];
    this.issues = [];
  }

  async checkpoint(): Promise<void> {
    this.rethrow();
    if (this.abandoned) return;
    if (this.fileBytes >= FILE_CHUNK_BYTES) await this.send(() => this.writeFileChunks(false));
    if (this.payouts.length >= this.rowsPerInsert) await this.send(() => this.writePayouts());
    if (this.issues.length >= ISSUES_PER_INSERT) await this.send(() => this.writeIssues());
  }

  /** Writes what is still buffered and waits for every statement. */
  async finish(): Promise<void> {
    if (this.abandoned) throw new Error('BatchWriter.finish() called for a refused file');
    await this.send(() => this.writeFileChunks(true));
    await this.send(() => this.writePayouts());
    await this.send(() => this.writeIssues());
    await this.send(() => deletePayoutRows(this.db, this.batchId, this.retracted));
    await this.inFlight;
    this.rethrow();
  }

  /** Starts `write` once the previous statement is done; does not wait for it (parsing goes on meanwhile). */
  private async send(write: () => Promise<void>): Promise<void> {
    await this.inFlight;
    this.rethrow();
    this.inFlight = write().catch((err: unknown) => {
      this.failure ??= err instanceof Error ? err : new Error(String(err));
    });
  }

  private rethrow(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  private async writeFileChunks(all: boolean): Promise<void> {
    const data = Buffer.concat(this.fileParts, this.fileBytes);
    let offset = 0;
    const writes: Array<[number, Buffer]> = [];
    while (data.length - offset >= FILE_CHUNK_BYTES || (all && offset < data.length)) {
      const end = Math.min(offset + FILE_CHUNK_BYTES, data.length);
      writes.push([this.chunkSeq++, data.subarray(offset, end)]);
      offset = end;
    }
    const rest = data.subarray(offset);
    this.fileParts = rest.length > 0 ? [rest] : [];
    this.fileBytes = rest.length;
    for (const [seq, content] of writes) await insertFileChunk(this.db, this.batchId, seq, content);
  }

  private async writePayouts(): Promise<void> {
    const drafts = this.payouts;
    this.payouts = [];
    await insertPayouts(this.db, this.batchId, drafts);
  }

  private async writeIssues(): Promise<void> {
    const issues = this.issues;
    this.issues = [];
    const first = this.issueSeq;
    this.issueSeq += issues.length;
    await insertIssues(this.db, this.batchId, first, issues);
  }
}
