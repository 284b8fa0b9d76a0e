/**
 * The console in Chromium against the real stack, a payroll's second month: the comparison with the first
 * month catches a changed phone number, an amount far from last time, a new payee and a missing one; the
 * submitter must acknowledge them; the approver rejects the batch with a reason. Then the corrected month is
 * uploaded as an Excel workbook (its second sheet chosen) and scheduled: it waits, sends nothing before its
 * time, then pays. A late callback contradicting one of its payouts is flagged, and the approver resolves it
 * from the attention list with a note.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultsToken } from '../../src/pesaway/results-url.js';
import { API_KEYS, CALLBACK_SECRET, type Engine, startEngine } from '../support/engine.js';
import { http } from '../support/http.js';
import { payrollCsv, payrollRows, type PayrollRow } from '../support/payroll.js';
import { eventually } from '../support/waiting.js';
import { buildWorkbook, csvAsRows } from '../support/xlsx.js';
import { attributes, checkFile, launchBrowser, screenshot, signIn, twoUsers } from './support.js';

const PAYROLL = 'monthly-staff';
const MONTH_ONE: PayrollRow[] = payrollRows(6, { amount: () => 1000 });
/** Month two: row 2's phone changed, row 3 paid four times as much, row 6 gone, a new payee at the end. */
const MONTH_TWO: PayrollRow[] = [
  MONTH_ONE[0]!,
  { ...MONTH_ONE[1]!, phone: '254719999888' },
  { ...MONTH_ONE[2]!, amount: '4000' },
  MONTH_ONE[3]!,
  MONTH_ONE[4]!,
  { employeeId: 'EMP09001', name: 'New Starter', phone: '254718000111', amount: '1500' },
];
/** The corrected month two: the known phone and amount back, the new starter kept. */
const CORRECTED: PayrollRow[] = [MONTH_ONE[0]!, MONTH_ONE[1]!, MONTH_ONE[2]!, MONTH_ONE[3]!, MONTH_ONE[4]!, MONTH_TWO[5]!];
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** How far ahead the scheduled batch pays: long enough to see it wait, short enough for CI. */
const WAIT_MS = 25_000;

/** Nairobi wall-clock time (UTC+3, no daylight saving) as a datetime-local input takes it, to the second. */
const nairobiLocal = (at: Date): string => new Date(at.getTime() + 3 * 3_600_000).toISOString().slice(0, 19);

describe('web console: month two of a payroll', () => {
  let engine: Engine;
  let baseUrl: string;
  let browser: Browser;
  let alice: Page;
  let bob: Page;
  const errors: string[][] = [];

  const batchRow = async (id: string) =>
    (await engine.db.pool.query<{ status: string; approved_by: string | null }>('SELECT status, approved_by FROM batches WHERE id = $1', [id])).rows[0];
  const ledgerOf = async (id: string) => {
    const refs = new Set((await engine.db.pool.query<{ reference: string }>('SELECT reference FROM payouts WHERE batch_id = $1', [id])).rows.map((r) => r.reference));
    return engine.sandbox.ledger.report().entries.filter((e) => refs.has(e.reference));
  };

  beforeAll(async () => {
    [engine, browser] = await Promise.all([
      startEngine({ sandbox: { settleDelayMs: { min: 20, max: 100 } }, settings: { windowSize: 5, pageSize: 5 }, ratePerSecond: 20 }),
      launchBrowser(),
    ]);
    baseUrl = await engine.startApi();
    [alice, bob] = await twoUsers(browser, baseUrl, errors);
    // Month one, paid through the API as another system would: the comparison's baseline.
    const first = await http('POST', `${baseUrl}/v1/batches?batchId=staff-2026-10&payroll=${PAYROLL}&approvalRequired=false`, {
      key: API_KEYS.alice,
      body: payrollCsv(MONTH_ONE),
      headers: { 'content-type': 'text/csv' },
    });
    expect(first.status, first.text).toBe(201);
    await eventually(async () => ((await batchRow('staff-2026-10'))?.status === 'COMPLETED' ? true : undefined), 'month one paid', 180_000);
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await engine?.stop();
  });

  it('shows what changed since month one, and submits only once the changes are acknowledged', async () => {
    await signIn(alice, API_KEYS.alice, '/upload');
    await alice.getByLabel(/^Payroll \(to compare/).fill(PAYROLL);
    await checkFile(alice, { name: 'staff-2026-11.csv', content: payrollCsv(MONTH_TWO), batchId: 'staff-2026-11', approvalRequired: true });
    const comparison = alice.getByTestId('comparison');
    expect(await comparison.textContent()).toContain('staff-2026-10');
    expect(await attributes(comparison.locator('details'), 'data-kind')).toEqual(['new_payee', 'destination_changed', 'amount_changed', 'payee_missing']);
    const rowsOf = (kind: string) => attributes(comparison.locator(`details[data-kind="${kind}"] li`), 'data-row');
    expect(await rowsOf('destination_changed')).toEqual(['2']);
    expect(await rowsOf('amount_changed')).toEqual(['3']);
    expect(await rowsOf('new_payee')).toEqual(['6']);
    // The missing payee has no row in this file: it is named by last time's.
    expect(await comparison.locator('details[data-kind="payee_missing"] li').textContent()).toContain('Last time row 6');
    // Numbers are masked here as everywhere.
    expect(await comparison.textContent()).not.toContain('254719999888');
    expect(await comparison.textContent()).toMatch(/2547\*+888/);
    expect(await alice.getByTestId('preview-totals').textContent()).toContain('KES 9,500.00');
    expect(await alice.getByTestId('wallet').isVisible()).toBe(true);
    await screenshot(alice, 'upload-preview-comparison');

    const submit = alice.getByRole('button', { name: 'Submit batch' });
    expect(await submit.isDisabled()).toBe(true);
    await alice.getByLabel(/I have checked the 4 changes since the previous batch/).check();
    expect(await submit.isDisabled()).toBe(false);
    await submit.click();
    await expect.poll(() => alice.url()).toMatch(/\/batches\/staff-2026-11$/);
    await expect.poll(() => alice.locator('.badge').first().textContent()).toBe('Awaiting approval');
    expect((await batchRow('staff-2026-11'))?.status).toBe('AWAITING_APPROVAL');
  });

  it('is rejected by the approver with a reason the submitter then reads', async () => {
    await signIn(bob, API_KEYS.bob, '/batches/staff-2026-11');
    await bob.locator('[data-action="reject"]').click();
    const dialog = bob.getByRole('dialog');
    expect(await dialog.textContent()).toContain('Reject batch staff-2026-11: 6 payouts, KES 9,500.00 will not be paid');
    // A reason is required: the dialog stays open without one.
    await dialog.getByRole('button', { name: 'Reject' }).click();
    expect(await dialog.isVisible()).toBe(true);
    expect(await dialog.locator('textarea:invalid').count()).toBe(1);
    await dialog.getByLabel('Reason for rejecting').fill('EMP00002 phone changed without an HR form; EMP00003 is paid 4x');
    await dialog.getByRole('button', { name: 'Reject' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    await expect.poll(async () => (await batchRow('staff-2026-11'))?.status, { timeout: 30_000 }).toBe('CANCELLED');
    // Alice's page polls: the rejection reaches her without a reload.
    const banner = alice.getByTestId('rejection-banner');
    await expect.poll(() => banner.isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await banner.textContent()).toMatch(/Rejected by bob .*EMP00002 phone changed without an HR form/);
    // Stored CANCELLED (rejected is a reason), shown as what happened to it once the page's next poll sees
    // the workflow's status (the rejection itself is in PostgreSQL first).
    await expect.poll(() => alice.locator('.heading .badge').first().textContent(), { timeout: 10_000 }).toBe('Rejected');
    await screenshot(alice, 'batch-rejected');
    expect(await ledgerOf('staff-2026-11')).toEqual([]);
  });

  it('takes the corrected month from the second sheet of a workbook, scheduled: it waits, then pays', async () => {
    const workbook = buildWorkbook([
      { name: 'Notes', rows: [['Prepared by payroll'], ['Use the sheet "November"']] },
      { name: 'November', rows: csvAsRows(payrollCsv(CORRECTED)) },
    ]);
    await alice.goto('/upload');
    await alice.getByLabel(/^Payroll \(to compare/).fill(PAYROLL);
    await checkFile(alice, { name: 'staff-2026-11.xlsx', content: workbook, mimeType: XLSX, batchId: 'staff-2026-11b', approvalRequired: false });
    // The first sheet is no payroll; the console offers the workbook's sheets.
    const sheet = alice.getByLabel('Sheet of the workbook');
    expect(await sheet.locator('option').allTextContents()).toEqual(['Notes', 'November']);
    await sheet.selectOption('November');
    await alice.getByRole('button', { name: /^Check (the file|again)$/ }).click();
    await expect.poll(() => alice.locator('#preview-title').textContent()).toBe('Preview of sheet “November”');
    expect(await alice.getByTestId('preview-totals').textContent()).toContain('KES 6,500.00');
    // Against month one (the rejected month two does not count): the new starter and the missing payee.
    const comparison = alice.getByTestId('comparison');
    expect(await attributes(comparison.locator('details'), 'data-kind')).toEqual(['new_payee', 'payee_missing']);

    const payAt = new Date(Date.now() + WAIT_MS);
    await alice.getByLabel(/^Pay at/).fill(nairobiLocal(payAt));
    await alice.getByLabel(/I have checked the 2 changes/).check();
    await alice.getByRole('button', { name: 'Submit batch' }).click();
    await expect.poll(() => alice.url()).toMatch(/\/batches\/staff-2026-11b$/);
    const banner = alice.getByTestId('scheduled-banner');
    await expect.poll(() => banner.isVisible()).toBe(true);
    await screenshot(alice, 'batch-scheduled');
    const stored = await http<{ status: string; payAt: string }>('GET', `${baseUrl}/v1/batches/staff-2026-11b`, { key: API_KEYS.victor });
    expect(stored.body.status).toBe('SCHEDULED');
    expect(new Date(stored.body.payAt).getTime()).toBe(Math.floor(payAt.getTime() / 1000) * 1000);
    // Waiting durably: nothing sent while it waits.
    expect(await ledgerOf('staff-2026-11b')).toEqual([]);

    await expect.poll(() => alice.locator('.heading .badge').first().textContent(), { timeout: WAIT_MS + 90_000, interval: 1_000 }).toBe('Completed');
    const ledger = await ledgerOf('staff-2026-11b');
    expect(ledger).toHaveLength(CORRECTED.length);
    for (const entry of ledger) {
      expect(entry.status).toBe('succeeded');
      expect(entry.acceptCount).toBe(1);
      // Nothing went out before its time (the sandbox's clock is this machine's).
      expect(new Date(entry.acceptedAt).getTime()).toBeGreaterThanOrEqual(Math.floor(payAt.getTime() / 1000) * 1000 - 250);
    }
    expect(await alice.getByTestId('paid').textContent()).toContain('KES 6,500.00');
  }, 180_000);

  it('flags a payout a late callback contradicts, and the approver resolves it from the attention list', async () => {
    const { rows } = await engine.db.pool.query<{ reference: string; transaction_id: string }>(
      `SELECT reference, transaction_id FROM payouts WHERE batch_id = 'staff-2026-11b' AND row_no = 1`,
    );
    const { reference, transaction_id: transactionId } = rows[0]!;
    // PesaWay's second word on a paid payout says it failed: the engine keeps "paid" and asks a person.
    const late = await http('POST', `${engine.callbackBaseUrl}/callbacks/pesaway/${reference}/${resultsToken(CALLBACK_SECRET, reference)}`, {
      body: JSON.stringify({ OriginatorReference: reference, TransactionID: transactionId, ResultCode: 2001, ResultDesc: 'The initiator information is invalid.' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(late.status).toBe(200);

    await bob.goto('/attention');
    const row = bob.locator(`tr[data-reference="${reference}"]`);
    await expect.poll(async () => {
      if (await row.count()) return true;
      await bob.reload();
      return false;
    }, { timeout: 30_000, interval: 1_000 }).toBe(true);
    expect(await row.textContent()).toContain('two final answers that disagree');
    await screenshot(bob, 'attention-flagged');
    await row.getByRole('button', { name: 'Resolve' }).click();
    const dialog = bob.getByRole('dialog');
    expect(await dialog.textContent()).toContain(`Payout ${reference} of batch staff-2026-11b: KES 1,000.00 to 2547*****000`);
    await dialog.getByLabel('Note').fill('PesaWay support confirmed it was paid once (ticket 4411)');
    await dialog.getByRole('button', { name: 'Resolve' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    await expect.poll(() => row.count()).toBe(0);

    // The payout keeps its flag in its history, and shows who resolved it and why.
    await bob.goto(`/payouts/${reference}`);
    await expect.poll(() => bob.getByTestId('attention-resolution').isVisible()).toBe(true);
    expect(await bob.getByTestId('attention').textContent()).toContain('Flagged, and resolved');
    expect(await bob.getByTestId('attention-resolution').textContent()).toMatch(/^Resolved by bob, .*“PesaWay support confirmed it was paid once \(ticket 4411\)”$/);
    const stored = await engine.db.pool.query<{ status: string }>('SELECT status FROM payouts WHERE reference = $1', [reference]);
    expect(stored.rows[0]?.status).toBe('succeeded');
    await screenshot(bob, 'payout-resolved');
  });

  it('logged no script or CSP error in either browser', () => {
    expect(errors.flat()).toEqual([]);
  });
});
