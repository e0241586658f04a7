// Table of the signature reconciliation tasks (migration 202612070800, preservation/reconciliation.service.ts).
import type { ColumnType, Generated } from 'kysely';

type Ts = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTs = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;
type NullableJson<T> = ColumnType<T | null, string | null | undefined, string | null>;

export type ReconciliationStatus = 'open' | 'awaiting_recertification' | 'recertified' | 'marked';
export type PaperComparison = 'paper_matches' | 'paper_differs' | 'no_paper';

export interface SignatureReconciliationTasksTable {
  id: Generated<string>;
  dossier_id: string;
  document_id: string | null;
  manifest_sha256: string;
  signature_path: string;
  signature_sha256: string;
  content_path: string;
  content_sha256: string;
  retention: string;
  verdict_before: string;
  verdict_found: 'invalid' | 'cannot-verify';
  reason: string;
  status: ColumnType<ReconciliationStatus, ReconciliationStatus | undefined, ReconciliationStatus>;
  found_at: Ts;
  found_by: Json<Record<string, unknown>>;
  comparison: PaperComparison | null;
  comparison_note: string | null;
  compared_by: NullableJson<Record<string, unknown>>;
  compared_at: NullableTs;
  recertification_cms_sha256: string | null;
  recertification: NullableJson<Record<string, unknown>>;
  recertified_by: NullableJson<Record<string, unknown>>;
  recertified_at: NullableTs;
  mark: string | null;
  closed_at: NullableTs;
}

export interface ReconciliationTables {
  signature_reconciliation_tasks: SignatureReconciliationTasksTable;
}
