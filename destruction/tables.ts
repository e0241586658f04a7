// Tables of the destruction domain (destruction/migrations/202612070300_destruction.ts):
// content keys (their check values, never the keys), sealed objects, the catalog record of
// destroyed dossiers, destroyed objects (tombstones for repair) and certificates.
import type { ColumnType, Generated } from 'kysely';

type Ts = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTs = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json = ColumnType<unknown, string, string>;

export interface ContentKeysTable {
  key_id: string;
  aip_id: string;
  dossier_id: string | null;
  algorithm: ColumnType<string, string | undefined, string>;
  key_check: string;
  created_at: Ts;
  destroyed_at: NullableTs;
  destruction_act_id: string | null;
}

export interface SealedObjectsTable {
  key_id: string;
  plain_sha256: string;
  sealed_sha256: string;
  plain_size: number;
  sealed_size: number;
}

export interface DestroyedDossiersTable {
  dossier_id: string;
  act_id: string;
  act_number: string;
  case_index: string;
  volume: number;
  heading: string;
  year: number | null;
  department: string | null;
  start_date: string | null;
  end_date: string | null;
  retention: Json;
  method: string;
  destroyed_at: Ts;
  executed_by: string;
  executed_by_name: string;
  final_control: Json;
  certificate_id: string | null;
}

export interface DestroyedObjectsTable {
  sha256: string;
  dossier_id: string;
  act_id: string;
  destroyed_at: Ts;
}

export interface DestructionCertificatesTable {
  id: Generated<string>;
  act_id: string;
  act_number: string;
  executed_by: string;
  executed_at: Ts;
  method: string;
  pdf_sha256: string;
  statement_sha256: string;
  system_signature: string;
  system_key_id: string;
  executor_cms_sha256: string | null;
  /** The executor's certificate (subject, issuer, serial, IIN, signing time) once they signed. */
  executor_signer: ColumnType<unknown, string | null | undefined, string | null>;
  executor_signed_by: ColumnType<string | null, string | null | undefined, string | null>;
  executor_signed_at: NullableTs;
  created_at: Ts;
}

export interface DestructionTables {
  content_keys: ContentKeysTable;
  sealed_objects: SealedObjectsTable;
  destroyed_dossiers: DestroyedDossiersTable;
  destroyed_objects: DestroyedObjectsTable;
  destruction_certificates: DestructionCertificatesTable;
}
