// Table types owned by the catalog (users, sessions, audit log, organisation, nomenclature, dossiers).
import type { ColumnType, Generated } from 'kysely';

export type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface CatalogTables {
  muragat_meta: { key: string; value: string };
}
export type { Generated };
