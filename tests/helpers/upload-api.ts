// Set-up shared by the HTTP tests of transfer uploads (tests/ingest/transfer-api,
// tests/server/ingest-api): department 03 with its clerk, department 04 with another clerk (whom
// department scoping keeps out), an archivist, each logged in through a client of their own.
import type { Kysely } from 'kysely';
import { expect } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createUsersService } from '../../accounts/users.service';
import { createOrganisationService } from '../../catalog/organisation.service';
import type { Database } from '../../database/database';
import { processingIdle } from '../../ingest/intake/transfers.service';
import { Client, type TestServer } from '../server/helpers';

export const UPLOADER_PASSWORDS = { clerk: 'clerk-Secret-1234', clerk2: 'clerk2-Secret-1234', keeper: 'keeper-Secret-1234' };

/** The departments and users above (English UI); returns department 03, where the package belongs. */
export async function seedUploaders(db: Kysely<Database>): Promise<{ department: { id: string }; users: ReturnType<typeof createUsersService> }> {
  const users = createUsersService({ db });
  const org = createOrganisationService({ db });
  const department = await org.addDepartment(SYSTEM_ACTOR, { code: '03', nameKk: 'Кадр бөлімі', nameRu: 'Отдел кадров' });
  const other = await org.addDepartment(SYSTEM_ACTOR, { code: '04', nameKk: 'Заң бөлімі', nameRu: 'Юридический отдел' });
  const passwords = UPLOADER_PASSWORDS;
  await users.add(SYSTEM_ACTOR, { username: 'clerk', password: passwords.clerk, fullName: 'Clerk', roles: ['department_clerk'], departmentId: department.id, language: 'en' });
  await users.add(SYSTEM_ACTOR, { username: 'clerk2', password: passwords.clerk2, fullName: 'Other clerk', roles: ['department_clerk'], departmentId: other.id, language: 'en' });
  await users.add(SYSTEM_ACTOR, { username: 'keeper', password: passwords.keeper, fullName: 'Archivist', roles: ['archivist'], language: 'en' });
  return { department, users };
}

/** A client per user, each logged in (200). */
export async function loginClients<K extends string>(server: TestServer, passwords: Record<K, string>): Promise<Record<K, Client>> {
  const clients = {} as Record<K, Client>;
  for (const name of Object.keys(passwords) as K[]) {
    clients[name] = new Client(server.url);
    expect((await clients[name].login(name, passwords[name])).status).toBe(200);
  }
  return clients;
}

/** Waits for the transfers still processing, then stops the server. */
export async function stopWhenIdle(server: TestServer | undefined): Promise<void> {
  if (!server) return;
  await processingIdle(server.deps.db);
  await server.stop();
}
