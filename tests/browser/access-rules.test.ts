// Researcher access in a real browser (issue 13, p.212): the demo archivist restricts a dossier
// on its page until 2040 with its description shown, and the demo researcher then sees the
// dossier described, marked "restricted until 2040-01-01" in their language, with nothing to
// open or download; the archivist's access panel is not theirs to see.
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../common/config';
import { runIngest } from '../../ingest';
import { startServer, type RunningServer } from '../../server/index';
import { buildDepartmentPackage } from '../server/departments';
import { ensureUiBuilt, HAVE_CHROMIUM, launchBrowser, loginAsDemoUser, SKIP_REASON } from './support';

const here = path.dirname(fileURLToPath(import.meta.url));
const words = (lang: string) => JSON.parse(readFileSync(path.join(here, `../../common/i18n/access/${lang}.json`), 'utf8')) as Record<string, string>;

describe.skipIf(!HAVE_CHROMIUM)(HAVE_CHROMIUM ? 'researcher access rules in Chromium' : `researcher access rules in Chromium — skipped: ${SKIP_REASON}`, () => {
  let server: RunningServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let base: string;
  let work: string;
  let dossier = { id: '', title: '' };

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'muragat-access-rules-ui-'));
    await ensureUiBuilt();
    const config = parseConfig({ MURAGAT_DATA_DIR: path.join(work, 'data'), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', MURAGAT_MALWARE_POLICY: 'accept-with-warning' });
    [server, browser] = await Promise.all([startServer({ config, demo: true, quiet: true }), launchBrowser()]);
    base = server.url.replace(/\/$/, '');
    const report = await runIngest({ db: server.deps.db, storage: server.deps.storage, config }, { tarPath: await buildDepartmentPackage(work, '02', 31) });
    dossier = { id: report.dossiers[0]!.id!, title: report.dossiers[0]!.title };
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close();
  });

  it('the archivist restricts the dossier with its description shown; the researcher sees "restricted until" and no file', async () => {
    const archivist = await loginAsDemoUser(browser, base, 'archivist');
    contexts.push(archivist.context);
    const a = archivist.page;
    await a.goto(`${base}/dossiers/${dossier.id}`);
    const panel = a.getByTestId('access-rules');
    await panel.getByTestId('access-rule').first().waitFor();
    await panel.getByTestId('access-rule').first().getByRole('button').click();
    const form = a.getByTestId('access-form');
    await form.locator('#access-kind').selectOption('restricted');
    await form.locator('#access-until').fill('2040-01-01');
    await form.locator('#access-before').selectOption('metadata');
    await form.locator('#access-basis').fill('Қор құрушының 7-шешімі');
    await form.locator('button[type=submit]').click();
    await expect.poll(() => panel.getByTestId('access-rule').first().textContent()).toContain('2040-01-01');
    expect(await panel.getByTestId('access-rule').first().textContent()).toContain('Қор құрушының 7-шешімі');
    expect(a.problems).toEqual([]);

    const researcher = await loginAsDemoUser(browser, base, 'researcher');
    contexts.push(researcher.context);
    const r = researcher.page;
    await r.goto(`${base}/dossiers/${dossier.id}`);
    const badge = r.getByTestId('restricted-until');
    await badge.waitFor();
    const expected = ['kk', 'ru', 'en'].map((lang) => words(lang)['access.restricted_until_short']!.replace('{until}', '2040-01-01'));
    expect(expected).toContain((await badge.textContent())?.trim());
    await r.getByText(dossier.title).first().waitFor();
    // Described only: no preview, no download, no access panel.
    expect(await r.getByTestId('pdf-preview').count()).toBe(0);
    expect(await r.locator('[data-testid=dossier-document] button').count()).toBe(0);
    expect(await r.locator('[data-testid=dossier-document] a').count()).toBe(0);
    expect(await r.getByTestId('access-rules').count()).toBe(0);
    expect(r.problems).toEqual([]);
  }, 180_000);
});
