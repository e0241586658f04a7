// Demo data of the research domain: the demo researcher (demo/seed.ts) admitted to the reading
// room, so the portal can be tried at once with copy requests (issue 13).
import type { Kysely } from 'kysely';
import { recordAudit, SYSTEM_ACTOR } from '../audit/audit.service';
import type { Database } from '../database/database';

export async function seedDemoResearcher(db: Kysely<Database>, username = 'researcher'): Promise<void> {
  const user = await db.selectFrom('users').select(['id', 'full_name', 'roles']).where('username', '=', username).executeTakeFirst();
  if (!user || !(user.roles as string[]).includes('researcher')) return;
  if (await db.selectFrom('researchers').select('id').where('user_id', '=', user.id).executeTakeFirst()) return;
  await db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('researchers')
      .values({
        user_id: user.id,
        full_name: user.full_name,
        organisation: 'Әл-Фараби атындағы Қазақ ұлттық университеті',
        email: 'researcher@example.kz',
        phone: null,
        purpose: 'Ұйымның 2020–2025 жылдардағы кадр саясаты туралы зерттеу',
        status: 'confirmed',
        registered_by: 'archivist',
        decided_by: SYSTEM_ACTOR.username,
        decided_at: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, { actor: SYSTEM_ACTOR, action: 'researcher.register', objectType: 'researcher', objectId: row.id, details: { username, fullName: user.full_name, status: 'confirmed' } });
  });
}
