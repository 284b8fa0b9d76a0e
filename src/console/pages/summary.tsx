/** A batch's summary for the file: totals, counts, who submitted and approved it, when. Prints on one page. */
import { api } from '../api.js';
import { ProblemBox } from '../components/problem-box.js';
import { batchStatusShown, statusWord } from '../components/status.js';
import { count, dateTime, kes } from '../format.js';
import { paths } from '../router.js';
import { useAsync } from '../use-async.js';

export function SummaryPage({ id }: { id: string }) {
  const { value: b, error } = useAsync(() => api.batch(id), [id]);
  if (error) return <ProblemBox error={error} />;
  if (!b) return <p class="loading">Loading…</p>;
  const p = b.progress;
  const rows: [string, string, string][] = p
    ? [
        ['Paid', count(p.counts.succeeded), kes(p.amounts.succeeded)],
        ['Failed', count(p.counts.failed), kes(p.amounts.failed)],
        ['Rejected by PesaWay', count(p.counts.rejected), kes(p.amounts.rejected)],
        ['Unresolved', count(p.counts.unresolved), kes(p.amounts.unresolved)],
        ['Cancelled', count(p.counts.cancelled), kes(p.amounts.cancelled)],
        ['Not settled yet', count(p.counts.pending + p.counts.inFlight), kes(p.amounts.pending)],
      ]
    : [];
  return (
    <article class="summary">
      <p class="no-print">
        <a href={paths.batch(b.id)}>Back to the batch</a> ·{' '}
        <button type="button" class="link" onClick={() => window.print()}>
          Print
        </button>
      </p>
      <h1>Payroll batch {b.id}</h1>
      <dl class="facts">
        {b.payroll && (
          <>
            <dt>Payroll</dt>
            <dd>{b.payroll}</dd>
          </>
        )}
        <dt>Status</dt>
        <dd>{statusWord(batchStatusShown(p?.status ?? b.status, b.rejection))}</dd>
        <dt>File</dt>
        <dd>{b.fileName ?? '—'}</dd>
        <dt>File SHA-256</dt>
        <dd class="mono small">{b.fileSha256}</dd>
        <dt>Submitted</dt>
        <dd>
          {b.submittedBy ?? '—'}, {dateTime(b.createdAt)}
        </dd>
        <dt>Approved</dt>
        <dd>{b.approvalRequired ? (b.approvedBy ?? 'not yet') : 'no approval required'}</dd>
        {b.payAt && (
          <>
            <dt>Pay at</dt>
            <dd>{dateTime(b.payAt)}</dd>
          </>
        )}
        {b.rejection && (
          <>
            <dt>Rejected</dt>
            <dd>
              {b.rejection.by}, {dateTime(b.rejection.at)}: {b.rejection.reason}
            </dd>
          </>
        )}
        <dt>Finished</dt>
        <dd>{dateTime(b.finishedAt)}</dd>
        <dt>Rows</dt>
        <dd>
          {count(b.rows)} ({count(b.valid)} valid, {count(b.invalid)} invalid, {count(b.warnings)} warnings; policy {b.policy})
        </dd>
        <dt>Total</dt>
        <dd>
          {kes(b.totalAmount)} (estimated fees {kes(b.feeEstimate)})
        </dd>
      </dl>
      {rows.length > 0 && (
        <table class="summary-table">
          <thead>
            <tr>
              <th scope="col">Outcome</th>
              <th scope="col" class="num">Payouts</th>
              <th scope="col" class="num">Amount</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([label, n, amount]) => (
              <tr>
                <th scope="row">{label}</th>
                <td class="num">{n}</td>
                <td class="num">{amount}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">Total</th>
              <td class="num">{count(b.valid)}</td>
              <td class="num">{kes(b.totalAmount)}</td>
            </tr>
          </tfoot>
        </table>
      )}
      <p class="muted small">Printed {dateTime(new Date().toISOString())}. The row-by-row report is report.csv of this batch.</p>
    </article>
  );
}
