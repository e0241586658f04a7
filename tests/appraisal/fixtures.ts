// Fixtures of the appraisal tests: an organisation, its people, and stored dossiers of past
// years with short retention, written straight into the catalog as the retention tests do (the
// real pipeline is exercised by the destruction acceptance test); approved permanent
// inventories of given years (the act's line needs them).
import type { Kysely } from 'kysely';
import { createUsersService, type Role } from '../../accounts';
import { SYSTEM_ACTOR, type Actor } from '../../audit/audit.service';
import { createOrganisationService } from '../../catalog';
import type { Database } from '../../database/database';
import { insertStoredDossier } from '../helpers/retention';

export const PASSWORD = 'Appraisal-Tamarisk-41';

export interface DossierSpec {
  index: string;
  title: string;
  department: string;
  year: number;
  retention: { kind: 'permanent' | 'years' | 'years_epk' | 'until_needed'; years?: number; article?: string };
}

export type People = Record<'archivist' | 'secretary' | 'chair' | 'member' | 'director' | 'executor' | 'clerk', Actor>;

export async function setUpOrganisation(db: Kysely<Database>): Promise<People> {
  const organisations = createOrganisationService({ db });
  await organisations.save(SYSTEM_ACTOR, { nameKk: '«Мұрағат Үлгі» ЖШС', nameRu: 'ТОО «Мурагат Образец»', bin: '123456789012', fondsNumber: '12' });
  const dept = await organisations.addDepartment(SYSTEM_ACTOR, { code: '01', nameKk: 'Басшылық', nameRu: 'Руководство' });
  const users = createUsersService({ db });
  const people: [keyof People, string, string, Role[]][] = [
    ['archivist', 'Жұмабаева Әсел Талғатқызы', 'архивист', ['archivist']],
    ['secretary', 'Сейітова Динара Маратқызы', 'СК хатшысы', ['commission_secretary']],
    ['chair', 'Ахметов Болат Серікұлы', 'СК төрағасы', ['commission_chair']],
    ['member', 'Бекова Айгүл Нұрланқызы', 'СК мүшесі', ['commission_member']],
    ['director', 'Омаров Серік Қайратұлы', 'директор', ['organisation_head']],
    ['executor', 'Тоқтаров Ерлан Бекұлы', 'архивист', ['archivist']],
    ['clerk', 'Әбенова Гүлнар Серікқызы', 'іс жүргізуші', ['department_clerk']],
  ];
  const actors = {} as People;
  for (const [key, fullName, position, roles] of people) {
    const view = await users.add(SYSTEM_ACTOR, { username: key, password: PASSWORD, fullName, position, roles, departmentId: dept.id, language: 'kk' });
    actors[key] = { userId: view.id, username: key, roles: view.roles };
  }
  return actors;
}

/** Stored dossiers (one transfer per department and year, as the pipeline makes them); returns id by index/year. */
export async function addDossiers(db: Kysely<Database>, specs: DossierSpec[]): Promise<Record<string, string>> {
  const transfers = new Map<string, string>();
  const ids: Record<string, string> = {};
  for (const d of specs) {
    const key = `${d.department}|${d.year}`;
    if (!transfers.has(key)) {
      const t = await db.insertInto('transfers').values({ status: 'completed', department: d.department, year: d.year, source_name: `t-${key}.tar` } as never).returning('id').executeTakeFirstOrThrow();
      transfers.set(key, (t as { id: string }).id);
    }
    const metadata = {
      schemaVersion: 'muragat.dossier/1',
      fonds: '12',
      index: d.index,
      title: d.title,
      year: d.year,
      department: { code: d.department },
      startDate: `${d.year}-02-01`,
      endDate: `${d.year}-11-30`,
      retention: d.retention,
      documentCount: 2,
      fileCount: 2,
      sizeBytes: 2048,
      languages: ['kk'],
    };
    ids[`${d.index}/${d.year}`] = await insertStoredDossier(db, transfers.get(key)!, d.index, metadata, d.title);
  }
  return ids;
}

/** A permanent inventory of the year, approved (or left in draft), with its ЭК protocol. */
export async function addPermanentInventory(db: Kysely<Database>, year: number, number: number, status: 'approved' | 'draft' = 'approved'): Promise<void> {
  await db
    .insertInto('inventories')
    .values({
      fonds_number: '12',
      number,
      department_code: '01',
      year,
      category: 'permanent',
      status,
      compiler: JSON.stringify({ name: 'Әбенова Г. С.', position: 'іс жүргізуші' }),
      commission: JSON.stringify({ number: `${number}`, date: `${year + 1}-03-10` }),
      created_by: 'archivist',
      updated_at: new Date(),
      approval: status === 'approved' ? JSON.stringify({ statementSha256: 'd'.repeat(64), cmsSha256: 'e'.repeat(64), verdict: 'valid', signer: {} }) : null,
      approved_at: status === 'approved' ? new Date(`${year + 1}-03-15T00:00:00Z`) : null,
    } as never)
    .execute();
}
