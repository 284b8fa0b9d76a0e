/**
 * Payouts that need a person, across batches: flagged (contradictions, amount mismatches, …), unresolved,
 * failed, rejected, awaiting funds. An approver resolves a flag with a note, where the server offers it.
 */
import { useState } from 'preact/hooks';
import { ATTENTION_TEXT, isAttentionReason } from '../../domain/attention.js';
import { api } from '../api.js';
import { type ConfirmRequest, ConfirmDialog } from '../components/confirm-dialog.js';
import { ProblemBox } from '../components/problem-box.js';
import { StatusBadge } from '../components/status.js';
import { dateTime, kes } from '../format.js';
import { paths } from '../router.js';
import type { PayoutRecord, Session } from '../types.js';
import { useAsync } from '../use-async.js';

const LISTS = [
  ['flagged', 'Flagged'],
  ['unresolved', 'Unresolved'],
  ['failed', 'Failed'],
  ['rejected', 'Rejected'],
  ['awaiting_funds', 'Awaiting funds'],
] as const;

export function AttentionPage({ session }: { session: Session }) {
  const [list, setList] = useState<string>('flagged');
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [confirm, setConfirm] = useState<ConfirmRequest | null>(null);
  const cursor = cursors.at(-1) ?? null;
  const { value, error, reload } = useAsync(() => api.attention({ status: list, cursor, limit: 50 }), [list, cursor]);
  const canResolve = session.role === 'approver' && list === 'flagged';

  const resolve = (p: PayoutRecord) =>
    setConfirm({
      title: `Resolve the flag on ${p.reference}`,
      message: `Payout ${p.reference} of batch ${p.batchId}: ${kes(p.amount)} to ${p.destination}. Say what you checked (with PesaWay, the bank, the employee); the note is kept with the payout.`,
      confirmLabel: 'Resolve',
      needsText: 'Note',
      run: async (note) => {
        await api.resolveAttention(p.reference, note);
        reload();
      },
    });

  return (
    <section>
      <h1>Payouts that need a person</h1>
      <div class="tabs" role="group" aria-label="Which payouts">
        {LISTS.map(([id, label]) => (
          <button
            type="button"
            aria-pressed={list === id}
            class={list === id ? 'tab selected' : 'tab'}
            onClick={() => {
              setList(id);
              setCursors([null]);
            }}
          >
            {label}
          </button>
        ))}
      </div>
      <ProblemBox error={error} />
      {value && value.items.length === 0 && <p class="empty">Nothing here. Good.</p>}
      {value && value.items.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Payout</th>
                <th scope="col">Batch</th>
                <th scope="col">Employee</th>
                <th scope="col" class="num">Amount</th>
                <th scope="col">Status</th>
                <th scope="col">Why</th>
                <th scope="col">Changed</th>
                {canResolve && <th scope="col">Action</th>}
              </tr>
            </thead>
            <tbody>
              {value.items.map((p) => (
                <tr data-reference={p.reference}>
                  <td>
                    <a href={paths.payout(p.reference)}>{p.reference}</a>
                  </td>
                  <td>
                    <a href={paths.batch(p.batchId)}>{p.batchId}</a> row {p.row}
                  </td>
                  <td>
                    {p.employeeId ?? ''} {p.name ?? ''}
                  </td>
                  <td class="num">{kes(p.amount)}</td>
                  <td>
                    <StatusBadge status={p.status} />
                  </td>
                  <td class="small">{p.attention.length ? p.attention.map((a) => (isAttentionReason(a) ? ATTENTION_TEXT[a] : a)).join('; ') : (p.reason ?? '')}</td>
                  <td>{dateTime(p.updatedAt)}</td>
                  {canResolve && (
                    <td>
                      <button type="button" onClick={() => resolve(p)}>
                        Resolve
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
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
      <ConfirmDialog request={confirm} onClose={() => setConfirm(null)} />
    </section>
  );
}
