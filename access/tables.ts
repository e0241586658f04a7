// Tables of researcher access (access/migrations): the archivist's access rules per dossier and
// document, and the recorded exceptions that open a personnel dossier to one researcher.
import type { ColumnType, Generated } from 'kysely';

type Ts = ColumnType<Date | string, Date | string | undefined, Date | string>;

export type AccessKind = 'open' | 'restricted' | 'personal' | 'official_use';
export type BeforeLift = 'hidden' | 'metadata';
export type AccessTargetType = 'dossier' | 'document';
export type ExceptionGrounds = 'data_subject' | 'authorised_body';

export interface AccessRulesTable {
  target_type: AccessTargetType;
  target_id: string;
  dossier_id: string;
  kind: AccessKind;
  /** ISO date; pg returns a date column as a string here (parsed as text by the pool). */
  until: ColumnType<string | Date | null, string | null | undefined, string | null>;
  before_lift: ColumnType<BeforeLift, BeforeLift | undefined, BeforeLift>;
  basis: string | null;
  set_by: string;
  set_by_user_id: string | null;
  set_at: Ts;
}

export interface AccessExceptionsTable {
  id: Generated<string>;
  user_id: string;
  dossier_id: string;
  grounds: ExceptionGrounds;
  reference: string;
  granted_by: string;
  granted_by_user_id: string | null;
  granted_at: Ts;
  revoked_at: Ts | null;
  revoked_by: string | null;
  revoke_reason: string | null;
}

export interface AccessTables {
  access_rules: AccessRulesTable;
  access_exceptions: AccessExceptionsTable;
}
