/** One payout attempt: where its money stands, its flags, and its story from the event log, oldest first. */
import { ATTENTION_TEXT, isAttentionReason } from '../../domain/attention.js';
import { api } from '../api.js';
import { ProblemBox } from '../components/problem-box.js';
import { StatusBadge } from '../components/status.js';
import { dateTime, kes, time } from '../format.js';
import { paths } from '../router.js';
import { useAsync } from '../use-async.js';

export function PayoutPage({ reference }: { reference: string }) {
  const { value, error } = useAsync(() => api.payout(reference), [reference]);
  if (error) return <ProblemBox error={error} />;
  if (!value) return <p class="loading">Loading payout {reference}…</p>;
  const { payout: p, timeline } = value;
  return (
    <section class="payout">
      <p class="crumbs">
        <a href={paths.batch(p.batchId)}>Batch {p.batchId}</a> › row {p.row}
      </p>
      <div class="heading">
        <h1>
          Payout <span data-testid="reference">{p.reference}</span>
        </h1>
        <StatusBadge status={p.status} />
      </div>
      {!p.current && <p class="note">A later attempt replaced this one (a retry of failed rows).</p>}
      <dl class="facts">
        <dt>Employee</dt>
        <dd>
          {p.employeeId ?? '—'} {p.name ?? ''}
        </dd>
        <dt>Destination</dt>
        <dd data-testid="destination">
          {p.channel} {p.destination}
        </dd>
        <dt>Amount</dt>
        <dd>{kes(p.amount)}</dd>
        <dt>Attempt</dt>
        <dd>{p.attempt}</dd>
        <dt>PesaWay transaction</dt>
        <dd>{p.transactionId ?? '—'}</dd>
        <dt>Receipt</dt>
        <dd>{p.receipt ?? '—'}</dd>
        {p.reason && (
          <>
            <dt>Reason</dt>
            <dd>{p.reason}</dd>
          </>
        )}
        <dt>Settled</dt>
        <dd>{dateTime(p.settledAt)}</dd>
      </dl>
      {p.attention.length > 0 && (
        <div class={`banner ${p.attentionOpen ? 'warn' : 'info'}`} role="status" data-testid="attention">
          <strong>{p.attentionOpen ? 'Flagged for a person:' : 'Flagged, and resolved:'}</strong>
          <ul>
            {p.attention.map((a) => (
              <li>{isAttentionReason(a) ? ATTENTION_TEXT[a] : a}</li>
            ))}
          </ul>
          {p.attentionResolution && (
            <p data-testid="attention-resolution">
              {p.attentionOpen ? 'An earlier flag was resolved' : 'Resolved'} by {p.attentionResolution.by}, {dateTime(p.attentionResolution.at)}: “{p.attentionResolution.note}”
            </p>
          )}
        </div>
      )}
      <h2>Timeline</h2>
      <ol class="timeline" data-testid="timeline">
        {timeline.map((e) => (
          <li data-kind={e.kind}>
            <time dateTime={e.at} title={dateTime(e.at)}>
              {time(e.at)}
            </time>{' '}
            <span class="text">{e.text}</span> {e.source && <span class="muted small">({e.source})</span>}
          </li>
        ))}
      </ol>
      {p.evidence && (
        <details>
          <summary>Evidence for PesaWay support</summary>
          <pre>{JSON.stringify(p.evidence, null, 2)}</pre>
        </details>
      )}
    </section>
  );
}
