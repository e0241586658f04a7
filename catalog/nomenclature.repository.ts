// Queries on the nomenclature of cases (номенклатура дел) and its items.
import { sql, type Insertable, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database } from '../database/database';
import type { NomenclatureApproval, NomenclatureItemsTable, NomenclatureTable } from './tables';

export type NomenclatureRow = Selectable<NomenclatureTable>;
export type NomenclatureItemRow = Selectable<NomenclatureItemsTable> & { department_code: string };
type Db = Kysely<Database> | Transaction<Database>;

export async function findNomenclature(db: Db, year: number): Promise<NomenclatureRow | undefined> {
  return db.selectFrom('nomenclature').selectAll().where('year', '=', year).executeTakeFirst();
}

/** Row lock, so two clerks numbering items of one year do not pick the same number. */
export async function lockNomenclature(trx: Transaction<Database>, id: string): Promise<NomenclatureRow> {
  return trx.selectFrom('nomenclature').selectAll().where('id', '=', id).forUpdate().executeTakeFirstOrThrow();
}

export async function insertNomenclature(db: Db, year: number): Promise<NomenclatureRow> {
  return db.insertInto('nomenclature').values({ year }).returningAll().executeTakeFirstOrThrow();
}

export async function listNomenclatureRows(db: Db): Promise<NomenclatureRow[]> {
  return db.selectFrom('nomenclature').selectAll().orderBy('year', 'desc').execute();
}

export async function setApproved(db: Db, id: string, approvals: NomenclatureApproval[], at: Date): Promise<NomenclatureRow> {
  return db
    .updateTable('nomenclature')
    .set({ status: 'approved', approvals: JSON.stringify(approvals), approved_at: at })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function listItemRows(db: Db, nomenclatureId: string): Promise<NomenclatureItemRow[]> {
  return db
    .selectFrom('nomenclature_items')
    .innerJoin('departments', 'departments.id', 'nomenclature_items.department_id')
    .selectAll('nomenclature_items')
    .select('departments.code as department_code')
    .where('nomenclature_id', '=', nomenclatureId)
    .orderBy('position')
    .execute();
}

export async function findItemRow(db: Db, nomenclatureId: string, caseIndex: string): Promise<NomenclatureItemRow | undefined> {
  return db
    .selectFrom('nomenclature_items')
    .innerJoin('departments', 'departments.id', 'nomenclature_items.department_id')
    .selectAll('nomenclature_items')
    .select('departments.code as department_code')
    .where('nomenclature_id', '=', nomenclatureId)
    .where('case_index', '=', caseIndex)
    .executeTakeFirst();
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
