/**
 * What the console reads from the API (see /openapi.json). Fields other helpers are adding (payroll, payAt,
 * rejection, preview, sheets) are optional: the console shows their section only when the API sends them.
 */

export type Role = 'submitter' | 'approver' | 'viewer';

export interface Session {
  user: string;
  role: Role;
  expiresAt: string | null;
  csrfToken: string | null;
}

/** The batch lifecycle and payout counts: the domain's own, as the API sends them. */
export type { BatchStatus } from '../domain/batch-status.js';
export type { Counts } from '../domain/tally.js';
export { BATCH_STATUSES, FINAL_BATCH_STATUSES as FINAL_STATUSES } from '../domain/batch-status.js';
import type { BatchStatus } from '../domain/batch-status.js';
import type { Counts } from '../domain/tally.js';

export interface Progress {
  status: BatchStatus;
  paused: boolean;
  counts: Counts;
  amounts: Record<'total' | 'succeeded' | 'failed' | 'rejected' | 'cancelled' | 'unresolved' | 'pending', string>;
  shortfall: string | null;
  available: string | null;
  availableAt: string | null;
  awaitingFundsSince: string | null;
  countsAt: string | null;
  shardsRunning: number;
  flagged: number;
  source: 'workflow' | 'database';
}

export interface Batch {
  id: string;
  status: BatchStatus;
  policy: 'strict' | 'skip-invalid';
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
  progress?: Progress;
  links: { self: string; payouts: string; report: string; errors: string; temporal: string | null };
  /** Being added: the payroll this batch belongs to (label). */
  payroll?: string | null;
  /** Being added: when a scheduled batch pays (RFC 3339). */
  payAt?: string | null;
  /** Being added: who rejected it, when and why. */
  rejection?: { by: string; at: string; reason: string } | null;
}

export interface Page<T, C> {
  items: T[];
  nextCursor: C | null;
}

export interface Payout {
  row: number;
  line: number;
  attempt: number;
  reference: string;
  employeeId: string | null;
  name: string | null;
  channel: 'MPESA' | 'AIRTEL' | 'BANK';
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
}

export interface PayoutRecord extends Payout {
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

export interface Issue {
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
  errors: Issue[];
  warningsList: Issue[];
  /** Being added for .xlsx uploads (the server may say it here or beside the report). */
  sheet?: string;
  sheets?: string[];
}

export interface ComparisonFinding {
  kind: string;
  row?: number;
  employeeId?: string;
  name?: string;
  message: string;
  [key: string]: unknown;
}

export interface Comparison {
  previousBatchId: string;
  previousCreatedAt: string;
  counts: Record<string, number>;
  findings: ComparisonFinding[];
}

/** Being added: the dry run's preview (fees, wallet, comparison with the payroll's previous batch). */
export interface Preview {
  rows: number;
  valid: number;
  invalid: number;
  warnings: number;
  totalAmount: string;
  estimatedFees: string;
  totalWithFees: string;
  wallet: { balance: string; shortfall: string | null } | null;
  walletUnavailable?: boolean;
  comparison: Comparison | null;
  sheet?: string;
  sheets?: string[];
}

export interface DryRunAnswer {
  dryRun: true;
  created: false;
  report: ValidationReport;
  preview?: Preview;
  /** Being added for .xlsx uploads: the sheet read and every sheet's name. */
  sheet?: string;
  sheets?: string[];
}

export interface SubmitAnswer {
  created: boolean;
  batch: Batch;
  report?: ValidationReport;
}
