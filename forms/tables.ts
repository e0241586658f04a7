// Table types of the forms domain (forms/migrations).
import type { ColumnType, Generated } from 'kysely';
import type { FormKind, FormLanguage } from './types';

export interface FormRenditionsTable {
  id: Generated<string>;
  kind: FormKind;
  subject_id: string;
  language: FormLanguage;
  format: 'pdf' | 'json' | 'csv';
  title: string;
  sha256: string;
  /** bigint: pg returns it as a string. */
  size: ColumnType<string | number, number, number>;
  /** Where the bytes are: the content address in the object store (storage/). */
  storage_key: string;
  created_by: string;
  created_by_user: string | null;
  created_at: Generated<Date>;
  signature_sha256: string | null;
  signature_verdict: 'valid' | 'invalid' | 'cannot-verify' | null;
  signer: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  signed_by: string | null;
  signed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface FormTables {
  form_renditions: FormRenditionsTable;
}
