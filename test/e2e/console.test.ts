/**
 * The web console in a real headless Chromium against the real stack (Temporal dev server, PostgreSQL, the
 * PesaWay sandbox over HTTP, the API serving dist/console): a payroll officer's month, step by step. The
 * steps share one batch and run in order.
 */
import { parse } from 'csv-parse/sync';
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEYS, type Engine, startEngine } from '../support/engine.js';
import { http } from '../support/http.js';
import { payrollCsv, payrollRows } from '../support/payroll.js';
import { eventually } from '../support/waiting.js';
import { attributes, checkFile, launchBrowser, newUserPage, PHONE, screenshot, signIn, submitChecked, twoUsers } from './support.js';

const COUNT = 40;
const AMOUNT = 1000;
/** KES 1,000 plus the sandbox's KES 12 fee; the wallet covers half the batch, so it stops for funds part-way. */
const PER_PAYOUT_MINOR = AMOUNT * 100 + 12_00;
const COVERED = 20;
const BATCH = 'payroll-2026-11';

/** A file a payroll clerk might really export: a bad phone, a decimal comma, a missing amount. */
const MESSY = [
  'Employee ID,Employee Name,Phone Number,Net Pay,Narration',
  'PF1001,Onyango Njoroge,0710 007 919,1500.00,Salary November',
  'PF1002,Wambui Kariuki,0710 01,2000.00,Salary November',
  'PF1003,Kibet Kiplagat,0710023757,"1500,50",Salary November',
  'PF1004,Kamau Okoth,0710031676,,Salary November',
  'PF1005,Achieng Otieno,0710039595,1200.00,Salary November',
].join('\n');

describe('web console', () => {
  let engine: Engine;
  let baseUrl: string;
  let browser: Browser;
  let alice: Page;
  let bob: Page;
  const errors: string[][] = [];

  beforeAll(async () => {
    [engine, browser] = await Promise.all([
      startEngine({
        sandbox: { balanceMinor: COVERED * PER_PAYOUT_MINOR, settleDelayMs: { min: 50, max: 250 } },
        // The wallet is polled only every minute: the console's "Funds added" is what wakes the batch.
        settings: { windowSize: 5, pageSize: 5, fundsPollInitialMs: 60_000, fundsPollMaxMs: 60_000 },
        ratePerSecond: 20,
        pesawayUnreachableAfterMs: 1500,
      }),
      launchBrowser(),
    ]);
    baseUrl = await engine.startApi();
    [alice, bob] = await twoUsers(browser, baseUrl, errors);
  });
  afterAll(async () => {
    await browser?.close();
    await engine?.stop();
  });

  it('signs in with an API key and keeps no key in the browser', async () => {
    await alice.goto('/batches');
    await expect.poll(() => alice.getByLabel('API key').isVisible()).toBe(true);
    await screenshot(alice, 'sign-in');
    await signIn(alice, API_KEYS.alice);
    await expect.poll(() => alice.getByTestId('who').textContent()).toContain('alice (submitter)');
    // (A string: this file is type-checked without the DOM library.)
    const stored = await alice.evaluate<string>('JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie');
    expect(stored).not.toContain(API_KEYS.alice);
    // HttpOnly: the session cookie is invisible to scripts.
    expect(stored).not.toContain('disburse_session');
    const cookies = await alice.context().cookies();
    expect(cookies.find((c) => c.name === 'disburse_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
  });

  it('shows every invalid row of a messy file with its bad cell highlighted and the rule in words', async () => {
    await checkFile(alice, { name: 'november-messy.csv', content: MESSY });
    const table = alice.getByTestId('invalid-rows');
    // Lines 3, 4 and 5 of the file; each row once, its bad cell marked.
    expect(await attributes(table.locator('tbody tr'), 'data-line')).toEqual(['3', '4', '5']);
    const bad: [string | null, string | null][] = [];
    for (const row of await table.locator('tbody tr').all()) for (const cell of await row.locator('td.bad-cell').all()) bad.push([await row.getAttribute('data-line'), await cell.textContent()]);
    expect(bad).toEqual([
      ['3', '*****01'], // the phone cell masked, as the API masks it in its message
      ['4', '1500,50'],
      ['5', ''],
    ]);
    const why = await table.locator('tbody tr[data-line="4"] td.why').textContent();
    expect(why).toMatch(/comma/i);
    expect(why).toContain('amount_decimal_comma');
    // Phone numbers read from the file are masked on screen too.
    expect(await table.textContent()).not.toContain('0710023757');
    expect(await table.locator('tbody tr[data-line="4"] td').nth(2).textContent()).toBe('0710***757');
    expect(await alice.getByTestId('refusal').textContent()).toMatch(/invalid/i);
    // Strict: the file cannot be submitted as it is.
    expect(await alice.getByRole('button', { name: 'Submit batch' }).isDisabled()).toBe(true);
    await screenshot(alice, 'upload-preview-invalid');
  });

  it('uploads a good file with approval required, previews it and submits it', async () => {
    const csv = payrollCsv(payrollRows(COUNT, { amount: () => AMOUNT }));
    await checkFile(alice, { name: `${BATCH}.csv`, content: csv, batchId: BATCH });
    expect(await alice.getByLabel(/approver must approve/).isChecked()).toBe(true);
    const totals = alice.getByTestId('preview-totals');
    expect(await totals.textContent()).toContain('KES 40,000.00');
    expect(await alice.getByTestId('invalid-rows').count()).toBe(0);
    expect(await submitChecked(alice)).toBe(BATCH);
    await expect.poll(() => alice.locator('.badge').first().textContent()).toBe('Awaiting approval');
    // Alice submitted it: maker-checker hides Approve from her (and the API would refuse it).
    expect(await alice.locator('[data-action="approve"]').count()).toBe(0);
    expect(await alice.locator('[data-action="cancel"]').count()).toBe(1);
  });

  it('is approved by bob in his own browser context, with the amounts in the confirmation', async () => {
    const batchUrl = new URL(alice.url()).pathname;
    await signIn(bob, API_KEYS.bob, batchUrl);
    await bob.locator('[data-action="approve"]').click();
    const dialog = bob.getByRole('dialog');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    const id = await bob.getByTestId('batch-id').textContent();
    expect(await dialog.textContent()).toContain(`Approve batch ${id}: 40 payouts, KES 40,000.00`);
    await screenshot(bob, 'approve-dialog', { fullPage: false });
    await dialog.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    // The dialog closes when the request is sent; the approval is recorded when the API answers.
    const approvedBy = async () =>
      (await engine.db.pool.query<{ approved_by: string | null }>('SELECT approved_by FROM batches WHERE id = $1', [id])).rows[0]?.approved_by;
    await expect.poll(approvedBy, { timeout: 10_000 }).toBe('bob');
  });

  it('watches it live through AWAITING_FUNDS: a top-up and "Funds added" take it to COMPLETED', async () => {
    const banner = alice.getByTestId('funds-banner');
    // No reload: the page polls.
    await expect.poll(() => banner.isVisible(), { timeout: 60_000 }).toBe(true);
    const id = (await alice.getByTestId('batch-id').textContent())!;
    const batch = await eventually(async () => {
      const r = await http<{ progress: { shortfall: string | null; counts: { succeeded: number } } }>('GET', `${baseUrl}/v1/batches/${id}`, { key: API_KEYS.victor });
      return r.body.progress.shortfall && r.body.progress.counts.succeeded === COVERED ? r.body : undefined;
    }, 'the batch parked with its shortfall');
    const shortfall = batch.progress.shortfall!;
    await expect.poll(() => banner.textContent()).toContain(`Top up KES ${Number(shortfall).toLocaleString('en-US', { minimumFractionDigits: 2 })}`);
    // The page's next poll (at most a second later) shows what the API says.
    const bar = alice.getByRole('progressbar');
    await expect.poll(() => bar.getAttribute('aria-valuenow')).toBe('50');
    await expect.poll(() => alice.getByTestId('pending').textContent()).toMatch(/^KES 20,000\.00\s*20 payouts$/);
    await screenshot(alice, 'batch-awaiting-funds');

    const topUp = await http('POST', `${engine.sandbox.url}/__sandbox/top-up`, { json: { amount: shortfall } });
    expect(topUp.status).toBe(200);
    await alice.locator('[data-action="funds-added"]').click();
    const dialog = alice.getByRole('dialog');
    expect(await dialog.textContent()).toMatch(/pays the remaining KES 20,000\.00/);
    await dialog.getByRole('button', { name: 'Funds added' }).click();
    await expect.poll(() => alice.locator('.heading .badge').first().textContent(), { timeout: 60_000 }).toBe('Completed');
    expect(await bar.getAttribute('aria-valuenow')).toBe('100');
    expect(await alice.getByTestId('paid').textContent()).toContain('KES 40,000.00');
    expect(await alice.getByTestId('progress-text').textContent()).toContain('40 of 40 payouts settled');
    await screenshot(alice, 'batch-completed');
  });

  it("opens a payout's timeline from the payouts table, destination masked", async () => {
    const first = alice.locator('.payouts-table tbody tr').first();
    await expect.poll(() => first.locator('.badge').textContent()).toBe('paid');
    const reference = (await first.getAttribute('data-reference'))!;
    await first.getByRole('link', { name: reference }).click();
    await expect.poll(() => alice.getByTestId('reference').textContent()).toBe(reference);
    const kinds = await attributes(alice.getByTestId('timeline').locator('li'), 'data-kind');
    expect(kinds).toContain('payout.submitting');
    expect(kinds.at(-1)).toBe('payout.succeeded');
    const destination = (await alice.getByTestId('destination').textContent())!;
    expect(destination).toMatch(/^MPESA \d{4}\*+\d{3}$/);
    expect(await alice.content()).not.toMatch(/2547\d{8}/);
    await screenshot(alice, 'payout-timeline');
    await alice.goBack();
  });

  it('downloads report.csv whose rows match the sandbox ledger', async () => {
    const id = (await alice.getByTestId('batch-id').textContent())!;
    const [download] = await Promise.all([alice.waitForEvent('download'), alice.getByRole('link', { name: 'Download report.csv' }).click()]);
    expect(download.suggestedFilename()).toBe(`${id}-report.csv`);
    const rows = parse<Record<string, string>>(await readFile(await download.path()), { columns: true });
    expect(rows).toHaveLength(COUNT);
    const ledger = engine.sandbox.ledger.report();
    const byReference = new Map(ledger.entries.map((e) => [e.reference, e]));
    expect(ledger.entries).toHaveLength(COUNT);
    for (const row of rows) {
      const entry = byReference.get(row['reference']!);
      expect(entry, row['reference']).toBeDefined();
      expect(row['status']).toBe('succeeded');
      expect(entry!.status).toBe('succeeded');
      expect(entry!.acceptCount).toBe(1);
      expect(Math.round(Number(row['amount']) * 100)).toBe(entry!.amountMinor);
      expect(row['transaction_id']).toBe(entry!.transactionId);
      expect(row['destination']).toBe(entry!.destination);
    }
  });

  it('lists the batch, shows the attention page and prints a summary', async () => {
    await alice.getByRole('link', { name: 'Batches', exact: true }).click();
    const id = await eventually(async () => (await alice.locator('table.batches tbody tr').first().getAttribute('data-batch')) ?? undefined, 'the batches list');
    expect(await alice.locator(`tr[data-batch="${id}"]`).textContent()).toContain('KES 40,000.00');
    await screenshot(alice, 'batches');
    await alice.getByRole('link', { name: 'Attention', exact: true }).click();
    await expect.poll(() => alice.getByRole('heading', { name: 'Payouts that need a person' }).isVisible()).toBe(true);
    await expect.poll(() => alice.locator('.empty').textContent()).toContain('Nothing here');
    await screenshot(alice, 'attention');
    await alice.goto(`/batches/${id}/summary`);
    await expect.poll(() => alice.locator('.summary-table').isVisible()).toBe(true);
    expect(await alice.locator('.summary dl').textContent()).toContain('bob');
    await alice.emulateMedia({ media: 'print' });
    expect(await alice.locator('header.top').isVisible()).toBe(false);
    await screenshot(alice, 'summary-print');
    await alice.emulateMedia({ media: 'screen' });
  });

  it('shows a viewer no mutating control, and the API refuses the viewer anyway (403)', async () => {
    const victor = await newUserPage(browser, baseUrl, PHONE);
    errors.push(victor.errors);
    const id = await eventually(async () => (await engine.db.pool.query<{ id: string }>('SELECT id FROM batches LIMIT 1')).rows[0]?.id, 'the batch');
    await signIn(victor.page, API_KEYS.victor, `/batches/${id}`);
    await expect.poll(() => victor.page.locator('.heading .badge').first().textContent()).toBe('Completed');
    expect(await victor.page.getByTestId('actions').locator('button').count()).toBe(0);
    expect(await victor.page.getByRole('link', { name: 'Upload', exact: true }).count()).toBe(0);
    await screenshot(victor.page, 'batch-phone');
    // The same call a tampered page would make, with the viewer's session cookie and a valid CSRF token.
    const answer = await victor.page.evaluate(async (batchId) => {
      const session = (await (await fetch('/v1/session')).json()) as { csrfToken: string };
      const res = await fetch(`/v1/batches/${batchId}/retry-failed`, { method: 'POST', headers: { 'x-csrf-token': session.csrfToken } });
      return { status: res.status, body: (await res.json()) as { code: string } };
    }, id);
    expect(answer).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    await victor.context.close();
  });

  it('shows a batch waiting on PesaWay while PesaWay is down, and drops the banner when it answers', async () => {
    const id = 'payroll-2026-11-bonus';
    expect((await http('POST', `${engine.sandbox.url}/__sandbox/top-up`, { json: { amount: '10000.00' } })).status).toBe(200);
    engine.sandbox.outage('refuse');
    try {
      const csv = payrollCsv(payrollRows(5, { amount: () => 500 }));
      const upload = await http('POST', `${baseUrl}/v1/batches?batchId=${id}`, { key: API_KEYS.alice, body: csv, headers: { 'content-type': 'text/csv' } });
      expect(upload.status).toBe(201);
      await alice.goto(`/batches/${id}`);
      const banner = alice.getByTestId('pesaway-banner');
      await expect.poll(() => banner.isVisible(), { timeout: 45_000 }).toBe(true);
      expect(await banner.textContent()).toMatch(/Waiting on PesaWay:.*payouts retry under their own references and the batch resumes by itself/s);
      await screenshot(alice, 'batch-waiting-on-pesaway');
    } finally {
      engine.sandbox.outage('none');
    }
    await expect.poll(() => alice.locator('.heading .badge').first().textContent(), { timeout: 60_000 }).toBe('Completed');
    expect(await alice.getByTestId('pesaway-banner').count()).toBe(0);
  });

  it('signs out: the session ends and the console asks for a key again', async () => {
    await alice.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => alice.getByLabel('API key').isVisible()).toBe(true);
    const res = await alice.evaluate(async () => (await fetch('/v1/batches')).status);
    expect(res).toBe(401);
    // No script error and no CSP violation on any page, in any context.
    expect(errors.flat()).toEqual([]);
  });
});
