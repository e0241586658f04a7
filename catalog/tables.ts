// Table types owned by the records catalog (organisation, departments, nomenclature).
// One interface per table gives kysely its select, insert and update types.
import type { Generated } from 'kysely';
import type { Json, Timestamp } from '../database/types';

export type { Json, Timestamp };

export interface OrganisationTable {
  id: Generated<string>;
  name_kk: string;
  name_ru: string;
  short_name_kk: string | null;
  short_name_ru: string | null;
  bin: string;
  fonds_number: string;
  created_at: Generated<Date>;
}

export interface DepartmentsTable {
  id: Generated<string>;
  code: string;
  name_kk: string;
  name_ru: string;
  created_at: Generated<Date>;
}

export interface NomenclatureApproval {
  /** ek: expert commission protocol; epk: state review commission; head: "Утверждаю". */
  body: 'ek' | 'epk' | 'head';
  protocolNumber: string | null;
  date: string;
  by: string | null;
}

export interface NomenclatureTable {
  id: Generated<string>;
  year: number;
  status: Generated<'draft' | 'approved'>;
  approvals: Json<NomenclatureApproval[]>;
  approved_at: Date | null;
  created_at: Generated<Date>;
}

export type RetentionKind = 'permanent' | 'years' | 'years_epk' | 'until_needed';

export interface NomenclatureItemsTable {
  id: Generated<string>;
  nomenclature_id: string;
  department_id: string;
  position: number;
  case_index: string;
  heading: string;
  retention_kind: RetentionKind;
  retention_years: number | null;
  retention_article: string | null;
  dossier_count: number | null;
  note: string | null;
  created_at: Generated<Date>;
}

export interface CatalogTables {
  organisation: OrganisationTable;
  departments: DepartmentsTable;
  nomenclature: NomenclatureTable;
  nomenclature_items: NomenclatureItemsTable;
}
export type { Generated };
