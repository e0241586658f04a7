// The nomenclature's approval walked in a real browser against the demo server: the head of
// the records service copies this year's nomenclature into next year's draft, marks a case
// carried over and signs; the expert commission's secretary (in Russian) records the ЭК and
// ЭПК protocols; the organisation head approves, and the nomenclature is in force from
// 1 January. Each sees only the step of their role.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { demoBrowserSuite, HAVE_CHROMIUM, lowContrast, SKIP_REASON } from './support';

type Lang = 'kk' | 'ru' | 'en';
const here = path.dirname(fileURLToPath(import.meta.url));
const read = (area: string, lang: Lang) => JSON.parse(readFileSync(path.join(here, '../../common/i18n', area, `${lang}.json`), 'utf8')) as Record<string, string>;
const catalogs = Object.fromEntries((['kk', 'ru', 'en'] as const).map((lang) => [lang, { ...read('ui', lang), ...read('nomenclature', lang) }])) as Record<Lang, Record<string, string>>;
const s = (lang: Lang, key: string) => {
  const text = catalogs[lang][key];
  if (!text) throw new Error(`no ${key} in ${lang}`);
  return text;
};

describe.skipIf(!HAVE_CHROMIUM)(HAVE_CHROMIUM ? 'nomenclature approval in Chromium' : `nomenclature approval in Chromium — skipped: ${SKIP_REASON}`, () => {
  // The settings the demo server had before this suite shared the set-up (default malware policy).
  const suite = demoBrowserSuite({ name: 'nomenclature-ui', env: { MURAGAT_MALWARE_POLICY: 'refuse', LOG_LEVEL: 'warn' } });
  const year = new Date().getFullYear();
  const next = year + 1;
  const today = new Date().toISOString().slice(0, 10);

  async function openAs(username: string): Promise<Page> {
    // Playwright's default window, as before the shared set-up.
    const page = await suite.login(username, { width: 1280, height: 720 });
    await page.getByRole('navigation').getByRole('link', { name: s('kk', 'nomenclature.ui_title'), exact: true }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe(s('kk', 'nomenclature.ui_title'));
    return page;
  }

  async function showYear(page: Page, y: number): Promise<void> {
    await page.getByTestId('nomenclature-year').selectOption(String(y));
    await expect.poll(() => page.getByTestId('nomenclature').getAttribute('data-year')).toBe(String(y));
  }

  const stepDone = (page: Page, step: string) => page.locator(`[data-testid=nomenclature-chain] li[data-step=${step}]`).getAttribute('data-done');

  it('walks the approval as records-service head, commission secretary and organisation head', async () => {
    // The head of the records service: this year's approved nomenclature, copied into next year's draft.
    let page = await openAs('records');
    await expect.poll(() => page.getByTestId('nomenclature-status').textContent()).toBe(s('kk', 'nomenclature.status_approved'));
    await page.getByTestId('copy-next').click();
    await expect.poll(() => page.getByTestId('nomenclature').getAttribute('data-year')).toBe(String(next));
    await expect.poll(() => page.getByTestId('nomenclature-notice').textContent()).toBe(s('kk', 'nomenclature.ui_copied').replace('{year}', String(next)));
    expect(await page.getByTestId('nomenclature-status').textContent()).toBe(s('kk', 'nomenclature.status_draft'));
    // Personal files continue into next year: carried over, with their index kept.
    const row = page.locator('[data-testid=nomenclature-items] tr[data-index="02-2"]');
    await row.getByRole('button', { name: s('kk', 'nomenclature.ui_mark_carried') }).click();
    await expect.poll(() => row.locator('td').nth(4).textContent()).toContain(s('kk', 'nomenclature.note_carried_over').replace('{year}', String(next - 1)));
    // Sections are headed by their departments, in order.
    expect(await page.locator('[data-testid=nomenclature-items] tr.section').allTextContents()).toEqual(['01 Басшылық', '02 Кадр бөлімі', '03 Бухгалтерия']);
    expect(await lowContrast(page, 'main')).toEqual([]);
    await page.getByTestId('step-submit').click();
    await expect.poll(() => stepDone(page, 'records_head')).toBe('yes');
    // Signed: no longer edited, and the next step is the commission's, not this user's.
    expect(await page.getByTestId('add-item').count()).toBe(0);
    expect(await page.getByTestId('step-form').count()).toBe(0);

    // The organisation head cannot approve before the commissions: no step form for the director.
    page = await openAs('director');
    await showYear(page, next);
    expect(await page.getByTestId('step-form').count()).toBe(0);
    expect(await stepDone(page, 'expert_commission')).toBe('no');

    // The commission's secretary, in Russian: the ЭК protocol, then the ЭПК's.
    page = await openAs('secretary');
    await page.getByRole('button', { name: 'Русский' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe(s('ru', 'nomenclature.ui_title'));
    await showYear(page, next);
    await expect.poll(() => page.getByTestId('step-submit').textContent()).toBe(s('ru', 'nomenclature.ui_action_expert_commission'));
    await page.locator('[data-testid=step-form] input[name=protocolNumber]').fill('5');
    await page.locator('[data-testid=step-form] input[name=date]').fill(today);
    await page.getByTestId('step-submit').click();
    await expect.poll(() => stepDone(page, 'expert_commission')).toBe('yes');
    await expect.poll(() => page.getByTestId('step-submit').textContent()).toBe(s('ru', 'nomenclature.ui_action_state_review'));
    await page.locator('[data-testid=step-form] input[name=protocolNumber]').fill('9');
    await page.locator('[data-testid=step-form] input[name=date]').fill(today);
    await page.getByTestId('step-submit').click();
    await expect.poll(() => stepDone(page, 'state_review')).toBe('yes');
    expect(await page.locator('[data-testid=nomenclature-chain] li[data-step=expert_commission]').textContent()).toContain('№ 5');
    expect(await page.getByTestId('step-form').count()).toBe(0);

    // The organisation head approves; in force from 1 January of the year.
    page = await openAs('director');
    await showYear(page, next);
    await expect.poll(() => page.getByTestId('step-submit').textContent()).toBe(s('kk', 'nomenclature.ui_action_organisation_head'));
    await page.getByTestId('step-submit').click();
    await expect.poll(() => page.getByTestId('nomenclature').getAttribute('data-status')).toBe('approved');
    expect(await page.getByTestId('nomenclature-status').textContent()).toBe(s('kk', 'nomenclature.status_approved'));
    expect(await page.getByTestId('nomenclature').textContent()).toContain(s('kk', 'nomenclature.ui_in_force').replace('{date}', `${next}-01-01`));
    // The director reads but does not count; the records service enters this year's counts.
    expect(await page.getByTestId('counts-form').count()).toBe(0);
    page = await openAs('records');
    await showYear(page, year);
    await page.getByLabel(s('kk', 'nomenclature.ui_count_of').replace('{index}', '01-1')).fill('2');
    await page.getByLabel(s('kk', 'nomenclature.ui_count_of').replace('{index}', '02-2')).fill('5');
    await page.locator('[data-testid=counts-form] button[type=submit]').click();
    await expect.poll(() => page.getByTestId('nomenclature-notice').textContent()).toBe(s('kk', 'nomenclature.ui_counts_saved'));
    const totals = page.locator('[data-testid=nomenclature-summary] tbody tr').last().locator('td');
    await expect.poll(() => totals.allTextContents()).toEqual(['7', '5', '0']);
    // Every step is in the audit log, in order.
    const events = await suite.server.deps.db
      .selectFrom('audit_events')
      .select(['action', 'actor_username'])
      .where('action', 'in', ['nomenclature.copy', 'nomenclature.item_update', 'nomenclature.sign', 'nomenclature.agree_commission', 'nomenclature.agree_state_review', 'nomenclature.approve', 'nomenclature.year_end_counts'])
      .orderBy('id')
      .execute();
    expect(events.slice(-7).map((e) => [e.action, e.actor_username])).toEqual([
      ['nomenclature.copy', 'records'],
      ['nomenclature.item_update', 'records'],
      ['nomenclature.sign', 'records'],
      ['nomenclature.agree_commission', 'secretary'],
      ['nomenclature.agree_state_review', 'secretary'],
      ['nomenclature.approve', 'director'],
      ['nomenclature.year_end_counts', 'records'],
    ]);
  }, 300_000);
});
