// p.156: no dossier is formed outside the nomenclature. Ingest asks here whether each dossier
// of a transfer is a case of the approved nomenclature of its year, in the transferring
// department's section. Knows nothing of the pipeline: the step turns the answer into problems.
//
// From which year the rule holds: from the first year whose nomenclature was approved in
// Muragat. Records of earlier years predate the catalog's nomenclatures (their nomenclatures
// were approved on paper), so they are not refused for want of one; from that year on, a year
// without an approved nomenclature refuses its dossiers, naming the year.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../database/database';
import { findInForce, listItemRows } from './nomenclature.repository';

export interface IndexRefusal {
  index: string;
  code: 'nomenclature.ingest_index_not_in_nomenclature' | 'nomenclature.ingest_index_other_department' | 'nomenclature.ingest_no_approved';
  params: Record<string, string | number>;
}

export interface IndexCheck {
  /** False when the year precedes the first nomenclature approved in the catalog (nothing to check against). */
  checked: boolean;
  /** The approved nomenclature checked against (year, revision). */
  nomenclature: { id: string; year: number; revision: number } | null;
  refusals: IndexRefusal[];
}

/** "02-05" and "02-5" name the same case (p.149: department code and sequence number). */
export function normaliseIndex(index: string): string {
  const m = /^\s*([0-9]{2,3})-0*([0-9]{1,4})\s*$/.exec(index);
  return m ? `${m[1]}-${m[2] || '0'}` : index.trim();
}

async function firstApprovedYear(db: Kysely<Database>): Promise<number | null> {
  const row = await db.selectFrom('nomenclature').select(sql<number | null>`min(year)`.as('first')).where('status', '<>', 'draft').executeTakeFirst();
  return row?.first === null || row?.first === undefined ? null : Number(row.first);
}

export async function checkDossierIndexes(db: Kysely<Database>, input: { year: number; department: string; indexes: string[] }): Promise<IndexCheck> {
  const { year, department } = input;
  const first = await firstApprovedYear(db);
  if (first === null || year < first) return { checked: false, nomenclature: null, refusals: [] };
  const inForce = await findInForce(db, year);
  if (!inForce) {
    return { checked: true, nomenclature: null, refusals: input.indexes.map((index) => ({ index, code: 'nomenclature.ingest_no_approved', params: { index, year, department } })) };
  }
  const items = new Map((await listItemRows(db, inForce.id)).map((i) => [normaliseIndex(i.case_index), i]));
  const refusals: IndexRefusal[] = [];
  for (const index of input.indexes) {
    const item = items.get(normaliseIndex(index));
    if (!item) refusals.push({ index, code: 'nomenclature.ingest_index_not_in_nomenclature', params: { index, year, department, revision: inForce.revision } });
    else if (item.department_code !== department) {
      refusals.push({ index, code: 'nomenclature.ingest_index_other_department', params: { index, year, department, owner: item.department_code } });
    }
  }
  return { checked: true, nomenclature: { id: inForce.id, year: inForce.year, revision: inForce.revision }, refusals };
}
