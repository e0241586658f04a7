// Integrity runs as durable records: who asked for which check, how far it got, what it found
// and repaired. At most one run is active (queued or running) at a time, across every process
// sharing the catalog; a run whose process died is recognised by its stale heartbeat.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql
    .raw(
      `
CREATE TABLE integrity_runs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  status text NOT NULL CHECK (status IN ('queued', 'running', 'passed', 'failed', 'error')),
  repair boolean NOT NULL DEFAULT false,
  -- One dossier, or null for the whole archive. No foreign key: the history of checks must
  -- never stand in the way of what happens to a dossier later.
  dossier_id uuid,
  actor jsonb NOT NULL,
  -- Host and process executing the run, for the operator reading an interrupted one.
  runner text,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  -- Refreshed while the run executes; a stale one means its process is gone.
  heartbeat_at timestamptz NOT NULL DEFAULT now(),
  progress jsonb NOT NULL DEFAULT '{"phase": "queued", "done": 0, "total": 0, "item": ""}'::jsonb,
  report jsonb,
  error text,
  CHECK ((status IN ('queued', 'running')) = (finished_at IS NULL)),
  CHECK (status <> 'error' OR error IS NOT NULL)
);
CREATE INDEX integrity_runs_started ON integrity_runs (started_at DESC);
-- Only one active run: a second start is refused by the database itself.
CREATE UNIQUE INDEX integrity_runs_one_active ON integrity_runs ((true)) WHERE status IN ('queued', 'running');
`,
    )
    .execute(db);
}
