import { describe, expect, it } from 'vitest';
import { type LedgerPayment, type PayoutAttempt, type ReportLine, reconcile } from '../../bench/lib/reconcile.js';

const paid = (reference: string, amountMinor = 100_00, acceptCount = 1): LedgerPayment => ({ reference, status: 'succeeded', acceptCount, amountMinor });
const attempt = (reference: string, rowNo: number, status: string, extra: Partial<PayoutAttempt> = {}): PayoutAttempt => ({
  reference,
  rowNo,
  isCurrent: true,
  status,
  amountMinor: 100_00,
  hasEvidence: false,
  ...extra,
});
const line = (p: PayoutAttempt): ReportLine => ({ reference: p.reference, status: p.status, amountMinor: p.amountMinor });

/** A clean batch: row 1 paid, row 2 failed then paid on attempt 2, row 3 rejected, row 4 unresolved with evidence. */
function cleanBatch(): { ledger: LedgerPayment[]; payouts: PayoutAttempt[] } {
  const payouts = [
    attempt('R1A1', 1, 'succeeded'),
    attempt('R2A1', 2, 'failed', { isCurrent: false }),
    attempt('R2A2', 2, 'succeeded'),
    attempt('R3A1', 3, 'rejected'),
    attempt('R4A1', 4, 'unresolved', { hasEvidence: true }),
  ];
  const ledger: LedgerPayment[] = [paid('R1A1'), { ...paid('R2A1'), status: 'failed' }, paid('R2A2'), { ...paid('R4A1'), status: 'pending' }, paid('OTHER-BATCH')];
  return { ledger, payouts };
}
const reportOf = (payouts: PayoutAttempt[]): ReportLine[] => payouts.filter((p) => p.isCurrent).map(line);

describe('reconcile', () => {
  it('passes a clean batch, ignoring other batches in the ledger', () => {
    const { ledger, payouts } = cleanBatch();
    const r = reconcile(ledger, payouts, reportOf(payouts));
    expect(r).toMatchObject({ ok: true, sandboxPaidMinor: 200_00, reportSucceededMinor: 200_00, sumsAgree: true, rowsPaidTwice: 0, rowsWithoutOutcome: 0 });
  });

  it('catches a reference accepted twice', () => {
    const { ledger, payouts } = cleanBatch();
    ledger[0] = paid('R1A1', 100_00, 2);
    expect(reconcile(ledger, payouts, reportOf(payouts))).toMatchObject({ ok: false, referencesAcceptedMoreThanOnce: 1, examples: { referencesAcceptedMoreThanOnce: ['R1A1'] } });
  });

  it('catches a row paid by two attempts, and the sums disagreeing with it', () => {
    const { ledger, payouts } = cleanBatch();
    ledger[1] = paid('R2A1');
    const r = reconcile(ledger, payouts, reportOf(payouts));
    expect(r).toMatchObject({ ok: false, rowsPaidTwice: 1, rowsDisagreeingWithLedger: 1, sumsAgree: false, sandboxPaidMinor: 300_00 });
  });

  it('catches rows left open, and unresolved rows without evidence', () => {
    const { ledger, payouts } = cleanBatch();
    payouts[3] = attempt('R3A1', 3, 'submitting');
    payouts[4] = attempt('R4A1', 4, 'unresolved');
    expect(reconcile(ledger, payouts, reportOf(payouts))).toMatchObject({ ok: false, rowsWithoutOutcome: 2 });
  });

  it('catches money PesaWay paid that we report as failed, cancelled or unresolved', () => {
    for (const status of ['failed', 'cancelled', 'unresolved']) {
      const { ledger, payouts } = cleanBatch();
      payouts[0] = attempt('R1A1', 1, status, { hasEvidence: true });
      const r = reconcile(ledger, payouts, reportOf(payouts));
      expect(r, status).toMatchObject({ ok: false, rowsDisagreeingWithLedger: 1, sumsAgree: false });
    }
  });

  it('catches a succeeded row PesaWay never paid, and an amount that differs', () => {
    const { ledger, payouts } = cleanBatch();
    const unpaid = reconcile(ledger.slice(1), payouts, reportOf(payouts));
    expect(unpaid).toMatchObject({ ok: false, rowsDisagreeingWithLedger: 1, sumsAgree: false });
    ledger[0] = paid('R1A1', 99_99);
    expect(reconcile(ledger, payouts, reportOf(payouts))).toMatchObject({ ok: false, rowsDisagreeingWithLedger: 1 });
  });

  it('catches a report that lacks a row or holds a stranger', () => {
    const { ledger, payouts } = cleanBatch();
    const report = reportOf(payouts);
    expect(reconcile(ledger, payouts, report.slice(1))).toMatchObject({ ok: false, reportRowsMissing: 1 });
    expect(reconcile(ledger, payouts, [...report, { reference: 'R9A1', status: 'failed', amountMinor: 1 }])).toMatchObject({ ok: false, reportRowsMissing: 1 });
  });
});
