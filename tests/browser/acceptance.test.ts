// The yearly transfer in a real browser (App. 31, App. 33): with the transfer schedule approved,
// the responsible clerk is reminded of the deadline on the home page; once the department's
// transfer is stored, the archivist is reminded that it awaits acceptance, opens it, accepts it
// and sees the acceptance act (columns, "accepted 1 (бір) электрондық құжат", who handed over
// and accepted); the schedule row shows it accepted; the organisation head approves the act.
import { beforeAll, describe, expect, it } from 'vitest';
import { createScheduleService } from '../../catalog/schedules';
import { archiveToday } from '../../catalog/schedules/schedules.service';
import { processTransfer, receiveTransfer } from '../../ingest';
import { buildDepartmentPackage } from '../server/departments';
import { demoBrowserSuite, HAVE_CHROMIUM, SKIP_REASON } from './support';

describe.skipIf(!HAVE_CHROMIUM)(HAVE_CHROMIUM ? 'transfer schedule and acceptance in Chromium' : `transfer schedule and acceptance in Chromium — skipped: ${SKIP_REASON}`, () => {
  const suite = demoBrowserSuite({ name: 'acceptance-ui', ownStorage: true });
  let transferId = '';
  const year = Number(archiveToday().slice(0, 4));

  beforeAll(async () => {
    // The archive's schedule for this year: department 02's dossiers of 2025 by 31 December,
    // the demo clerk responsible, approved by the demo organisation head.
    const schedules = createScheduleService({ db: suite.server.deps.db });
    const operator = { userId: null, username: 'cli:test', roles: [] };
    await schedules.create(operator, { year, recordsYear: 2025 });
    await schedules.addRow(operator, year, { department: '02', deadline: `${year}-12-31`, responsible: 'clerk' });
    await schedules.approve(operator, year, { onBehalfOf: 'director' });
  }, 240_000);

  it('reminds the responsible clerk of the deadline on the home page', async () => {
    const page = await suite.login('clerk');
    const reminder = page.getByTestId('schedule-reminders');
    await expect.poll(() => reminder.textContent()).toContain('02');
    const text = (await reminder.textContent()) ?? '';
    expect(text).toContain(`31.12.${year}`);
    expect(text).toMatch(/\d+ күн қалды|мерзімі бүгін/);
    expect(page.problems).toEqual([]);
  }, 120_000);

  it('the archivist accepts the received transfer and sees its act; the schedule row shows it accepted', async () => {
    // The clerk's transfer is stored by the real pipeline.
    const clerk = await suite.server.deps.db.selectFrom('users').select(['id', 'username', 'roles']).where('username', '=', 'clerk').executeTakeFirstOrThrow();
    const tar = await buildDepartmentPackage(suite.work, '02', 7);
    const deps = { db: suite.server.deps.db, storage: suite.server.deps.storage, config: suite.server.deps.config };
    transferId = await receiveTransfer(deps, { tarPath: tar, sourceName: 'kadr-2025.tar', actor: { userId: clerk.id, username: clerk.username, roles: clerk.roles as never } });
    await processTransfer(deps, transferId);

    const page = await suite.login('archivist');
    const reminder = page.getByTestId('schedule-reminders').locator('li[data-state="received"] a');
    await reminder.waitFor();
    await reminder.click();
    await page.waitForURL(`**/transfers/${transferId}`);
    const panel = page.getByTestId('transfer-acceptance');
    await panel.getByTestId('acceptance-pending').waitFor();
    await panel.getByTestId('acceptance-accept').click();
    await panel.locator('textarea[name=stateOfDocuments]').fill('Құжаттар оқылады, метадеректері толық');
    await panel.getByTestId('acceptance-accept-form').locator('button[type=submit]').click();

    const act = panel.getByTestId('acceptance-act');
    await act.waitFor();
    const text = (await act.textContent()) ?? '';
    expect(text).toContain('№ 1 қабылдау-тапсыру актісі');
    expect(text).toContain('Электрондық құжаттар индексі');
    expect(text).toContain('ЭЦҚ мәртебесі');
    expect(text).toContain('02-7');
    expect(await act.getByTestId('act-total').textContent()).toBe('Барлығы қабылданды: 1 (бір) электрондық құжат');
    expect(text).toContain('Төлеуова Айжан Болатқызы'); // handed over: the clerk who sent it
    expect(text).toContain('Әбенова Гүлнар Серікқызы'); // accepted: the archivist
    expect(await act.getByTestId('act-status').textContent()).toBe('Ұйым басшысының бекітуін күтуде');
    expect(await panel.getByTestId('acceptance-decision').textContent()).toContain('Қабылданды');
    // The act's PDF/A in Kazakh and in Russian, stored and offered for download.
    for (const lang of ['kk', 'ru']) {
      const link = act.getByTestId(`act-pdf-${lang}`);
      const answer = await page.request.get(suite.base + (await link.getAttribute('href')));
      expect(answer.status()).toBe(200);
      expect(answer.headers()['content-type']).toBe('application/pdf');
      expect((await answer.body()).subarray(0, 5).toString()).toBe('%PDF-');
    }

    await page.goto(`${suite.base}/transfer-schedules/${year}`);
    const row = page.getByTestId('schedule-rows').locator('tr[data-department="02"]');
    await expect.poll(() => row.getAttribute('data-state')).toBe('accepted');
    // The schedule as the official form (App. 31), PDF/A in Russian.
    const schedulePdf = await page.request.get(suite.base + (await page.getByTestId('schedule-pdf-ru').getAttribute('href')));
    expect(schedulePdf.status()).toBe(200);
    expect((await schedulePdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
    expect(page.problems).toEqual([]);
  }, 180_000);

  it('the archivist returns a transfer with the reason; the clerk reads it and is offered the corrected transfer', async () => {
    const clerk = await suite.server.deps.db.selectFrom('users').select(['id', 'username', 'roles']).where('username', '=', 'clerk').executeTakeFirstOrThrow();
    const tar = await buildDepartmentPackage(suite.work, '02', 8);
    const deps = { db: suite.server.deps.db, storage: suite.server.deps.storage, config: suite.server.deps.config };
    const returnedId = await receiveTransfer(deps, { tarPath: tar, sourceName: 'kadr-2025-2.tar', actor: { userId: clerk.id, username: clerk.username, roles: clerk.roles as never } });
    await processTransfer(deps, returnedId);

    const archivist = await suite.login('archivist');
    await archivist.goto(`${suite.base}/transfers/${returnedId}`);
    const panel = archivist.getByTestId('transfer-acceptance');
    await panel.getByTestId('acceptance-return').click();
    const submit = panel.getByTestId('acceptance-return-form').locator('button[type=submit]');
    // No reason, no return.
    expect(await submit.isDisabled()).toBe(true);
    await panel.locator('textarea[name=reason]').fill('Ішкі тізімдемеге қол қойылмаған');
    await submit.click();
    await panel.getByTestId('acceptance-reason').waitFor();
    expect(archivist.problems).toEqual([]);
    await archivist.context().close();

    const page = await suite.login('clerk');
    await page.goto(`${suite.base}/transfers/${returnedId}`);
    const reason = page.getByTestId('transfer-acceptance').getByTestId('acceptance-reason');
    await reason.waitFor();
    expect(await reason.textContent()).toContain('Ішкі тізімдемеге қол қойылмаған');
    expect(await page.getByTestId('acceptance-decision').textContent()).toContain('Қайтарылды');
    await page.getByTestId('acceptance-send-corrected').click();
    await page.waitForURL('**/transfers/new');
    expect(page.problems).toEqual([]);
  }, 180_000);

  it('the organisation head approves the act', async () => {
    const page = await suite.login('director');
    await page.goto(`${suite.base}/acceptance-acts`);
    const approve = page.getByTestId('act-approve');
    await approve.waitFor();
    await approve.click();
    await expect.poll(() => page.getByTestId('act-status').first().textContent()).toBe('Бекітілген');
    expect(await page.getByTestId('acceptance-act').first().textContent()).toContain('Серікбаев Арман Болатұлы');
    const events = await suite.server.deps.db.selectFrom('audit_events').select('action').where('action', 'in', ['transfer.accept', 'acceptance_act.approve']).orderBy('id').execute();
    expect(events.map((e) => e.action)).toEqual(['transfer.accept', 'acceptance_act.approve']);
    expect(page.problems).toEqual([]);
  }, 120_000);
});
