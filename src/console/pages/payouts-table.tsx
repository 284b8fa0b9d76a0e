/**
 * A batch's payouts, a page at a time (the API's keyset cursor by row, so page 1,000 of a 100,000-row batch is
 * as quick as page 1), filtered by status and searched by employee id, name or reference.
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { ProblemBox } from '../components/problem-box.js';
import { StatusBadge, statusWord } from '../components/status.js';
import { kes } from '../format.js';
import { paths } from '../router.js';
import { type Page, type Payout, PAYOUT_STATUSES } from '../types.js';

const PAGE = 25;

export function PayoutsTable({ batchId, refreshKey }: { batchId: string; refreshKey: unknown }) {
  const [status, setStatus] = useState('');
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  const [cursors, setCursors] = useState<(number | null)[]>([null]);
  const [page, setPage] = useState<Page<Payout, number> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const cursor = cursors.at(-1) ?? null;

  useEffect(() => {
    let live = true;
    api.payouts(batchId, { status, q, cursor, limit: PAGE }).then(
      (p) => live && (setPage(p), setError(null)),
      (err: unknown) => live && setError(err),
    );
    return () => {
      live = false;
    };
  }, [batchId, status, q, cursor, refreshKey]);

  const restart = () => setCursors([null]);
  return (
    <section aria-labelledby="payouts-title" class="payouts">
      <h2 id="payouts-title">Payouts</h2>
      <form
        class="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setQ(search.trim());
          restart();
        }}
      >
        <label>
          Status
          <select
            value={status}
            onChange={(e) => {
              setStatus(e.currentTarget.value);
              restart();
            }}
          >
            <option value="">All</option>
            {PAYOUT_STATUSES.map((s) => (
              <option value={s}>{statusWord(s)}</option>
            ))}
          </select>
        </label>
        <label>
          Search
          <input type="search" name="q" maxLength={100} placeholder="employee id, name or reference" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
        </label>
        <button type="submit">Search</button>
      </form>
      <ProblemBox error={error} />
      {page && page.items.length === 0 && <p class="empty">No payouts match.</p>}
      {page && page.items.length > 0 && (
        <div class="table-wrap">
          <table class="payouts-table">
            <thead>
              <tr>
                <th scope="col" class="num">Row</th>
                <th scope="col">Employee</th>
                <th scope="col">Name</th>
                <th scope="col">Destination</th>
                <th scope="col" class="num">Amount</th>
                <th scope="col">Status</th>
                <th scope="col">Reference</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((p) => (
                <tr key={p.reference} data-reference={p.reference}>
                  <td class="num">{p.row}</td>
                  <td>{p.employeeId ?? '—'}</td>
                  <td>{p.name ?? '—'}</td>
                  <td>
                    {p.channel} {p.destination}
                  </td>
                  <td class="num">{kes(p.amount)}</td>
                  <td>
                    <StatusBadge status={p.status} />
                    {p.attention.length > 0 && <span class="flag" title={p.attention.join(', ')}> ⚑ flagged</span>}
                  </td>
                  <td>
                    <a href={paths.payout(p.reference)}>{p.reference}</a>
                  </td>
                  <td class="small">{p.reason ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div class="pager">
        <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          Previous
        </button>
        <span class="small">Page {cursors.length}</span>
        <button type="button" disabled={!page?.nextCursor} onClick={() => page?.nextCursor && setCursors([...cursors, page.nextCursor])}>
          Next
        </button>
      </div>
    </section>
  );
}
