// Two departments with one stored dossier each, and one user per role in department 02, for
// the access tests. The dossiers go through the real pipeline (plain-text documents need no
// external converter), so every download route has real bytes to serve.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { SYSTEM_ACTOR, type Actor } from '../../audit/audit.service';
import type { Database } from '../../database/database';
import { createOrganisationService } from '../../catalog/organisation.service';
import { ROLES, type Role } from '../../accounts/roles';
import { createUsersService } from '../../accounts/users.service';
import { processTransfer, receiveTransfer } from '../../ingest';
import { KAZAKH_ORDER, packDepartmentFolder } from '../helpers/department-folder';
import type { TestServer } from './helpers';

export const OWN = '02';
export const OTHER = '03';

/** Password of every test user: long, not common, not a sequence. */
export function passwordOf(username: string): string {
  return `${username}-Kilt-Sparrow-94`;
}

export interface DepartmentFixtures {
  departments: Record<string, string>;
  /** Username of the user holding `role` in department 02. */
  users: Record<Role, string>;
  /** Username of a clerk of department 03. */
  otherClerk: string;
  transfers: Record<string, string>;
  dossiers: Record<string, { id: string; index: string }>;
}

/**
 * A department folder with one dossier of one text document, packed as a transfer tar. A
 * `revision` marks the dossier title as corrected and adds a line, so the package differs.
 */
export function buildDepartmentPackage(dir: string, code: string, caseNo = 7, revision?: number): Promise<string> {
  const corrected = revision !== undefined;
  return packDepartmentFolder(dir, {
    tree: `tree-${code}-${caseNo}`,
    tar: `transfer-${code}-${caseNo}.tar`,
    department: { code, name: `Бөлім ${code}` },
    year: 2025,
    index: `${code}-${caseNo}`,
    dossier: { title: `Бөлім ${code} бұйрықтары${corrected ? ` (түзетілген ${revision})` : ''}`, retention: { kind: 'years', years: 75, article: '597' } },
    documents: { '2025-03-01 Бұйрық №12-н.txt': KAZAKH_ORDER + (corrected ? `${revision}\n` : '') },
  });
}

export async function seedDepartments(db: Kysely<Database>): Promise<Record<string, string>> {
  const org = createOrganisationService({ db });
  const ids: Record<string, string> = {};
  for (const code of [OWN, OTHER]) ids[code] = (await org.addDepartment(SYSTEM_ACTOR, { code, nameKk: `Бөлім ${code}`, nameRu: `Отдел ${code}` })).id;
  return ids;
}

/** Departments, users (every role in 02, a clerk in 03) and one stored dossier per department. */
export async function createDepartmentFixtures(server: TestServer): Promise<DepartmentFixtures> {
  const db = server.deps.db;
  const departments = await seedDepartments(db);
  const users = createUsersService({ db });
  const names = {} as Record<Role, string>;
  const submitters: Record<string, Actor> = {};
  for (const role of ROLES) {
    const username = `u-${role.replace(/_/g, '-')}`;
    names[role] = username;
    const view = await users.add(SYSTEM_ACTOR, { username, password: passwordOf(username), fullName: `Test ${role}`, roles: [role], departmentId: departments[OWN], language: 'en' });
    if (role === 'department_clerk') submitters[OWN] = { userId: view.id, username, roles: view.roles };
  }
  const otherClerk = 'u-other-clerk';
  const other = await users.add(SYSTEM_ACTOR, { username: otherClerk, password: passwordOf(otherClerk), fullName: 'Other clerk', roles: ['department_clerk'], departmentId: departments[OTHER], language: 'en' });
  submitters[OTHER] = { userId: other.id, username: otherClerk, roles: other.roles };

  const work = await mkdtemp(path.join(os.tmpdir(), 'muragat-access-'));
  const transfers: Record<string, string> = {};
  const dossiers: Record<string, { id: string; index: string }> = {};
  try {
    for (const code of [OWN, OTHER]) {
      const tar = await buildDepartmentPackage(work, code);
      const deps = { db, storage: server.deps.storage, config: server.deps.config };
      // Each department's clerk hands in its own transfer, as over the API.
      const transferId = await receiveTransfer(deps, { tarPath: tar, sourceName: `dept-${code}.tar`, actor: submitters[code] });
      await processTransfer(deps, transferId);
      transfers[code] = transferId;
      const row = await db.selectFrom('dossiers').select(['id', 'case_index']).where('transfer_id', '=', transferId).executeTakeFirstOrThrow();
      dossiers[code] = { id: row.id, index: row.case_index };
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return { departments, users: names, otherClerk, transfers, dossiers };
}
