/**
 * What the Temporal Web UI shows operators: a one-line summary per payout activity and shard, and the
 * batch's live details (Markdown, refreshed as the batch moves). Pure: masked destinations only.
 */
import { formatKes } from '../domain/money.js';
import type { ShardState } from './shard-state.js';
import { inFlightCount, parkedCount } from './shard-state.js';
import type { PayoutTicket, Progress, RowRange } from './types.js';

const CHANNEL_NAMES = { MPESA: 'M-Pesa', AIRTEL: 'Airtel', BANK: 'bank' } as const;

/** `Row 12 · KES 1,500.00 → 2547*****678 (M-Pesa)`: how a payout activity reads in the Web UI. */
export function payoutSummary(t: PayoutTicket): string {
  return `Row ${t.rowNo}${t.attempt > 1 ? ` (attempt ${t.attempt})` : ''} · ${formatKes(t.amountMinor)} → ${t.maskedDestination} (${CHANNEL_NAMES[t.channel]})`;
}

export function shardSummaryLine(batchId: string, shard: number, range: RowRange): string {
  return `Batch ${batchId}, shard ${shard}: rows ${range.fromRow}–${range.toRow}`;
}

export function shardDetails(s: ShardState): string {
  const e = s.summary.ended;
  const gate = s.control.cancelled ? 'cancelled' : s.control.paused ? 'paused' : s.control.holdForFunds || parkedCount(s) > 0 ? 'holding: awaiting funds' : 'paying';
  return [
    `**Shard ${s.shard}** of batch \`${s.batchId}\` — rows ${s.range.fromRow}–${s.range.toRow}, ${gate} (run ${s.run})`,
    '',
    `Started ${s.summary.started} · in flight ${inFlightCount(s)} · parked ${parkedCount(s)} · paid ${e.succeeded} · failed ${e.failed} · rejected ${e.rejected} · cancelled ${e.cancelled} · unresolved ${e.unresolved}`,
  ].join('\n');
}

/** Whether the batch needs an approval, who gave it, or who refused it: for what the details say to do. */
export interface ApprovalDetails {
  required: boolean;
  by: string | undefined;
  rejection?: { by: string; reason: string; at: string } | undefined;
}

/** `2026-12-25 03:00 UTC`: a pay time as operators read it in the Web UI (UTC, like Temporal's own times). */
const utcMinute = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

/** The batch's live details: counts and KES amounts, the shortfall and what to do, links. */
export function batchDetails(p: Progress, links: { apiUrl?: string | undefined }, approval?: ApprovalDetails): string {
  const c = p.counts;
  const a = p.amounts;
  const lines = [
    `**Batch \`${p.batchId}\`** — ${p.status}${p.paused && p.status !== 'PAUSED' ? ' (paused)' : ''}${p.cancelRequested && p.status !== 'CANCELLING' ? ' (cancel requested)' : ''}`,
    '',
    '| | payouts | KES |',
    '|---|---:|---:|',
    `| paid | ${c.succeeded} | ${formatKes(a.succeededMinor)} |`,
    `| failed | ${c.failed} | ${formatKes(a.failedMinor)} |`,
    `| rejected | ${c.rejected} | ${formatKes(a.rejectedMinor)} |`,
    `| cancelled | ${c.cancelled} | ${formatKes(a.cancelledMinor)} |`,
    `| unresolved | ${c.unresolved} | ${formatKes(a.unresolvedMinor)} |`,
    `| in flight (${c.awaitingFunds} awaiting funds) | ${c.inFlight} | |`,
    `| not sent yet | ${c.pending} | |`,
    `| **total** | ${c.pending + c.inFlight + c.succeeded + c.failed + c.rejected + c.cancelled + c.unresolved} | ${formatKes(a.totalMinor)} |`,
    '',
  ];
  if (p.status === 'SCHEDULED' && p.payAt !== undefined) {
    const decision = !approval?.required ? '' : approval.by !== undefined ? ` Approved by ${approval.by}.` : ` Needs an approver before then: \`disburse approve ${p.batchId}\` or \`disburse reject ${p.batchId} --reason "…"\`.`;
    lines.push(`**Scheduled for ${utcMinute(p.payAt)}** (${p.payAt}): nothing is sent before then.${decision} To stop it: \`disburse cancel ${p.batchId}\`.`);
  }
  if (approval?.rejection) lines.push(`**Rejected by ${approval.rejection.by}** at ${approval.rejection.at}: ${approval.rejection.reason}. Nothing was paid.`);
  if (p.status === 'AWAITING_FUNDS') {
    lines.push(
      p.shortfallMinor === undefined
        ? '**Awaiting funds.** Top up the PesaWay wallet, then send `fundsAdded` (`disburse funds-added ' + p.batchId + '`).'
        : `**Awaiting funds: top up at least ${formatKes(p.shortfallMinor)}**, then send \`fundsAdded\` (\`disburse funds-added ${p.batchId}\`); the balance is also polled. Parked payouts are resent under their own references.`,
    );
  }
  if (p.waitingOnPesaway) {
    const w = p.waitingOnPesaway;
    lines.push(
      `**Waiting on PesaWay**: no answer since ${w.since} (${w.lastError || 'no detail'}). Payouts retry under their own references and resume by themselves when it answers${w.alertedAt ? `; alert raised at ${w.alertedAt}` : ''}.`,
    );
  }
  if (c.unresolved > 0) lines.push(`${c.unresolved} unresolved: never resent; their evidence is in \`disburse attention\` and the report.`);
  if (p.availableMinor !== undefined) lines.push(`Wallet available: ${formatKes(p.availableMinor)} (read ${p.availableAt ?? 'earlier'}).`);
  lines.push(`Shards running: ${p.shardsRunning} · counts as of ${p.countsAt ?? 'start'} · run ${p.run}`);
  if (links.apiUrl) {
    const base = `${links.apiUrl.replace(/\/+$/, '')}/v1/batches/${encodeURIComponent(p.batchId)}`;
    lines.push('', `[Batch](${base}) · [payouts](${base}/payouts) · [report.csv](${base}/report.csv)`);
  }
  return lines.join('\n');
}
