/** Batches, newest first, filtered by status, a page at a time (keyset cursor, as the API pages). */
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { ProblemBox } from '../components/problem-box.js';
import { batchStatusShown, StatusBadge, statusWord } from '../components/status.js';
import { count, dateTime, kes } from '../format.js';
import { paths } from '../router.js';
import { type Batch, BATCH_STATUSES, type Session } from '../types.js';
import { useAsync } from '../use-async.js';

const PAGE = 25;

export function BatchesPage({ session }: { session: Session }) {
  const [status, setStatus] = useState('');
  // The cursors of the pages before this one, to go back.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors.at(-1) ?? null;
  const { value, error } = useAsync(() => api.listBatches({ status, cursor, limit: PAGE }), [status, cursor]);

  return (
    <section>
      <div class="heading">
        <h1>Batches</h1>
        {session.role === 'submitter' && (
          <a class="button primary" href={paths.upload()}>
            Upload a payroll
          </a>
        )}
      </div>
      <div class="filters">
        <label>
          Status
          <select
            value={status}
            onChange={(e) => {
              setStatus(e.currentTarget.value);
              setCursors([null]);
            }}
          >
            <option value="">All</option>
            {BATCH_STATUSES.map((s) => (
              <option value={s}>{statusWord(s)}</option>
            ))}
          </select>
        </label>
      </div>
      <ProblemBox error={error} />
      {value && value.items.length === 0 && <p class="empty">No batches{status ? ` in ${statusWord(status)}` : ''} yet.</p>}
      {value && value.items.length > 0 && <BatchTable items={value.items} />}
      {(cursors.length > 1 || value?.nextCursor) && (
      <div class="pager">
        <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          Newer
        </button>
        <button type="button" disabled={!value?.nextCursor} onClick={() => value?.nextCursor && setCursors([...cursors, value.nextCursor])}>
          Older
        </button>
      </div>
      )}
    </section>
  );
}

/** One row per batch; the payroll column only where the server labels batches with their payroll. */
function BatchTable({ items }: { items: Batch[] }) {
  const payroll = items.some((b) => 'payroll' in b);
  return (
    <div class="table-wrap">
      <table class="batches">
        <caption class="sr-only">Batches, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Batch</th>
            {payroll && <th scope="col">Payroll</th>}
            <th scope="col">Status</th>
            <th scope="col" class="num">Payouts</th>
            <th scope="col" class="num">Invalid</th>
            <th scope="col" class="num">Total</th>
            <th scope="col">Submitted</th>
          </tr>
        </thead>
        <tbody>
          {items.map((b) => (
            <tr key={b.id} data-batch={b.id}>
              <th scope="row">
                <a href={paths.batch(b.id)}>{b.id}</a>
                {b.fileName && <div class="muted small">{b.fileName}</div>}
              </th>
              {payroll && <td>{b.payroll ?? '—'}</td>}
              <td>
                <StatusBadge status={batchStatusShown(b.status, b.rejection)} />
                {b.payAt && b.status === 'SCHEDULED' && <div class="muted small">pays {dateTime(b.payAt)}</div>}
              </td>
              <td class="num">{count(b.valid)}</td>
              <td class="num">{count(b.invalid)}</td>
              <td class="num">{kes(b.totalAmount)}</td>
              <td>
                {dateTime(b.createdAt)}
                {b.submittedBy && <div class="muted small">by {b.submittedBy}</div>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
