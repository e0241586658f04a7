// Signature reconciliation (p.97-1) in Chromium: two tasks of a permanent dossier whose
// signatures no longer verify. The archivist finds no paper original for one — a note is asked
// for and the document keeps the recorded mark — and finds the paper matching for the other,
// which then waits for the organisation head; the head re-certifies that electronic copy in the
// page with their own .p12 (a wrong password first: a translated message, no raw code). The
// catalog holds the head's CMS, verified over the stored bytes; each step is audited; nothing was
// re-signed by the system.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { FsObjectStore } from '../../storage';
import { createHoldings, type TestDossier } from '../preservation/holdings';
import { demoBrowserSuite, HAVE_CHROMIUM, SKIP_REASON } from './support';

const kk = JSON.parse(readFileSync(new URL('../../common/i18n/preservation/kk.json', import.meta.url), 'utf8')) as Record<string, string>;

describe.skipIf(!HAVE_CHROMIUM)(HAVE_CHROMIUM ? 'signature reconciliation in Chromium' : `signature reconciliation in Chromium — skipped: ${SKIP_REASON}`, () => {
  const suite = demoBrowserSuite({ name: 'reconciliation', pki: true, ownStorage: true });
  let dossier: TestDossier;
  const tasks: { noPaper: string; matches: string } = { noPaper: '', matches: '' };

  beforeAll(async () => {
    const { db, storage } = suite.server.deps;
    dossier = (await createHoldings(db, storage, { dossiers: 1, objectsPerDossier: 2, maxBytes: 4000 }))[0]!;
    expect(storage.primary).toBeInstanceOf(FsObjectStore);
    // What a re-check opens for a permanent dossier (preservation/reconciliation.service.ts).
    const insert = async (object: TestDossier['objects'][number], n: number) =>
      (
        await db
          .insertInto('signature_reconciliation_tasks')
          .values({
            dossier_id: dossier.id,
            document_id: `doc-${n}`,
            manifest_sha256: dossier.manifest,
            signature_path: `${object.path}.p7s`,
            signature_sha256: object.sha256.split('').reverse().join(''),
            content_path: object.path,
            content_sha256: object.sha256,
            retention: 'permanent',
            verdict_before: 'valid',
            verdict_found: 'invalid',
            reason: `certificate revoked before signing time (task ${n})`,
            found_by: JSON.stringify({ username: 'system', runId: '00000000-0000-4000-8000-000000000000' }),
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    tasks.noPaper = await insert(dossier.objects[0]!, 1);
    tasks.matches = await insert(dossier.objects[1]!, 2);
  });

  it('the archivist records no paper original (a mark) and a matching one (to the head)', async () => {
    const page = await suite.login('archivist');
    await page.getByRole('link', { name: kk['preservation.ui_reconciliation_nav']! }).click();
    const list = page.getByTestId('reconciliation-tasks');
    await list.waitFor();
    await expect.poll(() => list.getByTestId('reconciliation-task').count()).toBe(2);
    expect(await list.locator('[data-status=open]').count()).toBe(2);

    // No paper original: the note is required (it becomes the mark).
    await list.locator(`[data-task="${tasks.noPaper}"] button`).click();
    const detail = page.getByTestId('reconciliation-detail');
    await detail.waitFor();
    expect(await detail.textContent()).toContain('certificate revoked before signing time (task 1)');
    const compare = detail.getByTestId('reconciliation-compare');
    await compare.locator('input[value=no_paper]').check();
    expect(await compare.locator('textarea[name=note]').getAttribute('required')).not.toBeNull();
    await compare.locator('textarea[name=note]').fill('Қағаз түпнұсқа мұрағатта жоқ (тізімдеме 3, 12-бет).');
    await compare.locator('button[type=submit]').click();
    await expect.poll(() => detail.getAttribute('data-status')).toBe('marked');
    const mark = (await detail.getByTestId('reconciliation-mark').textContent()) ?? '';
    expect(mark).toContain(kk['preservation.ui_reconciliation_comparison_no_paper']!);
    expect(mark).toContain('тізімдеме 3, 12-бет');
    await expect.poll(() => list.locator(`[data-task="${tasks.noPaper}"]`).getAttribute('data-status')).toBe('marked');

    // The paper matches: the task goes to the head; the archivist cannot re-certify.
    await list.locator(`[data-task="${tasks.matches}"] button`).click();
    await expect.poll(() => detail.getAttribute('data-status')).toBe('open');
    await detail.getByTestId('reconciliation-compare').locator('input[value=paper_matches]').check();
    await detail.getByTestId('reconciliation-compare').locator('button[type=submit]').click();
    await expect.poll(() => detail.getAttribute('data-status')).toBe('awaiting_recertification');
    expect(await detail.getByTestId('reconciliation-recertify').count()).toBe(0);
    expect(await detail.textContent()).toContain(kk['preservation.ui_reconciliation_waits_head']!);
    expect(page.problems).toEqual([]);
  }, 120_000);

  it('the organisation head re-certifies the matching copy with their own key', async () => {
    const page = await suite.login('director');
    await page.getByRole('link', { name: kk['preservation.ui_reconciliation_nav']! }).click();
    const list = page.getByTestId('reconciliation-tasks');
    await list.waitFor();
    await list.locator(`[data-task="${tasks.matches}"] button`).click();
    const detail = page.getByTestId('reconciliation-detail');
    await expect.poll(() => detail.getAttribute('data-status')).toBe('awaiting_recertification');
    const form = detail.getByTestId('reconciliation-recertify');
    await form.locator('input[name=p12]').setInputFiles(suite.pki.signers.rsa.p12Path);
    await form.locator('input[name=password]').fill('not-the-password');
    await form.locator('button[type=submit]').click();
    const alert = detail.getByRole('alert');
    await alert.waitFor();
    await expect.poll(() => alert.textContent()).toContain('PKCS#12 құпиясөзі қате');
    expect((await alert.textContent()) ?? '').not.toMatch(/[a-z0-9]+\.[a-z0-9_]+/);

    await form.locator('input[name=password]').fill(suite.pki.password);
    await form.locator('button[type=submit]').click();
    await expect.poll(() => detail.getAttribute('data-status'), { timeout: 30_000 }).toBe('recertified');
    expect((await detail.getByTestId('reconciliation-recertification').textContent()) ?? '').toContain('director');

    const { db } = suite.server.deps;
    const row = await db.selectFrom('signature_reconciliation_tasks').select(['status', 'recertification_cms_sha256', 'recertified_by', 'closed_at']).where('id', '=', tasks.matches).executeTakeFirstOrThrow();
    expect(row.status).toBe('recertified');
    expect(row.recertification_cms_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect((row.recertified_by as { username: string }).username).toBe('director');
    expect(row.closed_at).not.toBeNull();
    // The head's CMS is kept in the store like any object.
    expect(await suite.server.deps.storage.primary.exists(row.recertification_cms_sha256!)).toBe(true);
    // Every step is a person's audited act: two comparisons by the archivist, one re-certification by the head.
    const events = await db.selectFrom('audit_events').select(['action', 'actor_username']).where('action', 'like', 'signature.reconciliation_%').orderBy('id').execute();
    expect(events.map((e) => [e.action, e.actor_username])).toEqual([
      ['signature.reconciliation_compare', 'archivist'],
      ['signature.reconciliation_compare', 'archivist'],
      ['signature.reconciliation_recertify', 'director'],
    ]);
    expect(page.problems).toEqual([]);
  }, 120_000);
});
