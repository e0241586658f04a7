// Department scoping in a real browser: the demo head of department 02 opens a dossier of
// their own department, but one of department 03 — by its address, as if the link had been
// passed on — shows the same "not found" as a dossier that does not exist, and none of its
// contents; the department's dossier list holds only department 02's.
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../common/config';
import { runIngest } from '../../ingest';
import { startServer, type RunningServer } from '../../server/index';
import { buildDepartmentPackage } from '../server/departments';
import { ensureUiBuilt, HAVE_CHROMIUM, launchBrowser, SKIP_REASON } from './support';

const here = path.dirname(fileURLToPath(import.meta.url));
const ingestKk = JSON.parse(readFileSync(path.join(here, '../../common/i18n/ingest/kk.json'), 'utf8')) as Record<string, string>;

describe.skipIf(!HAVE_CHROMIUM)(HAVE_CHROMIUM ? 'department scoping in Chromium' : `department scoping in Chromium — skipped: ${SKIP_REASON}`, () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext | undefined;
  let base: string;
  let work: string;
  const dossiers: Record<string, { id: string; title: string }> = {};

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'muragat-access-ui-'));
    await ensureUiBuilt();
    const config = parseConfig({
      MURAGAT_DATA_DIR: path.join(work, 'data'),
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      // No ClamAV signature database on test machines: the policy says what that means.
      MURAGAT_MALWARE_POLICY: 'accept-with-warning',
    });
    [server, browser] = await Promise.all([startServer({ config, demo: true, quiet: true }), launchBrowser()]);
    base = server.url.replace(/\/$/, '');
    for (const code of ['02', '03']) {
      const report = await runIngest({ db: server.deps.db, storage: server.deps.storage, config }, { tarPath: await buildDepartmentPackage(work, code, 21) });
      dossiers[code] = { id: report.dossiers[0]!.id!, title: report.dossiers[0]!.title };
    }
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  afterEach(async () => {
    await context?.close();
    context = undefined;
  });

  async function loginAsHead(): Promise<Page> {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(base + '/');
    await page.locator('#login-username').fill('head');
    await page.locator('#login-password').fill('demo-head-muragat');
    await page.locator('form.login-form button[type=submit]').click();
    await page.locator('#main-nav').waitFor({ state: 'attached' });
    return page;
  }

  it('the head of 02 opens a dossier of 02 but gets "not found" for one of 03, with nothing of it shown', async () => {
    const page = await loginAsHead();
    await page.goto(`${base}/dossiers/${dossiers['02']!.id}`);
    await page.getByText(dossiers['02']!.title).first().waitFor();

    await page.goto(`${base}/dossiers/${dossiers['03']!.id}`);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    const expected = ingestKk['ingest.dossier_not_found']!.replace('{id}', dossiers['03']!.id);
    await expect.poll(() => alert.locator('.error-message').textContent()).toBe(expected);
    expect(await page.getByText(dossiers['03']!.title).count()).toBe(0);

    // Exactly what a dossier that does not exist shows.
    const missing = '00000000-0000-4000-8000-000000000000';
    await page.goto(`${base}/dossiers/${missing}`);
    await expect.poll(() => page.getByRole('alert').locator('.error-message').textContent()).toBe(ingestKk['ingest.dossier_not_found']!.replace('{id}', missing));
  });

  it("lists only department 02's dossiers to its head", async () => {
    const page = await loginAsHead();
    await page.goto(`${base}/dossiers/department`);
    await page.getByText(dossiers['02']!.title).first().waitFor();
    expect(await page.getByText(dossiers['03']!.title).count()).toBe(0);
  });
});
