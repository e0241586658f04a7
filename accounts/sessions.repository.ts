// The only code touching the sessions table.
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from '../database/database';
import type { SessionsTable } from './sessions.tables';
import type { UserRow } from './users.repository';

type Db = Kysely<Database> | Transaction<Database>;
export type SessionRow = Selectable<SessionsTable>;

export async function insertSession(
  db: Db,
  values: { tokenHash: string; userId: string; now: Date; expiresAt: Date; ip: string | null; userAgent: string | null },
): Promise<SessionRow> {
  return db
    .insertInto('sessions')
    .values({
      token_hash: values.tokenHash,
      user_id: values.userId,
      created_at: values.now,
      last_seen_at: values.now,
      expires_at: values.expiresAt,
      ip: values.ip,
      user_agent: values.userAgent,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The session with its user row (one query: it runs on every request), or undefined. */
export async function findSessionWithUser(db: Db, tokenHash: string): Promise<{ session: SessionRow; user: UserRow } | undefined> {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('users')
    .select([
      'sessions.token_hash as s_token_hash',
      'sessions.user_id as s_user_id',
      'sessions.created_at as s_created_at',
      'sessions.last_seen_at as s_last_seen_at',
      'sessions.expires_at as s_expires_at',
      'sessions.ip as s_ip',
      'sessions.user_agent as s_user_agent',
    ])
    .where('sessions.token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!row) return undefined;
  const { s_token_hash, s_user_id, s_created_at, s_last_seen_at, s_expires_at, s_ip, s_user_agent, ...user } = row;
  return {
    session: {
      token_hash: s_token_hash,
      user_id: s_user_id,
      created_at: s_created_at,
      last_seen_at: s_last_seen_at,
      expires_at: s_expires_at,
      ip: s_ip,
      user_agent: s_user_agent,
    },
    user: user as UserRow,
  };
}

export async function touchSession(db: Db, tokenHash: string, at: Date): Promise<void> {
  await db.updateTable('sessions').set({ last_seen_at: at }).where('token_hash', '=', tokenHash).execute();
}

export async function deleteSession(db: Db, tokenHash: string): Promise<boolean> {
  const result = await db.deleteFrom('sessions').where('token_hash', '=', tokenHash).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function deleteUserSessions(db: Db, userId: string): Promise<number> {
  const result = await db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Removes sessions past their absolute expiry or idle since before `idleSince`. */
export async function deleteExpiredSessions(db: Db, now: Date, idleSince: Date): Promise<number> {
  const result = await db
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<', idleSince)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
