// Table types owned by ingest (transfers, pipeline state, documents, stored e-dossiers,
// integrity runs).
import type { ColumnType, Generated, GeneratedAlways } from 'kysely';

type Json<T> = ColumnType<T, string | undefined, string>;
type Ts = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTs = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type TransferStatus = 'uploading' | 'queued' | 'processing' | 'completed' | 'failed' | 'cancelled';
export type StepStatus = 'pending' | 'running' | 'done' | 'failed';
export type DocumentStatus = 'pending' | 'accepted' | 'rejected' | 'conversion-failed' | 'expanded';
export type DossierStatus = 'awaiting-signature' | 'stored';

export interface Problem {
  code: string;
  message: string;
  where?: string;
  clause?: string;
  details?: unknown;
}

export interface TransfersTable {
  id: Generated<string>;
  status: TransferStatus;
  department: string | null;
  year: number | null;
  source_name: string;
  source_sha256: string | null;
  source_size: ColumnType<string | null, number | string | null | undefined, number | string | null>;
  received_at: Ts;
  finished_at: NullableTs;
  limits: Json<Record<string, unknown>>;
  options: Json<Record<string, unknown>>;
  actor: Json<Record<string, unknown>>;
  problems: Json<Problem[]>;
  report: Json<unknown> | null;
  /** Why a failed transfer failed: { step, code, params, message, at } (ingest/intake/transfer-state.ts). */
  failure: ColumnType<unknown | null, string | null | undefined, string | null>;
  /** The archivist's decision on a case index already kept (migration 202612069300): honoured on every retry. */
  case_index_decision: ColumnType<'new-volume' | 'keep-refused' | null, 'new-volume' | 'keep-refused' | null | undefined, 'new-volume' | 'keep-refused' | null>;
  /** The indexes added as new volumes (JSON array); null for every index of the transfer. */
  new_volume_indexes: ColumnType<string[] | null, string | null | undefined, string | null>;
  case_index_decided_by: ColumnType<string | null, string | null | undefined, string | null>;
  case_index_decided_at: NullableTs;
}

export interface IngestStepsTable {
  transfer_id: string;
  step: string;
  status: StepStatus;
  attempt: ColumnType<number, number | undefined, number>;
  started_at: NullableTs;
  finished_at: NullableTs;
  output: Json<unknown> | null;
  error: Json<unknown> | null;
}

export interface DocumentsTable {
  id: Generated<string>;
  transfer_id: string;
  dossier_index: string | null;
  seq: number;
  source_path: string;
  parent_path: string | null;
  sha256: string;
  size: ColumnType<string, number | string, number | string>;
  format: Json<unknown> | null;
  status: DocumentStatus;
  problems: Json<Problem[]>;
  malware: Json<unknown> | null;
  signature: Json<unknown> | null;
  rendition_sha256: string | null;
  rendition_path: string | null;
  accepted_with_reason: string | null;
  manifest_entry: Json<Record<string, unknown>>;
}

export interface DossiersTable {
  id: Generated<string>;
  transfer_id: string;
  case_index: string;
  volume: ColumnType<number, number | undefined, number>;
  /** The transfer's department code and year, filled by a trigger (one dossier per index, department, year and volume). */
  department: ColumnType<string | null, string | null | undefined, string | null>;
  year: ColumnType<number | null, number | null | undefined, number | null>;
  title: string;
  status: DossierStatus;
  aip_manifest_sha256: string;
  inventory_sha256: string;
  integrity_sha256: string;
  metadata: Json<Record<string, unknown>>;
  stored_at: Ts;
  updated_at: Ts;
  /**
   * The year from which the dossier is due for appraisal, kept by triggers
   * (appraisal/migrations/202612090100_appraisal_due_year.ts): read-only here, as a value
   * written would be replaced by the trigger's anyway.
   */
  appraisal_due_year: GeneratedAlways<number | null>;
}

export interface DossierDocumentsTable {
  dossier_id: string;
  position: number;
  document_id: string;
  aip_path: string;
  control_characteristic: string;
  previous: string | null;
  metadata: Json<Record<string, unknown>>;
}

export interface DossierSignaturesTable {
  id: Generated<string>;
  dossier_id: string;
  kind: 'inventory' | 'integrity';
  signer: Json<Record<string, unknown>>;
  cms_sha256: string;
  verdict: string;
  created_at: Ts;
}

export type IntegrityRunStatus = 'queued' | 'running' | 'passed' | 'failed' | 'error';
export type IntegrityRunPhase = 'queued' | 'verify' | 'repair' | 'reverify' | 'done';

export interface IntegrityRunProgress {
  phase: IntegrityRunPhase;
  done: number;
  total: number;
  /** The dossier (case index) or object (sha256) being worked on. */
  item: string;
}

export interface IntegrityRunsTable {
  id: Generated<string>;
  status: IntegrityRunStatus;
  repair: ColumnType<boolean, boolean | undefined, boolean>;
  dossier_id: string | null;
  actor: Json<Record<string, unknown>>;
  runner: string | null;
  started_at: Ts;
  finished_at: NullableTs;
  heartbeat_at: Ts;
  progress: ColumnType<IntegrityRunProgress, string | undefined, string>;
  report: Json<unknown> | null;
  error: string | null;
}

/** A resumable upload of a transfer package (its bytes: `uploads/<id>.part`). */
export interface TransferUploadsTable {
  id: string;
  filename: string;
  size: ColumnType<number, number, number>;
  sha256: string | null;
  created_at: Ts;
  created_by_user_id: string | null;
  created_by_username: string;
  transfer_id: string | null;
  touched_at: Ts;
}

export interface IngestTables {
  transfers: TransfersTable;
  transfer_uploads: TransferUploadsTable;
  ingest_steps: IngestStepsTable;
  documents: DocumentsTable;
  dossiers: DossiersTable;
  dossier_documents: DossierDocumentsTable;
  dossier_signatures: DossierSignaturesTable;
  integrity_runs: IntegrityRunsTable;
}
