// Researcher access in a real browser (issue 13, p.212): the demo archivist restricts a dossier
// on its page until 2040 with its description shown, and the demo researcher then sees the
// dossier described, marked "restricted until 2040-01-01" in their language, with nothing to
// open or download; the archivist's access panel is not theirs to see.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runIngest } from '../../ingest';
import { buildDepartmentPackage } from '../server/departments';
import { demoBrowserSuite, HAVE_CHROMIUM, SKIP_REASON } from './support';

const here = path.dirname(fileURLToPath(import.meta.url));
const words = (lang: string) => JSON.parse(readFileSync(path.join(here, `../../common/i18n/access/${lang}.json`), 'utf8')) as Record<string, string>;

describe.skipIf(!HAVE_CHROMIUM)(HAVE_CHROMIUM ? 'researcher access rules in Chromium' : `researcher access rules in Chromium — skipped: ${SKIP_REASON}`, () => {
  const suite = demoBrowserSuite({ name: 'access-rules-ui' });
  let dossier = { id: '', title: '' };

  beforeAll(async () => {
    const report = await runIngest({ db: suite.server.deps.db, storage: suite.server.deps.storage, config: suite.config }, { tarPath: await buildDepartmentPackage(suite.work, '02', 31) });
    dossier = { id: report.dossiers[0]!.id!, title: report.dossiers[0]!.title };
  }, 240_000);

  it('the archivist restricts the dossier with its description shown; the researcher sees "restricted until" and no file', async () => {
    const a = await suite.login('archivist');
    await a.goto(`${suite.base}/dossiers/${dossier.id}`);
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

    const r = await suite.login('researcher');
    await r.goto(`${suite.base}/dossiers/${dossier.id}`);
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
