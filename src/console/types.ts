/**
 * What the console reads from the API (see /openapi.json). The console is built for the browser, so it cannot
 * import the API's view modules (they reach pg and Node); test/types/console-wire.ts makes the type check
 * fail when a view of the API and its type here disagree.
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
export type { PayoutStatus } from '../domain/payout-status.js';
export { PAYOUT_STATUSES } from '../domain/payout-status.js';
import type { PayoutStatus } from '../domain/payout-status.js';
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
  payAt: string | null;
  countsAt: string | null;
  shardsRunning: number;
  waitingOnPesaway: { since: string; lastError: string; alertedAt: string | null } | null;
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
  allowDuplicateFile: boolean;
  /** The payroll this batch belongs to (a label): its previous batch is what the comparison looks at. */
  payroll: string | null;
  approvedBy: string | null;
  /** When a scheduled batch pays (RFC 3339). */
  payAt: string | null;
  rejection: { by: string; at: string; reason: string } | null;
  createdAt: string;
  finishedAt: string | null;
  progress?: Progress;
  links: { self: string; payouts: string; report: string; errors: string; temporal: string | null };
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
  status: PayoutStatus;
  transactionId: string | null;
  receipt: string | null;
  resultCode: number | null;
  reason: string | null;
  settledAt: string | null;
  evidence: Record<string, unknown> | null;
  attention: string[];
  /** Flags no person has answered yet (a flag raised after a resolution reopens the payout). */
  attentionOpen: boolean;
  attentionResolution: { by: string; at: string; note: string } | null;
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
}

/** For an Excel workbook: the sheet read and every sheet in tab order; null for a CSV. */
export interface Workbook {
  format: 'xlsx';
  sheet: string;
  sheets: string[];
}

/** The comparison with the payroll's previous batch: the API's own view type (a types-only module). */
export type { ComparisonFindingView as ComparisonFinding, ComparisonView as Comparison } from '../api/comparison-view.js';
export type { ComparisonKind } from '../payroll/compare.js';
import type { ComparisonView as Comparison } from '../api/comparison-view.js';

/** The dry run's preview: fees, wallet and shortfall, and the comparison with the payroll's previous batch. */
export interface Preview {
  rows: number;
  valid: number;
  invalid: number;
  warnings: number;
  totalAmount: string;
  estimatedFees: string;
  totalWithFees: string;
  /** `shortfall` is "0.00" when the wallet covers every valid row with its fee. */
  wallet: { balance: string; shortfall: string } | null;
  /** Why `wallet` is null. */
  walletUnavailable?: string;
  issuesTruncated: boolean;
  comparison: Comparison | null;
}

export interface DryRunAnswer {
  dryRun: true;
  created: false;
  payAt: string | null;
  workbook: Workbook | null;
  report: ValidationReport;
  preview: Preview;
}

export interface SubmitAnswer {
  created: boolean;
  workbook: Workbook | null;
  batch: Batch;
  report?: ValidationReport;
  comparison?: Comparison | null;
}
