/**
 * The JSON the disbursement API answers with (src/api/views.ts and schemas.ts are the contract). Money are
 * decimal strings in KES ("1500.00"); the CLI turns them into minor units before doing anything with them.
 */
import type { ComparisonView as Comparison } from '../../api/comparison.js';
import type { PreviewView as Preview } from '../../api/preview.js';
import type { BatchStatus } from '../../domain/batch-status.js';
import type { Counts } from '../../domain/tally.js';

/** Counts by payout state, as the API's progress carries them (the workflow's own shape). */
export type ProgressCounts = Counts;

export interface BatchProgress {
  status: BatchStatus;
  paused: boolean;
  counts: ProgressCounts;
  amounts: Record<'total' | 'succeeded' | 'failed' | 'rejected' | 'cancelled' | 'unresolved' | 'pending', string>;
  /** Money missing to finish, while AWAITING_FUNDS (null when unknown). */
  shortfall: string | null;
  flagged?: number;
  available: string | null;
  availableAt: string | null;
  awaitingFundsSince: string | null;
  /** When a scheduled batch pays (older APIs leave it out). */
  payAt?: string | null;
  countsAt: string | null;
  shardsRunning: number;
  /** PesaWay does not answer (older APIs leave it out). */
  waitingOnPesaway?: { since: string; lastError: string; alertedAt: string | null } | null;
  source: 'workflow' | 'database';
}

export interface Batch {
  id: string;
  status: BatchStatus;
  policy: string;
  fileName: string | null;
  fileSha256: string;
  fileSize: number;
  rows: number;
  valid: number;
  invalid: number;
  warnings: number;
  totalAmount: string;
  feeEstimate: string;
  submittedBy: string | null;
  approvalRequired: boolean;
  allowDuplicateFile: boolean;
  /** The payroll the batch is a run of (absent from APIs older than the label). */
  payroll?: string | null;
  approvedBy: string | null;
  /** When the batch pays (SCHEDULED until then); null: as soon as it may. */
  payAt: string | null;
  /** Set when an approver rejected the batch (it ended CANCELLED, nothing paid). */
  rejection: { by: string; at: string; reason: string } | null;
  createdAt: string;
  finishedAt: string | null;
  /** Only on `GET /v1/batches/{id}`. */
  progress?: BatchProgress;
  links: { self: string; payouts: string; report: string; errors: string; temporal: string | null };
}

export interface Finding {
  line: number | null;
  column: string | null;
  rule: string;
  message: string;
}

export interface ValidationReport {
  accepted: boolean;
  refusal: { code: string; message: string } | null;
  rows: number;
  valid: number;
  invalid: number;
  warnings: number;
  totalAmount: string;
  errors: Finding[];
  warningsList: Finding[];
}

/**
 * The comparison and the preview as the API writes them: its own view types (type-only imports), so the CLI
 * reads exactly what src/api/comparison.ts and src/api/preview.ts send.
 */
export type { ComparisonFindingView as ComparisonFinding, ComparisonView as Comparison } from '../../api/comparison.js';
export type { PreviewView as Preview } from '../../api/preview.js';

/** `POST /v1/batches`: 201 created, 200 existing (no report) or dry run (no batch, a preview). */
export interface SubmitResult {
  created: boolean;
  dryRun?: boolean;
  /** Dry run: the pay time the batch would have. */
  payAt?: string | null;
  /** For an .xlsx upload: the sheet read and all of them; null for a CSV. */
  workbook?: { format: 'xlsx'; sheet: string; sheets: string[] } | null;
  batch?: Batch;
  report?: ValidationReport;
  preview?: Preview;
  /** A stored batch against the previous batch of its payroll. */
  comparison?: Comparison | null;
  comparisonUnavailable?: string;
}

export interface BatchPage {
  items: Batch[];
  nextCursor: string | null;
}

/** `POST /v1/batches/{id}/<action>` (202). */
export interface ActionResult {
  batchId: string;
  action: string;
  by: string;
}

/** A payout attempt with its batch (`GET /v1/payouts/{reference}`, `GET /v1/payouts`). */
export interface PayoutRecord {
  row: number;
  line: number;
  attempt: number;
  reference: string;
  employeeId: string | null;
  name: string | null;
  channel: string;
  destination: string;
  amount: string;
  status: string;
  transactionId: string | null;
  receipt: string | null;
  resultCode: number | null;
  reason: string | null;
  settledAt: string | null;
  evidence: Record<string, unknown> | null;
  attention: string[];
  attentionOpen?: boolean;
  attentionResolution?: { by: string; at: string; note: string } | null;
  batchId: string;
  current: boolean;
  updatedAt: string;
}

export interface TimelineEntry {
  at: string;
  kind: string;
  text: string;
  source: string | null;
  detail: Record<string, unknown>;
}

export interface PayoutStory {
  payout: PayoutRecord;
  timeline: TimelineEntry[];
}

export interface PayoutPage {
  items: PayoutRecord[];
  nextCursor: string | null;
}
