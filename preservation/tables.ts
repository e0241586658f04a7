// Tables of the preservation domain (filled by its migrations in preservation/migrations/).
import type { ColumnType, Generated } from 'kysely';
import type { ReconciliationTables } from './reconciliation.tables';

type Ts = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTs = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string | undefined, string>;
type Int = ColumnType<number, number | undefined, number>;

export type FixityObjectState = 'intact' | 'repaired' | 'damaged' | 'lost';
export type FixityRunStatus = RunStatus;
export type FixityScope = 'batch' | 'all' | 'dossier' | 'location';
export type FixityFault = 'missing' | 'damaged' | 'unreadable';
export type FixityFindingOutcome = 'repaired' | 'unrepaired' | 'lost' | 'reported';

export interface FixityObjectsTable {
  sha256: string;
  size: number;
  registered_at: Ts;
  last_checked_at: NullableTs;
  last_intact_at: NullableTs;
  last_state: FixityObjectState | null;
}

export interface FixityObjectRefsTable {
  sha256: string;
  owner_kind: 'dossier' | 'rejected' | 'report';
  owner_id: string;
  path: string;
}

export interface FixityRegisteredTable {
  owner_kind: 'dossier' | 'rejected' | 'report';
  owner_id: string;
  manifest_sha256: string;
  registered_at: Ts;
}

export type RunMode = 'verify' | 'fixity';
export type RunStatus = 'queued' | 'running' | 'interrupted' | 'passed' | 'failed' | 'error';
/** Where a run is: verify (queued, verify, repair, reverify, done) or fixity (register, check, report, done). */
export interface RunProgress {
  phase: string;
  done: number;
  total: number;
  /** The dossier (case index) or object (sha256) being worked on. */
  item: string;
}

/** Both kinds of preservation run (migration 202612080700): deep verification and fixity. */
export interface PreservationRunsTable {
  id: Generated<string>;
  mode: RunMode;
  trigger: ColumnType<'schedule' | 'manual', 'schedule' | 'manual' | undefined, 'schedule' | 'manual'>;
  scope: ColumnType<FixityScope, FixityScope | undefined, FixityScope>;
  dossier_id: string | null;
  location: string | null;
  repair: ColumnType<boolean, boolean | undefined, boolean>;
  status: RunStatus;
  actor: Json<Record<string, unknown>>;
  runner: string | null;
  started_at: Ts;
  finished_at: NullableTs;
  heartbeat_at: Ts;
  progress: Json<RunProgress>;
  planned: Int;
  planned_bytes: Int;
  done: Int;
  done_bytes: Int;
  resumed: Int;
  summary: Json<unknown> | null;
  report: Json<unknown> | null;
  report_json_sha256: string | null;
  report_pdf_sha256: string | null;
  report_signature_sha256: string | null;
  error: string | null;
}

export interface FixityRunItemsTable {
  run_id: string;
  ordinal: number;
  sha256: string;
  size: number;
  outcome: FixityObjectState | null;
}

export interface FixityFindingsTable {
  id: Generated<string>;
  run_id: string;
  sha256: string;
  location: string;
  fault: FixityFault;
  outcome: FixityFindingOutcome;
  source_location: string | null;
  damaged_copy: string | null;
  detail: string | null;
  found_at: Ts;
}

export interface FixityScheduleTable {
  id: number;
  enabled: boolean;
  cycle_days: number;
  batch_hours: number;
  repair: boolean;
  next_batch_at: Ts;
  updated_at: Ts;
  updated_by: Json<Record<string, unknown>> | null;
}

export interface PreservationTables extends ReconciliationTables {
  fixity_objects: FixityObjectsTable;
  fixity_object_refs: FixityObjectRefsTable;
  fixity_registered: FixityRegisteredTable;
  preservation_runs: PreservationRunsTable;
  fixity_run_items: FixityRunItemsTable;
  fixity_findings: FixityFindingsTable;
  fixity_schedule: FixityScheduleTable;
}
