// The researcher portal and the archivist's queue in a real browser (issue 13): a researcher
// registers in the reading room's form, the archivist confirms them; the researcher searches
// in Kazakh (a word of a document's text, through the full-text search) and requests a copy; the archivist approves and makes the certified
// copies; the researcher downloads the package, whose manifest names every file with its hash;
// after the link runs out and the sweep removes the package, both pages say when, in words.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../common/config';
import { runIngest } from '../../ingest/pipeline/run';
import { processingIdle } from '../../ingest/intake/transfers.service';
import { startServer, type RunningServer } from '../../server/index';
import { packTextDossier } from '../server/helpers';
import { sweepExpiredPackages } from '../../research';
import { ensureUiBuilt, HAVE_CHROMIUM, launchBrowser, loginAsDemoUser, SKIP_REASON } from './support';

const here = path.dirname(fileURLToPath(import.meta.url));
const kk = JSON.parse(readFileSync(path.join(here, '../../common/i18n/research/kk.json'), 'utf8')) as Record<string, string>;
const r = (key: string, params: Record<string, string> = {}) => {
  let text = kk[`research.${key}`];
  if (!text) throw new Error(`no research.${key} in kk`);
  for (const [name, value] of Object.entries(params)) text = text.replace(`{${name}}`, value);
  return text;
};
const PASSWORD = 'Oqu-zaly-2026-kz';
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe.skipIf(!HAVE_CHROMIUM)(HAVE_CHROMIUM ? 'research portal in Chromium' : `research portal in Chromium — skipped: ${SKIP_REASON}`, () => {
  let server: RunningServer;
  let browser: Browser;
  let base: string;
  let work: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'muragat-research-ui-'));
    await ensureUiBuilt();
    const config = parseConfig({
      MURAGAT_DATA_DIR: path.join(work, 'data'),
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      MURAGAT_MALWARE_POLICY: 'accept-with-warning',
      MURAGAT_TRUST_DIR: path.join(work, 'trust'),
    });
    [server, browser] = await Promise.all([startServer({ config, demo: true, quiet: true }), launchBrowser()]);
    base = server.url.replace(/\/$/, '');
    const report = await runIngest(
      { db: server.deps.db, storage: server.deps.storage, config },
      { tarPath: await packTextDossier(work, { index: '04-15', title: 'Шаруашылық келісімшарттары', kazakhOrder: '7-ш', russianOrder: '21-ш' }) },
    );
    expect(report.dossiers[0]?.id, JSON.stringify(report)).toBeTruthy();
  }, 300_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    if (server) {
      await processingIdle(server.deps.db);
      await server.close();
    }
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    contexts.push(context);
    return context.newPage();
  }

  it('registers, is confirmed, searches in Kazakh, requests a copy; the archivist approves and makes copies; the researcher downloads the package', async () => {
    // 1. The reading room's application, before any account exists.
    const applicant = await newPage();
    await applicant.goto(base + '/');
    await applicant.getByRole('link', { name: r('ui_register_link') }).click();
    const form = applicant.getByTestId('research-register-form');
    await form.getByLabel(r('ui_full_name')).fill('Нұрланова Дана Ерболқызы');
    await form.getByLabel(r('ui_organisation')).fill('Әл-Фараби атындағы ҚазҰУ');
    await form.getByLabel(r('ui_email')).fill('dana@example.kz');
    await form.getByLabel(r('ui_purpose')).fill('Шаруашылық тарихы бойынша мақала');
    await form.getByLabel(r('ui_username')).fill('dana');
    await form.getByLabel(r('ui_password')).fill(PASSWORD);
    await form.getByRole('button', { name: r('ui_register') }).click();
    await applicant.getByTestId('research-registered').waitFor();

    // 2. The archivist is told and confirms the researcher.
    const { page: archivist, context: archivistContext } = await loginAsDemoUser(browser, base, 'archivist');
    contexts.push(archivistContext);
    await archivist.goto(base + '/research-requests');
    // The bundle may take a while on a busy machine; the badge then counts the application.
    await archivist.getByTestId('research-unread').waitFor({ timeout: 60_000 });
    await expect.poll(async () => archivist.getByTestId('research-unread').textContent(), { timeout: 15_000 }).not.toBe('0');
    const pending = archivist.getByTestId('research-pending').locator('li', { hasText: 'Нұрланова Дана Ерболқызы' });
    await pending.getByRole('button', { name: r('ui_confirm') }).click();
    await archivist.getByText(r('ui_no_pending')).waitFor();
    expect(archivist.problems).toEqual([]);

    // 3. The researcher signs in, searches in Kazakh, takes the dossier and sends the request.
    await applicant.goto(base + '/');
    await applicant.locator('#login-username').fill('dana');
    await applicant.locator('#login-password').fill(PASSWORD);
    await applicant.locator('form.login-form button[type=submit]').click();
    await applicant.locator('#main-nav').waitFor({ state: 'attached' });
    await applicant.goto(base + '/copy-requests');
    await applicant.getByTestId('research-profile').getByText(r('researcher_status_confirmed')).waitFor();
    // A word inside the Kazakh order's text (full-text search, search/), then the whole dossier.
    await applicant.getByLabel(r('ui_find_dossier')).fill('лауазымына');
    await applicant.getByRole('button', { name: r('ui_find') }).click();
    const hit = applicant.getByTestId('research-hits').locator('li', { hasText: 'Шаруашылық келісімшарттары' }).first();
    await hit.getByRole('button', { name: r('ui_choose') }).click();
    await applicant.getByTestId('research-chosen').getByRole('button', { name: r('ui_add') }).click();
    const requestForm = applicant.getByTestId('research-request-form');
    await requestForm.getByRole('button', { name: r('ui_submit') }).click();
    const submitted = await applicant.getByTestId('research-submitted').textContent();
    const number = /(\d{4}\/\d{5})/.exec(submitted ?? '')?.[1];
    expect(number, submitted ?? '').toBeTruthy();

    // 4. The archivist approves and makes the certified copies; the link is shown once.
    await archivist.goto(base + '/research-requests');
    const row = archivist.locator(`tr[data-number="${number}"]`);
    await row.getByTestId('research-approve').click();
    await archivist.getByTestId('research-status-filter').selectOption('');
    await archivist.locator(`tr[data-number="${number}"][data-status="approved"]`).waitFor();
    await archivist.locator(`tr[data-number="${number}"]`).getByTestId('research-make-copies').click();
    await archivist.locator(`tr[data-number="${number}"][data-status="copies_ready"]`).waitFor({ timeout: 120_000 });
    await expect(archivist.locator(`tr[data-number="${number}"]`).getByTestId('research-link').textContent()).resolves.toContain('/api/research/packages/');

    // 5. The researcher sees the copies ready and downloads the package.
    await applicant.reload();
    const mine = applicant.getByTestId('research-my-requests').locator('tr', { hasText: number! });
    await mine.getByText(r('status_copies_ready')).waitFor();
    const [download] = await Promise.all([applicant.waitForEvent('download'), mine.getByTestId('research-download').click()]);
    const zip = new Uint8Array(await readFile((await download.path())!));
    const files = unzipSync(zip);
    const manifest = JSON.parse(new TextDecoder().decode(files['manifest.json'])) as { request: string; files: { path: string; sha256: string; role: string }[] };
    expect(manifest.request).toBe(number);
    expect(manifest.files.filter((f) => f.role === 'copy')).toHaveLength(2);
    for (const f of manifest.files) expect(sha256(files[f.path]!), f.path).toBe(f.sha256);
    await applicant.reload();
    await applicant.getByTestId('research-my-requests').locator('tr', { hasText: number! }).getByText(r('status_delivered')).waitFor();

    // 6. The link runs out and the sweep removes the package: both sides see when, in words.
    const db = server.deps.db;
    const requestRow = await db.selectFrom('research_requests').select('id').where('number', '=', number!).executeTakeFirstOrThrow();
    await db.updateTable('research_packages').set({ expires_at: new Date(Date.now() - 60_000) }).where('request_id', '=', requestRow.id).execute();
    expect((await sweepExpiredPackages({ db, dataDir: server.deps.config.dataDir })).removed.map((p) => p.number)).toContain(number);
    const expiredWords = r('ui_link_expired_on', { date: '' }).trim().split(/\s+/)[0]!;
    const removedWords = r('ui_package_removed', { date: '' }).trim().split(/\s+/).at(-1)!;
    await applicant.reload();
    const gone = applicant.getByTestId('research-my-requests').locator('tr', { hasText: number! });
    await expect.poll(async () => gone.getByTestId('research-package-expired').textContent(), { timeout: 30_000 }).toContain(expiredWords);
    await expect(gone.textContent()).resolves.toContain(removedWords);
    expect(await gone.getByTestId('research-download').count()).toBe(0);
    await archivist.reload();
    await archivist.getByTestId('research-status-filter').selectOption('');
    const queued = archivist.locator(`tr[data-number="${number}"]`);
    await expect.poll(async () => queued.getByTestId('research-package-expired').textContent(), { timeout: 30_000 }).toContain(removedWords);
  }, 300_000);
});
