// Signer identity administration in a real browser (issue 10): the users page counts the
// certificates bound at first use that wait for the administrator; on the certificates page
// the admin refuses the archivist's pending certificate and confirms the clerk's, registers the head's certificate from a
// DER .cer file and an IIN for the archivist, and is told in words (never a code) that a
// certificate already registered to the head cannot be registered to someone else.
import { writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../accounts/roles';
import { authorizeSigner } from '../../accounts/signers.service';
import { DEMO_USERS } from '../../demo/seed';
import { readCertificate } from '../../validators/signature/certificate';
import { demoBrowserSuite, HAVE_CHROMIUM, lowContrast, SKIP_REASON } from './support';

const here = path.dirname(fileURLToPath(import.meta.url));
const catalog = (area: string) => JSON.parse(readFileSync(path.join(here, `../../common/i18n/${area}/kk.json`), 'utf8')) as Record<string, string>;
const signersKk = catalog('signers');
const s = (key: string, params: Record<string, string> = {}) => {
  const text = signersKk[`signers.${key}`];
  if (!text) throw new Error(`no signers.${key} in kk`);
  return text.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? `{${name}}`);
};
const fullName = (username: string) => DEMO_USERS.find((u) => u.username === username)!.fullName;

describe.skipIf(!HAVE_CHROMIUM)(HAVE_CHROMIUM ? 'signer identity administration in Chromium' : `signer identity administration in Chromium — skipped: ${SKIP_REASON}`, () => {
  const suite = demoBrowserSuite({ name: 'signer-admin-ui', pki: true });
  let headCer = '';
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    for (const u of await suite.server.deps.db.selectFrom('users').select(['id', 'username']).execute()) ids[u.username] = u.id;
    /** The user signs an inventory with a certificate nobody holds: bound to them, pending, the signature refused. */
    const signAtFirstUse = async (username: string, role: Role, certPath: string) => {
      const cert = readCertificate(new Uint8Array(readFileSync(certPath)));
      await expect(
        authorizeSigner(suite.server.deps.db, {
          userId: ids[username]!,
          kind: 'inventory',
          dossier: { id: 'first-use', index: '02-1', department: '02' },
          signer: cert.info,
          certificates: [cert.der],
          actor: { userId: ids[username]!, username, roles: [role] },
        }),
      ).rejects.toMatchObject({ code: 'signature.signer_pending' });
    };
    // The demo clerk signs an inventory with a certificate nobody holds: the backend binds it to
    // the clerk, pending the administrator's confirmation, and refuses the signature meanwhile.
    await signAtFirstUse('clerk', 'department_clerk', suite.pki.signers.ecdsa.certPath);
    // The archivist likewise, with a key the administrator will refuse.
    await signAtFirstUse('archivist', 'archivist', suite.pki.signers.ecdsa384.certPath);
    // The head's certificate as an administrator receives it: a DER .cer file.
    headCer = path.join(suite.work, 'head.cer');
    await writeFile(headCer, readCertificate(new Uint8Array(readFileSync(suite.pki.signers.rsa.certPath))).der);
  }, 240_000);

  const loginAsAdmin = () => suite.login('admin');

  const bindingsOf = (username: string) => suite.server.deps.db.selectFrom('signer_bindings').select(['status', 'kind', 'iin', 'origin']).where('user_id', '=', ids[username]!).execute();
  const audited = async (action: string) => (await suite.server.deps.db.selectFrom('audit_events').select('action').where('action', '=', action).execute()).length;

  it('refuses one pending first-use binding, confirms another and registers a head’s certificate', async () => {
    const page = await loginAsAdmin();
    try {
      // The users page says a certificate waits, and leads to the certificates page.
      await expect.poll(() => page.getByTestId('certificates-pending').textContent()).toContain('2');
      await page.getByTestId('certificates-link').click();
      await expect.poll(() => page.locator('main h1').textContent()).toBe(s('title'));
      expect(new URL(page.url()).pathname).toBe('/users/certificates');
      await expect.poll(() => page.getByTestId('pending-count').textContent()).toBe('2');
      const pendingRows = page.getByTestId('pending-bindings').locator('tbody tr');
      await expect.poll(() => pendingRows.count()).toBe(2);

      // Refuse the archivist's: a reason is asked for and kept.
      const stray = pendingRows.filter({ hasText: fullName('archivist') });
      await stray.getByRole('button', { name: s('refuse') }).click();
      await page.locator('#binding-reason').fill('Бұл кілт мұрағатшыға тиесілі емес');
      await page.locator('form.remove-form').getByRole('button', { name: s('refuse_confirm') }).click();
      await expect.poll(() => page.getByTestId('pending-count').textContent()).toBe('1');
      expect(await bindingsOf('archivist')).toEqual([{ status: 'removed', kind: 'certificate', iin: null, origin: 'first-use' }]);
      expect(await audited('user.signer_refuse')).toBe(1);

      const pendingRow = pendingRows;
      await expect.poll(() => pendingRow.count()).toBe(1);
      const rowText = (await pendingRow.textContent()) ?? '';
      expect(rowText).toContain(fullName('clerk'));
      expect(rowText).toContain('900202400456');
      expect(rowText).toContain(s('status_pending'));
      expect(rowText).toContain(s('statement_inventory'));

      // Confirm it: the clerk's signatures with it are accepted from now on.
      await pendingRow.getByRole('button', { name: s('confirm') }).click();
      await expect.poll(() => page.getByTestId('pending-count').textContent()).toBe('0');
      expect(await page.locator('.status-line').textContent()).toContain(fullName('clerk'));
      expect(await page.getByText(s('pending_empty')).count()).toBe(1);
      expect(await bindingsOf('clerk')).toEqual([{ status: 'active', kind: 'certificate', iin: '900202400456', origin: 'first-use' }]);
      expect(await audited('user.signer_confirm')).toBe(1);

      // Register the head's certificate from a DER .cer file.
      await page.locator('#signer-user').selectOption(ids.head!);
      await expect.poll(() => new URL(page.url()).pathname).toBe(`/users/certificates/${ids.head}`);
      await page.getByTestId('user-bindings-empty').waitFor();
      await page.locator('#certificate-file').setInputFiles(headCer);
      await page.getByRole('button', { name: s('register_submit') }).click();
      const headRow = page.getByTestId('user-bindings').locator('tbody tr');
      await expect.poll(() => headRow.count()).toBe(1);
      const headText = (await headRow.textContent()) ?? '';
      expect(headText).toContain('Сейітов Асқар');
      expect(headText).toContain(suite.pki.iin);
      expect(headText).toContain(s('status_confirmed'));
      expect(headText).toContain(s('statement_integrity'));
      expect(await page.locator('.status-line').textContent()).toContain(fullName('head'));
      expect(await bindingsOf('head')).toEqual([{ status: 'active', kind: 'certificate', iin: suite.pki.iin, origin: 'admin' }]);

      // The same certificate for the archivist: refused in words naming whose it is.
      await page.locator('#signer-user').selectOption(ids.archivist!);
      await page.getByTestId('user-bindings-empty').waitFor();
      await page.locator('#certificate-file').setInputFiles(headCer);
      await page.getByRole('button', { name: s('register_submit') }).click();
      await expect.poll(() => page.getByRole('alert').count()).toBeGreaterThan(0);
      const message = (await page.getByRole('alert').first().textContent()) ?? '';
      expect(message).toContain(fullName('head'));
      expect(message).not.toMatch(/signer\.|catalog\.|\{/);
      expect((await bindingsOf('archivist')).filter((b) => b.status !== 'removed')).toEqual([]);

      // An IIN instead of a file.
      await page.getByRole('radio', { name: s('register_by_iin') }).check();
      await page.locator('#certificate-iin').fill('770101300555');
      await page.getByRole('button', { name: s('register_submit') }).click();
      await expect.poll(() => page.getByTestId('user-bindings').locator('tbody tr').count()).toBe(1);
      expect(await page.getByTestId('user-bindings').textContent()).toContain(s('kind_iin'));
      expect((await bindingsOf('archivist')).filter((b) => b.status !== 'removed')).toEqual([{ status: 'active', kind: 'iin', iin: '770101300555', origin: 'admin' }]);
      expect(await audited('user.signer_add')).toBe(2);

      // Remove it, with a reason kept in the audit log.
      await page.getByTestId('user-bindings').getByRole('button', { name: s('remove') }).click();
      await page.locator('#binding-reason').fill('Қате тіркелді');
      await page.locator('form.remove-form').getByRole('button', { name: s('remove_confirm') }).click();
      await page.getByTestId('user-bindings-empty').waitFor();
      expect((await bindingsOf('archivist')).filter((b) => b.kind === 'iin')).toEqual([{ status: 'removed', kind: 'iin', iin: '770101300555', origin: 'admin' }]);
      expect(await audited('user.signer_remove')).toBe(1);
      expect(await lowContrast(page, 'main')).toEqual([]);
      expect(page.problems).toEqual([]);
    } finally {
      await page.context().close();
    }
  }, 180_000);
});
