// Queries on the nomenclature of cases (номенклатура дел), its sections and items. The only
// code of the nomenclature touching kysely.
import { sql, type Insertable, type Kysely, type Selectable, type Transaction, type Updateable } from 'kysely';
import type { Database } from '../../database/database';
import type { NomenclatureApproval, NomenclatureItemsTable, NomenclatureStatus, NomenclatureTable } from './tables';

export type NomenclatureRow = Selectable<NomenclatureTable>;
export type NomenclatureItemRow = Selectable<NomenclatureItemsTable> & { department_code: string; section_position: number };
export interface SectionRow {
  department_id: string;
  code: string;
  name_kk: string;
  name_ru: string;
  position: number;
}
type Db = Kysely<Database> | Transaction<Database>;

/**
 * The nomenclature of a year that counts: the one in force (approved), else the newest
 * revision (a draft). Ingest and the manifest's completion read it.
 */
export async function findNomenclature(db: Db, year: number): Promise<NomenclatureRow | undefined> {
  return db
    .selectFrom('nomenclature')
    .selectAll()
    .where('year', '=', year)
    .where('status', '<>', 'superseded')
    .orderBy(sql`status = 'approved'`, 'desc')
    .orderBy('revision', 'desc')
    .executeTakeFirst();
}

/** The approved nomenclature in force for a year, if any. */
export async function findInForce(db: Db, year: number): Promise<NomenclatureRow | undefined> {
  return db.selectFrom('nomenclature').selectAll().where('year', '=', year).where('status', '=', 'approved').executeTakeFirst();
}

/** The year's draft, if any (at most one: a partial unique index). */
export async function findDraft(db: Db, year: number): Promise<NomenclatureRow | undefined> {
  return db.selectFrom('nomenclature').selectAll().where('year', '=', year).where('status', '=', 'draft').executeTakeFirst();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function findById(db: Db, id: string): Promise<NomenclatureRow | undefined> {
  // Not a uuid: no such nomenclature (PostgreSQL would refuse the comparison with a 500).
  if (!UUID.test(id)) return undefined;
  return db.selectFrom('nomenclature').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Whether the catalog keeps any approved nomenclature at all (in force or superseded). */
export async function anyApproved(db: Db): Promise<boolean> {
  const row = await db.selectFrom('nomenclature').select('id').where('status', '<>', 'draft').limit(1).executeTakeFirst();
  return row !== undefined;
}

/** Row lock, so two clerks numbering items of one year do not pick the same number. */
export async function lockNomenclature(trx: Transaction<Database>, id: string): Promise<NomenclatureRow> {
  return trx.selectFrom('nomenclature').selectAll().where('id', '=', id).forUpdate().executeTakeFirstOrThrow();
}

export async function nextRevision(db: Db, year: number): Promise<number> {
  const row = await db.selectFrom('nomenclature').select(sql<number>`coalesce(max(revision), 0)::int + 1`.as('next')).where('year', '=', year).executeTakeFirstOrThrow();
  return Number(row.next);
}

export async function insertNomenclature(db: Db, values: Insertable<NomenclatureTable>): Promise<NomenclatureRow> {
  return db.insertInto('nomenclature').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function listNomenclatureRows(db: Db): Promise<NomenclatureRow[]> {
  return db.selectFrom('nomenclature').selectAll().orderBy('year', 'desc').orderBy('revision', 'desc').execute();
}

export async function updateNomenclature(db: Db, id: string, values: Updateable<NomenclatureTable>): Promise<NomenclatureRow> {
  return db.updateTable('nomenclature').set(values).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function setApprovals(db: Db, id: string, approvals: NomenclatureApproval[], status: NomenclatureStatus, extra: { approved_at?: Date; in_force_from?: string } = {}): Promise<NomenclatureRow> {
  return db
    .updateTable('nomenclature')
    .set({ approvals: JSON.stringify(approvals), status, ...extra })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

function items(db: Db) {
  return db
    .selectFrom('nomenclature_items')
    .innerJoin('departments', 'departments.id', 'nomenclature_items.department_id')
    .leftJoin('nomenclature_sections', (join) =>
      join.onRef('nomenclature_sections.nomenclature_id', '=', 'nomenclature_items.nomenclature_id').onRef('nomenclature_sections.department_id', '=', 'nomenclature_items.department_id'),
    )
    .selectAll('nomenclature_items')
    .select(['departments.code as department_code', sql<number>`coalesce(nomenclature_sections.position, 1000000)`.as('section_position')]);
}

/** Items in the form's order: sections in their approved order, then the items' order within. */
export async function listItemRows(db: Db, nomenclatureId: string): Promise<NomenclatureItemRow[]> {
  const rows = await items(db)
    .where('nomenclature_items.nomenclature_id', '=', nomenclatureId)
    .orderBy('section_position')
    .orderBy('departments.code')
    .orderBy('nomenclature_items.position')
    .execute();
  return rows.map((r) => ({ ...r, section_position: Number(r.section_position) }));
}

export async function findItemRow(db: Db, nomenclatureId: string, caseIndex: string): Promise<NomenclatureItemRow | undefined> {
  const row = await items(db).where('nomenclature_items.nomenclature_id', '=', nomenclatureId).where('case_index', '=', caseIndex).executeTakeFirst();
  return row ? { ...row, section_position: Number(row.section_position) } : undefined;
}

export async function findItemById(db: Db, id: string): Promise<NomenclatureItemRow | undefined> {
  const row = await items(db).where('nomenclature_items.id', '=', id).executeTakeFirst();
  return row ? { ...row, section_position: Number(row.section_position) } : undefined;
}

/** Highest position and highest case number of a department within one nomenclature. */
export async function nextNumbers(db: Db, nomenclatureId: string, departmentId: string): Promise<{ position: number; caseNumber: number }> {
  const row = await sql<{ position: number; case_number: number }>`
    SELECT coalesce(max(position), 0)::int + 1 AS position,
           coalesce(max(CASE WHEN department_id = ${departmentId}
                         THEN split_part(case_index, '-', 2)::int END), 0)::int + 1 AS case_number
    FROM nomenclature_items WHERE nomenclature_id = ${nomenclatureId}`.execute(db);
  const first = row.rows[0];
  return { position: Number(first?.position ?? 1), caseNumber: Number(first?.case_number ?? 1) };
}

export async function insertItem(db: Db, values: Insertable<NomenclatureItemsTable>): Promise<Selectable<NomenclatureItemsTable>> {
  return db.insertInto('nomenclature_items').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function updateItem(db: Db, id: string, values: Updateable<NomenclatureItemsTable>): Promise<void> {
  await db.updateTable('nomenclature_items').set(values).where('id', '=', id).execute();
}

export async function deleteItem(db: Db, id: string): Promise<void> {
  await db.deleteFrom('nomenclature_items').where('id', '=', id).execute();
}

export async function listSections(db: Db, nomenclatureId: string): Promise<SectionRow[]> {
  return db
    .selectFrom('nomenclature_sections')
    .innerJoin('departments', 'departments.id', 'nomenclature_sections.department_id')
    .select(['nomenclature_sections.department_id', 'departments.code', 'departments.name_kk', 'departments.name_ru', 'nomenclature_sections.position'])
    .where('nomenclature_id', '=', nomenclatureId)
    .orderBy('position')
    .orderBy('departments.code')
    .execute();
}

/** Adds the department as the last section when it has none yet. */
export async function ensureSection(db: Db, nomenclatureId: string, departmentId: string): Promise<void> {
  await sql`
    INSERT INTO nomenclature_sections (nomenclature_id, department_id, position)
    SELECT ${nomenclatureId}, ${departmentId}, coalesce(max(position), 0) + 1 FROM nomenclature_sections WHERE nomenclature_id = ${nomenclatureId}
    ON CONFLICT (nomenclature_id, department_id) DO NOTHING`.execute(db);
}

export async function replaceSections(db: Db, nomenclatureId: string, departmentIds: string[]): Promise<void> {
  await db.deleteFrom('nomenclature_sections').where('nomenclature_id', '=', nomenclatureId).execute();
  if (departmentIds.length) {
    await db
      .insertInto('nomenclature_sections')
      .values(departmentIds.map((department_id, i) => ({ nomenclature_id: nomenclatureId, department_id, position: i + 1 })))
      .execute();
  }
}

/** Dossiers the archive keeps per case index of a year (the count when column 3 is not filled). */
export async function storedDossierCounts(db: Db, year: number): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('dossiers')
    .select(['case_index', 'department', sql<number>`count(*)::int`.as('n')])
    .where('year', '=', year)
    .groupBy(['case_index', 'department'])
    .execute();
  return new Map(rows.map((r) => [`${r.department}|${r.case_index}`, Number(r.n)]));
}
