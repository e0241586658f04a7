// The transfer schedule (график приема электронных дел, App. 31, p.207): compiled each year by
// the archive — a row per department with its deadline and the person responsible for the
// transfer — and approved by the organisation head. Once approved it is the plan the archive
// works by: each row's state (due, overdue, being processed, received, accepted) comes from the
// transfers of that department and records year and the archive's decision on them, and the
// rows still open are the reminders shown to the responsible clerk and the archivist.
import type { Kysely, Transaction } from 'kysely';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../common/errors';
import { t, type Language } from '../../common/i18n';
import { recordAudit, type Actor } from '../../audit/audit.service';
import type { Database } from '../../database/database';
import type { Storage } from '../../storage';
import { storeApprovedForm } from '../../forms/approval';
import { loadScheduleForm } from './form';
import { SCHEDULE_APPROVERS, SCHEDULE_COMPILERS } from '../../access/policy';
import {
  approveScheduleRow,
  approvedScheduleIds,
  deleteLine,
  findDepartment,
  findLine,
  findSchedule,
  findUser,
  insertLine,
  insertSchedule,
  listLines,
  listSchedules,
  lockSchedule,
  matchingTransfers,
  type MatchedTransferRow,
  type ScheduleLineRow,
  type ScheduleRow,
} from './schedules.repository';
import type { ScheduleStatus } from './tables';
import { ARCHIVE_TIME_ZONE, archiveToday } from '../../common/archive-time';
import type { PersonView, ReminderView, RowState, ScheduleRowView, ScheduleSummary, ScheduleView } from './views';

// "Today" and the days left are counted on the archive's calendar, not the server's.
export { ARCHIVE_TIME_ZONE, archiveToday };

/**
 * A row's state on the dashboard. `received`: a stored transfer awaits the archive's decision;
 * `processing`: a transfer is being uploaded or processed; `accepted`: the archive accepted it;
 * `due` / `overdue`: nothing received yet (or what came was returned), by the deadline.
 */
export type { RowState, PersonView, ScheduleRowView, ScheduleSummary, ScheduleView, ReminderView } from './views';
export const ROW_STATES: readonly RowState[] = ['due', 'overdue', 'processing', 'received', 'accepted'];

export interface CreateScheduleInput {
  year: number;
  /** The dossiers' year; default the year before (a closed year's cases go to the archive, p.187–188). */
  recordsYear?: number | null;
  number?: string | null;
  place?: string | null;
}

export interface AddRowInput {
  /** Department code ("02") or id. */
  department: string;
  /** YYYY-MM-DD. */
  deadline: string;
  /** Username or id of the person responsible for the transfer. */
  responsible: string;
  note?: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MAX_NOTE = 1000;


function dayNumber(date: string): number {
  const m = DATE.exec(date)!;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 86_400_000;
}

/** A real calendar date in YYYY-MM-DD, or null. */
export function validDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** The local operator (CLI, seed: no account) may do what the archive does; a user needs one of `roles`. */
function assertRole(actor: Actor, roles: readonly string[], action: string): void {
  if (actor.userId === null) return;
  if (!actor.roles.some((r) => roles.includes(r))) {
    throw new ForbiddenError('schedules.forbidden', 'schedules.forbidden', { username: actor.username, action, roles: roles.join(', ') });
  }
}

function person(id: string | null, name: string | null, position: string | null): PersonView | null {
  return id || name ? { userId: id, name, position } : null;
}

function toSummary(row: ScheduleRow): ScheduleSummary {
  return {
    id: row.id,
    year: row.year,
    recordsYear: row.records_year,
    number: row.number,
    place: row.place,
    status: row.status,
    createdAt: new Date(row.created_at).toISOString(),
    compiledBy: person(row.compiled_by, row.compiled_by_name, row.compiled_by_position),
    approvedBy: row.approved_at ? person(row.approved_by, row.approved_by_name, row.approved_by_position) : null,
    approvedAt: row.approved_at ? new Date(row.approved_at).toISOString() : null,
    rowCount: row.row_count,
  };
}

/** A row's state from its deadline, today, and the transfers of its department and records year. */
export function rowState(line: Pick<ScheduleLineRow, 'deadline'>, transfers: MatchedTransferRow[], today: string): Pick<ScheduleRowView, 'state' | 'daysLeft' | 'transfer' | 'late' | 'returned' | 'acceptedActId'> {
  const daysLeft = dayNumber(line.deadline) - dayNumber(today);
  const deadlineEnd = dayNumber(line.deadline);
  const view = (tr: MatchedTransferRow) => ({ id: tr.id, sourceName: tr.source_name, receivedAt: new Date(tr.received_at).toISOString(), status: tr.status });
  const receivedLate = (tr: MatchedTransferRow) => dayNumber(archiveToday(new Date(tr.received_at))) > deadlineEnd;
  const awaiting = transfers.find((tr) => tr.status === 'completed' && tr.decision === null);
  const processing = transfers.find((tr) => tr.status !== 'completed');
  const accepted = [...transfers].reverse().find((tr) => tr.decision === 'accepted');
  const returned = [...transfers].reverse().find((tr) => tr.decision === 'returned');
  // A return matters until something newer arrives.
  const lastReturn = returned && (!accepted || new Date(returned.received_at) > new Date(accepted.received_at))
    ? { transferId: returned.id, reason: returned.reason ?? '', at: new Date(returned.decided_at ?? returned.received_at).toISOString() }
    : null;
  if (awaiting) return { state: 'received', daysLeft, transfer: view(awaiting), late: receivedLate(awaiting), returned: lastReturn, acceptedActId: accepted?.act_id ?? null };
  if (processing) return { state: 'processing', daysLeft, transfer: view(processing), late: receivedLate(processing), returned: lastReturn, acceptedActId: accepted?.act_id ?? null };
  if (accepted && !lastReturn) return { state: 'accepted', daysLeft, transfer: view(accepted), late: receivedLate(accepted), returned: null, acceptedActId: accepted.act_id };
  return { state: daysLeft < 0 ? 'overdue' : 'due', daysLeft, transfer: null, late: false, returned: lastReturn, acceptedActId: accepted?.act_id ?? null };
}

export function createScheduleService(deps: {
  db: Kysely<Database>;
  now?: () => Date;
  /** Where the approved App. 31 is kept (kk and ru PDF/A, forms/approval.ts); absent: not kept. */
  storage?: Storage;
}) {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());

  async function load(idOrYear: string | number): Promise<ScheduleRow> {
    const key = String(idOrYear).trim();
    let row: ScheduleRow | undefined;
    if (UUID.test(key)) row = await findSchedule(db, { id: key });
    else if (/^\d{4}$/.test(key)) row = await findSchedule(db, { year: Number(key) });
    if (!row) throw new NotFoundError('schedules.not_found', 'schedules.not_found', { id: key });
    return row;
  }

  async function rowsOf(schedules: ScheduleRow[], today: string): Promise<Map<string, ScheduleRowView[]>> {
    const lines = await listLines(db, schedules.map((s) => s.id));
    const out = new Map<string, ScheduleRowView[]>(schedules.map((s) => [s.id, []]));
    for (const schedule of schedules) {
      const own = lines.filter((l) => l.schedule_id === schedule.id);
      const transfers = await matchingTransfers(db, schedule.records_year, [...new Set(own.map((l) => l.department_code))]);
      for (const line of own) {
        out.get(schedule.id)!.push({
          id: line.id,
          position: line.position,
          department: { id: line.department_id, code: line.department_code, nameKk: line.department_name_kk, nameRu: line.department_name_ru },
          deadline: line.deadline,
          responsible: { userId: line.responsible_id, username: line.responsible_username, name: line.responsible_name, position: line.responsible_position },
          note: line.note,
          ...rowState(line, transfers.filter((tr) => tr.department === line.department_code), today),
        });
      }
    }
    return out;
  }

  async function view(row: ScheduleRow, today = archiveToday(now())): Promise<ScheduleView> {
    const rows = (await rowsOf([row], today)).get(row.id)!;
    const counts = Object.fromEntries(ROW_STATES.map((s) => [s, rows.filter((r) => r.state === s).length])) as Record<RowState, number>;
    return { ...toSummary(row), rows, counts, today };
  }

  async function assertDraft(trx: Parameters<typeof lockSchedule>[0], id: string, year: number): Promise<void> {
    const locked = await lockSchedule(trx, id);
    if (!locked) throw new NotFoundError('schedules.not_found', 'schedules.not_found', { id });
    if (locked.status !== 'draft') throw new ConflictError('schedules.already_approved', 'schedules.already_approved', { year });
  }

  return {
    async list(): Promise<ScheduleSummary[]> {
      return (await listSchedules(db)).map(toSummary);
    },

    /** One schedule (by id or year) with each row's state: the dashboard. */
    async get(idOrYear: string | number, options: { today?: string } = {}): Promise<ScheduleView> {
      return view(await load(idOrYear), options.today);
    },

    async create(actor: Actor, input: CreateScheduleInput): Promise<ScheduleView> {
      assertRole(actor, SCHEDULE_COMPILERS, 'create');
      const year = Number(input.year);
      if (!Number.isInteger(year) || year < 1900 || year > 2999) throw new ValidationError('schedules.invalid_year', 'schedules.invalid_year', { value: String(input.year), field: 'year' });
      const recordsYear = input.recordsYear ?? year - 1;
      if (!Number.isInteger(recordsYear) || recordsYear < 1900 || recordsYear > year) {
        throw new ValidationError('schedules.invalid_records_year', 'schedules.invalid_records_year', { value: String(input.recordsYear), year });
      }
      const id = await db.transaction().execute(async (trx) => {
        const existing = await trx.selectFrom('transfer_schedules').select('id').where('year', '=', year).executeTakeFirst();
        if (existing) throw new ConflictError('schedules.year_exists', 'schedules.year_exists', { year }, { scheduleId: existing.id });
        const id = await insertSchedule(trx, {
          year,
          records_year: recordsYear,
          number: input.number?.trim() || null,
          place: input.place?.trim() || null,
          compiled_by: actor.userId,
        });
        await recordAudit(trx, { actor, action: 'schedule.create', objectType: 'transfer_schedule', objectId: id, details: { year, recordsYear } });
        return id;
      });
      return view(await load(id));
    },

    async addRow(actor: Actor, idOrYear: string | number, input: AddRowInput): Promise<ScheduleView> {
      assertRole(actor, SCHEDULE_COMPILERS, 'add-row');
      const schedule = await load(idOrYear);
      const department = await findDepartment(db, String(input.department ?? '').trim());
      if (!department) throw new ValidationError('schedules.unknown_department', 'schedules.unknown_department', { value: String(input.department), field: 'department' });
      const deadline = String(input.deadline ?? '').trim();
      if (!validDate(deadline)) throw new ValidationError('schedules.invalid_deadline', 'schedules.invalid_deadline', { value: deadline, field: 'deadline' });
      if (Number(deadline.slice(0, 4)) !== schedule.year) {
        throw new ValidationError('schedules.deadline_outside_year', 'schedules.deadline_outside_year', { value: deadline, year: schedule.year, field: 'deadline' });
      }
      const responsible = await findUser(db, String(input.responsible ?? '').trim());
      if (!responsible) throw new ValidationError('schedules.unknown_user', 'schedules.unknown_user', { value: String(input.responsible), field: 'responsible' });
      if (responsible.status !== 'active') throw new ValidationError('schedules.user_suspended', 'schedules.user_suspended', { username: responsible.username, field: 'responsible' });
      // The person who hands the department's dossiers over is one of its own (p.205), or the archive itself.
      if (responsible.department_id !== department.id && !responsible.roles.includes('archivist')) {
        throw new ValidationError('schedules.responsible_other_department', 'schedules.responsible_other_department', {
          username: responsible.username,
          department: department.code,
          field: 'responsible',
        });
      }
      const note = input.note?.trim() || null;
      if (note && note.length > MAX_NOTE) throw new ValidationError('schedules.note_too_long', 'schedules.note_too_long', { max: MAX_NOTE, field: 'note' });
      await db.transaction().execute(async (trx) => {
        await assertDraft(trx, schedule.id, schedule.year);
        const taken = await trx.selectFrom('transfer_schedule_rows').select('position').where('schedule_id', '=', schedule.id).where('department_id', '=', department.id).executeTakeFirst();
        if (taken) throw new ConflictError('schedules.department_listed', 'schedules.department_listed', { department: department.code, year: schedule.year, position: taken.position });
        const rowId = await insertLine(trx, { schedule_id: schedule.id, department_id: department.id, deadline, responsible_id: responsible.id, note });
        await recordAudit(trx, {
          actor,
          action: 'schedule.add_row',
          objectType: 'transfer_schedule',
          objectId: schedule.id,
          details: { row: rowId, department: department.code, deadline, responsible: responsible.username, note },
        });
      });
      return view(await load(schedule.id));
    },

    async removeRow(actor: Actor, idOrYear: string | number, rowId: string): Promise<ScheduleView> {
      assertRole(actor, SCHEDULE_COMPILERS, 'remove-row');
      const schedule = await load(idOrYear);
      const line = UUID.test(rowId) ? await findLine(db, schedule.id, rowId) : undefined;
      if (!line) throw new NotFoundError('schedules.row_not_found', 'schedules.row_not_found', { id: rowId, year: schedule.year });
      await db.transaction().execute(async (trx) => {
        await assertDraft(trx, schedule.id, schedule.year);
        await deleteLine(trx, schedule.id, line.id, line.position);
        await recordAudit(trx, { actor, action: 'schedule.remove_row', objectType: 'transfer_schedule', objectId: schedule.id, details: { row: line.id, position: line.position } });
      });
      return view(await load(schedule.id));
    },

    /**
     * "Утверждаю": the organisation head approves the schedule (p.207). `onBehalfOf` names the
     * head when the local operator records an approval given on paper.
     */
    async approve(actor: Actor, idOrYear: string | number, options: { onBehalfOf?: string | null } = {}): Promise<ScheduleView> {
      assertRole(actor, SCHEDULE_APPROVERS, 'approve');
      const schedule = await load(idOrYear);
      let approver = actor.userId;
      if (actor.userId === null && options.onBehalfOf) {
        const head = await findUser(db, options.onBehalfOf);
        if (!head || !head.roles.some((r) => (SCHEDULE_APPROVERS as readonly string[]).includes(r))) {
          throw new ValidationError('schedules.approver_not_head', 'schedules.approver_not_head', { value: options.onBehalfOf, roles: SCHEDULE_APPROVERS.join(', ') });
        }
        approver = head.id;
      }
      await db.transaction().execute(async (trx) => {
        await assertDraft(trx, schedule.id, schedule.year);
        const count = await trx.selectFrom('transfer_schedule_rows').select((eb) => eb.fn.countAll<number>().as('n')).where('schedule_id', '=', schedule.id).executeTakeFirstOrThrow();
        if (Number(count.n) === 0) throw new ConflictError('schedules.empty', 'schedules.empty', { year: schedule.year });
        await approveScheduleRow(trx, schedule.id, approver);
        await recordAudit(trx, { actor, action: 'schedule.approve', objectType: 'transfer_schedule', objectId: schedule.id, details: { year: schedule.year, rows: Number(count.n), approvedBy: approver } });
      });
      // The head's approval keeps App. 31 in kk and ru as stored renditions to be signed.
      if (deps.storage) await storeApprovedForm({ db, storage: deps.storage }, actor, { kind: 'schedule', subjectId: schedule.id, load: () => loadScheduleForm(db, schedule.id) });
      return view(await load(schedule.id));
    },

    /**
     * What the user should be reminded of: the open rows (due or overdue) of approved schedules
     * for which the user is responsible, and — for the archive — every open row and every
     * transfer received and awaiting its decision. Soonest deadline first.
     */
    async reminders(user: { userId: string | null; roles: readonly string[] }, options: { today?: string } = {}): Promise<ReminderView[]> {
      const today = options.today ?? archiveToday(now());
      const ids = await approvedScheduleIds(db);
      if (!ids.length) return [];
      const schedules = (await Promise.all(ids.map((id) => findSchedule(db, { id })))).filter((s): s is ScheduleRow => !!s);
      const rows = await rowsOf(schedules, today);
      const archive = user.roles.includes('archivist');
      const out: ReminderView[] = [];
      for (const s of schedules) {
        for (const row of rows.get(s.id) ?? []) {
          const open = row.state === 'due' || row.state === 'overdue';
          const mine = user.userId !== null && row.responsible.userId === user.userId;
          if (open && mine) out.push({ scheduleId: s.id, year: s.year, recordsYear: s.records_year, audience: 'responsible', row });
          else if (archive && (open || row.state === 'received')) out.push({ scheduleId: s.id, year: s.year, recordsYear: s.records_year, audience: 'archive', row });
        }
      }
      return out.sort((a, b) => a.row.deadline.localeCompare(b.row.deadline) || a.row.position - b.row.position);
    },

    /** The schedule as a file: CSV (the form's columns, in the reader's language) or JSON (the view). */
    async exportSchedule(idOrYear: string | number, format: 'csv' | 'json', lang: Language): Promise<{ year: number; content: string }> {
      const schedule = await view(await load(idOrYear));
      if (format === 'json') return { year: schedule.year, content: JSON.stringify(schedule, null, 2) + '\n' };
      const header = ['no', 'department', 'deadline', 'responsible', 'note', 'state'].map((c) => t(lang, `schedules.column_${c}`));
      const lines = schedule.rows.map((r) => [
        String(r.position),
        `${r.department.code} ${lang === 'ru' ? r.department.nameRu : r.department.nameKk}`,
        r.deadline,
        [r.responsible.position, r.responsible.name].filter(Boolean).join(', '),
        r.note ?? '',
        t(lang, `schedules.state_${r.state}`),
      ]);
      return { year: schedule.year, content: [header, ...lines].map((cells) => cells.map(csvCell).join(',')).join('\r\n') + '\r\n' };
    },
  };
}

/** The schedule row a transfer fills (approved schedules, its department and records year), or null. */
export async function scheduleRowForTransfer(
  db: Kysely<Database> | Transaction<Database>,
  transfer: { department: string | null; year: number | null },
): Promise<{ scheduleId: string; rowId: string } | null> {
  if (!transfer.department || transfer.year === null) return null;
  const row = await db
    .selectFrom('transfer_schedule_rows as r')
    .innerJoin('transfer_schedules as s', 's.id', 'r.schedule_id')
    .innerJoin('departments as d', 'd.id', 'r.department_id')
    .select(['s.id as schedule_id', 'r.id as row_id'])
    .where('s.status', '=', 'approved')
    .where('s.records_year', '=', transfer.year)
    .where('d.code', '=', transfer.department)
    .orderBy('s.year', 'desc')
    .executeTakeFirst();
  return row ? { scheduleId: row.schedule_id, rowId: row.row_id } : null;
}

/** RFC 4180: quoted when it holds a comma, quote or line break; formulas defused for spreadsheets. */
function csvCell(value: string): string {
  const safe = /^[=+\-@]/.test(value) && !/^-?\d/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export type ScheduleService = ReturnType<typeof createScheduleService>;
