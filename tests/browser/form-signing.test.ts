// Signing a stored form in a real browser: the demo's approved nomenclature (App. 26) kept in
// Kazakh and Russian as at its approval; the organisation head opens the nomenclature page,
// sees both renditions "not signed", signs the Kazakh one with a .p12 and its password (the
// detached CMS is made in the page over the stored bytes, only the CMS is sent), and sees it
// signed by them; a wrong password is a translated message, never a raw code.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createSignersService } from '../../accounts/signers.service';
import { loadNomenclatureForm } from '../../catalog/nomenclature/form';
import { renderAndStoreForm } from '../../forms/approval';
import { demoBrowserSuite, HAVE_CHROMIUM, SKIP_REASON } from './support';

const kk = JSON.parse(readFileSync(new URL('../../common/i18n/forms/kk.json', import.meta.url), 'utf8')) as Record<string, string>;

describe.skipIf(!HAVE_CHROMIUM)(HAVE_CHROMIUM ? 'signing a stored form in Chromium' : `signing a stored form in Chromium — skipped: ${SKIP_REASON}`, () => {
  const suite = demoBrowserSuite({ name: 'form-signing-ui', pki: true, ownStorage: true });

  beforeAll(async () => {
    // The director's key registered; the demo's approved nomenclature stored as at its approval.
    await createSignersService({ db: suite.server.deps.db }).addCertificate(SYSTEM_ACTOR, 'director', new Uint8Array(readFileSync(suite.pki.signers.rsa.certPath)), 'director.pem');
    const approved = await suite.server.deps.db.selectFrom('nomenclature').select(['id']).where('status', '=', 'approved').orderBy('year', 'desc').executeTakeFirstOrThrow();
    const director = await suite.server.deps.db.selectFrom('users').select(['id', 'username', 'roles']).where('username', '=', 'director').executeTakeFirstOrThrow();
    await renderAndStoreForm({ db: suite.server.deps.db, storage: suite.server.deps.storage }, { userId: director.id, username: director.username, roles: director.roles as never }, {
      kind: 'nomenclature',
      subjectId: approved.id,
      load: () => loadNomenclatureForm(suite.server.deps.db, approved.id),
    });
  }, 240_000);

  it('the organisation head signs the stored Kazakh nomenclature and sees it signed', async () => {
    const page = await suite.login('director');
    await page.goto(suite.base + '/nomenclature');
    const panel = page.getByTestId('form-signatures');
    await panel.waitFor();
    const rows = panel.getByTestId('form-rendition');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await panel.locator('[data-testid=form-rendition][data-signed=no]').count()).toBe(2);

    const form = panel.getByTestId('form-sign');
    const kkRow = panel.locator('[data-testid=form-rendition][data-language=kk]');
    const kkId = ((await kkRow.locator('a').getAttribute('href')) ?? '').split('/').pop()!.split('?')[0]!;
    await form.locator('select[name=rendition]').selectOption(kkId);
    await form.locator('input[name=p12]').setInputFiles(suite.pki.signers.rsa.p12Path);
    // A wrong password: a translated message, no raw code.
    await form.locator('input[name=password]').fill('not-the-password');
    await form.locator('button[type=submit]').click();
    const alert = panel.getByRole('alert');
    await alert.waitFor();
    // The signature area's catalog loads on first need; then the message is in words.
    await expect.poll(() => alert.textContent()).toContain('PKCS#12 құпиясөзі қате');
    expect((await alert.textContent()) ?? '').not.toMatch(/[a-z0-9]+\.[a-z0-9_]+/);
    expect(await panel.locator('[data-testid=form-rendition][data-signed=yes]').count()).toBe(0);

    await form.locator('input[name=password]').fill(suite.pki.password);
    await form.locator('button[type=submit]').click();
    await expect.poll(() => panel.locator('[data-testid=form-rendition][data-language=kk]').getAttribute('data-signed')).toBe('yes');
    const signedText = (await kkRow.textContent()) ?? '';
    expect(signedText).toContain(kk['forms.ui_signed_by']!.split(':')[0]!);
    expect(signedText).toContain('director');
    expect(await panel.locator('[data-testid=form-rendition][data-language=ru]').getAttribute('data-signed')).toBe('no');
    const row = await suite.server.deps.db.selectFrom('form_renditions').select(['signed_by', 'signature_sha256']).where('id', '=', kkId).executeTakeFirstOrThrow();
    expect(row.signed_by).toBe('director');
    expect(row.signature_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(page.problems).toEqual([]);
  }, 180_000);
});
