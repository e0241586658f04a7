// The integrity page in a real browser against the real server: the archivist starts a check,
// follows its live status (queued, then phase, counts and current dossier on an accessible
// progress bar) and sees it pass; after a byte of a stored copy is flipped the next check
// names the dossier (linked) and the object; a check with repair restores it from the replica.
// The page fits a phone and a desktop screen.
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../common/config';
import { runIngest } from '../../ingest';
import { integrityRunsIdle } from '../../preservation/runs.service';
import { startServer, type RunningServer } from '../../server/index';
import { storedObjectOf } from '../../destruction/content';
import { KAZAKH_ORDER, RUSSIAN_ORDER, TOLEUOVA_PEOPLE, packDepartmentFolder } from '../helpers/department-folder';
import { ensureUiBuilt, lowContrast, HAVE_CHROMIUM, launchBrowser, SKIP_REASON } from './support';

const here = path.dirname(fileURLToPath(import.meta.url));
const kk = JSON.parse(readFileSync(path.join(here, '../../common/i18n/ui/kk.json'), 'utf8')) as Record<string, string>;
const pkk = JSON.parse(readFileSync(path.join(here, '../../common/i18n/preservation/kk.json'), 'utf8')) as Record<string, string>;
const s = (key: string, params: Record<string, string | number> = {}) => {
  const text = kk[`ui.${key}`];
  if (!text) throw new Error(`no ui.${key} in kk`);
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
};

function buildPackage(dir: string): Promise<string> {
  return packDepartmentFolder(dir, {
    tree: 'tree',
    tar: 'legal-2025.tar',
    department: { code: '05', name: 'Заң бөлімі' },
    year: 2025,
    people: TOLEUOVA_PEOPLE,
    index: '05-03',
    dossier: { title: 'Шарттар', retention: { kind: 'years', years: 5, article: '76' } },
    documents: { '2025-03-03 Бұйрық №7-н.txt': KAZAKH_ORDER, '2025-07-14 Приказ №30-н.txt': RUSSIAN_ORDER },
  });
}

describe.skipIf(!HAVE_CHROMIUM)(HAVE_CHROMIUM ? 'integrity UI in Chromium' : `integrity UI in Chromium — skipped: ${SKIP_REASON}`, () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext | undefined;
  let base: string;
  let work: string;
  let dossierId = '';
  let victim = { path: '', sha256: '' };

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'muragat-integrity-ui-'));
    await ensureUiBuilt();
    const tar = await buildPackage(work);
    const config = parseConfig({
      MURAGAT_DATA_DIR: path.join(work, 'data'),
      MURAGAT_STORAGE: `file:${path.join(work, 'primary')},file:${path.join(work, 'replica')}`,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      // No ClamAV signature database on test machines: the policy says what that means.
      MURAGAT_MALWARE_POLICY: 'accept-with-warning',
    });
    [server, browser] = await Promise.all([startServer({ config, demo: true, quiet: true }), launchBrowser()]);
    base = server.url.replace(/\/$/, '');
    const report = await runIngest({ db: server.deps.db, storage: server.deps.storage, config }, { tarPath: tar });
    dossierId = report.dossiers[0]!.id!;
    const row = await server.deps.db.selectFrom('dossiers').select('aip_manifest_sha256').where('id', '=', dossierId).executeTakeFirstOrThrow();
    const manifest = JSON.parse((await server.deps.storage.primary.getBytes(row.aip_manifest_sha256)).toString('utf8')) as { files: { path: string; sha256: string; role: string }[] };
    const rendition = manifest.files.find((f) => f.role === 'rendition')!;
    // A dossier that may be destroyed stores its content sealed (docs/destruction.md): the
    // object on disk is the envelope, checked and repaired under its own digest.
    victim = { path: rendition.path, sha256: (await storedObjectOf(server.deps.db, rendition.sha256)).sha256 };
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    if (server) {
      await integrityRunsIdle(server.deps.db);
      await server.close();
    }
    if (work) await rm(work, { recursive: true, force: true });
  });

  afterEach(async () => {
    await context?.close();
    context = undefined;
  });

  async function open(width = 1280, height = 900): Promise<Page & { problems: string[] }> {
    context = await browser.newContext({ viewport: { width, height } });
    const page = (await context.newPage()) as Page & { problems: string[] };
    page.problems = [];
    page.on('pageerror', (error) => page.problems.push(error.message));
    page.on('console', (message) => { if (message.type() === 'error' && !/status of 4\d\d/.test(message.text())) page.problems.push(message.text()); });
    await page.goto(base + '/');
    await page.locator('#login-username').fill('archivist');
    await page.locator('#login-password').fill('demo-archivist-muragat');
    await page.locator('form.login-form button[type=submit]').click();
    await page.locator('#main-nav').waitFor({ state: 'attached' });
    return page;
  }


  it('the archivist starts a check, follows its live status and sees it pass', async () => {
    const page = await open();
    await page.getByRole('link', { name: s('nav_integrity'), exact: true }).click();
    await expect.poll(() => page.locator('main h1').textContent()).toBe(s('nav_integrity'));
    expect(await page.getByTestId('coming-text').count()).toBe(0);
    await page.getByText(s('integrity_history_none')).waitFor();

    // Hold the progress answers so each state can be looked at: the first one shows the run
    // half-way through (as the server reports it while a large archive is being checked).
    let openFirst!: () => void;
    let openRest!: () => void;
    const first = new Promise<void>((resolve) => (openFirst = resolve));
    const rest = new Promise<void>((resolve) => (openRest = resolve));
    let polls = 0;
    await page.route(/\/api\/integrity\/runs\/[0-9a-f-]{36}\?/, async (route) => {
      if (polls++ === 0) {
        await first;
        const response = await route.fetch();
        const body = await response.json();
        body.run = { ...body.run, status: 'running', finishedAt: null, summary: null, report: null, progress: { phase: 'verify', done: 1, total: 2, item: '05-03' } };
        await route.fulfill({ response, json: body });
      } else {
        await rest;
        await route.continue();
      }
    });

    expect(await page.getByLabel(s('integrity_repair')).isChecked()).toBe(false);
    await page.getByRole('button', { name: s('integrity_start'), exact: true }).click();

    // Queued: the answer of the start itself, with an indeterminate progress bar.
    const status = page.getByTestId('integrity-status');
    await expect.poll(() => status.textContent()).toContain(s('integrity_status_queued'));
    const bar = page.getByRole('progressbar');
    expect(await bar.getAttribute('aria-valuemin')).toBe('0');
    expect(await bar.getAttribute('aria-valuemax')).toBe('100');
    expect(await bar.getAttribute('aria-valuenow')).toBeNull();
    expect(await bar.getAttribute('aria-labelledby')).toBe('integrity-progress-label');
    expect(await page.getByRole('button', { name: s('integrity_start'), exact: true }).isDisabled()).toBe(true);
    expect(await page.getByRole('heading', { name: s('integrity_current_title') }).count()).toBe(1);

    // Running: phase, counts and the current dossier.
    openFirst();
    await expect.poll(() => status.textContent()).toContain(s('integrity_status_running'));
    expect(await status.textContent()).toContain(s('integrity_phase_verify'));
    expect(await bar.getAttribute('aria-valuenow')).toBe('50');
    expect(await bar.getAttribute('aria-valuetext')).toBe(`${s('integrity_phase_verify')}: ${s('integrity_progress_counts', { done: 1, total: 2 })}`);
    const text = page.getByTestId('integrity-progress-text');
    expect(await text.textContent()).toContain(s('integrity_progress_counts', { done: 1, total: 2 }));
    expect(await text.textContent()).toContain(s('integrity_progress_item', { item: '05-03' }));
    expect(await lowContrast(page, 'main')).toEqual([]);

    // Passed.
    openRest();
    await expect.poll(() => status.textContent(), { timeout: 60_000 }).toContain(s('integrity_status_passed'));
    expect(await status.textContent()).toContain(s('integrity_passed_text'));
    expect(await page.getByRole('progressbar').count()).toBe(0);
    expect(await page.getByRole('heading', { name: s('integrity_result_title') }).count()).toBe(1);
    expect(await page.getByTestId('integrity-summary').textContent()).toMatch(new RegExp(`^${s('integrity_summary', { dossiers: 1, objects: 999 }).replace('999', '\\d+').replace(/[.;]/g, '\\$&')}$`));
    // The earlier-runs table shows it: started, finished, who, result.
    const rows = page.getByTestId('integrity-history').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(1);
    const cells = await rows.first().locator('td').allTextContents();
    expect(cells[1]).not.toBe('—');
    expect(cells[2]).toBe('archivist');
    expect(cells[3]).toBe(s('integrity_scope_all'));
    expect(cells[4]).toContain(s('integrity_status_passed'));
    expect(await page.getByRole('button', { name: s('integrity_start'), exact: true }).isEnabled()).toBe(true);
    expect(await lowContrast(page, 'main')).toEqual([]);
    expect(page.problems).toEqual([]);
  }, 120_000);

  it('names the damaged dossier and object, then repairs it from the replica', async () => {
    const file = path.join(work, 'primary', 'objects', victim.sha256.slice(0, 2), victim.sha256.slice(2, 4), victim.sha256);
    const bytes = await readFile(file);
    bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0x01;
    await chmod(file, 0o644);
    await writeFile(file, bytes);

    const page = await open();
    await page.goto(base + '/integrity');
    // The latest result is shown on arrival.
    await expect.poll(() => page.getByTestId('integrity-status').textContent()).toContain(s('integrity_status_passed'));
    await page.getByRole('button', { name: s('integrity_start'), exact: true }).click();
    const status = page.getByTestId('integrity-status');
    await expect.poll(() => status.textContent(), { timeout: 60_000 }).toContain(s('integrity_status_failed'));
    expect(await status.textContent()).toContain(s('integrity_failed_text', { count: 1 }));
    const dossier = page.getByTestId('integrity-dossier');
    expect(await dossier.count()).toBe(1);
    const link = dossier.getByRole('link');
    expect(await link.getAttribute('href')).toBe(`/dossiers/${dossierId}`);
    expect(await link.textContent()).toBe('05-03 — Шарттар');
    const failure = dossier.getByTestId('integrity-failure');
    expect(await failure.count()).toBe(1);
    expect(await failure.textContent()).toContain(victim.path);
    expect(await failure.textContent()).toContain(s('integrity_kind_object_corrupt'));
    expect(await failure.textContent()).toContain(victim.sha256);
    expect(await lowContrast(page, 'main')).toEqual([]);

    await page.getByLabel(s('integrity_repair')).check();
    await page.getByRole('button', { name: s('integrity_start'), exact: true }).click();
    await expect.poll(() => status.textContent(), { timeout: 60_000 }).toContain(s('integrity_status_passed'));
    const repairs = page.getByTestId('integrity-repairs');
    expect(await repairs.locator('tbody tr').count()).toBe(1);
    const repaired = await repairs.locator('tbody tr').textContent();
    expect(repaired).toContain(victim.path);
    expect(repaired).toContain(s('integrity_repair_was_damaged', { location: `file:${path.join(work, 'primary')}` }));
    // What the repair started from stays visible.
    await page.getByText(s('integrity_found_before_title', { count: 1 })).click();
    expect(await page.locator('details.before').getByTestId('integrity-failure').textContent()).toContain(victim.path);
    const rows = page.getByTestId('integrity-history').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    expect(await rows.nth(0).locator('td').nth(3).textContent()).toBe(`${s('integrity_scope_all')}, ${s('integrity_with_repair')}`);
    expect(await rows.nth(1).locator('td').nth(4).textContent()).toContain(s('integrity_status_failed'));

    // An earlier run can be shown again; its heading takes focus.
    await rows.nth(1).getByRole('button').click();
    await expect.poll(() => status.textContent()).toContain(s('integrity_status_failed'));
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('integrity-run-title');
    // The dossier link opens the dossier.
    await page.getByTestId('integrity-dossier').getByRole('link').click();
    await page.waitForURL(`**/dossiers/${dossierId}`);
    expect(page.problems).toEqual([]);
  }, 180_000);

  it('a fixity run started from the fixity part is followed in the one list of runs of both modes, with its signed report', async () => {
    const page = await open();
    await page.goto(base + '/integrity');
    const history = page.getByTestId('integrity-history');
    await history.locator('tbody tr').first().waitFor();
    const verifyRows = await history.locator('tbody tr[data-mode=verify]').count();
    await page.getByTestId('fixity-dashboard').getByRole('button', { name: pkk['preservation.ui_start']!, exact: true }).click();
    // The page follows the started fixity run with the progress every run shows, then its result.
    const status = page.getByTestId('integrity-status');
    await expect.poll(() => status.textContent(), { timeout: 60_000 }).toContain(s('integrity_status_passed'));
    expect(await page.getByTestId('integrity-fixity-summary').textContent()).toMatch(/\d+/);
    // One list: the fixity run beside the verify runs, named by its kind.
    const fixityRow = history.locator('tbody tr[data-mode=fixity]');
    await expect.poll(() => fixityRow.count()).toBe(1);
    expect(await history.locator('tbody tr[data-mode=verify]').count()).toBe(verifyRows);
    expect(await fixityRow.locator('td').nth(5).textContent()).toContain(pkk['preservation.mode_fixity']!);
    expect(await fixityRow.locator('td').nth(4).textContent()).toContain(s('integrity_status_passed'));
    // Its signed PDF/A report is a download away.
    const pdfHref = await page.getByTestId('integrity-run').locator('a[href$="report.pdf"]').getAttribute('href');
    const pdf = await page.request.get(base + pdfHref!);
    expect(pdf.status()).toBe(200);
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
    expect(page.problems).toEqual([]);
  }, 120_000);

  it.each([[375, 812], [1280, 900]])('fits a %i px wide screen', async (width, height) => {
    const page = await open(width, height);
    await page.goto(base + '/integrity');
    await page.getByTestId('integrity-history').locator('tbody tr').first().waitFor();
    await page.getByTestId('integrity-run').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await page.getByRole('button', { name: s('integrity_start'), exact: true }).isVisible()).toBe(true);
    expect(page.problems).toEqual([]);
  }, 60_000);
});
