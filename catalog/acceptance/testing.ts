// Test fixtures for schedules and acceptance: two departments, their clerks, an archivist and
// the organisation head, and stored transfers made by the real pipeline (plain-text documents
// need no external converter). Used by the tests beside these modules, never by the product.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { SYSTEM_ACTOR, type Actor } from '../../audit/audit.service';
import { createUsersService } from '../../accounts/users.service';
import type { Role } from '../../accounts/roles';
import { parseConfig } from '../../common/config';
import type { Database } from '../../database/database';
import { processTransfer, receiveTransfer } from '../../ingest';
import { openStorage } from '../../storage';
import { buildDepartmentPackage, seedDepartments } from '../../tests/server/departments';

export interface AcceptanceFixture {
  departments: Record<'02' | '03', string>;
  actors: Record<'archivist' | 'head' | 'clerk02' | 'clerk03' | 'depHead02', Actor>;
  /**
   * Processes a transfer of one dossier (index `<code>-<caseNo>`) handed in by the department's
   * clerk; `revision` makes a corrected package of the same dossier (other bytes).
   */
  transfer(code: '02' | '03', caseNo?: number, revision?: number): Promise<string>;
  close(): Promise<void>;
}

export async function createAcceptanceFixture(db: Kysely<Database>): Promise<AcceptanceFixture> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'muragat-acceptance-'));
  const config = parseConfig({ MURAGAT_DATA_DIR: path.join(root, 'data'), MURAGAT_STORAGE: `file:${path.join(root, 'primary')}`, MURAGAT_MALWARE_POLICY: 'accept-with-warning', LOG_LEVEL: 'silent' });
  const deps = { db, storage: openStorage(config), config };
  const departments = (await seedDepartments(db)) as Record<'02' | '03', string>;
  const users = createUsersService({ db });
  const add = async (username: string, fullName: string, position: string, roles: Role[], departmentId: string | null): Promise<Actor> => {
    const view = await users.add(SYSTEM_ACTOR, { username, password: `${username}-Kilt-Sparrow-94`, fullName, position, roles, departmentId, language: 'kk' });
    return { userId: view.id, username, roles: view.roles };
  };
  const actors = {
    archivist: await add('g-archivist', 'Жұмабаева Ә. Т.', 'архивист', ['archivist'], null),
    head: await add('g-head', 'Омаров С. Қ.', 'директор', ['organisation_head'], null),
    clerk02: await add('g-clerk02', 'Әбенова Г. С.', 'іс жүргізуші', ['department_clerk'], departments['02']),
    clerk03: await add('g-clerk03', 'Исаев Б. Н.', 'іс жүргізуші', ['department_clerk'], departments['03']),
    depHead02: await add('g-dephead02', 'Сейітов Н. Қ.', 'бөлім басшысы', ['department_head'], departments['02']),
  };
  const submitters = { '02': actors.clerk02, '03': actors.clerk03 };
  let n = 0;
  return {
    departments,
    actors,
    async transfer(code, caseNo = 7, revision = 0) {
      n += 1;
      // A revision is a corrected package in a folder of its own (the same file names).
      const tar = revision ? await buildDepartmentPackage(path.join(root, `r${revision}`), code, caseNo, revision) : await buildDepartmentPackage(root, code, caseNo);
      const id = await receiveTransfer(deps, { tarPath: tar, sourceName: `dept-${code}-${n}.tar`, actor: submitters[code] });
      await processTransfer(deps, id);
      return id;
    },
    async close() {
      await rm(root, { recursive: true, force: true });
    },
  };
}
