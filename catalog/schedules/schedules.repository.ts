// The only code of the transfer schedule touching the database.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../database/database';
import type { TransferStatus } from '../../ingest/tables';
import type { ScheduleStatus } from './tables';

type Db = Kysely<Database> | Transaction<Database>;

export interface ScheduleRow {
  id: string;
  year: number;
  records_year: number;
  number: string | null;
  place: string | null;
  status: ScheduleStatus;
  created_at: Date;
  approved_at: Date | null;
  compiled_by: string | null;
  compiled_by_name: string | null;
  compiled_by_position: string | null;
  approved_by: string | null;
  approved_by_name: string | null;
  approved_by_position: string | null;
  row_count: number;
}

export interface ScheduleLineRow {
  id: string;
  schedule_id: string;
  position: number;
  department_id: string;
  department_code: string;
  department_name_kk: string;
  department_name_ru: string;
  deadline: string;
  responsible_id: string;
  responsible_username: string;
  responsible_name: string;
  responsible_position: string | null;
  note: string | null;
}

/** A transfer of a department and year, with the archive's decision on it (if any). */
export interface MatchedTransferRow {
  id: string;
  department: string;
  year: number;
  status: TransferStatus;
  source_name: string;
  received_at: Date;
  finished_at: Date | null;
  decision: 'accepted' | 'returned' | null;
  reason: string | null;
  decided_at: Date | null;
  act_id: string | null;
}

function scheduleQuery(db: Db) {
  return db
    .selectFrom('transfer_schedules as s')
    .leftJoin('users as c', 'c.id', 's.compiled_by')
    .leftJoin('users as a', 'a.id', 's.approved_by')
    .select([
      's.id',
      's.year',
      's.records_year',
      's.number',
      's.place',
      's.status',
      's.created_at',
      's.approved_at',
      's.compiled_by',
      'c.full_name as compiled_by_name',
      'c.position as compiled_by_position',
      's.approved_by',
      'a.full_name as approved_by_name',
      'a.position as approved_by_position',
      sql<number>`(SELECT count(*)::int FROM transfer_schedule_rows r WHERE r.schedule_id = s.id)`.as('row_count'),
    ]);
}

export async function listSchedules(db: Db): Promise<ScheduleRow[]> {
  return (await scheduleQuery(db).orderBy('s.year', 'desc').execute()) as ScheduleRow[];
}

export async function findSchedule(db: Db, by: { id?: string; year?: number }): Promise<ScheduleRow | undefined> {
  let q = scheduleQuery(db);
  if (by.id !== undefined) q = q.where('s.id', '=', by.id);
  if (by.year !== undefined) q = q.where('s.year', '=', by.year);
  return (await q.executeTakeFirst()) as ScheduleRow | undefined;
}

export async function lockSchedule(trx: Transaction<Database>, id: string): Promise<{ status: ScheduleStatus } | undefined> {
  return trx.selectFrom('transfer_schedules').select('status').where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function insertSchedule(
  trx: Transaction<Database>,
  values: { year: number; records_year: number; number: string | null; place: string | null; compiled_by: string | null },
): Promise<string> {
  const row = await trx.insertInto('transfer_schedules').values(values).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function approveScheduleRow(trx: Transaction<Database>, id: string, approvedBy: string | null): Promise<void> {
  await trx.updateTable('transfer_schedules').set({ status: 'approved', approved_at: new Date(), approved_by: approvedBy }).where('id', '=', id).execute();
}

export async function listLines(db: Db, scheduleIds: string[]): Promise<ScheduleLineRow[]> {
  if (!scheduleIds.length) return [];
  return (await db
    .selectFrom('transfer_schedule_rows as r')
    .innerJoin('departments as d', 'd.id', 'r.department_id')
    .innerJoin('users as u', 'u.id', 'r.responsible_id')
    .select([
      'r.id',
      'r.schedule_id',
      'r.position',
      'r.department_id',
      'd.code as department_code',
      'd.name_kk as department_name_kk',
      'd.name_ru as department_name_ru',
      sql<string>`r.deadline::text`.as('deadline'),
      'r.responsible_id',
      'u.username as responsible_username',
      'u.full_name as responsible_name',
      'u.position as responsible_position',
      'r.note',
    ])
    .where('r.schedule_id', 'in', scheduleIds)
    .orderBy('r.schedule_id')
    .orderBy('r.position')
    .execute()) as ScheduleLineRow[];
}

export async function insertLine(
  trx: Transaction<Database>,
  values: { schedule_id: string; department_id: string; deadline: string; responsible_id: string; note: string | null },
): Promise<string> {
  const next = await trx
    .selectFrom('transfer_schedule_rows')
    .select(sql<number>`coalesce(max(position), 0)::int + 1`.as('n'))
    .where('schedule_id', '=', values.schedule_id)
    .executeTakeFirstOrThrow();
  const row = await trx.insertInto('transfer_schedule_rows').values({ ...values, position: next.n }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function findLine(db: Db, scheduleId: string, lineId: string): Promise<{ id: string; position: number; department_id: string } | undefined> {
  return db.selectFrom('transfer_schedule_rows').select(['id', 'position', 'department_id']).where('schedule_id', '=', scheduleId).where('id', '=', lineId).executeTakeFirst();
}

/** Removes a draft's row and closes the gap in the numbering (positions stay 1…n). */
export async function deleteLine(trx: Transaction<Database>, scheduleId: string, lineId: string, position: number): Promise<void> {
  await trx.deleteFrom('transfer_schedule_rows').where('id', '=', lineId).execute();
  // Two steps (out of the way, then back one lower) so the unique (schedule, position) holds at every row.
  const away = 1_000_000;
  await trx.updateTable('transfer_schedule_rows').set({ position: sql`position + ${sql.lit(away)}` }).where('schedule_id', '=', scheduleId).where('position', '>', position).execute();
  await trx.updateTable('transfer_schedule_rows').set({ position: sql`position - ${sql.lit(away + 1)}` }).where('schedule_id', '=', scheduleId).where('position', '>', away).execute();
}

export async function findDepartment(db: Db, codeOrId: string): Promise<{ id: string; code: string; name_kk: string; name_ru: string } | undefined> {
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(codeOrId);
  return db
    .selectFrom('departments')
    .select(['id', 'code', 'name_kk', 'name_ru'])
    .where(isUuid ? 'id' : 'code', '=', codeOrId)
    .executeTakeFirst();
}

export async function findUser(
  db: Db,
  usernameOrId: string,
): Promise<{ id: string; username: string; full_name: string; position: string | null; roles: string[]; department_id: string | null; status: string } | undefined> {
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(usernameOrId);
  return db
    .selectFrom('users')
    .select(['id', 'username', 'full_name', 'position', 'roles', 'department_id', 'status'])
    .where(isUuid ? 'id' : 'username', '=', usernameOrId)
    .executeTakeFirst();
}

/**
 * Transfers that fill rows: of the given departments and records year, not failed or
 * cancelled (those never reached the archive), with the archive's decision.
 */
export async function matchingTransfers(db: Db, recordsYear: number, departments: string[]): Promise<MatchedTransferRow[]> {
  if (!departments.length) return [];
  return (await db
    .selectFrom('transfers as t')
    .leftJoin('transfer_acceptances as a', 'a.transfer_id', 't.id')
    .select([
      't.id',
      't.department',
      't.year',
      't.status',
      't.source_name',
      't.received_at',
      't.finished_at',
      'a.decision',
      'a.reason',
      'a.decided_at',
      'a.act_id',
    ])
    .where('t.year', '=', recordsYear)
    .where('t.department', 'in', departments)
    .where('t.status', 'not in', ['failed', 'cancelled'])
    .orderBy('t.received_at')
    .execute()) as MatchedTransferRow[];
}

/** Approved schedules whose rows may still be open (every approved one; few per organisation). */
export async function approvedScheduleIds(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('transfer_schedules').select('id').where('status', '=', 'approved').orderBy('year').execute();
  return rows.map((r) => r.id);
}
