// Appraisal in a real browser (issue 12): the archivist places a hold on a series, sees the
// appraisal list with the ЭПК dossier flagged and the held one not selectable, records a decision
// with its reason, drafts a destruction act from the chosen dossiers and submits it to the
// commission; once the commission has agreed it (its own browser test covers the voting), the
// organisation head stores the act in kk and ru and signs one rendition in the page with their
// own .p12 — only the detached CMS is sent — and the act is approved. Another archivist then
// executes it on the execution page (the act number typed, "cannot be undone" ticked) and signs
// the certificate of destruction there with their own .p12.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createSignersService } from '../../accounts/signers.service';
import { createUsersService } from '../../accounts/users.service';
import { demoPassword } from '../../demo/seed';
import { parseConfig } from '../../common/config';
import { startServer, type RunningServer } from '../../server/index';
import { createTestPki, type TestPki } from '../../validators/signature/testing/test-pki';
import { addDossiers, addPermanentInventory } from '../appraisal/fixtures';
import { ensureUiBuilt, HAVE_CHROMIUM, launchBrowser, SKIP_REASON, loginAsDemoUser, type PageWithProblems } from './support';

const catalog = (lang: string) => JSON.parse(readFileSync(new URL(`../../common/i18n/appraisal/${lang}.json`, import.meta.url), 'utf8')) as Record<string, string>;
const kk = catalog('kk');

describe.skipIf(!HAVE_CHROMIUM)(HAVE_CHROMIUM ? 'appraisal in Chromium' : `appraisal in Chromium — skipped: ${SKIP_REASON}`, () => {
  let server: RunningServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let base: string;
  let work: string;
  let pki: TestPki;
  let ids: Record<string, string>;
  let actId = '';

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'muragat-appraisal-ui-'));
    await ensureUiBuilt();
    pki = await createTestPki(path.join(work, 'pki'));
    const config = parseConfig({
      MURAGAT_DATA_DIR: path.join(work, 'data'),
      MURAGAT_STORAGE: `file:${path.join(work, 'store')}`,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      MURAGAT_TRUST_DIR: pki.trustDir,
    });
    [server, browser] = await Promise.all([startServer({ config, demo: true, quiet: true }), launchBrowser()]);
    base = server.url.replace(/\/$/, '');
    const db = server.deps.db;
    await createSignersService({ db }).addCertificate(SYSTEM_ACTOR, 'director', new Uint8Array(readFileSync(pki.signers.ecdsa384.certPath)), 'director.pem');
    // A second archivist executes the act (never its author) and signs the certificate.
    await createUsersService({ db }).add(SYSTEM_ACTOR, { username: 'keeper', password: demoPassword('keeper'), fullName: 'Сейітов Асқар', position: 'мұрағатшы', roles: ['archivist'], language: 'kk' });
    await createSignersService({ db }).addCertificate(SYSTEM_ACTOR, 'keeper', new Uint8Array(readFileSync(pki.signers.rsa.certPath)), 'keeper.pem');
    ids = await addDossiers(db, [
      { index: '09-1', title: 'Азаматтармен хат алмасу', department: '09', year: 2019, retention: { kind: 'years', years: 5, article: '31' } },
      { index: '09-2', title: 'Жұмыс жоспарлары', department: '09', year: 2019, retention: { kind: 'years_epk', years: 5, article: '23' } },
      { index: '09-3', title: 'Сотқа берілген шарттар', department: '09', year: 2019, retention: { kind: 'years', years: 5, article: '447' } },
    ]);
    await addPermanentInventory(db, 2019, 901);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close();
  });

  async function login(username: string): Promise<PageWithProblems> {
    const opened = await loginAsDemoUser(browser, base, username);
    contexts.push(opened.context);
    return opened.page;
  }

  it('the archivist holds a series, decides, drafts and submits an act; the head signs it in the page', async () => {
    const archivist = await login('archivist');
    await archivist.goto(`${base}/holds`);
    const holdForm = archivist.getByTestId('hold-form');
    await holdForm.waitFor();
    await holdForm.locator('select').first().selectOption('series');
    await holdForm.locator('input[name=target]').fill('09-3');
    await holdForm.locator('input[name=reason]').fill('Сот ісі № 2-9/2026');
    await holdForm.locator('button[type=submit]').click();
    await expect.poll(() => archivist.getByTestId('hold-row').count()).toBe(1);

    await archivist.goto(`${base}/appraisal`);
    const row = (index: string) => archivist.locator(`[data-testid=appraisal-row][data-index="${index}"]`);
    await row('09-2').waitFor();
    expect(await row('09-2').getAttribute('data-review')).toBe('1');
    expect(await row('09-2').getByTestId('review-flag').textContent()).toBe(kk['appraisal.ui_review']);
    expect(await row('09-3').locator('input[type=checkbox]').isDisabled()).toBe(true);
    expect(await row('09-3').textContent()).toContain('Сот ісі № 2-9/2026');

    // The ЭПК dossier: decided "destroy" with its reason.
    await row('09-2').getByRole('button', { name: kk['appraisal.ui_decide'] }).click();
    const form = row('09-2').getByTestId('decision-form');
    await form.locator('select').selectOption('destroy');
    await form.locator('input[required]').fill('Жоспарлар жылдық есепте көрсетілген');
    await form.locator('button[type=submit]').click();
    await expect.poll(() => row('09-2').getByTestId('decision').textContent()).toContain(kk['appraisal.ui_decision_destroy']);

    await row('09-1').locator('input[type=checkbox]').check();
    await row('09-2').locator('input[type=checkbox]').check();
    const builder = archivist.getByTestId('act-builder');
    const inputs = builder.locator('input');
    await inputs.nth(0).fill('Типтік тізбе, 2017');
    await inputs.nth(1).fill('Ә. Т. Жұмабаева');
    await inputs.nth(2).fill('архивист');
    await builder.locator('button[type=submit]').click();
    await expect.poll(() => new URL(archivist.url()).pathname).toMatch(/^\/destruction-acts\/[0-9a-f-]{36}$/);
    actId = new URL(archivist.url()).pathname.split('/').pop()!;
    await expect.poll(() => archivist.getByTestId('act-status').getAttribute('data-status')).toBe('draft');
    expect(await archivist.getByTestId('act-rows').locator('tbody tr').count()).toBe(2);
    await archivist.getByTestId('act-submit').click();
    await expect.poll(() => archivist.getByTestId('act-status').getAttribute('data-status')).toBe('submitted');
    expect(archivist.problems).toEqual([]);

    // The commission agreed it (voting and the signed protocol are the commission's own browser test).
    await server.deps.db.updateTable('destruction_acts').set({ status: 'agreed', protocol: JSON.stringify({ number: '5-СК', date: '2026-12-07' }), agreed_at: new Date() }).where('id', '=', actId).execute();

    const director = await login('director');
    await director.goto(`${base}/destruction-acts/${actId}`);
    await expect.poll(() => director.getByTestId('act-status').getAttribute('data-status')).toBe('agreed');
    expect(await director.getByTestId('act-protocol').textContent()).toContain('5-СК');
    await director.getByTestId('act-store').click();
    const sign = director.getByTestId('act-sign');
    await sign.waitFor();
    await sign.locator('input[name=p12]').setInputFiles(pki.signers.ecdsa384.p12Path);
    await sign.locator('input[name=password]').fill(pki.password);
    await sign.locator('button[type=submit]').click();
    await expect.poll(() => director.getByTestId('act-status').getAttribute('data-status'), { timeout: 30_000 }).toBe('approved');
    expect(director.problems).toEqual([]);
    const act = await server.deps.db.selectFrom('destruction_acts').select(['status', 'approval']).where('id', '=', actId).executeTakeFirstOrThrow();
    expect(act.status).toBe('approved');
    expect(ids['09-1/2019']).toBeTruthy();
  }, 240_000);

  it('another archivist executes the act on its page and signs the certificate of destruction with their own key', async () => {
    expect(actId).not.toBe('');
    const keeper = await login('keeper');
    await keeper.goto(`${base}/destruction-acts/${actId}/execute`);
    const confirm = keeper.getByTestId('destruction-confirm');
    await confirm.waitFor();
    const act = await server.deps.db.selectFrom('destruction_acts').select(['number', 'act_year']).where('id', '=', actId).executeTakeFirstOrThrow();
    await confirm.locator('input[name=confirm]').fill(`${act.number}/${act.act_year}`);
    await confirm.locator('input[name=understood]').check();
    await confirm.locator('button[type=submit]').click();
    await keeper.getByTestId('destruction-done').waitFor({ timeout: 60_000 });
    await keeper.getByTestId('certificate-executor-unsigned').waitFor();
    const sign = keeper.getByTestId('certificate-sign');
    await sign.locator('input[name=p12]').setInputFiles(pki.signers.rsa.p12Path);
    await sign.locator('input[name=password]').fill(pki.password);
    await sign.locator('button[type=submit]').click();
    const signed = keeper.getByTestId('certificate-executor-signed');
    await signed.waitFor({ timeout: 30_000 });
    expect(await signed.textContent()).toContain('Сейітов');
    expect(keeper.problems).toEqual([]);
    const cert = await server.deps.db.selectFrom('destruction_certificates').select(['executor_cms_sha256', 'executor_signed_by']).where('act_id', '=', actId).executeTakeFirstOrThrow();
    expect(cert).toMatchObject({ executor_signed_by: 'keeper', executor_cms_sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  }, 240_000);
});
