// Table types owned by the records catalog (organisation, departments; the nomenclature's
// are in nomenclature/tables.ts).
// One interface per table gives kysely its select, insert and update types.
import type { Generated } from 'kysely';
import type { Json, Timestamp } from '../database/types';
import type { NomenclatureTables } from './nomenclature/tables';

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

export type RetentionKind = 'permanent' | 'years' | 'years_epk' | 'until_needed';

// The nomenclature's tables are its folder's (catalog/nomenclature/tables.ts).
export interface CatalogTables extends NomenclatureTables {
  organisation: OrganisationTable;
  departments: DepartmentsTable;
}
export type { Generated };
