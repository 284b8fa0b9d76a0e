/**
 * The dry run's answer, before anything is stored: totals, fees, wallet and shortfall, every invalid row with
 * its bad cell highlighted and the rule in words, the warnings to acknowledge, and what changed since the
 * payroll's previous batch (grouped by kind).
 */
import { maskPhone, maskPhonesInText } from '../../common/mask.js';
import type { CsvCells } from '../csv-cells.js';
import { count, dateTime, kes, plural } from '../format.js';
import { paths } from '../router.js';
import type { Comparison, ComparisonFinding, ComparisonKind, DryRunAnswer, Issue } from '../types.js';

/** A header that holds phone numbers (as the payroll core's aliases name them): its cells are masked whole. */
const PHONE_HEADER = /phone|msisdn|mobile|^tel|mpesa/i;
const shown = (header: string, cell: string): string => (PHONE_HEADER.test(header) ? maskPhone(cell) : maskPhonesInText(cell));

const KIND_WORDS: Record<ComparisonKind, string> = {
  new_payee: 'New payees (not in the previous batch)',
  destination_changed: 'Phone number or account changed for a known employee',
  amount_changed: 'Amount far from last time',
  payee_missing: 'Paid last time, missing now',
};

export function Preview({ answer, cells }: { answer: DryRunAnswer; cells: CsvCells | null }) {
  const r = answer.report;
  const p = answer.preview;
  const sheet = answer.workbook?.sheet;
  return (
    <section class="preview" aria-labelledby="preview-title">
      <h2 id="preview-title">Preview{sheet ? ` of sheet “${sheet}”` : ''}</h2>
      <dl class="totals" data-testid="preview-totals">
        <div>
          <dt>Rows</dt>
          <dd>{count(p.rows)}</dd>
        </div>
        <div>
          <dt>Valid</dt>
          <dd>{count(p.valid)}</dd>
        </div>
        <div class={r.invalid ? 'bad' : ''}>
          <dt>Invalid</dt>
          <dd>{count(p.invalid)}</dd>
        </div>
        <div>
          <dt>Warnings</dt>
          <dd>{count(p.warnings)}</dd>
        </div>
        <div>
          <dt>Total to pay</dt>
          <dd>{kes(p.totalAmount)}</dd>
        </div>
        <div>
          <dt>Estimated fees</dt>
          <dd>{kes(p.estimatedFees)}</dd>
        </div>
        <div>
          <dt>Total with fees</dt>
          <dd>{kes(p.totalWithFees)}</dd>
        </div>
        {p.wallet && (
          <div class={p.wallet.shortfall !== '0.00' ? 'bad' : ''} data-testid="wallet">
            <dt>Wallet balance</dt>
            <dd>
              {kes(p.wallet.balance)}
              {p.wallet.shortfall !== '0.00' && <div class="small">short by {kes(p.wallet.shortfall)}</div>}
            </dd>
          </div>
        )}
      </dl>
      {p.walletUnavailable && <p class="note">{p.walletUnavailable}</p>}
      {r.refusal && (
        <p class={r.refusal.code === 'warnings_unacknowledged' ? 'note' : 'error-box'} role="status" data-testid="refusal">
          {r.refusal.message}
        </p>
      )}
      {r.errors.length > 0 && <InvalidRows errors={r.errors} invalid={r.invalid} cells={cells} />}
      {r.warningsList.length > 0 && (
        <section aria-labelledby="warnings-title">
          <h3 id="warnings-title">Warnings ({count(r.warnings)})</h3>
          <ul class="findings warnings">
            {r.warningsList.map((w) => (
              <li>
                <strong>{w.line === null ? 'File' : `Line ${w.line}`}</strong>
                {w.column ? ` · ${w.column}` : ''}: {w.message} <code class="rule">{w.rule}</code>
              </li>
            ))}
          </ul>
        </section>
      )}
      {p.comparison && <ComparisonSection comparison={p.comparison} />}
    </section>
  );
}

/** Each invalid row once, its cells from the file (phone numbers masked) with the bad ones marked, then why. */
function InvalidRows({ errors, invalid, cells }: { errors: Issue[]; invalid: number; cells: CsvCells | null }) {
  const byLine = new Map<number | null, Issue[]>();
  for (const e of errors) byLine.set(e.line, [...(byLine.get(e.line) ?? []), e]);
  const header = cells?.header ?? [];
  return (
    <section aria-labelledby="invalid-title">
      <h3 id="invalid-title">Invalid rows ({count(invalid)})</h3>
      <p class="muted small">Each row as it is in your file; the cells to fix are highlighted. Fix them in the file and check it again.</p>
      <div class="table-wrap">
        <table class="invalid-rows" data-testid="invalid-rows">
          <thead>
            <tr>
              <th scope="col">Line</th>
              {header.map((h) => (
                <th scope="col">{h}</th>
              ))}
              <th scope="col">What is wrong</th>
            </tr>
          </thead>
          <tbody>
            {[...byLine.entries()].map(([line, issues]) => {
              const row = line === null ? undefined : cells?.byLine.get(line);
              const bad = new Set(issues.map((i) => i.column));
              return (
                <tr data-line={line ?? 'file'}>
                  <th scope="row">{line ?? 'file'}</th>
                  {header.map((h, i) => (
                    <td class={bad.has(h) ? 'bad-cell' : ''} aria-invalid={bad.has(h) ? 'true' : undefined} title={bad.has(h) ? issues.filter((x) => x.column === h).map((x) => x.message).join('; ') : undefined}>
                      {row ? shown(h, row[i] ?? '') : ''}
                    </td>
                  ))}
                  <td class="why">
                    <ul>
                      {issues.map((i) => (
                        <li>
                          {i.column ? <strong>{i.column}: </strong> : null}
                          {i.message} <code class="rule">{i.rule}</code>
                        </li>
                      ))}
                    </ul>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {[...byLine.keys()].filter((l) => l !== null).length < invalid && <p class="muted small">Only the first {plural(byLine.size, 'row')} with findings are shown here; fix these and check the file again to see more.</p>}
    </section>
  );
}

function ComparisonSection({ comparison }: { comparison: Comparison }) {
  const kinds = (Object.keys(KIND_WORDS) as ComparisonKind[]).filter((k) => comparison.counts[k] > 0);
  return (
    <section aria-labelledby="comparison-title" data-testid="comparison">
      <h3 id="comparison-title">Compared with the previous batch</h3>
      <p>
        Previous batch <a href={paths.batch(comparison.previousBatchId)}>{comparison.previousBatchId}</a> of {dateTime(comparison.previousCreatedAt)}:{' '}
        {plural(comparison.previous.count, 'payout')}, {kes(comparison.previous.totalAmount)}; this file {plural(comparison.current.count, 'payout')},{' '}
        {kes(comparison.current.totalAmount)}.
      </p>
      {kinds.length === 0 && <p>Nothing changed that needs a look: the same payees, destinations and amounts as last time.</p>}
      {kinds.map((kind) => {
        const items = comparison.findings.filter((f) => f.kind === kind);
        return (
          <details open data-kind={kind}>
            <summary>
              {KIND_WORDS[kind]} ({count(comparison.counts[kind])})
            </summary>
            <ul class="findings">
              {items.map((f) => (
                <li data-row={f.row ?? undefined}>
                  <strong>{where(f)}</strong>
                  {f.employeeId && <> · {f.employeeId}</>}: {f.message}
                </li>
              ))}
            </ul>
          </details>
        );
      })}
      {comparison.findingsTruncated && <p class="muted small">Only the first {count(comparison.findings.length)} findings are listed; the counts are complete.</p>}
    </section>
  );
}

/** A finding's row in this file, or for a payee missing now, their row last time. */
const where = (f: ComparisonFinding): string => (f.row !== null ? `Row ${f.row}` : f.previousRow !== null ? `Last time row ${f.previousRow}` : 'File');
