// Failed transfers in a real browser against the real server and pipeline: a clerk's upload
// fails (the object store refuses writes), the transfer page says why, and after the cause is
// fixed Retry processes it again to the end. Also: a file that is not a package is refused once
// before any byte is sent, a package that fails in the pipeline is reported once with no stuck
// progress bar, and error texts follow a language switch.
import { readFileSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { KAZAKH_ORDER, RUSSIAN_ORDER, TOLEUOVA_PEOPLE, packDepartmentFolder } from '../helpers/department-folder';
import { demoBrowserSuite, HAVE_CHROMIUM, lowContrast, SKIP_REASON } from './support';

type Lang = 'kk' | 'ru' | 'en';
const here = path.dirname(fileURLToPath(import.meta.url));
const catalog = (area: string, lang: Lang) =>
  JSON.parse(readFileSync(path.join(here, '../../common/i18n', area, `${lang}.json`), 'utf8')) as Record<string, string>;
const ui = { kk: catalog('ui', 'kk'), ru: catalog('ui', 'ru'), en: catalog('ui', 'en') };
const s = (key: string, lang: Lang = 'kk') => {
  const text = ui[lang][`ui.${key}`];
  if (!text) throw new Error(`no ui.${key} in ${lang}`);
  return text;
};

function buildPackage(dir: string, name: string, dossierTitle: string): Promise<string> {
  return packDepartmentFolder(dir, {
    tree: `tree-${name}`,
    tar: `${name}.tar`,
    department: { code: '02', name: 'Кадр бөлімі' },
    year: 2025,
    people: TOLEUOVA_PEOPLE,
    index: '02-07',
    dossier: { title: dossierTitle, retention: { kind: 'years', years: 75, article: '657а' } },
    documents: { '2025-03-11 Бұйрық №9-ж.txt': KAZAKH_ORDER, '2025-06-02 Приказ №30-л.txt': RUSSIAN_ORDER },
  });
}

describe.skipIf(!HAVE_CHROMIUM)(HAVE_CHROMIUM ? 'failed transfers in Chromium' : `failed transfers in Chromium — skipped: ${SKIP_REASON}`, () => {
  const suite = demoBrowserSuite({ name: 'failure-ui', ownStorage: true });
  let tar: string;

  beforeAll(async () => {
    tar = await buildPackage(suite.work, 'kadr-2025-failed', 'Жеке құрам бойынша бұйрықтар (қайталау)');
  });

  const open = (username: string) => suite.login(username);

  /** Uploads bytes through the API from inside the page (the session's cookies and CSRF token), as a script would. */
  async function uploadViaApi(page: Page, filename: string, text: string): Promise<string> {
    return page.evaluate(
      async ({ filename, text }) => {
        const csrf = decodeURIComponent(/(?:^|;\s*)muragat_csrf=([^;]+)/.exec(document.cookie)?.[1] ?? '');
        const headers = { 'content-type': 'application/json', 'x-csrf-token': csrf };
        const bytes = new TextEncoder().encode(text);
        const started = (await (await fetch('/api/transfers/uploads', { method: 'POST', headers, body: JSON.stringify({ filename, size: bytes.length }) })).json()) as { id: string };
        await fetch(`/api/transfers/uploads/${started.id}?offset=0`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream', 'x-csrf-token': csrf }, body: bytes });
        const answer = await fetch(`/api/transfers/uploads/${started.id}/complete`, { method: 'POST', headers, body: '{}' });
        const done = (await answer.json()) as { transferId?: string };
        if (!done.transferId) throw new Error(`upload refused: ${answer.status} ${JSON.stringify(done)}`);
        return done.transferId;
      },
      { filename, text },
    );
  }

  /** MURAGAT_SCREENSHOTS=<folder> keeps a picture of the page for a person to look at. */
  async function shot(page: Page, name: string): Promise<void> {
    if (process.env.MURAGAT_SCREENSHOTS) await page.screenshot({ path: path.join(process.env.MURAGAT_SCREENSHOTS, `${name}.png`), fullPage: true });
  }

  /** Makes every write to the object store fail: each first-level fan-out folder becomes a file. */
  async function breakStore(): Promise<void> {
    const objects = path.join(suite.work, 'store', 'objects');
    await mkdir(objects, { recursive: true });
    for (let i = 0; i < 256; i++) {
      const name = i.toString(16).padStart(2, '0');
      const entry = path.join(objects, name);
      await rm(entry, { recursive: true, force: true });
      await writeFile(entry, 'not a folder\n');
    }
  }

  async function repairStore(): Promise<void> {
    const objects = path.join(suite.work, 'store', 'objects');
    for (const name of await readdir(objects)) if (/^[0-9a-f]{2}$/.test(name)) await rm(path.join(objects, name), { force: true });
  }

  it('a file that is not a transfer package is refused once, before anything is uploaded', async () => {
    const page = await open('clerk');
    await page.getByRole('link', { name: s('nav_transfer_prepare'), exact: true }).click();
    const requests: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/transfers/uploads')) requests.push(`${r.method()} ${r.url()}`);
    });
    const notes = path.join(suite.work, 'notes.tar');
    await writeFile(notes, 'Минутес of the meeting, not a tar archive.\n'.repeat(40));
    await page.locator('#transfer-file').setInputFiles(notes);
    await page.getByTestId('upload-not-package').waitFor();
    expect(await page.locator('main [role=alert]').count()).toBe(1);
    expect(await page.getByTestId('upload-not-package').textContent()).toContain('notes.tar');
    expect(await page.getByRole('button', { name: s('ingest_upload_start'), exact: true }).isDisabled()).toBe(true);
    expect(await page.locator('#transfer-file').getAttribute('aria-invalid')).toBe('true');
    // Picking the right file clears the refusal.
    await page.locator('#transfer-file').setInputFiles(tar);
    await expect.poll(() => page.getByTestId('upload-not-package').count()).toBe(0);
    expect(await page.getByRole('button', { name: s('ingest_upload_start'), exact: true }).isDisabled()).toBe(false);
    expect(requests).toEqual([]);
    expect(page.problems).toEqual([]);
  }, 60_000);

  it('a package that fails in the pipeline is reported once, without a stuck progress bar, in the language on screen', async () => {
    // The archivist: a clerk's upload must name the clerk's department, which these bytes cannot.
    const page = await open('archivist');
    const transferId = await uploadViaApi(page, 'broken.tar', 'these bytes are not a tar archive\n'.repeat(30));
    await page.goto(`${suite.base}/transfers/${transferId}`);
    await page.getByTestId('transfer-failure').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('ingest-status').textContent()).toContain(s('ingest_status_failed'));
    // Finished: no progress bar left at some percentage.
    expect(await page.getByTestId('ingest-progress').count()).toBe(0);
    const reasons = await page.locator('main .failure-reason').allTextContents();
    expect(reasons.length).toBeGreaterThan(0);
    // Each reason is said once on the page, not again in a report below.
    const main = (await page.locator('main').textContent()) ?? '';
    for (const reason of reasons) expect(main.split(reason).length - 1, reason).toBe(1);
    // The step list does not overlap itself at any common width.
    for (const width of [1280, 768, 375]) {
      await page.setViewportSize({ width, height: 900 });
      await shot(page, `transfer-unreadable-${width}`);
      const boxes = await page.locator('[data-testid=ingest-steps] li').evaluateAll((items) => items.map((li) => li.getBoundingClientRect().toJSON() as DOMRect));
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i]!;
          const b = boxes[j]!;
          const overlap = a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
          expect(overlap, `steps ${i} and ${j} overlap at ${width}px`).toBe(false);
        }
      }
      expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), `horizontal scroll at ${width}px`).toBeLessThanOrEqual(0);
    }
    expect(await lowContrast(page, 'main')).toEqual([]);

    // A language switch translates the page again, the server's reason included.
    const kkReasons = reasons.join(' ');
    await page.getByRole('button', { name: 'Русский' }).click();
    await expect.poll(() => page.locator('main .failure h3').textContent()).toBe(s('transfer_failure_title', 'ru'));
    await expect.poll(async () => (await page.locator('main .failure-reason').allTextContents()).join(' ')).not.toBe(kkReasons);
    expect(await page.getByTestId('ingest-status').textContent()).toContain(s('ingest_status_failed', 'ru'));
    expect(page.problems).toEqual([]);
  }, 120_000);

  it('an error banner follows a language switch', async () => {
    const page = await open('clerk');
    await page.goto(`${suite.base}/transfers/00000000-0000-4000-8000-000000000000`);
    const banner = page.locator('main [role=alert] .error-message');
    await banner.waitFor();
    const expected = (lang: Lang) => catalog('ingest', lang)['ingest.transfer_not_found']!.replace(/\{id\}/g, '00000000-0000-4000-8000-000000000000');
    await expect.poll(() => banner.textContent()).toBe(expected('kk'));
    await page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => banner.textContent()).toBe(expected('en'));
    await page.getByRole('button', { name: 'Русский' }).click();
    await expect.poll(() => banner.textContent()).toBe(expected('ru'));
    expect(page.problems).toEqual([]);
  }, 60_000);

  it("a clerk's upload that fails shows the reason and can be retried", async () => {
    const page = await open('clerk');
    await page.getByRole('link', { name: s('nav_transfer_prepare'), exact: true }).click();
    await breakStore();
    await page.locator('#transfer-file').setInputFiles(tar);
    await page.getByRole('button', { name: s('ingest_upload_start'), exact: true }).click();
    await page.waitForURL(/\/transfers\/[0-9a-f-]{36}$/, { timeout: 60_000 });
    const transferUrl = page.url();

    // The store step fails: the page says so, where, and offers retry and cancel.
    const failure = page.getByTestId('transfer-failure');
    await failure.waitFor({ timeout: 240_000 });
    expect(await page.getByTestId('ingest-status').textContent()).toContain(s('ingest_status_failed'));
    expect(await failure.textContent()).toContain(s('ingest_step_store'));
    expect((await failure.locator('.failure-reason').first().textContent())?.trim().length).toBeGreaterThan(5);
    expect(await page.getByTestId('ingest-progress').count()).toBe(0);
    await shot(page, 'transfer-store-failed');
    expect(await lowContrast(page, 'main')).toEqual([]);

    // Cancel asks first; keeping the transfer leaves it failed and retryable.
    await page.getByRole('button', { name: s('transfer_cancel'), exact: true }).click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent?.trim())).toBe(s('transfer_cancel_yes'));
    await page.getByRole('button', { name: s('transfer_cancel_no'), exact: true }).click();
    await expect.poll(() => page.locator('#cancel-confirm').count()).toBe(0);

    // Uploading the same package again offers the earlier transfer instead of a new one.
    await page.getByRole('link', { name: s('nav_transfer_prepare'), exact: true }).click();
    await page.locator('#transfer-file').setInputFiles(tar);
    await page.getByRole('button', { name: new RegExp(`^(${s('ingest_upload_start')}|${s('ingest_upload_resume')})$`) }).click();
    await page.getByTestId('upload-duplicate').waitFor({ timeout: 60_000 });
    await shot(page, 'transfer-duplicate-offer');
    // Focus moves to the offer so a screen reader hears it.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('duplicate-title');
    expect(await lowContrast(page, 'main')).toEqual([]);
    expect(await page.getByRole('link', { name: s('transfer_duplicate_open') }).getAttribute('href')).toBe(new URL(transferUrl).pathname);

    await page.getByRole('link', { name: s('transfer_duplicate_open') }).click();
    await page.waitForURL(transferUrl);
    await failure.waitFor();

    // The cause is fixed; Retry: processing again, then the report.
    await repairStore();
    await page.getByRole('button', { name: s('transfer_retry'), exact: true }).click();
    await expect.poll(() => page.getByTestId('transfer-failure').count(), { timeout: 60_000 }).toBe(0);
    // The pressed button is gone; focus stays on the live status line.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('ingest-status');
    await expect
      .poll(() => page.getByTestId('ingest-status').textContent(), { timeout: 60_000 })
      .toMatch(new RegExp(`${s('ingest_status_queued')}|${s('ingest_status_processing')}|${s('ingest_status_completed')}`));
    await page.getByRole('heading', { name: s('ingest_report_title') }).waitFor({ timeout: 240_000 });
    await shot(page, 'transfer-retried');
    expect(await page.getByTestId('ingest-status').textContent()).toContain(s('ingest_status_completed'));
    expect(await page.getByTestId('transfer-failure').count()).toBe(0);
    expect(await page.getByTestId('report-row').count()).toBe(2);
    // No raw codes in the report: signature and malware columns are words.
    const table = (await page.locator('main table').first().textContent()) ?? '';
    expect(table).not.toMatch(/not-scanned|unsigned|cannot-verify/);
    expect(page.problems).toEqual([]);
  }, 480_000);
});
