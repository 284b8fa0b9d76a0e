/**
 * The JSON the disbursement API answers with (src/api/views.ts and schemas.ts are the contract). Money are
 * decimal strings in KES ("1500.00"); the CLI turns them into minor units before doing anything with them.
 */
import type { BatchStatus } from '../../domain/batch-status.js';
import type { Counts } from '../../workflows/types.js';

/** Counts by payout state, as the API's progress carries them (the workflow's own shape). */
export type ProgressCounts = Counts;

export interface BatchProgress {
  status: BatchStatus;
  paused: boolean;
  counts: ProgressCounts;
  amounts: { total: string; succeeded: string; failed: string; pending: string };
  /** Money missing to finish, while AWAITING_FUNDS (null when unknown). */
  shortfall: string | null;
  available: string | null;
  awaitingFundsSince: string | null;
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
  approvedBy: string | null;
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

/** `POST /v1/batches`: 201 created, 200 existing (no report) or dry run (no batch). */
export interface SubmitResult {
  created: boolean;
  dryRun?: boolean;
  batch?: Batch;
  report?: ValidationReport;
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
