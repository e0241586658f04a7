// Job bookkeeping that is ours, beside the queue library's own tables: who is alive
// (job_workers), which job is being worked on by whom (job_leases: one holder at a time,
// with a heartbeat so a dead holder is taken over) and every processing run (job_runs), so
// "processed exactly once" can be checked and a takeover is visible afterwards.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql
    .raw(
      `
CREATE TABLE job_workers (
  id text PRIMARY KEY,
  host text NOT NULL,
  pid integer NOT NULL,
  -- The queue library's own worker ids inside this process (graphile-worker's locked_by).
  queue_worker_ids text[] NOT NULL DEFAULT '{}',
  started_at timestamptz NOT NULL DEFAULT now(),
  heartbeat_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE job_leases (
  key text PRIMARY KEY,
  -- Changes with every holder; a step commits only while its holder's token is still here.
  token uuid NOT NULL,
  owner text NOT NULL,
  run_id uuid NOT NULL,
  acquired_at timestamptz NOT NULL DEFAULT now(),
  heartbeat_at timestamptz NOT NULL DEFAULT now(),
  takeovers integer NOT NULL DEFAULT 0,
  cancel_requested boolean NOT NULL DEFAULT false,
  progress jsonb
);

CREATE TABLE job_runs (
  id uuid PRIMARY KEY,
  key text NOT NULL,
  owner text NOT NULL,
  attempt integer NOT NULL DEFAULT 1,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  -- NULL while running; completed, failed (retry may follow), cancelled, abandoned (holder died).
  outcome text CHECK (outcome IN ('completed', 'failed', 'cancelled', 'abandoned')),
  error text
);
CREATE INDEX job_runs_key ON job_runs (key);
`,
    )
    .execute(db);
}
