/**
 * One batch, live: polled every second while it is not final (no reload), with counts, KES paid and pending,
 * a progress bar, the rate and time left from successive polls, banners for AWAITING_FUNDS and SCHEDULED,
 * the actions this user may take (each confirmed with the amounts), downloads, and its payouts.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { actionsFor, type BatchAction } from '../actions.js';
import { api, downloadUrl } from '../api.js';
import { type ConfirmRequest, ConfirmDialog } from '../components/confirm-dialog.js';
import { ProblemBox } from '../components/problem-box.js';
import { batchStatusShown, StatusBadge, statusWord } from '../components/status.js';
import { cents, count, dateTime, duration, fromCents, kes, plural } from '../format.js';
import { paths } from '../router.js';
import { type Batch, FINAL_STATUSES, type Session } from '../types.js';
import { PayoutsTable } from './payouts-table.js';
import { type Sample, rateOf, settledOf } from './rate.js';

const POLL_MS = 1000;

export function BatchPage({ id, session }: { id: string; session: Session }) {
  const [batch, setBatch] = useState<Batch | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [confirm, setConfirm] = useState<ConfirmRequest | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const samples = useRef<Sample[]>([]);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let live = true;
    let timer: number | undefined;
    const poll = async () => {
      try {
        const b = await api.batch(id);
        if (!live) return;
        setBatch(b);
        setError(null);
        if (b.progress) samples.current = [...samples.current, { at: Date.now(), settled: settledOf(b.progress.counts) }].slice(-20);
        if (FINAL_STATUSES.includes(b.progress?.status ?? b.status)) return;
      } catch (err) {
        if (live) setError(err);
      }
      if (live) timer = window.setTimeout(() => void poll(), POLL_MS);
    };
    void poll();
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [id, tick]);

  if (!batch) return error ? <ProblemBox error={error} /> : <p class="loading">Loading batch {id}…</p>;

  const p = batch.progress;
  const status = p?.status ?? batch.status;
  const total = batch.valid;
  const settled = p ? settledOf(p.counts) : 0;
  const percent = total > 0 ? Math.floor((settled / total) * 100) : 100;
  const rate = rateOf(samples.current);
  const left = rate > 0 ? (total - settled) / rate : undefined;
  const final = FINAL_STATUSES.includes(status);
  const actions = actionsFor(batch, session);

  const ask = (a: BatchAction) =>
    setConfirm({
      title: `${a.label}: batch ${batch.id}`,
      message: a.confirm(batch),
      confirmLabel: a.label,
      danger: a.danger ?? false,
      ...(a.id === 'reject' ? { needsText: 'Reason for rejecting' } : {}),
      run: async (text) => {
        await api.action(batch.id, a.id, a.id === 'reject' ? { reason: text } : undefined);
        setNotice(`${a.label}: sent to batch ${batch.id}. It acts on it within a moment.`);
        // A final batch stopped polling; a retry or an approval wakes it.
        setTick((t) => t + 1);
      },
    });

  return (
    <section class="batch">
      <div class="heading">
        <h1>
          Batch <span data-testid="batch-id">{batch.id}</span>
        </h1>
        <StatusBadge status={batchStatusShown(status, batch.rejection)} />
        {p?.paused && status !== 'PAUSED' && <span class="badge badge-paused">Paused</span>}
      </div>
      <p class="muted">
        {batch.payroll && <>Payroll {batch.payroll} · </>}
        {batch.fileName ?? 'uploaded file'} · submitted by {batch.submittedBy ?? '—'} {dateTime(batch.createdAt)}
        {batch.approvedBy && <> · approved by {batch.approvedBy}</>}
        {batch.finishedAt && <> · finished {dateTime(batch.finishedAt)}</>}
      </p>

      {status === 'AWAITING_FUNDS' && (
        <div class="banner warn" role="alert" data-testid="funds-banner">
          <strong>The wallet cannot cover the rest of this batch.</strong> Top up {p?.shortfall ? kes(p.shortfall) : 'the wallet'}
          {p?.available ? ` (available ${kes(p.available)} at ${dateTime(p.availableAt)})` : ''}; the batch resumes by itself when the wallet covers it, or
          press <em>Funds added</em>.
        </div>
      )}
      {p?.waitingOnPesaway && (
        <div class="banner warn" role="alert" data-testid="pesaway-banner">
          <strong>Waiting on PesaWay:</strong> it has not answered since {dateTime(p.waitingOnPesaway.since)} ({p.waitingOnPesaway.lastError}). Nothing is
          lost or paid twice: payouts retry under their own references and the batch resumes by itself when PesaWay answers
          {p.waitingOnPesaway.alertedAt ? `; the operators were alerted ${dateTime(p.waitingOnPesaway.alertedAt)}` : ''}.
        </div>
      )}
      {status === 'SCHEDULED' && (
        <div class="banner info" role="status" data-testid="scheduled-banner">
          Scheduled: pays at <strong>{dateTime(batch.payAt)}</strong>
          {batch.approvalRequired && !batch.approvedBy ? ', once approved' : ''}. It can be cancelled until then.
        </div>
      )}
      {status === 'AWAITING_APPROVAL' && (
        <div class="banner info" role="status">
          Waiting for an approver{batch.submittedBy ? ` other than ${batch.submittedBy}` : ''}. Nothing is paid before.
        </div>
      )}
      {batch.rejection && (
        <div class="banner warn" role="status" data-testid="rejection-banner">
          Rejected by {batch.rejection.by} {dateTime(batch.rejection.at)}: {batch.rejection.reason}
        </div>
      )}
      {(p?.flagged ?? 0) > 0 && (
        <div class="banner warn" role="status">
          {plural(p!.flagged, 'payout')} flagged for a person: see <a href={paths.attention()}>Attention</a>.
        </div>
      )}

      <section aria-labelledby="progress-title" class="progress-section">
        <h2 id="progress-title" class="sr-only">
          Progress
        </h2>
        <div
          class="progress"
          role="progressbar"
          aria-label={`Batch ${batch.id} settled`}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent}
          aria-valuetext={`${count(settled)} of ${count(total)} payouts settled (${percent}%)`}
        >
          <div class="bar" style={{ width: `${percent}%` }} />
        </div>
        <p aria-live="polite" class="live" data-testid="progress-text">
          {count(settled)} of {plural(total, 'payout')} settled ({percent}%) · {statusWord(batchStatusShown(status, batch.rejection))}
          {status === 'RUNNING' && !p?.paused && rate > 0 && (
            <>
              {' '}
              · {rate.toFixed(rate < 10 ? 1 : 0)} payouts/s · about {duration(left ?? 0)} left
            </>
          )}
        </p>
        {p && (
          <dl class="totals">
            <div>
              <dt>Paid</dt>
              <dd data-testid="paid">
                {kes(p.amounts.succeeded)}
                <div class="small">{plural(p.counts.succeeded, 'payout')}</div>
              </dd>
            </div>
            <div>
              <dt>Pending</dt>
              <dd data-testid="pending">
                {kes(p.amounts.pending)}
                <div class="small">{plural(p.counts.pending + p.counts.inFlight, 'payout')}</div>
              </dd>
            </div>
            <div class={p.counts.failed + p.counts.rejected ? 'bad' : ''}>
              <dt>Failed or rejected</dt>
              <dd>
                {kes(addAmounts(p.amounts.failed, p.amounts.rejected))}
                <div class="small">{plural(p.counts.failed + p.counts.rejected, 'payout')}</div>
              </dd>
            </div>
            <div class={p.counts.unresolved ? 'bad' : ''}>
              <dt>Unresolved</dt>
              <dd>
                {kes(p.amounts.unresolved)}
                <div class="small">{plural(p.counts.unresolved, 'payout')}</div>
              </dd>
            </div>
            <div>
              <dt>Cancelled</dt>
              <dd>
                {kes(p.amounts.cancelled)}
                <div class="small">{plural(p.counts.cancelled, 'payout')}</div>
              </dd>
            </div>
            <div>
              <dt>Total</dt>
              <dd>
                {kes(batch.totalAmount)}
                <div class="small">fees about {kes(batch.feeEstimate)}</div>
              </dd>
            </div>
          </dl>
        )}
      </section>

      {notice && (
        <p class="note" role="status">
          {notice}
        </p>
      )}
      <ProblemBox error={error} />
      <div class="buttons actions" data-testid="actions">
        {actions.map((a) => (
          <button type="button" class={a.danger ? 'danger' : 'primary'} data-action={a.id} onClick={() => ask(a)}>
            {a.label}
          </button>
        ))}
      </div>
      <div class="buttons downloads">
        <a class="button" href={downloadUrl(batch.id, 'report.csv')} download>
          Download report.csv
        </a>
        {batch.invalid + batch.warnings > 0 && (
          <a class="button" href={downloadUrl(batch.id, 'errors.csv')} download>
            Download errors.csv
          </a>
        )}
        <a class="button" href={paths.summary(batch.id)}>
          Printable summary
        </a>
        {batch.links.temporal && (
          <a class="button" href={batch.links.temporal} target="_blank" rel="noopener noreferrer">
            Temporal Web UI
          </a>
        )}
      </div>

      <PayoutsTable batchId={batch.id} refreshKey={final ? status : settled} />
      <ConfirmDialog request={confirm} onClose={() => setConfirm(null)} />
    </section>
  );
}

/** Two of the API's decimal amounts added exactly, in cents. */
function addAmounts(a: string, b: string): string {
  return fromCents(cents(a) + cents(b));
}
