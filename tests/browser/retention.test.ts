// The retention list page in a real browser against the demo server: the archivist checks a
// file with one bad row (the page names its row and field and stores nothing), checks the
// corrected file, makes a draft of it and publishes it as version 2; a researcher reads the
// list without the editing; the dossier list shows each dossier's category and destruction date.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { runIngest } from '../../ingest';
import { packTextDossier } from '../server/helpers';
import { demoBrowserSuite, HAVE_CHROMIUM, SKIP_REASON } from './support';

const here = path.dirname(fileURLToPath(import.meta.url));
const kk = JSON.parse(readFileSync(path.join(here, '../../common/i18n/retention/kk.json'), 'utf8')) as Record<string, string>;
const words = (key: string) => {
  const text = kk[`retention.${key}`];
  if (!text) throw new Error(`no retention.${key} in kk`);
  return text;
};

const GOOD = `article,document_type_kk,document_type_ru,retention,note,personnel
23,Жоғары тұрған органдармен хат алмасу,Переписка с вышестоящими органами,5 лет ЭПК,,нет
26а,Басшының негізгі қызмет бойынша бұйрықтары,Приказы руководителя по основной деятельности,Постоянно,,нет
657а,Жеке құрам бойынша бұйрықтар,Приказы по личному составу,75 лет,,да
662,Қызметкерлердің жеке істері,Личные дела работников,75 лет,,да
700,Анықтамалық сипаттағы хат алмасу,Переписка справочного характера,ДМН,,нет
`;
// Row 4 (the CSV line of 657а) has a period no list uses.
const BAD = GOOD.replace('657а,Жеке құрам бойынша бұйрықтар,Приказы по личному составу,75 лет', '657а,Жеке құрам бойынша бұйрықтар,Приказы по личному составу,мәңгі');

describe.skipIf(!HAVE_CHROMIUM)(HAVE_CHROMIUM ? 'retention list in Chromium' : `retention list in Chromium — skipped: ${SKIP_REASON}`, () => {
  // The settings the demo server had before this suite shared the set-up (default malware policy).
  const suite = demoBrowserSuite({ name: 'retention-ui', env: { MURAGAT_MALWARE_POLICY: 'refuse', LOG_LEVEL: 'warn' } });
  const open = (username: string) => suite.login(username);

  async function check(page: Page, name: string, content: string): Promise<void> {
    await page.locator('#list-file').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(content, 'utf8') });
    await page.getByRole('button', { name: words('ui_import_check') }).click();
  }

  it('shows the bad row and field of a file, then publishes the corrected one as version 2', async () => {
    const page = await open('archivist');
    await page.locator('#main-nav a[href="/retention-list"]').click();
    await page.getByRole('heading', { level: 1 }).waitFor();
    // The demo seed loaded the demo list as version 1.
    await expect.poll(() => page.locator('[data-testid=retention-versions] tbody tr').count()).toBe(1);
    await expect.poll(() => page.locator('[data-testid=retention-shown] tbody tr').count()).toBe(10);

    await check(page, 'tizbe.csv', BAD);
    const problems = page.locator('[data-testid=retention-problems]');
    await problems.waitFor();
    const row = problems.locator('tbody tr');
    expect(await row.count()).toBe(1);
    expect(await row.getAttribute('data-row')).toBe('4');
    const cells = await row.locator('td').allTextContents();
    expect(cells[0]).toBe('4');
    expect(cells[1]).toBe(words('ui_field_retention'));
    expect(cells[2]).toContain('мәңгі');
    expect(await page.getByRole('button', { name: words('ui_import_to_draft') }).count()).toBe(0);

    await check(page, 'tizbe.csv', GOOD);
    await page.locator('[data-testid=retention-preview-ok]').waitFor();
    expect(await problems.count()).toBe(0);
    await page.getByRole('button', { name: words('ui_import_to_draft') }).click();
    const draft = page.locator('[data-testid=retention-draft]');
    await expect.poll(() => draft.locator('tbody tr').count()).toBe(5);

    // One more edit before publishing: a new article through the form.
    await draft.getByRole('button', { name: words('ui_add_article') }).click();
    await page.locator('#art-number').fill('147');
    await page.locator('#art-kk').fill('Бастапқы есепке алу құжаттары');
    await page.locator('#art-ru').fill('Первичные учетные документы');
    await page.locator('#art-years').fill('5');
    await page.getByRole('button', { name: words('ui_save'), exact: true }).click();
    await expect.poll(() => draft.locator('tbody tr').count()).toBe(6);

    await draft.getByRole('button', { name: words('ui_publish').replace('{version}', '2') }).click();
    await expect.poll(() => page.locator('[data-testid=retention-status]').textContent()).toContain(words('ui_published').split(';')[0]!.replace('{version}', '2'));
    await expect.poll(() => page.locator('[data-testid=retention-versions] tbody tr').count()).toBe(2);
    const newest = page.locator('[data-testid=retention-versions] tbody tr').first();
    expect(await newest.getAttribute('data-version')).toBe('2');
    expect(await newest.textContent()).toContain(words('ui_in_force'));
    await expect.poll(() => page.locator('[data-testid=retention-shown] tbody tr').count()).toBe(6);
    expect(await page.locator('[data-testid=retention-shown] tr[data-article="657а"]').textContent()).toContain(words('category_personnel'));
    expect(page.problems).toEqual([]);
  });

  it('lets a researcher read the list without the editing', async () => {
    const page = await open('researcher');
    await page.locator('#main-nav a[href="/retention-list"]').click();
    await expect.poll(() => page.locator('[data-testid=retention-versions] tbody tr').count()).toBe(2);
    expect(await page.locator('[data-testid=retention-draft]').count()).toBe(0);
    expect(await page.locator('[data-testid=retention-import]').count()).toBe(0);
    expect(page.problems).toEqual([]);
  });

  it('shows each dossier’s category and earliest destruction date in the dossier list', async () => {
    const db = suite.server.deps.db;
    const transfer = await db.insertInto('transfers').values({ status: 'completed', department: '02', year: 2024, source_name: 'kadr-2024.tar' } as never).returning('id').executeTakeFirstOrThrow();
    await db
      .insertInto('dossiers')
      .values({
        transfer_id: transfer.id,
        case_index: '02-77',
        title: 'Қызметкерлердің жеке істері (2024)',
        status: 'stored',
        aip_manifest_sha256: 'a'.repeat(64),
        inventory_sha256: 'b'.repeat(64),
        integrity_sha256: 'c'.repeat(64),
        metadata: JSON.stringify({ year: 2024, endDate: '2024-12-20', retention: { kind: 'years_epk', years: 5, article: '23' } }),
      } as never)
      .execute();
    const page = await open('archivist');
    await page.locator('#main-nav a[href="/dossiers"]').click();
    const row = page.locator('table.data tbody tr', { hasText: '02-77' });
    await row.waitFor();
    const text = await row.textContent();
    expect(text).toContain(words('category_up_to_10'));
    expect(text).toContain(words('ui_destruction_review').replace('{date}', '2030-01-01'));
    expect(page.problems).toEqual([]);
  });

  it('shows an ingested dossier’s category and earliest destruction date on the Dossier page', async () => {
    const work = await mkdtemp(path.join(os.tmpdir(), 'muragat-retention-ui-'));
    try {
      // 10 years, article 201 (not in the demo list: the page says so), documents of 2025.
      const tar = await packTextDossier(work, { index: '04-08', title: 'Кассалық құжаттар', kazakhOrder: '4-н', russianOrder: '10-н' });
      const { db, storage, config } = suite.server.deps;
      const report = await runIngest({ db, storage, config }, { tarPath: tar });
      const id = report.dossiers[0]?.id;
      expect(id, JSON.stringify(report)).toBeTruthy();
      const page = await open('archivist');
      await page.goto(`${suite.base}/dossiers/${id}`);
      const category = page.getByTestId('dossier-category');
      await category.waitFor();
      expect(await category.textContent()).toBe(words('category_up_to_10'));
      expect(await page.getByTestId('dossier-destruction').textContent()).toBe(words('ui_destruction_from').replace('{date}', '2036-01-01'));
      expect(await page.getByTestId('dossier-retention').textContent()).toContain(words('ui_article_missing').replace('{article}', '201').replace('{version}', '2'));
      expect(page.problems).toEqual([]);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }, 180_000);
});
