// Table types owned by jobs (merged into Database in catalog/database.ts).
import type { ColumnType } from 'kysely';

type Ts = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTs = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type JobRunOutcome = 'completed' | 'failed' | 'cancelled' | 'abandoned';

export interface JobWorkersTable {
  id: string;
  host: string;
  pid: number;
  queue_worker_ids: ColumnType<string[], string[] | undefined, string[]>;
  started_at: Ts;
  heartbeat_at: Ts;
}

export interface JobLeasesTable {
  key: string;
  token: string;
  owner: string;
  run_id: string;
  acquired_at: Ts;
  heartbeat_at: Ts;
  takeovers: ColumnType<number, number | undefined, number>;
  cancel_requested: ColumnType<boolean, boolean | undefined, boolean>;
  progress: ColumnType<unknown, string | null | undefined, string | null>;
}

export interface JobRunsTable {
  id: string;
  key: string;
  owner: string;
  attempt: ColumnType<number, number | undefined, number>;
  started_at: Ts;
  finished_at: NullableTs;
  outcome: JobRunOutcome | null;
  error: string | null;
}

export interface JobTables {
  job_workers: JobWorkersTable;
  job_leases: JobLeasesTable;
  job_runs: JobRunsTable;
}
