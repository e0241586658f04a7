// Ingest in a real browser against the real server and pipeline: a clerk uploads a transfer
// package (the first piece is lost to a network error and the upload recovers), watches the
// ingest progress, filters the report, opens the stored e-dossier and its PDF/A preview; the
// department head signs the integrity statement with a PKCS#12 file in the browser.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Route } from 'playwright-core';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createSignersService } from '../../accounts/signers.service';
import { KAZAKH_ORDER, RUSSIAN_ORDER, TOLEUOVA_PEOPLE, packDepartmentFolder } from '../helpers/department-folder';
import { demoBrowserSuite, HAVE_CHROMIUM, SKIP_REASON } from './support';

type Lang = 'kk' | 'ru' | 'en';
const here = path.dirname(fileURLToPath(import.meta.url));
const ui = Object.fromEntries(
  (['kk', 'ru', 'en'] as const).map((lang) => [lang, JSON.parse(readFileSync(path.join(here, '../../common/i18n/ui', `${lang}.json`), 'utf8')) as Record<string, string>]),
) as Record<Lang, Record<string, string>>;
const s = (key: string) => {
  const text = ui.kk[`ui.${key}`];
  if (!text) throw new Error(`no ui.${key} in kk`);
  return text;
};

function buildPackage(dir: string): Promise<string> {
  return packDepartmentFolder(dir, {
    tree: 'tree',
    tar: 'kadr-2025.tar',
    department: { code: '02', name: 'Кадр бөлімі' },
    year: 2025,
    people: TOLEUOVA_PEOPLE,
    index: '02-05',
    dossier: { title: 'Жеке құрам бойынша бұйрықтар', retention: { kind: 'years', years: 75, article: '657а' } },
    documents: { '2025-02-03 Бұйрық №5-ж.txt': KAZAKH_ORDER, '2025-05-20 Приказ №21-л.txt': RUSSIAN_ORDER },
  });
}

describe.skipIf(!HAVE_CHROMIUM)(HAVE_CHROMIUM ? 'ingest UI in Chromium' : `ingest UI in Chromium — skipped: ${SKIP_REASON}`, () => {
  const suite = demoBrowserSuite({ name: 'ingest-ui', pki: true, env: { LOG_LEVEL: 'warn' } });
  let tar: string;
  let dossierPath = '';

  beforeAll(async () => {
    tar = await buildPackage(suite.work);
  });

  const open = (username: string, width = 1280, height = 900) => suite.login(username, { width, height });

  it('a clerk uploads a package through a network error, follows the ingest and reads the report', async () => {
    const page = await open('clerk');
    await page.getByRole('link', { name: s('nav_transfer_prepare'), exact: true }).click();
    await expect.poll(() => page.locator('main h1').textContent()).toBe(s('nav_transfer_prepare'));

    // The first piece never reaches the server.
    let dropped = 0;
    await page.route('**/api/transfers/uploads/*', async (route) => {
      if (route.request().method() === 'PUT' && dropped === 0) {
        dropped++;
        await route.abort('connectionreset');
      } else await route.continue();
    });
    await page.locator('#transfer-file').setInputFiles(tar);
    await page.getByRole('button', { name: s('ingest_upload_start'), exact: true }).click();

    // After the upload the page moves to the transfer and shows live progress, then the report.
    await page.waitForURL(/\/transfers\/[0-9a-f-]{36}$/, { timeout: 60_000 });
    expect(dropped).toBe(1);
    await page.getByRole('heading', { name: s('ingest_report_title') }).waitFor({ timeout: 240_000 });
    expect(await page.getByTestId('ingest-status').textContent()).toContain(s('ingest_status_completed'));
    const rows = page.getByTestId('report-row');
    expect(await rows.count()).toBe(2);
    expect(await rows.first().textContent()).toContain(s('ingest_status_accepted'));

    // Filters: nothing was rejected; text narrows to one document.
    await page.locator('select[name=status]').selectOption('rejected');
    await expect.poll(() => rows.count()).toBe(0);
    await page.locator('select[name=status]').selectOption('');
    await page.locator('input[name=q]').fill('Приказ');
    await expect.poll(() => rows.count()).toBe(1);

    // The clerk's list shows the transfer as completed.
    await page.getByRole('link', { name: s('nav_transfers_mine'), exact: true }).click();
    await expect.poll(() => page.locator('main table tbody tr').count()).toBe(1);
    expect(await page.locator('main table tbody tr').textContent()).toContain('kadr-2025.tar');
    await page.locator('main table tbody tr a').click();
    await page.getByRole('heading', { name: s('ingest_report_title') }).waitFor();

    // Open the stored dossier from the report.
    await page.locator('main h3 a').click();
    await page.waitForURL(/\/dossiers\/[0-9a-f-]{36}$/);
    dossierPath = new URL(page.url()).pathname;
    await expect.poll(() => page.getByTestId('dossier-document').count()).toBe(2);
    expect(await page.getByTestId('chain-status').textContent()).toContain(s('dossier_chain_ok'));
    expect(await page.getByTestId('signature-status').textContent()).toContain(s('dossier_status_awaiting_signature'));

    // The PDF/A preview is an inline PDF from our own origin.
    await page.getByRole('button', { name: s('dossier_preview') }).first().click();
    const frame = page.getByTestId('pdf-preview');
    await frame.waitFor();
    const src = await frame.getAttribute('src');
    expect(src).toMatch(/\/documents\/1\/rendition\?lang=kk$/);
    const pdf = await page.evaluate(async (url) => {
      const res = await fetch(url);
      const head = new Uint8Array(await res.arrayBuffer()).subarray(0, 5);
      return { type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), head: String.fromCharCode(...head) };
    }, src!);
    expect(pdf).toMatchObject({ type: 'application/pdf', head: '%PDF-' });
    expect(pdf.disposition).toMatch(/^inline;/);
    expect(page.problems).toEqual([]);
  }, 360_000);

  it('an upload paused and the page reloaded continues with the same upload when the file is picked again', async () => {
    const page = await open('archivist');
    await page.getByRole('link', { name: s('nav_transfers_incoming'), exact: true }).click();
    await page.getByRole('link', { name: s('ingest_upload_title'), exact: true }).click();
    await expect.poll(() => page.locator('main h1').textContent()).toBe(s('ingest_upload_title'));
    // The network stalls on the first piece; the person pauses, then reloads the page.
    // The stalled piece is held, then aborted after the pause, so it can never reach the server
    // late (a held request released when the routes go would upload the whole small package, and
    // the resumed upload would then have nothing left to send).
    const held: Route[] = [];
    await page.route('**/api/transfers/uploads/*', async (route) => {
      if (route.request().method() !== 'PUT') await route.continue();
      else held.push(route);
    });
    await page.locator('#transfer-file').setInputFiles(tar);
    const put = page.waitForRequest((r) => r.method() === 'PUT');
    await page.getByRole('button', { name: s('ingest_upload_start'), exact: true }).click();
    const stalled = await put;
    const uploadId = new URL(stalled.url()).pathname.split('/').pop();
    await page.getByRole('button', { name: s('ingest_upload_pause'), exact: true }).click();
    expect(await page.locator('main [role=alert]').count()).toBe(0);
    for (const route of held) await route.abort('aborted').catch(() => undefined); // the page may have cancelled it already
    await page.unrouteAll({ behavior: 'ignoreErrors' });
    await page.reload();
    await expect.poll(() => page.locator('main h1').textContent()).toBe(s('ingest_upload_title'));

    await page.locator('#transfer-file').setInputFiles(tar);
    await page.getByText(s('ingest_upload_can_resume')).waitFor();
    const resumedPut = page.waitForRequest((r) => r.method() === 'PUT', { timeout: 60_000 });
    await page.getByRole('button', { name: s('ingest_upload_resume'), exact: true }).click();
    expect(new URL((await resumedPut).url()).pathname.split('/').pop()).toBe(uploadId);
    // The same package as before: the server names the transfer it already holds, either by
    // answering with it or (409 transfer.duplicate_accepted) for the page to offer it.
    const offer = page.getByTestId('upload-duplicate');
    await expect.poll(async () => /\/transfers\/[0-9a-f-]{36}$/.test(page.url()) || (await offer.count()) > 0, { timeout: 60_000 }).toBe(true);
    if (await offer.count()) {
      expect(await page.getByRole('button', { name: s('transfer_duplicate_retry') }).count()).toBe(0);
      await page.getByRole('link', { name: s('transfer_duplicate_open') }).click();
      await page.waitForURL(/\/transfers\/[0-9a-f-]{36}$/);
    }
    await page.getByRole('heading', { name: s('ingest_report_title') }).waitFor({ timeout: 120_000 });
    expect(page.problems).toEqual([]);
  }, 240_000);

  it('the dossier page fits a phone screen', async () => {
    expect(dossierPath).not.toBe('');
    const page = await open('archivist', 390, 844);
    await page.goto(suite.base + dossierPath);
    await expect.poll(() => page.getByTestId('dossier-document').count()).toBe(2);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  }, 60_000);

  it('the department head signs the integrity statement with a PKCS#12 file in the browser', async () => {
    expect(dossierPath).not.toBe('');
    // A signature counts only with a certificate bound to its signer: the admin binds the head's.
    await createSignersService({ db: suite.server.deps.db }).addCertificate(SYSTEM_ACTOR, 'head', new Uint8Array(readFileSync(suite.pki.signers.rsa.certPath)), 'head.pem');
    const page = await open('head');
    await page.goto(suite.base + dossierPath);
    await page.getByRole('heading', { name: s('dossier_sign_title') }).waitFor();
    // The head may sign only the integrity statement.
    expect(await page.locator('input[name=kind]').count()).toBe(1);
    await page.locator('#p12-file').setInputFiles(suite.pki.signerP12Path);
    // A wrong password is said in words (the signing code's catalog key, translated), never as the key.
    await page.locator('#p12-password').fill('not-the-password');
    await page.getByRole('button', { name: s('dossier_sign_submit') }).click();
    const wrong = page.locator('section.sign [role=alert] .error-message');
    await wrong.waitFor({ timeout: 60_000 });
    const signatureKk = JSON.parse(readFileSync(path.join(here, '../../common/i18n/signature/kk.json'), 'utf8')) as Record<string, string>;
    await expect.poll(() => wrong.textContent()).toBe(signatureKk['signature.pkcs12_bad_password']);
    await page.locator('#p12-password').fill(suite.pki.password);
    // The key never leaves the browser: no request carries the PKCS#12 or the password.
    const bodies: string[] = [];
    page.on('request', (request) => bodies.push(request.postData() ?? ''));
    await page.getByRole('button', { name: s('dossier_sign_submit') }).click();
    await expect.poll(async () => (await page.locator('.done').count()) + (await page.locator('section.sign [role=alert]').count()), { timeout: 60_000 }).toBe(1);
    const refusal = page.locator('section.sign [role=alert]');
    expect(await refusal.count(), (await refusal.allTextContents()).join(' ')).toBe(0);
    expect(bodies.some((b) => b.includes(suite.pki.password))).toBe(false);
    expect(await page.getByText(s('dossier_missing_integrity')).count()).toBe(0);
    expect(page.problems).toEqual([]);
  }, 120_000);
});
