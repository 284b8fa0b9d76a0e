/**
 * Upload a payroll: pick or drop a CSV (or an Excel workbook, when the server reads them), choose how to pay
 * it, CHECK it first (a dry run: nothing is stored), read the preview, acknowledge its warnings, then submit.
 * Changing the file or an option that changes the verdict asks for a new check before submitting.
 */
import { useState } from 'preact/hooks';
import { api, ApiProblem } from '../api.js';
import { ProblemBox } from '../components/problem-box.js';
import { type CsvCells, parseCsvCells } from '../csv-cells.js';
import { kes, localToRfc3339, plural } from '../format.js';
import { navigate, paths } from '../router.js';
import type { DryRunAnswer, Session, SubmitAnswer } from '../types.js';
import { Preview } from './preview.js';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const isXlsx = (f: File) => f.name.toLowerCase().endsWith('.xlsx') || f.type === XLSX_TYPE;
/** Files larger than this are not read in the browser for the invalid rows' cells (the API still checks them). */
const CELLS_MAX_BYTES = 20 * 1024 * 1024;

interface Options {
  batchId: string;
  policy: 'strict' | 'skip-invalid';
  approvalRequired: boolean;
  payroll: string;
  payAt: string;
  sheet: string;
}

export function UploadPage({ session }: { session: Session }) {
  const [file, setFile] = useState<File | null>(null);
  const [options, setOptions] = useState<Options>({ batchId: '', policy: 'strict', approvalRequired: true, payroll: '', payAt: '', sheet: '' });
  const [answer, setAnswer] = useState<DryRunAnswer | null>(null);
  const [cells, setCells] = useState<CsvCells | null>(null);
  const [checked, setChecked] = useState(false);
  const [changesChecked, setChangesChecked] = useState(false);
  const [busy, setBusy] = useState<'check' | 'submit' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [duplicateOf, setDuplicateOf] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);

  if (session.role !== 'submitter') {
    return (
      <section>
        <h1>Upload a payroll</h1>
        <p>Uploading needs the submitter role; you are signed in as {session.role}.</p>
      </section>
    );
  }

  const choose = (f: File | null | undefined) => {
    setFile(f ?? null);
    setAnswer(null);
    setCells(null);
    setChecked(false);
    setChangesChecked(false);
    setError(null);
    setDuplicateOf(null);
  };
  const set = <K extends keyof Options>(key: K, value: Options[K], invalidates = true) => {
    setOptions({ ...options, [key]: value });
    if (invalidates) setAnswer(null);
  };
  const query = (extra: Record<string, string | boolean>) => ({
    policy: options.policy,
    approvalRequired: options.approvalRequired,
    ...(options.batchId.trim() ? { batchId: options.batchId.trim() } : {}),
    ...(options.payroll.trim() ? { payroll: options.payroll.trim() } : {}),
    ...(options.payAt ? { payAt: localToRfc3339(options.payAt) } : {}),
    ...(options.sheet ? { sheet: options.sheet } : {}),
    ...extra,
  });

  const check = async () => {
    if (!file) return;
    setBusy('check');
    setError(null);
    setDuplicateOf(null);
    try {
      const a = await api.upload<DryRunAnswer>(file, query({ dryRun: true }));
      setAnswer(a);
      setChecked(false);
      setChangesChecked(false);
      if (!isXlsx(file) && file.size <= CELLS_MAX_BYTES && a.report.errors.length > 0) {
        const lines = new Set(a.report.errors.map((e) => e.line).filter((l): l is number => l !== null));
        setCells(parseCsvCells(await file.text(), lines));
      } else setCells(null);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  const submit = async () => {
    if (!file || !answer) return;
    setBusy('submit');
    setError(null);
    try {
      const res = await api.upload<SubmitAnswer>(file, query({ acknowledgeWarnings: checked }));
      navigate(paths.batch(res.batch.id));
    } catch (err) {
      if (err instanceof ApiProblem && err.code === 'duplicate_file' && typeof err.body['batchId'] === 'string') setDuplicateOf(err.body['batchId']);
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  const warnings = answer?.report.warnings ?? 0;
  const refusal = answer?.report.refusal;
  // Warnings are the one refusal the submitter can lift here, by saying they checked them.
  const blocked = refusal && refusal.code !== 'warnings_unacknowledged';
  // What changed since the payroll's previous batch is for a person to look at, like the warnings (the
  // console asks for it; the API leaves it to its callers).
  const changes = answer?.preview.comparison ? Object.values(answer.preview.comparison.counts).reduce((a, b) => a + b, 0) : 0;
  const canSubmit = answer !== null && !blocked && (warnings === 0 || checked) && (changes === 0 || changesChecked) && busy === null;
  const sheets = answer?.workbook?.sheets ?? [];
  const sheetRead = answer?.workbook?.sheet;

  return (
    <section>
      <h1>Upload a payroll</h1>
      <div
        class={`drop${dragging ? ' dragging' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          choose(e.dataTransfer?.files[0]);
        }}
      >
        <label class="field">
          <span>
            Payroll file: drop it here or choose it (CSV or Excel .xlsx)
          </span>
          <input
            type="file"
            name="file"
            accept={`.csv,text/csv,.xlsx,${XLSX_TYPE}`}
            onChange={(e) => choose(e.currentTarget.files?.[0])}
          />
        </label>
        {file && (
          <p class="small" data-testid="chosen-file">
            {file.name} · {(file.size / 1024).toFixed(1)} KB
          </p>
        )}
      </div>

      <fieldset class="options">
        <legend>How to pay it</legend>
        <label class="field">
          Batch id (optional: a name people will recognise, e.g. payroll-2026-11)
          <input
            type="text"
            name="batchId"
            maxLength={64}
            pattern="[A-Za-z0-9][A-Za-z0-9._\-]{0,63}"
            title="letters, digits, dot, dash or underscore; starting with a letter or digit"
            value={options.batchId}
            onInput={(e) => set('batchId', e.currentTarget.value, false)}
          />
        </label>
        <label class="field">
          If some rows are invalid
          <select value={options.policy} onChange={(e) => set('policy', e.currentTarget.value as Options['policy'])}>
            <option value="strict">refuse the whole file (strict)</option>
            <option value="skip-invalid">pay the valid rows, skip the invalid ones</option>
          </select>
        </label>
        <label class="check">
          <input type="checkbox" checked={options.approvalRequired} onChange={(e) => set('approvalRequired', e.currentTarget.checked, false)} />
          An approver must approve it before anything is paid
        </label>
        {(
          <label class="field">
            Payroll (to compare with its previous batch)
            <input type="text" name="payroll" maxLength={64} placeholder="e.g. monthly-staff" value={options.payroll} onInput={(e) => set('payroll', e.currentTarget.value)} />
          </label>
        )}
        {(
          <label class="field">
            Pay at (leave empty to pay as soon as approved)
            <input type="datetime-local" name="payAt" step={1} value={options.payAt} onInput={(e) => set('payAt', e.currentTarget.value, false)} />
          </label>
        )}
        {sheets.length > 1 && (
          <label class="field">
            Sheet of the workbook
            <select value={options.sheet || sheetRead || ''} onChange={(e) => set('sheet', e.currentTarget.value)}>
              {sheets.map((s) => (
                <option value={s}>{s}</option>
              ))}
            </select>
          </label>
        )}
      </fieldset>

      <div class="buttons">
        <button type="button" class={answer ? '' : 'primary'} disabled={!file || busy !== null} onClick={() => void check()}>
          {busy === 'check' ? 'Checking…' : answer ? 'Check again' : 'Check the file'}
        </button>
      </div>
      <ProblemBox error={error} />
      {duplicateOf && (
        <p class="note">
          This file is already batch <a href={paths.batch(duplicateOf)}>{duplicateOf}</a>.
        </p>
      )}

      {answer && <Preview answer={answer} cells={cells} />}

      {answer && (
        <section class="submit" aria-labelledby="submit-title">
          <h2 id="submit-title">Submit</h2>
          {warnings > 0 && (
            <label class="check">
              <input type="checkbox" name="acknowledgeWarnings" checked={checked} onChange={(e) => setChecked(e.currentTarget.checked)} />I have checked these{' '}
              {plural(warnings, 'warning')}
            </label>
          )}
          {changes > 0 && (
            <label class="check">
              <input type="checkbox" name="acknowledgeChanges" checked={changesChecked} onChange={(e) => setChangesChecked(e.currentTarget.checked)} />I have checked the{' '}
              {plural(changes, 'change')} since the previous batch
            </label>
          )}
          {blocked && <p class="error-box">This file cannot be submitted as it is (see above): fix it, or choose to skip the invalid rows, and check it again.</p>}
          <p>
            {answer.report.valid > 0 && (
              <>
                {plural(answer.report.valid, 'payout')}, {kes(answer.preview.totalAmount)}
                {options.approvalRequired ? ', paid once an approver approves' : ', paid at once'}
                {options.payAt ? `, not before ${new Date(options.payAt).toLocaleString('en-KE')}` : ''}.
              </>
            )}
          </p>
          <button type="button" class="primary" disabled={!canSubmit} onClick={() => void submit()}>
            {busy === 'submit' ? 'Submitting…' : 'Submit batch'}
          </button>
        </section>
      )}
    </section>
  );
}
