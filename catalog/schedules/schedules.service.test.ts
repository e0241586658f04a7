import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifyAuditChain } from '../../audit/audit.service';
import { describeEachDatabase } from '../../tests/helpers/db';
import { createAcceptanceService } from '../acceptance/acceptance.service';
import { createAcceptanceFixture, type AcceptanceFixture } from '../acceptance/testing';
import { archiveToday, createScheduleService, rowState, validDate } from './schedules.service';

it('counts days on the archive calendar and knows real dates', () => {
  // 20:30 UTC on 31 December is already 1 January in Almaty (UTC+5).
  expect(archiveToday(new Date('2025-12-31T20:30:00Z'))).toBe('2026-01-01');
  expect(validDate('2026-02-28')).toBe(true);
  expect(validDate('2026-02-29')).toBe(false);
  expect(validDate('2026-2-1')).toBe(false);
});

it('gives a row its state from the deadline and the transfers of its department and year', () => {
  const line = { deadline: '2026-03-10' };
  const t = (over: Record<string, unknown>) => ({
    id: 't1', department: '02', year: 2025, status: 'completed' as const, source_name: 'a.tar', received_at: new Date('2026-03-01T05:00:00Z'), finished_at: null,
    decision: null, reason: null, decided_at: null, act_id: null, ...over,
  });
  expect(rowState(line, [], '2026-03-01')).toMatchObject({ state: 'due', daysLeft: 9 });
  expect(rowState(line, [], '2026-03-10')).toMatchObject({ state: 'due', daysLeft: 0 });
  expect(rowState(line, [], '2026-03-11')).toMatchObject({ state: 'overdue', daysLeft: -1 });
  expect(rowState(line, [t({ status: 'processing' })], '2026-03-11')).toMatchObject({ state: 'processing' });
  expect(rowState(line, [t({})], '2026-03-20')).toMatchObject({ state: 'received', late: false, transfer: { id: 't1' } });
  expect(rowState(line, [t({ received_at: new Date('2026-03-12T05:00:00Z') })], '2026-03-20')).toMatchObject({ state: 'received', late: true });
  expect(rowState(line, [t({ decision: 'accepted', act_id: 'a1' })], '2026-03-20')).toMatchObject({ state: 'accepted', acceptedActId: 'a1' });
  // Returned and nothing newer: open again (overdue past the deadline) with the reason shown.
  const returned = rowState(line, [t({ decision: 'returned', reason: 'unsigned inventory', decided_at: new Date('2026-03-05T05:00:00Z') })], '2026-03-20');
  expect(returned).toMatchObject({ state: 'overdue', returned: { transferId: 't1', reason: 'unsigned inventory' } });
  // The corrected transfer received after the return: received, the return no longer current once accepted.
  const corrected = t({ id: 't2', received_at: new Date('2026-03-08T05:00:00Z'), decision: 'accepted', act_id: 'a2' });
  expect(rowState(line, [t({ decision: 'returned', reason: 'x' }), corrected], '2026-03-20')).toMatchObject({ state: 'accepted', returned: null, acceptedActId: 'a2' });
});

describeEachDatabase('transfer schedule (App. 31)', (getDb) => {
  let fx: AcceptanceFixture;
  beforeAll(async () => {
    fx = await createAcceptanceFixture(getDb().db);
  }, 120_000);
  afterAll(async () => fx?.close());

  it('is drafted by the archive, approved by the organisation head, then frozen; every step audited', async () => {
    const { db } = getDb();
    const schedules = createScheduleService({ db, now: () => new Date('2026-03-01T06:00:00Z') });
    const { archivist, head, clerk02, clerk03 } = fx.actors;

    const created = await schedules.create(archivist, { year: 2026, number: '7', place: 'Астана' });
    expect(created).toMatchObject({ year: 2026, recordsYear: 2025, status: 'draft', rows: [], compiledBy: { userId: archivist.userId } });
    await expect(schedules.create(archivist, { year: 2026 })).rejects.toMatchObject({ code: 'schedules.year_exists', status: 409 });
    await expect(schedules.create(clerk02, { year: 2027 })).rejects.toMatchObject({ code: 'schedules.forbidden', status: 403 });

    // Bad rows are refused naming the field.
    await expect(schedules.addRow(archivist, 2026, { department: '99', deadline: '2026-03-10', responsible: 'g-clerk02' })).rejects.toMatchObject({ code: 'schedules.unknown_department', params: { field: 'department' } });
    await expect(schedules.addRow(archivist, 2026, { department: '02', deadline: '2026-02-30', responsible: 'g-clerk02' })).rejects.toMatchObject({ code: 'schedules.invalid_deadline', params: { field: 'deadline' } });
    await expect(schedules.addRow(archivist, 2026, { department: '02', deadline: '2025-12-01', responsible: 'g-clerk02' })).rejects.toMatchObject({ code: 'schedules.deadline_outside_year' });
    await expect(schedules.addRow(archivist, 2026, { department: '02', deadline: '2026-03-10', responsible: 'g-clerk03' })).rejects.toMatchObject({ code: 'schedules.responsible_other_department', params: { username: 'g-clerk03', department: '02' } });
    await expect(schedules.addRow(archivist, 2026, { department: '02', deadline: '2026-03-10', responsible: 'nobody' })).rejects.toMatchObject({ code: 'schedules.unknown_user' });
    await expect(schedules.approve(head, 2026)).rejects.toMatchObject({ code: 'schedules.empty' });

    await schedules.addRow(archivist, 2026, { department: '02', deadline: '2026-03-10', responsible: 'g-clerk02', note: 'электрондық түрде' });
    const two = await schedules.addRow(archivist, created.id, { department: '03', deadline: '2026-02-20', responsible: clerk03.userId! });
    expect(two.rows.map((r) => [r.position, r.department.code, r.deadline, r.responsible.username])).toEqual([
      [1, '02', '2026-03-10', 'g-clerk02'],
      [2, '03', '2026-02-20', 'g-clerk03'],
    ]);
    await expect(schedules.addRow(archivist, 2026, { department: '02', deadline: '2026-03-11', responsible: 'g-clerk02' })).rejects.toMatchObject({ code: 'schedules.department_listed', params: { position: 1 } });

    // Only the organisation head approves.
    await expect(schedules.approve(archivist, 2026)).rejects.toMatchObject({ code: 'schedules.forbidden' });
    const approved = await schedules.approve(head, 2026);
    expect(approved).toMatchObject({ status: 'approved', approvedBy: { userId: head.userId, name: 'Омаров С. Қ.' } });
    await expect(schedules.addRow(archivist, 2026, { department: '02', deadline: '2026-03-11', responsible: 'g-clerk02' })).rejects.toMatchObject({ code: 'schedules.already_approved' });
    await expect(schedules.removeRow(archivist, 2026, two.rows[0]!.id)).rejects.toMatchObject({ code: 'schedules.already_approved' });
    await expect(schedules.approve(head, 2026)).rejects.toMatchObject({ code: 'schedules.already_approved' });
    // Even a direct write cannot change an approved schedule's rows.
    await expect(db.updateTable('transfer_schedule_rows').set({ note: 'x' }).where('schedule_id', '=', created.id).execute()).rejects.toThrow(/approved transfer schedule/);

    const events = await db.selectFrom('audit_events').select(['action', 'object_id']).where('object_type', '=', 'transfer_schedule').orderBy('id').execute();
    expect(events.map((e) => e.action)).toEqual(['schedule.create', 'schedule.add_row', 'schedule.add_row', 'schedule.approve']);
    expect((await verifyAuditChain(db)).ok).toBe(true);

    const csv = await schedules.exportSchedule(2026, 'csv', 'ru');
    expect(csv.content.split('\r\n')[0]).toBe('№ п/п,Наименование организации и (или) структурного подразделения,Срок приема,"Лицо, ответственное за передачу электронных дел",Примечание,Состояние');
    expect(csv.content).toContain('1,02 Отдел 02,2026-03-10,"іс жүргізуші, Әбенова Г. С.",электрондық түрде,Ожидается');
  });

  it('removes a draft row and renumbers the rest', async () => {
    const { db } = getDb();
    const schedules = createScheduleService({ db });
    const { archivist } = fx.actors;
    await schedules.create(archivist, { year: 2030, recordsYear: 2029 });
    await schedules.addRow(archivist, 2030, { department: '02', deadline: '2030-03-10', responsible: 'g-clerk02' });
    const both = await schedules.addRow(archivist, 2030, { department: '03', deadline: '2030-03-11', responsible: 'g-clerk03' });
    const after = await schedules.removeRow(archivist, 2030, both.rows[0]!.id);
    expect(after.rows.map((r) => [r.position, r.department.code])).toEqual([[1, '03']]);
  });

  it('shows due, overdue, received and accepted rows on the dashboard and reminds the right people', async () => {
    const { db } = getDb();
    const today = '2026-03-01';
    const schedules = createScheduleService({ db });
    const acceptance = createAcceptanceService({ db });
    const { archivist, clerk02, clerk03, depHead02 } = fx.actors;

    // Nothing received: 02 is due in 9 days, 03 is 9 days overdue.
    let board = await schedules.get(2026, { today });
    expect(board.rows.map((r) => [r.department.code, r.state, r.daysLeft])).toEqual([
      ['02', 'due', 9],
      ['03', 'overdue', -9],
    ]);
    expect(board.counts).toMatchObject({ due: 1, overdue: 1, received: 0, accepted: 0 });
    expect((await schedules.reminders(clerk02, { today })).map((r) => [r.audience, r.row.department.code, r.row.state])).toEqual([['responsible', '02', 'due']]);
    expect((await schedules.reminders(clerk03, { today })).map((r) => r.row.department.code)).toEqual(['03']);
    expect(await schedules.reminders(depHead02, { today })).toEqual([]);
    expect((await schedules.reminders(archivist, { today })).map((r) => [r.audience, r.row.department.code])).toEqual([
      ['archive', '03'],
      ['archive', '02'],
    ]);

    // Department 02's transfer of 2025 is stored: the row is received, awaiting the archive.
    const t02 = await fx.transfer('02');
    board = await schedules.get(2026, { today });
    expect(board.rows[0]).toMatchObject({ state: 'received', transfer: { id: t02 } });
    expect(await schedules.reminders(clerk02, { today })).toEqual([]);
    expect((await schedules.reminders(archivist, { today })).find((r) => r.row.department.code === '02')?.row.state).toBe('received');

    await acceptance.accept(archivist, t02, { stateOfDocuments: '' });
    board = await schedules.get(2026, { today });
    expect(board.rows[0]).toMatchObject({ state: 'accepted', transfer: { id: t02 } });
    expect(board.rows[0]!.acceptedActId).toBeTruthy();
    expect(board.counts).toMatchObject({ accepted: 1, overdue: 1 });
    // The acceptance is tied to its schedule row.
    const decision = await acceptance.decision(t02);
    expect(decision?.scheduleRowId).toBe(board.rows[0]!.id);
  }, 120_000);
});
