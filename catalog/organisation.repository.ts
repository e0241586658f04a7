// Queries on the organisation (one per installation: the fonds-forming organisation) and
// its structural subdivisions (departments).
import type { Insertable, Kysely, Selectable, Transaction, Updateable } from 'kysely';
import type { Database } from '../database/database';
import type { DepartmentsTable, OrganisationTable } from './tables';
import { isUuid } from '../accounts/users.repository';

export type OrganisationRow = Selectable<OrganisationTable>;
export type DepartmentRow = Selectable<DepartmentsTable>;
type Db = Kysely<Database> | Transaction<Database>;

export async function findOrganisation(db: Db): Promise<OrganisationRow | undefined> {
  return db.selectFrom('organisation').selectAll().orderBy('created_at').limit(1).executeTakeFirst();
}

export async function insertOrganisation(db: Db, values: Insertable<OrganisationTable>): Promise<OrganisationRow> {
  return db.insertInto('organisation').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function updateOrganisation(db: Db, id: string, values: Updateable<OrganisationTable>): Promise<OrganisationRow> {
  return db.updateTable('organisation').set(values).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function findDepartment(db: Db, codeOrId: string): Promise<DepartmentRow | undefined> {
  const key = codeOrId.trim();
  const query = db.selectFrom('departments').selectAll();
  return (isUuid(key) ? query.where('id', '=', key) : query.where('code', '=', key)).executeTakeFirst();
}

export async function insertDepartment(db: Db, values: Insertable<DepartmentsTable>): Promise<DepartmentRow> {
  return db.insertInto('departments').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function updateDepartment(db: Db, id: string, values: Updateable<DepartmentsTable>): Promise<DepartmentRow> {
  return db.updateTable('departments').set(values).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function listDepartmentRows(db: Db): Promise<DepartmentRow[]> {
  return db.selectFrom('departments').selectAll().orderBy('code').execute();
}
