/** What the API shows: money as decimal strings, personal data masked, links to follow. */
import { maskPhone } from '../common/mask.js';
import type { Batch } from '../db/batches.js';
import type { PayoutRow, TimelineEntry } from '../db/payouts.js';
import type { ReportRow } from '../db/reports.js';
import { describeEvent } from '../domain/payout-events.js';
import { formatKes, formatMinor } from '../domain/money.js';
import type { Progress } from '../workflows/types.js';
import { workflowIds } from '../workflows/definitions.js';

export interface ProgressView {
  status: Progress['status'];
  paused: boolean;
  counts: Progress['counts'];
  amounts: Record<'total' | 'succeeded' | 'failed' | 'rejected' | 'cancelled' | 'unresolved' | 'pending', string>;
  shortfall: string | null;
  available: string | null;
  availableAt: string | null;
  awaitingFundsSince: string | null;
  payAt: string | null;
  countsAt: string | null;
  shardsRunning: number;
  /** PesaWay does not answer: since when, the last error, when the alert was raised. Null while it answers. */
  waitingOnPesaway: { since: string; lastError: string; alertedAt: string | null } | null;
  /** Payouts of the batch flagged for a person (any attempt): see `GET /v1/payouts?status=flagged`. */
  flagged: number;
  source: 'workflow' | 'database';
}

export function progressView(p: Progress, source: ProgressView['source'], flagged: number): ProgressView {
  return {
    status: p.status,
    paused: p.paused,
    counts: p.counts,
    amounts: {
      total: formatMinor(p.amounts.totalMinor),
      succeeded: formatMinor(p.amounts.succeededMinor),
      failed: formatMinor(p.amounts.failedMinor),
      rejected: formatMinor(p.amounts.rejectedMinor),
      cancelled: formatMinor(p.amounts.cancelledMinor),
      unresolved: formatMinor(p.amounts.unresolvedMinor),
      pending: formatMinor(p.amounts.pendingMinor),
    },
    shortfall: p.shortfallMinor === undefined ? null : formatMinor(p.shortfallMinor),
    available: p.availableMinor === undefined ? null : formatMinor(p.availableMinor),
    availableAt: p.availableAt ?? null,
    awaitingFundsSince: p.awaitingFundsSince ?? null,
    payAt: p.payAt ?? null,
    countsAt: p.countsAt ?? null,
    shardsRunning: p.shardsRunning,
    waitingOnPesaway: p.waitingOnPesaway ? { since: p.waitingOnPesaway.since, lastError: p.waitingOnPesaway.lastError, alertedAt: p.waitingOnPesaway.alertedAt ?? null } : null,
    flagged,
    source,
  };
}

/** The batch's one line in the Temporal Web UI: `Payroll batch payroll-2026-11: 200 payouts, KES 1,234,000.00 (payroll.csv)`. */
export function batchSummaryLine(b: Batch): string {
  return `Payroll batch ${b.id}: ${b.validCount} payouts, ${formatKes(b.totalMinor)}${b.fileName ? ` (${b.fileName})` : ''}`;
}

export function batchView(b: Batch, base: { temporalUiUrl: string | undefined; namespace: string }, progress?: ProgressView) {
  const self = `/v1/batches/${encodeURIComponent(b.id)}`;
  return {
    id: b.id,
    status: b.status,
    policy: b.policy,
    fileName: b.fileName,
    fileSha256: b.fileSha256,
    fileSize: b.fileSize,
    rows: b.rowCount,
    valid: b.validCount,
    invalid: b.invalidCount,
    warnings: b.warningCount,
    totalAmount: formatMinor(b.totalMinor),
    feeEstimate: formatMinor(b.feeEstimateMinor),
    submittedBy: b.submittedBy,
    approvalRequired: b.approvalRequired,
    allowDuplicateFile: b.allowDuplicateFile,
    payroll: b.payroll,
    approvedBy: b.approvedBy,
    payAt: b.payAt?.toISOString() ?? null,
    rejection: b.rejection ? { by: b.rejection.by, at: b.rejection.at.toISOString(), reason: b.rejection.reason } : null,
    createdAt: b.createdAt.toISOString(),
    finishedAt: b.finishedAt?.toISOString() ?? null,
    ...(progress ? { progress } : {}),
    links: {
      self,
      payouts: `${self}/payouts`,
      report: `${self}/report.csv`,
      errors: `${self}/errors.csv`,
      temporal: base.temporalUiUrl
        ? `${base.temporalUiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(base.namespace)}/workflows/${encodeURIComponent(workflowIds.batch(b.id))}`
        : null,
    },
  };
}

export function payoutView(r: ReportRow) {
  return {
    row: r.rowNo,
    line: r.line,
    attempt: r.attempt,
    reference: r.reference,
    employeeId: r.employeeId,
    name: r.name,
    channel: r.channel,
    destination: maskPhone(r.phone ?? r.accountNumber ?? ''),
    amount: formatMinor(r.amountMinor),
    status: r.status,
    transactionId: r.transactionId,
    receipt: r.receipt,
    resultCode: r.resultCode,
    reason: r.failureReason ?? (r.status === 'succeeded' ? null : r.resultDesc),
    settledAt: r.settledAt?.toISOString() ?? null,
    /** What an operator needs to chase an unresolved or contradicted payout (PesaWay's id, queries, errors); no personal data. */
    evidence: r.evidence,
    /** Flags for a person (contradiction, amount_mismatch, callback_undeliverable, failure_unconfirmed); the evidence says more. */
    attention: r.attention,
    /** A person's answer to those flags (who, when, what they found); a flag raised after it reopens the payout. */
    attentionOpen: r.attentionOpen,
    attentionResolution: r.attentionResolution && { by: r.attentionResolution.by, at: new Date(r.attentionResolution.at).toISOString(), note: r.attentionResolution.note },
  };
}

export function payoutRecordView(r: PayoutRow) {
  return { ...payoutView(r), batchId: r.batchId, current: r.isCurrent, updatedAt: r.updatedAt.toISOString() };
}

export function timelineView(e: TimelineEntry) {
  return { at: e.at.toISOString(), kind: e.kind, text: describeEvent(e.kind, e.detail), source: e.source, detail: e.detail };
}

