// The demo's expert commission: the demo users of the commission roles appointed chair,
// secretary and member from the start of last year, with no end to their terms. Idempotent:
// nothing is added once the commission has any member.
import type { Kysely } from 'kysely';
import { SYSTEM_ACTOR } from '../audit/audit.service';
import type { Database } from '../database/database';
import { addMember } from './commission.service';

export const DEMO_COMMISSION: readonly { username: string; role: 'chair' | 'secretary' | 'member' }[] = [
  { username: 'chair', role: 'chair' },
  { username: 'secretary', role: 'secretary' },
  { username: 'member', role: 'member' },
];

export async function seedDemoCommission(db: Kysely<Database>, year: number): Promise<void> {
  if (await db.selectFrom('commission_members').select('id').executeTakeFirst()) return;
  for (const { username, role } of DEMO_COMMISSION) {
    if (!(await db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst())) continue;
    await addMember(db, SYSTEM_ACTOR, { user: username, role, termFrom: `${year - 1}-01-01` });
  }
}
