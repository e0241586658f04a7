// A clerk prepares a transfer in the browser (issue 11): picks a case of the approved demo
// nomenclature, adds a real DOCX with a Kazakh name, a text file and its real .p7s, is refused
// a document over the p.147 limit by name, removes it, corrects an inferred title, sends, and
// lands on the transfer page where the transfer is ingested.
import { copyFile, mkdir, open as openFile, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { KAZAKH_TEXT } from '../../ingest/transfer/testing/fixtures';
import { signFile } from '../../validators/signature/testing/test-pki';
import { demoBrowserSuite, HAVE_CHROMIUM, SKIP_REASON } from './support';

const here = path.dirname(fileURLToPath(import.meta.url));
const catalog = (area: string) => JSON.parse(readFileSync(path.join(here, '../../common/i18n', area, 'kk.json'), 'utf8')) as Record<string, string>;
const kk = { ...catalog('ui'), ...catalog('prepare') };
const s = (key: string) => {
  const text = kk[key];
  if (!text) throw new Error(`no ${key} in kk`);
  return text;
};
/** The message's words before its first placeholder: enough to find it on the page. */
const lead = (key: string) => s(key).split('{')[0]!.trim();

describe.skipIf(!HAVE_CHROMIUM)(HAVE_CHROMIUM ? 'transfer prepared in the browser' : `transfer prepared in the browser — skipped: ${SKIP_REASON}`, () => {
  const suite = demoBrowserSuite({ name: 'prepare-ui', pki: true, env: { LOG_LEVEL: 'warn' } });
  const files = { docx: '', text: '', signature: '', large: '' };

  beforeAll(async () => {
    const dir = path.join(suite.work, 'files');
    await mkdir(dir);
    files.docx = path.join(dir, 'Жеке құрам туралы бұйрық 2025-03-14.docx');
    await copyFile('/work/shared/corpus/realworld-dev/office/Headers.docx', files.docx);
    files.text = path.join(dir, 'Іссапар туралы бұйрық №7-ж 2025-04-02.txt');
    await writeFile(files.text, KAZAKH_TEXT.join('\n') + '\n');
    files.signature = await signFile(suite.pki, files.text);
    // Sparse: 96 MB announced, nothing written; the browser refuses it by its size alone.
    files.large = path.join(dir, 'Сканерленген хаттар 2025-05-05.pdf');
    const handle = await openFile(files.large, 'w');
    await handle.truncate(96 * 1024 * 1024);
    await handle.close();
  });

  it('the demo clerk picks a case, is refused an oversized document, corrects a title and sends; the transfer is ingested', async () => {
    const page = await suite.login('clerk');

    await page.getByRole('link', { name: s('prepare.ui_title'), exact: true }).click();
    await page.waitForURL('**/transfers/prepare');
    // The department's cases of the approved nomenclature: index, heading, retention.
    const firstRow = page.locator('main table tbody tr').first();
    await firstRow.waitFor();
    expect(await firstRow.textContent()).toContain('Жеке құрам бойынша бұйрықтар');
    const index = (await firstRow.locator('td').nth(1).textContent())!.trim();
    expect(index).toMatch(/^02-\d+$/);
    expect(await page.locator('main table tbody tr').count()).toBe(3); // department 02's three cases only
    await page.getByRole('checkbox', { name: s('prepare.ui_pick_case').replace('{index}', index) }).check();

    const section = page.getByRole('region', { name: s('prepare.ui_files_of').replace('{index}', index) });
    await section.locator('input[type=file]:not([webkitdirectory])').setInputFiles([files.docx, files.text, files.signature, files.large]);
    await expect.poll(() => section.locator('li').count()).toBe(4);

    // Over 95 MB: refused before any byte is sent, naming the file and the clause.
    await page.getByRole('button', { name: s('prepare.ui_check'), exact: true }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'Сканерленген хаттар 2025-05-05.pdf' });
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('147');
    expect(await refusal.textContent()).not.toMatch(/prepare\.|transfer\./);
    await section.getByRole('button', { name: s('prepare.ui_remove_file').replace('{file}', path.basename(files.large)) }).click();

    // Checked on the server with transfer pack's code: the inferred metadata per document.
    await page.getByRole('button', { name: s('prepare.ui_check'), exact: true }).click();
    await page.getByRole('status').filter({ hasText: lead('prepare.ui_check_ok') }).waitFor({ timeout: 60_000 });
    const textPath = `${index}/${path.basename(files.text)}`;
    const docxPath = `${index}/${path.basename(files.docx)}`;
    const fieldOf = (doc: string, field: string) => page.locator(`[id="meta-${encodeURIComponent(doc)}-${field}"]`);
    expect(await fieldOf(textPath, 'title').inputValue()).toBe('Іссапар туралы бұйрық');
    expect(await fieldOf(textPath, 'date').inputValue()).toBe('2025-04-02');
    expect(await fieldOf(textPath, 'number').inputValue()).toBe('7-ж');
    expect(await fieldOf(textPath, 'language').inputValue()).toBe('kk');
    expect(await fieldOf(docxPath, 'date').inputValue()).toBe('2025-03-14');
    expect(await page.locator('main').textContent()).toContain(path.basename(files.signature));

    // A corrected title, and a date that is no date: refused at that document's field.
    const corrected = 'Қызметкерлерді іссапарға жіберу туралы бұйрық';
    await fieldOf(textPath, 'title').fill(corrected);
    await fieldOf(docxPath, 'date').fill('2025-02-30');
    await page.getByRole('button', { name: s('prepare.ui_send'), exact: true }).click();
    const fieldProblem = fieldOf(docxPath, 'date').locator('xpath=..').locator('.field-problem');
    await fieldProblem.first().waitFor({ timeout: 60_000 });
    expect(await fieldOf(docxPath, 'date').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('main').textContent()).not.toMatch(/transfer\.[a-z_]+/);
    await fieldOf(docxPath, 'date').fill('2025-03-14');

    await page.getByRole('button', { name: s('prepare.ui_send'), exact: true }).click();
    await page.waitForURL(/\/transfers\/[0-9a-f-]{36}$/, { timeout: 60_000 });
    const transferId = page.url().split('/').pop()!;
    await expect
      .poll(async () => (await page.getByTestId('ingest-status').textContent()) ?? '', { timeout: 240_000, interval: 1000 })
      .toContain(s('ui.ingest_status_completed'));

    // Tied to its schedule row by department and records year; the clerk's title kept.
    const transfer = await suite.server.deps.db.selectFrom('transfers').selectAll().where('id', '=', transferId).executeTakeFirstOrThrow();
    expect(transfer).toMatchObject({ department: '02' });
    expect(Number((transfer as Record<string, unknown>).year)).toBe(new Date().getUTCFullYear());
    const report = await page.request.get(`${suite.base}/api/transfers/${transferId}/report`);
    const body = (await report.json()) as { dossiers: { id: string; index: string; documents: { status: string; signature: string }[] }[] };
    expect(body.dossiers[0]!.index).toBe(index);
    expect(body.dossiers[0]!.documents.map((d) => [d.status, d.signature])).toEqual([['accepted', 'unsigned'], ['accepted', 'valid']]);
    const dossier = await page.request.get(`${suite.base}/api/dossiers/${body.dossiers[0]!.id}`);
    expect(await dossier.text()).toContain(corrected);
    expect(page.problems).toEqual([]);
  }, 600_000);
});
