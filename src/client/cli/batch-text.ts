/** How a batch and its progress read on a terminal: summary lines, a one-line progress, notices. */
import type { Batch, BatchProgress, ProgressCounts } from './api-types.js';
import { kes, minorOf, plural, shortTime } from './format.js';

export interface Tally {
  paid: number;
  failed: number;
  rejected: number;
  cancelled: number;
  unresolved: number;
  /** Not settled yet: pending or in flight (parked payouts awaiting funds included). */
  open: number;
  /** Of `open`: parked by PesaWay's 455.001 until the wallet is topped up. */
  awaitingFunds: number;
  total: number;
  /** Settled one way or another (everything but `open`). */
  settled: number;
}

export function tally(c: ProgressCounts): Tally {
  // Parked payouts are still in flight: `awaitingFunds` is part of `inFlight`, not added to it.
  const open = c.pending + c.inFlight;
  const settled = c.succeeded + c.failed + c.rejected + c.cancelled + c.unresolved;
  return { paid: c.succeeded, failed: c.failed, rejected: c.rejected, cancelled: c.cancelled, unresolved: c.unresolved, open, awaitingFunds: c.awaitingFunds, total: open + settled, settled };
}

/** Payouts that ended without being paid: what makes a watched batch's answer "no". */
export function unpaidCount(t: Tally): number {
  return t.failed + t.rejected + t.cancelled + t.unresolved;
}

/** "2 failed, 1 unresolved" (only the non-zero ones). */
export function unpaidBreakdown(t: Tally): string {
  const parts: Array<[number, string]> = [[t.failed, 'failed'], [t.rejected, 'rejected'], [t.cancelled, 'cancelled'], [t.unresolved, 'unresolved']];
  return parts.filter(([n]) => n > 0).map(([n, w]) => `${n} ${w}`).join(', ');
}

/** "10 paid, 1 failed, 14 pending (3 awaiting funds)" (cancelled and unresolved only when there are some). */
export function countsText(t: Tally): string {
  const pending = `${t.open} pending${t.awaitingFunds > 0 ? ` (${t.awaitingFunds} awaiting funds)` : ''}`;
  const extra = [t.cancelled > 0 ? `${t.cancelled} cancelled` : '', t.unresolved > 0 ? `${t.unresolved} unresolved` : ''].filter(Boolean);
  return [`${t.paid} paid`, `${t.failed + t.rejected} failed`, pending, ...extra].join(', ');
}

/** One line per state of a watched batch: `RUNNING: 10 paid, 0 failed, 15 pending of 25; KES 10,000.00 of KES 25,000.00 paid`. */
export function progressLine(status: string, p: BatchProgress): string {
  const t = tally(p.counts);
  return `${status}${p.paused && status !== 'PAUSED' ? ' (paused)' : ''}: ${countsText(t)} of ${t.total}; ${kes(p.amounts.succeeded)} of ${kes(p.amounts.total)} paid`;
}

/** What the operator should know or do while the batch is in this state, or nothing. */
export function noticeFor(batch: Batch): string | undefined {
  const p = batch.progress;
  const outage = p?.waitingOnPesaway;
  if (outage) {
    const alerted = outage.alertedAt === null ? '' : `; alert raised at ${shortTime(outage.alertedAt)} UTC`;
    return `Waiting on PesaWay: no answer since ${shortTime(outage.since)} UTC (${outage.lastError}); payouts retry under their own references and resume by themselves${alerted}`;
  }
  switch (batch.status) {
    case 'AWAITING_FUNDS': {
      if (p?.shortfall == null) return `Awaiting funds: top up the PesaWay wallet, then run \`disburse funds-added ${batch.id}\``;
      const available = p.available === null ? '' : ` (available ${kes(p.available)})`;
      return `Awaiting funds: top up at least ${kes(p.shortfall)}${available}, then run \`disburse funds-added ${batch.id}\``;
    }
    case 'SCHEDULED': {
      const decision =
        batch.approvalRequired && batch.approvedBy === null
          ? `; before then another user with the approver role runs \`disburse approve ${batch.id}\` (or \`disburse reject ${batch.id} --reason "…"\`)`
          : '';
      return `Scheduled: nothing is sent before ${batch.payAt === null ? 'its pay time' : `${shortTime(batch.payAt)} UTC`}${decision}; \`disburse cancel ${batch.id}\` stops it`;
    }
    case 'AWAITING_APPROVAL':
      return `Awaiting approval: another user with the approver role runs \`disburse approve ${batch.id}\` (or \`disburse reject ${batch.id} --reason "…"\`)`;
    case 'PAUSED':
      return `Paused: no new payouts start; \`disburse resume ${batch.id}\` continues`;
    case 'CANCELLING':
      return 'Cancelling: unsent payouts end cancelled; those already accepted by PesaWay settle';
    default:
      return undefined;
  }
}

/** " (failed KES 1,000.00, unresolved KES 500.00)": the money not paid, by why (only the non-zero ones). */
function amountBreakdown(p: BatchProgress): string {
  const parts: Array<[string, string]> = [
    ['failed', p.amounts.failed],
    ['rejected', p.amounts.rejected],
    ['cancelled', p.amounts.cancelled],
    ['unresolved', p.amounts.unresolved],
    ['not settled yet', p.amounts.pending],
  ];
  const shown = parts.filter(([, amount]) => minorOf(amount) > 0).map(([what, amount]) => `${what} ${kes(amount)}`);
  return shown.length > 0 ? ` (${shown.join(', ')})` : '';
}

/** The summary `disburse status` prints and `watch` ends with. */
export function batchSummary(batch: Batch): string[] {
  const lines = [`Batch ${batch.id}: ${batch.status}`];
  const file = batch.fileName ?? 'uploaded file';
  lines.push(`  ${file}: ${plural(batch.rows, 'row')} (${batch.valid} valid, ${batch.invalid} invalid, ${plural(batch.warnings, 'warning')}), policy ${batch.policy}`);
  if (batch.payroll) lines.push(`  Payroll "${batch.payroll}": disburse list --payroll "${batch.payroll}" shows its runs`);
  lines.push(`  Total ${kes(batch.totalAmount)} (estimated fees ${kes(batch.feeEstimate)})`);
  const approval = batch.approvedBy !== null ? `; approved by ${batch.approvedBy}` : batch.status === 'AWAITING_APPROVAL' ? '; needs approval' : '';
  lines.push(`  Submitted by ${batch.submittedBy ?? 'unknown'} at ${shortTime(batch.createdAt)} UTC${approval}${batch.allowDuplicateFile ? '; its file was already another batch (submitted with --allow-duplicate-file)' : ''}`);
  if (batch.payAt !== null && batch.payAt !== undefined) lines.push(`  Pays at ${shortTime(batch.payAt)} UTC (${batch.payAt})`);
  if (batch.rejection) lines.push(`  Rejected by ${batch.rejection.by} at ${shortTime(batch.rejection.at)} UTC: ${batch.rejection.reason}`);
  const p = batch.progress;
  if (p) {
    const t = tally(p.counts);
    lines.push(`  Payouts: ${countsText(t)} (of ${t.total})`);
    lines.push(`  Paid ${kes(p.amounts.succeeded)} of ${kes(p.amounts.total)}${amountBreakdown(p)}`);
    if ((p.flagged ?? 0) > 0) lines.push(`  NEEDS A PERSON: ${plural(p.flagged ?? 0, 'payout')} flagged (PesaWay's answers disagree or are unconfirmed): disburse attention --status flagged`);
  }
  if (batch.finishedAt !== null) lines.push(`  Finished at ${shortTime(batch.finishedAt)} UTC`);
  if (batch.links.temporal !== null) lines.push(`  Temporal: ${batch.links.temporal}`);
  const notice = noticeFor(batch);
  if (notice !== undefined) lines.push(notice);
  return lines;
}
