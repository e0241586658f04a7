// Department scoping in a real browser: the demo head of department 02 opens a dossier of
// their own department, but one of department 03 — by its address, as if the link had been
// passed on — shows the same "not found" as a dossier that does not exist, and none of its
// contents; the department's dossier list holds only department 02's.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runIngest } from '../../ingest';
import { buildDepartmentPackage } from '../server/departments';
import { demoBrowserSuite, HAVE_CHROMIUM, SKIP_REASON } from './support';

const here = path.dirname(fileURLToPath(import.meta.url));
const ingestKk = JSON.parse(readFileSync(path.join(here, '../../common/i18n/ingest/kk.json'), 'utf8')) as Record<string, string>;

describe.skipIf(!HAVE_CHROMIUM)(HAVE_CHROMIUM ? 'department scoping in Chromium' : `department scoping in Chromium — skipped: ${SKIP_REASON}`, () => {
  const suite = demoBrowserSuite({ name: 'access-ui' });
  const dossiers: Record<string, { id: string; title: string }> = {};

  beforeAll(async () => {
    for (const code of ['02', '03']) {
      const report = await runIngest({ db: suite.server.deps.db, storage: suite.server.deps.storage, config: suite.config }, { tarPath: await buildDepartmentPackage(suite.work, code, 21) });
      dossiers[code] = { id: report.dossiers[0]!.id!, title: report.dossiers[0]!.title };
    }
  }, 240_000);

  const loginAsHead = () => suite.login('head');

  it('the head of 02 opens a dossier of 02 but gets "not found" for one of 03, with nothing of it shown', async () => {
    const page = await loginAsHead();
    await page.goto(`${suite.base}/dossiers/${dossiers['02']!.id}`);
    await page.getByText(dossiers['02']!.title).first().waitFor();

    await page.goto(`${suite.base}/dossiers/${dossiers['03']!.id}`);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    const expected = ingestKk['ingest.dossier_not_found']!.replace('{id}', dossiers['03']!.id);
    await expect.poll(() => alert.locator('.error-message').textContent()).toBe(expected);
    expect(await page.getByText(dossiers['03']!.title).count()).toBe(0);

    // Exactly what a dossier that does not exist shows.
    const missing = '00000000-0000-4000-8000-000000000000';
    await page.goto(`${suite.base}/dossiers/${missing}`);
    await expect.poll(() => page.getByRole('alert').locator('.error-message').textContent()).toBe(ingestKk['ingest.dossier_not_found']!.replace('{id}', missing));
  });

  it("lists only department 02's dossiers to its head", async () => {
    const page = await loginAsHead();
    await page.goto(`${suite.base}/dossiers/department`);
    await page.getByText(dossiers['02']!.title).first().waitFor();
    expect(await page.getByText(dossiers['03']!.title).count()).toBe(0);
  });
});
