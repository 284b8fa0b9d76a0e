/**
 * Browser-test helpers: Debian's Chromium (never a browser download) driven by playwright-core, a signed-in
 * page per user, and screenshots (always to test-results/screenshots; to docs/screenshots, the README's,
 * with UPDATE_SCREENSHOTS=1).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCREENSHOTS = join(ROOT, 'test-results/screenshots');
const DOC_SCREENSHOTS = join(ROOT, 'docs/screenshots');

/** The flags of the issue: headless, sandboxless (root in CI), and nothing that talks to the internet. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** One Chromium; Playwright gives it a fresh --user-data-dir of its own (a temp dir) and removes it on close. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

export const DESKTOP = { width: 1280, height: 900 } as const;
export const PHONE = { width: 375, height: 812 } as const;

/** A browser context of its own (its own cookies: one user) with the page's console errors collected. */
export async function newUserPage(browser: Browser, baseURL: string, viewport: { width: number; height: number } = DESKTOP): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ baseURL, viewport, acceptDownloads: true, locale: 'en-KE', timezoneId: 'Africa/Nairobi' });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const errors: string[] = [];
  // A CSP violation or a script error shows here: the tests fail on any.
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return { context, page, errors };
}

/** Two people, each in a browser context of their own, with every page error collected into `errors`. */
export async function twoUsers(browser: Browser, baseURL: string, errors: string[][]): Promise<[Page, Page]> {
  const a = await newUserPage(browser, baseURL);
  const b = await newUserPage(browser, baseURL);
  errors.push(a.errors, b.errors);
  return [a.page, b.page];
}

/** Signs in through the form, as a person would; resolves once the console shows who is signed in. */
export async function signIn(page: Page, key: string, path = '/batches'): Promise<void> {
  await page.goto(path);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect.poll(() => page.getByTestId('who').isVisible()).toBe(true);
}

/** A screenshot (the full page unless told otherwise: a modal dialog is better in its viewport) named for what it shows. */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const shot = await page.screenshot({ fullPage: options.fullPage ?? true, animations: 'disabled' });
  await writeFile(join(SCREENSHOTS, `${name}.png`), shot);
  if (process.env['UPDATE_SCREENSHOTS'] === '1') {
    await mkdir(DOC_SCREENSHOTS, { recursive: true });
    await writeFile(join(DOC_SCREENSHOTS, `${name}.png`), shot);
  }
}

/** One attribute of every element a locator finds, in document order. */
export async function attributes(locator: Locator, name: string): Promise<(string | null)[]> {
  return Promise.all((await locator.all()).map((l) => l.getAttribute(name)));
}

export interface UploadChoice {
  /** The file as the officer picks it. */
  name: string;
  content: string | Buffer;
  mimeType?: string;
  batchId?: string;
  policy?: 'strict' | 'skip-invalid';
  approvalRequired?: boolean;
}

/** On the upload page: picks the file, sets the options, presses "Check the file" and waits for the preview. */
export async function checkFile(page: Page, choice: UploadChoice): Promise<void> {
  if (!page.url().endsWith('/upload')) await page.getByRole('link', { name: 'Upload', exact: true }).click();
  const buffer = typeof choice.content === 'string' ? Buffer.from(choice.content) : choice.content;
  await page.getByLabel(/Payroll file/).setInputFiles({ name: choice.name, mimeType: choice.mimeType ?? 'text/csv', buffer });
  if (choice.batchId !== undefined) await page.getByLabel(/Batch id/).fill(choice.batchId);
  if (choice.policy) await page.getByLabel('If some rows are invalid').selectOption(choice.policy);
  if (choice.approvalRequired !== undefined) await page.getByLabel(/approver must approve/).setChecked(choice.approvalRequired);
  await page.getByRole('button', { name: /^Check (the file|again)$/ }).click();
  await expect.poll(() => page.getByTestId('preview-totals').isVisible()).toBe(true);
}

/** After a check: ticks "I have checked these" when there are warnings, submits, and resolves to the new batch's id. */
export async function submitChecked(page: Page): Promise<string> {
  const acknowledge = page.getByLabel(/I have checked these/);
  if (await acknowledge.count()) await acknowledge.check();
  await page.getByRole('button', { name: 'Submit batch' }).click();
  await expect.poll(() => page.url()).toMatch(/\/batches\/[^/]+$/);
  return decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
}
