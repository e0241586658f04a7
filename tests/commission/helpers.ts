// Users for the commission's tests, inserted directly: the password is never used here, and
// hashing one per user would only slow the suites down.
import type { Kysely } from 'kysely';
import type { Actor } from '../../audit/audit.service';
import type { Role } from '../../accounts/roles';
import type { Database } from '../../database/database';

export async function addTestUser(db: Kysely<Database>, username: string, fullName: string, roles: Role[]): Promise<Actor> {
  const row = await db
    .insertInto('users')
    .values({ username, password_hash: '$argon2id$not-used-in-this-test', full_name: fullName, position: null, roles, department_id: null })
    .returning(['id', 'username'])
    .executeTakeFirstOrThrow();
  return { userId: row.id, username: row.username, roles };
}
