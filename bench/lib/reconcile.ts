/**
 * Reconciles what PesaWay did (the sandbox ledger) with what the engine believes (its payouts and its
 * report). Pure: the chaos run and its CI test feed it, and unit tests prove each check can fail.
 */

/** One accepted payment in the sandbox ledger. */
export interface LedgerPayment {
  reference: string;
  status: 'pending' | 'succeeded' | 'failed';
  acceptCount: number;
  amountMinor: number;
}

/** One payout record in PostgreSQL: every attempt of every row. */
export interface PayoutAttempt {
  reference: string;
  rowNo: number;
  isCurrent: boolean;
  status: string;
  amountMinor: number;
  hasEvidence: boolean;
}

/** One line of the batch's report (report.csv): the current attempt of a row. */
export interface ReportLine {
  reference: string;
  status: string;
  amountMinor: number;
}

export interface Reconciliation {
  /** Must be 0: a reference PesaWay accepted twice is a double payment waiting to happen. */
  referencesAcceptedMoreThanOnce: number;
  /** Must be 0: rows with more than one successful payment (across attempts). */
  rowsPaidTwice: number;
  /** Must be 0: current rows neither terminal nor unresolved with the evidence kept. */
  rowsWithoutOutcome: number;
  /** Must be 0: rows whose status disagrees with the ledger (e.g. paid by PesaWay, not succeeded here). */
  rowsDisagreeingWithLedger: number;
  /** Must be 0: rows of the database missing from the report, or the other way round. */
  reportRowsMissing: number;
  sandboxPaidMinor: number;
  reportSucceededMinor: number;
  sumsAgree: boolean;
  ok: boolean;
  /** Up to ten references per failed check, to start an investigation from. */
  examples: Record<string, string[]>;
}

const TERMINAL = new Set(['succeeded', 'failed', 'rejected', 'cancelled']);

/** Whether a row's recorded status is consistent with PesaWay's ledger entry for its reference (if any). */
function agreesWithLedger(status: string, entry: LedgerPayment | undefined): boolean {
  switch (status) {
    case 'succeeded':
      return entry?.status === 'succeeded';
    case 'failed':
      return entry?.status === 'failed';
    case 'rejected':
    case 'cancelled':
      return entry === undefined; // never accepted by PesaWay
    default:
      return entry?.status !== 'succeeded' && entry?.status !== 'failed'; // unresolved or open: PesaWay has not settled it either
  }
}

type Check = 'referencesAcceptedMoreThanOnce' | 'rowsPaidTwice' | 'rowsWithoutOutcome' | 'rowsDisagreeingWithLedger' | 'reportRowsMissing';

export function reconcile(ledger: readonly LedgerPayment[], payouts: readonly PayoutAttempt[], report: readonly ReportLine[]): Reconciliation {
  const found: Record<Check, number> = { referencesAcceptedMoreThanOnce: 0, rowsPaidTwice: 0, rowsWithoutOutcome: 0, rowsDisagreeingWithLedger: 0, reportRowsMissing: 0 };
  const examples: Record<string, string[]> = {};
  const flag = (check: Check, what: string): void => {
    found[check] += 1;
    const list = (examples[check] ??= []);
    if (list.length < 10) list.push(what);
  };
  const ours = new Map(payouts.map((p) => [p.reference, p]));
  const entries = new Map<string, LedgerPayment>();
  for (const e of ledger) if (ours.has(e.reference)) entries.set(e.reference, e);

  const paidByRow = new Map<number, number>();
  let sandboxPaidMinor = 0;
  for (const e of entries.values()) {
    if (e.acceptCount > 1) flag('referencesAcceptedMoreThanOnce', e.reference);
    if (e.status !== 'succeeded') continue;
    sandboxPaidMinor += e.amountMinor;
    const row = ours.get(e.reference)!.rowNo;
    paidByRow.set(row, (paidByRow.get(row) ?? 0) + 1);
  }
  for (const [row, times] of paidByRow) if (times > 1) flag('rowsPaidTwice', `row ${row}`);

  for (const p of payouts) {
    const entry = entries.get(p.reference);
    if (!p.isCurrent) {
      // An earlier attempt is only ever retried after it failed: money on it means the retry paid twice.
      if (entry?.status === 'succeeded') flag('rowsDisagreeingWithLedger', p.reference);
      continue;
    }
    if (!TERMINAL.has(p.status) && !(p.status === 'unresolved' && p.hasEvidence)) flag('rowsWithoutOutcome', p.reference);
    if (!agreesWithLedger(p.status, entry) || (entry && entry.amountMinor !== p.amountMinor)) flag('rowsDisagreeingWithLedger', p.reference);
  }

  const current = new Set(payouts.filter((p) => p.isCurrent).map((p) => p.reference));
  const reported = new Set(report.map((r) => r.reference));
  for (const reference of current) if (!reported.has(reference)) flag('reportRowsMissing', reference);
  for (const r of report) if (!current.has(r.reference)) flag('reportRowsMissing', r.reference);
  const reportSucceededMinor = report.filter((r) => r.status === 'succeeded').reduce((s, r) => s + r.amountMinor, 0);

  const sumsAgree = sandboxPaidMinor === reportSucceededMinor;
  const ok = Object.values(found).every((n) => n === 0) && sumsAgree;
  return { ...found, sandboxPaidMinor, reportSucceededMinor, sumsAgree, ok, examples };
}
