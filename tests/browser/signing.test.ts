// Signer identity in a real browser (issue 10): the head of department signs a dossier's
// integrity statement with a colleague's PKCS#12 (the archivist's key) and sees a clear
// refusal naming whose certificate it is and who must sign; with their own key the signature
// is accepted and the page shows who signed, with the certificate.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { demoPassword, DEMO_USERS } from '../../demo/seed';
import { createSignersService } from '../../accounts/signers.service';
import { runIngest } from '../../ingest/pipeline/run';
import { buildIndexPackage } from '../server/signers-fixtures';
import { demoBrowserSuite, HAVE_CHROMIUM, SKIP_REASON } from './support';

const here = path.dirname(fileURLToPath(import.meta.url));
const kk = JSON.parse(readFileSync(path.join(here, '../../common/i18n/ui/kk.json'), 'utf8')) as Record<string, string>;
const s = (key: string) => {
  const text = kk[`ui.${key}`];
  if (!text) throw new Error(`no ui.${key} in kk`);
  return text;
};
const fullName = (username: string) => DEMO_USERS.find((u) => u.username === username)!.fullName;

describe.skipIf(!HAVE_CHROMIUM)(HAVE_CHROMIUM ? 'signing UI in Chromium' : `signing UI in Chromium — skipped: ${SKIP_REASON}`, () => {
  const suite = demoBrowserSuite({ name: 'signing-ui', pki: true });
  let dossierId = '';

  beforeAll(async () => {
    // A dossier of the demo head's department 02; the head's and the archivist's keys registered.
    const report = await runIngest({ db: suite.server.deps.db, storage: suite.server.deps.storage, config: suite.config }, { tarPath: await buildIndexPackage(suite.work, { index: '02-7', department: '02' }) });
    dossierId = report.dossiers[0]!.id!;
    const signers = createSignersService({ db: suite.server.deps.db });
    await signers.addCertificate(SYSTEM_ACTOR, 'head', new Uint8Array(readFileSync(suite.pki.signers.rsa.certPath)), 'head.pem');
    await signers.addCertificate(SYSTEM_ACTOR, 'archivist', new Uint8Array(readFileSync(suite.pki.signers.ecdsa.certPath)), 'archivist.pem');
  }, 240_000);

  async function signAs(page: Page, p12Path: string): Promise<void> {
    await page.locator('#p12-file').setInputFiles(p12Path);
    await page.locator('#p12-password').fill(suite.pki.password);
    await page.getByRole('button', { name: s('dossier_sign_submit') }).click();
    await expect.poll(async () => (await page.locator('section.sign .done').count()) + (await page.locator('section.sign [role=alert]').count()), { timeout: 60_000 }).toBe(1);
  }

  it('a head signing with a colleague’s key sees a clear refusal; with their own key the signer is shown', async () => {
    const context = await suite.browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));
      await page.goto(suite.base + '/');
      await page.locator('#login-username').fill('head');
      await page.locator('#login-password').fill(demoPassword('head'));
      await page.locator('form.login-form button[type=submit]').click();
      await page.locator('#main-nav').waitFor({ state: 'attached' });
      await page.goto(`${suite.base}/dossiers/${dossierId}`);
      await page.getByRole('heading', { name: s('dossier_sign_title') }).waitFor();

      // The archivist's PKCS#12 (a colleague's key) opens fine in the browser, but the server refuses it.
      await signAs(page, suite.pki.signers.ecdsa.p12Path);
      const refusal = page.locator('section.sign [role=alert]');
      await expect.poll(() => refusal.count()).toBe(1);
      const text = (await refusal.textContent()) ?? '';
      expect(text).toContain(fullName('archivist'));
      expect(text).toContain(fullName('head'));
      expect(text).not.toMatch(/signature\.signer_|\{|\}/);
      expect(await page.getByTestId('signature-status').textContent()).toContain(s('dossier_status_awaiting_signature'));
      const stored = await suite.server.deps.db.selectFrom('dossier_signatures').select('id').where('dossier_id', '=', dossierId).execute();
      expect(stored).toEqual([]);

      // Their own key: accepted, and the page names the signer, the IIN and the certificate.
      await signAs(page, suite.pki.signers.rsa.p12Path);
      await page.getByTestId('signer-identity').first().waitFor();
      expect(await page.locator('section.sign .done').textContent()).toContain(fullName('head'));
      const identity = (await page.getByTestId('signer-identity').first().textContent()) ?? '';
      expect(identity).toContain(fullName('head'));
      expect(identity).toContain(suite.pki.iin);
      expect(identity).toContain('Сейітов Асқар');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 180_000);
});
