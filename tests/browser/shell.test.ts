// The UI shell in a real browser against the real server with the demo organisation:
// role menus, login errors, language switching and persistence, phone layout, and the
// admin pages that already have an API (users, audit log, system health).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { t } from '../../common/i18n';
import { DEMO_USERS } from '../../demo';
import { ensureUiBuilt, lowContrast, HAVE_CHROMIUM, launchBrowser, SKIP_REASON, startDemoServer, type DemoServer } from './support';

type Lang = 'kk' | 'ru' | 'en';
const here = path.dirname(fileURLToPath(import.meta.url));
// Pages keep their words in their own areas (ui, schedules, acceptance, nomenclature, …: see
// ui/src/lib/messages.ts); a key names its area (`schedules.ui_title`), a bare key is `ui.<key>`.
const catalogs = new Map<string, Record<string, string>>();
const s = (lang: Lang, key: string) => {
  const full = key.includes('.') ? key : `ui.${key}`;
  const file = path.join(here, '../../common/i18n', full.slice(0, full.indexOf('.')), `${lang}.json`);
  if (!catalogs.has(file)) catalogs.set(file, JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>);
  const text = catalogs.get(file)![full];
  if (!text) throw new Error(`no ${full} in ${lang}`);
  return text;
};

// Written out here, independently of ui/src/lib/nav.ts, as the specification of each menu
// (one demo user per role; `records` is the records-service head, `director` the organisation head).
const SCHEDULES: [string, string] = ['/transfer-schedules', 'schedules.ui_title'];
const ACCEPTANCE: [string, string] = ['/acceptance-acts', 'acceptance.ui_acts_title'];
const NOMENCLATURE: [string, string] = ['/nomenclature', 'nomenclature.ui_title'];
const RETENTION: [string, string] = ['/retention-list', 'nav_retention_list'];
const RECONCILIATION: [string, string] = ['/reconciliation', 'preservation.ui_reconciliation_nav'];
const COMMISSION: [path: string, key: string][] = [['/inventories', 'nav_inventories'], ['/dossiers', 'nav_dossiers'], ['/commission', 'commission.ui_nav'], ['/destruction-acts', 'nav_destruction_acts'], NOMENCLATURE, RETENTION];
const MENUS: Record<string, [path: string, key: string][]> = {
  admin: [['/users', 'nav_users'], ['/audit', 'nav_audit'], ['/health', 'nav_health'], SCHEDULES, RETENTION],
  archivist: [['/transfers/incoming', 'nav_transfers_incoming'], ['/dossiers', 'nav_dossiers'], ['/integrity', 'nav_integrity'], RECONCILIATION, ['/audit', 'nav_audit'], ['/inventories', 'nav_inventories'], ['/appraisal', 'appraisal.ui_nav'], ['/holds', 'appraisal.ui_holds_nav'], ['/destruction-acts', 'nav_destruction_acts'], SCHEDULES, ACCEPTANCE, ['/research-requests', 'research.ui_queue_title'], NOMENCLATURE, RETENTION],
  clerk: [['/transfers/new', 'nav_transfer_prepare'], ['/transfers/mine', 'nav_transfers_mine'], ['/transfers/prepare', 'prepare.ui_title'], SCHEDULES, NOMENCLATURE, RETENTION],
  head: [['/transfers/to-sign', 'nav_transfers_to_sign'], ['/dossiers/department', 'nav_department_dossiers'], ['/inventories', 'nav_inventories'], SCHEDULES, NOMENCLATURE, RETENTION],
  chair: COMMISSION,
  secretary: COMMISSION,
  member: COMMISSION,
  researcher: [['/search', 'nav_search'], ['/copy-requests', 'nav_copy_requests'], RETENTION],
  records: [SCHEDULES, NOMENCLATURE, RETENTION],
  director: [SCHEDULES, ACCEPTANCE, ['/destruction-acts', 'nav_destruction_acts'], RECONCILIATION, NOMENCLATURE, RETENTION],
};


describe.skipIf(!HAVE_CHROMIUM)(HAVE_CHROMIUM ? 'UI shell in Chromium' : `UI shell in Chromium — skipped: ${SKIP_REASON}`, () => {
  let demo: DemoServer;
  let browser: Browser;
  let context: BrowserContext | undefined;
  let base: string;

  beforeAll(async () => {
    const build = await ensureUiBuilt();
    if (build.built) console.log(`ui build: ${build.ms} ms`);
    [demo, browser] = await Promise.all([startDemoServer(), launchBrowser()]);
    base = demo.server.url.replace(/\/$/, '');
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });

  afterEach(async () => {
    await context?.close();
    context = undefined;
  });

  async function open(width = 1280, height = 900): Promise<Page> {
    context = await browser.newContext({ viewport: { width, height } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    // The browser logs every 4xx answer; the tests provoke those on purpose and check them.
    page.on('console', (message) => { if (message.type() === 'error' && !/status of 4\d\d/.test(message.text())) problems.push(message.text()); });
    (page as Page & { problems: string[] }).problems = problems;
    await page.goto(base + '/');
    return page;
  }

  async function login(page: Page, username: string, password = `demo-${username}-muragat`) {
    await page.locator('#login-username').fill(username);
    await page.locator('#login-password').fill(password);
    await page.locator('form.login-form button[type=submit]').click();
  }


  it.each(Object.entries(MENUS))('%s signs in and sees exactly the menu of the role', async (username, menu) => {
    const page = await open();
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('kk');
    await expect.poll(() => page.locator('h1').textContent()).toBe(s('kk', 'login_title'));
    await login(page, username);
    const nav = page.getByRole('navigation', { name: s('kk', 'nav_label') });
    await nav.waitFor();
    await expect.poll(() => nav.getByRole('link').evaluateAll((links) => links.map((a) => a.getAttribute('href')))).toEqual(menu.map(([p]) => p));
    expect(await nav.getByRole('link').allTextContents()).toEqual(menu.map(([, key]) => s('kk', key)));
    // Lands on the first item, marked as the current page.
    await expect.poll(() => new URL(page.url()).pathname).toBe(menu[0]![0]);
    expect(await nav.locator('[aria-current="page"]').getAttribute('href')).toBe(menu[0]![0]);
    await expect.poll(() => page.locator('main h1').textContent()).toBe(s('kk', menu[0]![1]));
    // Every item opens its working page (no placeholder is left in any menu).
    for (const [p, key] of menu) {
      await nav.getByRole('link', { name: s('kk', key), exact: true }).click();
      await expect.poll(() => page.locator('main h1').textContent()).toBe(s('kk', key));
      expect(new URL(page.url()).pathname).toBe(p);
    }
    await page.getByRole('button', { name: s('kk', 'logout') }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe(s('kk', 'login_title'));
    expect(await page.getByRole('status').first().textContent()).toBe(s('kk', 'logged_out'));
    // The session is really gone on the server.
    const session = await page.evaluate(async () => (await fetch('/api/session')).json());
    expect(session.user).toBeNull();
    expect((page as Page & { problems: string[] }).problems).toEqual([]);
  });

  it('shows the server message for a wrong password, in the chosen language', async () => {
    const page = await open();
    await login(page, 'archivist', 'not-the-password');
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.locator('.error-message').textContent()).toBe(t('kk', 'catalog.auth_invalid_credentials'));
    expect(await alert.textContent()).toMatch(/Сұрау идентификаторы: \S+/);
    expect(await page.locator('#login-password').inputValue()).toBe('');
    await page.getByRole('button', { name: 'Русский' }).click();
    await login(page, 'archivist', 'still-wrong');
    await expect.poll(() => alert.locator('.error-message').textContent()).toBe(t('ru', 'catalog.auth_invalid_credentials'));
    await page.getByRole('button', { name: 'English' }).click();
    await login(page, 'nobody-here', 'whatever-1');
    await expect.poll(() => alert.locator('.error-message').textContent()).toBe(t('en', 'catalog.auth_invalid_credentials'));
    expect(new URL(page.url()).pathname).toBe('/');
  });

  it('switches to Russian and English, keeps the choice after reload and sign-in', async () => {
    const page = await open();
    for (const lang of ['ru', 'en'] as const) {
      const name = s(lang, `language_${lang}`);
      await page.getByRole('button', { name }).click();
      await expect.poll(() => page.locator('h1').textContent()).toBe(s(lang, 'login_title'));
      expect(await page.getByRole('button', { name }).getAttribute('aria-pressed')).toBe('true');
      expect(await page.locator('label[for=login-password]').textContent()).toBe(s(lang, 'login_password'));
      expect(await page.locator('html').getAttribute('lang')).toBe(lang);
      expect(await page.title()).toBe(s(lang, 'app_title'));
      await page.reload();
      await expect.poll(() => page.locator('h1').textContent()).toBe(s(lang, 'login_title'));
      const cookies = await context!.cookies();
      expect(cookies.find((c) => c.name === 'muragat_lang')?.value).toBe(lang);
      expect(await page.evaluate(() => localStorage.getItem('muragat_lang'))).toBe(lang);
    }
    // The secretary's own profile language is Russian; the English choice still wins.
    await login(page, 'secretary');
    const nav = page.getByRole('navigation', { name: s('en', 'nav_label') });
    await nav.waitFor();
    expect(await nav.getByRole('link').allTextContents()).toEqual(MENUS.secretary!.map(([, key]) => s('en', key)));
    expect(await page.getByTestId('user-roles').textContent()).toBe(s('en', 'role_commission_secretary'));
    // Switching inside the shell changes everything on screen at once.
    await page.getByRole('button', { name: 'Қазақша' }).click();
    await expect.poll(() => page.locator('main h1').textContent()).toBe(s('kk', 'nav_inventories'));
    expect(await page.getByTestId('inventories-intro').count()).toBe(1);
    await page.reload();
    await expect.poll(() => page.locator('main h1').textContent()).toBe(s('kk', 'nav_inventories'));
  });

  it('folds the menu behind a toggle at phone width (375 px) and shows it at 1280 px', async () => {
    const page = await open(375, 812);
    await login(page, 'archivist');
    const toggle = page.getByRole('button', { name: s('kk', 'menu_open') });
    await toggle.waitFor();
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await toggle.getAttribute('aria-controls')).toBe('main-nav');
    expect(await page.locator('#main-nav').isVisible()).toBe(false);
    // Nothing is wider than the phone screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await toggle.click();
    const close = page.getByRole('button', { name: s('kk', 'menu_close') });
    expect(await close.getAttribute('aria-expanded')).toBe('true');
    const nav = page.getByRole('navigation', { name: s('kk', 'nav_label') });
    expect(await nav.isVisible()).toBe(true);
    await nav.getByRole('link', { name: s('kk', 'nav_audit') }).click();
    await expect.poll(() => page.locator('main h1').textContent()).toBe(s('kk', 'nav_audit'));
    // Choosing an item folds the menu again and moves focus to the page heading.
    expect(await page.locator('#main-nav').isVisible()).toBe(false);
    // The wide audit table scrolls inside its own region; the page itself does not.
    await page.locator('main table.data tbody tr').first().waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    // Escape closes an open menu and returns focus to the toggle.
    await page.getByRole('button', { name: s('kk', 'menu_open') }).click();
    await page.keyboard.press('Escape');
    expect(await page.locator('#main-nav').isVisible()).toBe(false);
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-controls'))).toBe('main-nav');

    await page.setViewportSize({ width: 1280, height: 900 });
    expect(await page.locator('#main-nav').isVisible()).toBe(true);
    expect(await page.locator('.menu-toggle').isVisible()).toBe(false);
  });

  it('has landmarks, a skip link, AA contrast, and refuses pages outside the role', async () => {
    const page = await open();
    expect(await lowContrast(page)).toEqual([]);
    await login(page, 'archivist');
    await page.getByRole('navigation').waitFor();
    expect(await page.getByRole('banner').count()).toBe(1);
    expect(await page.getByRole('main').count()).toBe(1);
    expect(await page.getByRole('contentinfo').count()).toBe(1);
    // A freshly loaded page: the first Tab lands on the skip link, Enter moves focus to the content.
    await page.goto(base + '/transfers/incoming');
    await expect.poll(() => page.locator('main h1').textContent()).toBe(s('kk', 'nav_transfers_incoming'));
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: s('kk', 'skip_to_content') });
    await expect.poll(() => skip.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('main');
    await page.getByRole('link', { name: s('kk', 'nav_audit') }).click();
    await page.locator('main table.data tbody tr').first().waitFor();
    expect(await lowContrast(page)).toEqual([]);
    // The check itself catches pale text.
    await page.evaluate(() => document.querySelector('main')!.insertAdjacentHTML('beforeend', '<p style="color:#999">pale</p>'));
    expect(await lowContrast(page)).toEqual(['P "pale" 2.85:1']);
    // A deep link to an admin page: not offered and not shown.
    await page.goto(base + '/users');
    await expect.poll(() => page.locator('main h1').textContent()).toBe(s('kk', 'not_found_title'));
    expect(await page.locator('#main-nav [aria-current]').count()).toBe(0);
    // The API refuses it as well; the UI hides nothing the server would allow.
    const status = await page.evaluate(async () => (await fetch('/api/users')).status);
    expect(status).toBe(403);
  });

  it('sends the person back to sign in when the session ends, then returns to the same page', async () => {
    const page = await open();
    await login(page, 'archivist');
    await page.getByRole('navigation').waitFor();
    await context!.clearCookies({ name: 'muragat_session' });
    await page.getByRole('link', { name: s('kk', 'nav_audit') }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe(s('kk', 'login_title'));
    expect(await page.getByRole('status').first().textContent()).toBe(s('kk', 'session_expired'));
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('login-title');
    await login(page, 'archivist');
    await expect.poll(() => page.locator('main h1').textContent()).toBe(s('kk', 'nav_audit'));
    expect(new URL(page.url()).pathname).toBe('/audit');
  });

  it('admin adds a user, suspends them, sees it in the audit log and verifies the chain', async () => {
    const page = await open();
    await login(page, 'admin');
    await expect.poll(() => page.locator('main h1').textContent()).toBe(s('kk', 'nav_users'));
    const rows = page.locator('table.data tbody tr');
    // Every demo user is listed (the seed's own list, so a new demo role does not break this).
    await expect.poll(() => rows.count()).toBe(DEMO_USERS.length);
    expect(await page.locator('tr[data-username="head"] td').nth(2).textContent()).toBe(s('kk', 'role_department_head'));

    // No role chosen: our own check, next to the field.
    await page.locator('#new-username').fill('aliya.test');
    await page.locator('#new-full-name').fill('Тестова Әлия');
    await page.locator('#new-password').fill('short');
    await page.getByRole('button', { name: s('kk', 'users_add_submit') }).click();
    await expect.poll(() => page.locator('#roles-error').textContent()).toBe(s('kk', 'users_roles_required'));
    // A too-short password: the server's message, in Kazakh.
    await page.getByLabel(s('kk', 'role_researcher')).check();
    await page.getByRole('button', { name: s('kk', 'users_add_submit') }).click();
    const addError = page.locator('section.card [role=alert] .error-message');
    await expect.poll(() => addError.count()).toBe(1);
    // The field by its name on the form, never its JSON pointer (body/password).
    expect(await addError.textContent()).toBe(s('kk', 'error_fields_invalid').replace('{fields}', s('kk', 'field_password')));
    // The field the server named is marked and explained next to it.
    expect(await page.locator('#new-password').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#new-password').getAttribute('aria-describedby')).toBe('new-password-hint new-password-error');
    expect(await page.locator('#new-password-error').textContent()).toBe(s('kk', 'users_field_invalid'));
    expect(await page.locator('#new-username').getAttribute('aria-invalid')).toBeNull();
    expect(await lowContrast(page)).toEqual([]);
    await page.locator('#new-password').fill('a-long-enough-password');
    await page.getByRole('button', { name: s('kk', 'users_add_submit') }).click();
    await expect.poll(() => page.locator('.status-line').textContent()).toBe('aliya.test пайдаланушысы қосылды.');
    await expect.poll(() => rows.count()).toBe(DEMO_USERS.length + 1);

    await page.getByRole('button', { name: `${s('kk', 'users_suspend')}: aliya.test` }).click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('suspend-reason');
    await page.locator('#suspend-reason').fill('Сынақ: жұмыстан шықты');
    await page.getByRole('button', { name: s('kk', 'users_suspend_confirm') }).click();
    await expect.poll(() => page.locator('tr[data-username="aliya.test"] .badge').textContent()).toBe(s('kk', 'users_status_suspended'));
    await page.getByLabel(s('kk', 'users_filter_status')).selectOption('suspended');
    await expect.poll(() => rows.count()).toBe(1);
    // The suspended person, with the right password, is told so and stays outside.
    const other = await (await browser.newContext()).newPage();
    await other.goto(base + '/');
    await login(other, 'aliya.test', 'a-long-enough-password');
    await expect.poll(() => other.locator('[role=alert] .error-message').textContent()).toBe(t('kk', 'catalog.auth_account_suspended', { username: 'aliya.test' }));
    await other.context().close();

    await page.getByRole('link', { name: s('kk', 'nav_audit') }).click();
    await expect.poll(() => page.locator('main table.data tbody tr').count()).toBeGreaterThan(2);
    const actions = await page.locator('main table.data tbody td:nth-child(4)').allTextContents();
    // Actions in words, not codes (ui.audit_action_*).
    expect(actions).toContain(s('kk', 'audit_action_user_create'));
    expect(actions).toContain(s('kk', 'audit_action_user_suspend'));
    expect(actions.join(' ')).not.toMatch(/user\.create|user\.suspend/);
    await page.getByRole('button', { name: s('kk', 'audit_verify') }).click();
    await expect.poll(() => page.getByTestId('audit-verify-result').textContent()).toMatch(/^Хэш-тізбек бүтін: \d+ жазба тексерілді\.$/);

    await page.getByRole('link', { name: s('kk', 'nav_health') }).click();
    await expect.poll(() => page.getByTestId('health-status').textContent()).toMatch(new RegExp(`${s('kk', 'health_status_ok').replace('.', '\\.')}|${s('kk', 'health_status_unavailable').replace(/[.:]/g, '\\$&')}`));
    expect(await page.getByRole('heading', { name: s('kk', 'health_tools') }).count()).toBe(1);
    expect((page as Page & { problems: string[] }).problems).toEqual([]);
  });
});
