// The archivist's case index decision in a real browser (issue 10): a second transfer of a
// case index department 02 already keeps for the year is refused; the department's clerk sees
// why and a link to the dossier kept, but no way to decide; the archivist adds it as a new
// volume from the transfer page, the transfer is processed again and its dossier is stored as
// volume 2, and the decision stays on the page.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../demo/seed';
import { runIngest } from '../../ingest/pipeline/run';
import { buildIndexPackage } from '../server/signers-fixtures';
import { demoBrowserSuite, HAVE_CHROMIUM, SKIP_REASON } from './support';

const here = path.dirname(fileURLToPath(import.meta.url));
const signersKk = JSON.parse(readFileSync(path.join(here, '../../common/i18n/signers/kk.json'), 'utf8')) as Record<string, string>;
const s = (key: string) => {
  const text = signersKk[`signers.${key}`];
  if (!text) throw new Error(`no signers.${key} in kk`);
  return text;
};
const INDEX = '02-1';

describe.skipIf(!HAVE_CHROMIUM)(HAVE_CHROMIUM ? 'new volume decision in Chromium' : `new volume decision in Chromium — skipped: ${SKIP_REASON}`, () => {
  const suite = demoBrowserSuite({ name: 'new-volume-ui' });
  let keptId = '';
  let refusedId = '';

  beforeAll(async () => {
    const deps = { db: suite.server.deps.db, storage: suite.server.deps.storage, config: suite.config };
    const kept = await runIngest(deps, { tarPath: await buildIndexPackage(suite.work, { index: INDEX, department: '02', tag: 'kept' }) });
    keptId = kept.dossiers[0]!.id!;
    expect(keptId, JSON.stringify(kept.failure ?? kept.problems)).toBeTruthy();
    const clerk = DEMO_USERS.find((u) => u.username === 'clerk')!;
    const clerkId = (await suite.server.deps.db.selectFrom('users').select('id').where('username', '=', clerk.username).executeTakeFirstOrThrow()).id;
    const refused = await runIngest(deps, { tarPath: await buildIndexPackage(suite.work, { index: INDEX, department: '02', tag: 'again' }), actor: { userId: clerkId, username: 'clerk', roles: ['department_clerk'] } });
    expect(refused.status).toBe('failed');
    expect(refused.failure?.code).toBe('ingest.case_index_exists');
    refusedId = refused.transfer;
  }, 240_000);

  it('the clerk sees the reason and the dossier kept, but not the decision', async () => {
    const page = await suite.login('clerk');
    await page.goto(`${suite.base}/transfers/${refusedId}`);
    const panel = page.getByTestId('case-index-decision');
    await panel.waitFor();
    await expect.poll(() => page.getByTestId('case-index-dossier').count()).toBe(1);
    const failure = (await page.getByTestId('transfer-failure').textContent()) ?? '';
    expect(failure).toContain(INDEX);
    expect(failure).not.toMatch(/ingest\.case_index_exists|signers\./);
    expect(await page.getByTestId('case-index-dossier').getAttribute('href')).toBe(`/dossiers/${keptId}`);
    expect(await page.getByTestId('case-index-archivist-only').textContent()).toBe(s('case_index_archivist_decides'));
    expect(await page.getByTestId('new-volume').count()).toBe(0);
    expect(await page.getByRole('button', { name: s('case_index_new_volume') }).count()).toBe(0);
    expect(await page.getByTestId('keep-refused').count()).toBe(0);
    // The link opens the dossier kept (same department).
    await page.getByTestId('case-index-dossier').click();
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/dossiers/${keptId}`);
    expect(page.problems).toEqual([]);
  });

  it('the archivist adds it as a new volume; it is stored as volume 2', async () => {
    const page = await suite.login('archivist');
    await page.goto(`${suite.base}/transfers/${refusedId}`);
    const button = page.getByRole('button', { name: s('case_index_new_volume') });
    await button.waitFor();
    expect(await page.getByTestId('keep-refused').textContent()).toContain(s('case_index_keep_refused'));
    await button.click();
    // Processed again: the page follows it to the end and says who decided.
    const transfer = () => suite.server.deps.db.selectFrom('transfers').select(['status', 'failure', 'case_index_decision']).where('id', '=', refusedId).executeTakeFirstOrThrow();
    await expect.poll(async () => (await transfer()).case_index_decision, { timeout: 30_000 }).toBe('new-volume');
    await expect.poll(async () => (await transfer()).status, { timeout: 120_000 }).toMatch(/completed|failed|cancelled/);
    const state = await transfer();
    expect(state.status, JSON.stringify(state.failure)).toBe('completed');
    await expect.poll(() => page.getByTestId('case-index-decided').count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => page.getByTestId('transfer-failure').count(), { timeout: 30_000 }).toBe(0);
    const decided = (await page.getByTestId('case-index-decided').textContent()) ?? '';
    expect(decided).toContain('archivist');
    const stored = await suite.server.deps.db.selectFrom('dossiers').select(['id', 'volume', 'case_index']).where('transfer_id', '=', refusedId).execute();
    expect(stored.map((d) => [d.case_index, d.volume])).toEqual([[INDEX, 2]]);
    const row = await suite.server.deps.db.selectFrom('transfers').select(['case_index_decision', 'case_index_decided_by']).where('id', '=', refusedId).executeTakeFirstOrThrow();
    expect(row).toEqual({ case_index_decision: 'new-volume', case_index_decided_by: 'archivist' });
    const audit = await suite.server.deps.db.selectFrom('audit_events').select('action').where('object_id', '=', refusedId).where('action', '=', 'transfer.new_volume').execute();
    expect(audit).toHaveLength(1);
    // The report links the new volume's dossier, with its documents under it (not as a stray group).
    await page.locator(`a[href="/dossiers/${stored[0]!.id}"]`).first().waitFor();
    expect(await page.locator('section.report-dossier').count()).toBe(1);
    expect(await page.getByTestId('report-row').count()).toBe(2);
    expect(page.problems).toEqual([]);
  }, 180_000);
});
