// Queries on users and login attempts. There is deliberately no delete: accounts are
// suspended, never removed (004 §5.13).
import { sql, type Insertable, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database } from '../database/database';
import type { UsersTable } from './tables';

export type UserRow = Selectable<UsersTable>;
type Db = Kysely<Database> | Transaction<Database>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export async function findUser(db: Db, usernameOrId: string): Promise<UserRow | undefined> {
  const key = usernameOrId.trim().toLowerCase();
  const query = db.selectFrom('users').selectAll();
  return (isUuid(key) ? query.where('id', '=', key) : query.where('username', '=', key)).executeTakeFirst();
}

export async function insertUser(db: Db, values: Insertable<UsersTable>): Promise<UserRow> {
  return db.insertInto('users').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function setUserStatus(
  db: Db,
  id: string,
  status: { status: 'active' | 'suspended'; suspended_at: Date | null; suspended_reason: string | null },
): Promise<UserRow> {
  return db.updateTable('users').set(status).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function setPasswordHash(db: Db, id: string, passwordHash: string): Promise<UserRow> {
  return db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function listUsers(db: Db, filter: { status?: 'active' | 'suspended'; role?: string }): Promise<UserRow[]> {
  return db
    .selectFrom('users')
    .selectAll()
    .$if(filter.status !== undefined, (q) => q.where('status', '=', filter.status!))
    .$if(filter.role !== undefined, (q) => q.where(sql<boolean>`${filter.role!} = ANY(roles)`))
    .orderBy('username')
    .execute();
}

export async function countActiveWithRole(db: Db, role: string): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'active')
    .where(sql<boolean>`${role} = ANY(roles)`)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function departmentExists(db: Db, id: string): Promise<boolean> {
  if (!isUuid(id)) return false;
  return !!(await db.selectFrom('departments').select('id').where('id', '=', id).executeTakeFirst());
}

export async function insertLoginAttempt(
  db: Db,
  attempt: { at: Date; username: string; ip: string; outcome: 'success' | 'failure' | 'throttled' },
): Promise<number> {
  const row = await db.insertInto('login_attempts').values(attempt).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function setLoginAttemptOutcome(db: Db, id: number, outcome: 'success' | 'failure' | 'throttled'): Promise<void> {
  await db.updateTable('login_attempts').set({ outcome }).where('id', '=', id).execute();
}

/**
 * Failures by a username since its last success (and within the window): the consecutive
 * run. `excludeId` leaves out the attempt being decided.
 */
export async function recentUsernameFailures(db: Db, username: string, since: Date, excludeId: number): Promise<{ count: number; last: Date | null }> {
  const lastSuccess = await db
    .selectFrom('login_attempts')
    .select((eb) => eb.fn.max('at').as('at'))
    .where('username', '=', username)
    .where('outcome', '=', 'success')
    .where('at', '>', since)
    .executeTakeFirst();
  const from = lastSuccess?.at ? new Date(lastSuccess.at) : since;
  return failuresSince(db, 'username', username, from, excludeId);
}

/** Failures from an address within the window; a success does not reset them (spraying). */
export async function recentIpFailures(db: Db, ip: string, since: Date, excludeId: number): Promise<{ count: number; last: Date | null }> {
  return failuresSince(db, 'ip', ip, since, excludeId);
}

async function failuresSince(db: Db, column: 'username' | 'ip', value: string, since: Date, excludeId: number) {
  const row = await db
    .selectFrom('login_attempts')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('at').as('last')])
    .where(column, '=', value)
    .where('outcome', '=', 'failure')
    .where('at', '>', since)
    .where('id', '!=', excludeId)
    .executeTakeFirstOrThrow();
  return { count: Number(row.n), last: row.last ? new Date(row.last) : null };
}
