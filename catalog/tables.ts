// Table types owned by the catalog (users, audit log, organisation, nomenclature).
// One interface per table gives kysely its select, insert and update types.
import type { ColumnType, Generated } from 'kysely';

export type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** jsonb: read as parsed JSON, written as a JSON string (the same on pg and PGlite). */
export type Json<T> = ColumnType<T, string | undefined, string>;

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

export interface UsersTable {
  id: Generated<string>;
  username: string;
  password_hash: string;
  full_name: string;
  position: string | null;
  roles: string[];
  department_id: string | null;
  language: Generated<'kk' | 'ru' | 'en'>;
  status: Generated<'active' | 'suspended'>;
  suspended_at: Date | null;
  suspended_reason: string | null;
  created_at: Generated<Date>;
}

export interface LoginAttemptsTable {
  id: Generated<number>;
  at: Timestamp;
  username: string;
  ip: string;
  outcome: 'success' | 'failure' | 'throttled';
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

export interface AuditEventsTable {
  /** previous + 1, assigned under the append lock: the chain has no holes. */
  id: number;
  at: Timestamp;
  actor_user_id: string | null;
  actor_username: string;
  actor_roles: string[];
  action: string;
  object_type: string;
  object_id: string | null;
  request_id: string | null;
  details: Json<Record<string, unknown>>;
  prev_hash: string;
  hash: string;
}

export interface CatalogTables {
  muragat_meta: { key: string; value: string };
  organisation: OrganisationTable;
  departments: DepartmentsTable;
  users: UsersTable;
  login_attempts: LoginAttemptsTable;
  nomenclature: NomenclatureTable;
  nomenclature_items: NomenclatureItemsTable;
  audit_events: AuditEventsTable;
}
export type { Generated };
