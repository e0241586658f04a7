// One table of preservation runs in two modes instead of two parallel run tables: `verify`
// (deep verification of dossiers: chains, catalog, signatures, renditions — was integrity_runs)
// and `fixity` (every object re-hashed in every location — was fixity_runs). One lifecycle
// (queued → running → passed / failed / error, or interrupted to be resumed), one progress
// (phase, done, total, item), one history. Every row of both old tables is copied with its id,
// so audit events, stored reports and the fixity items and findings keep pointing at their run.
// `integrity_runs` stays as a view of the verify runs for its older readers (metrics, the
// ingest domain's table type); it is not written any more.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql
    .raw(
      `
CREATE TABLE preservation_runs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  mode text NOT NULL CHECK (mode IN ('verify', 'fixity')),
  trigger text NOT NULL DEFAULT 'manual' CHECK (trigger IN ('schedule', 'manual')),
  -- batch: the scheduled fixity batch; location: one storage location (fixity only).
  scope text NOT NULL DEFAULT 'all' CHECK (scope IN ('batch', 'all', 'dossier', 'location')),
  -- No foreign key: the history of checks must never stand in the way of what happens to a dossier later.
  dossier_id uuid,
  location text,
  repair boolean NOT NULL DEFAULT false,
  status text NOT NULL CHECK (status IN ('queued', 'running', 'interrupted', 'passed', 'failed', 'error')),
  actor jsonb NOT NULL,
  -- Host and process executing the run, for the operator reading an interrupted one.
  runner text,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  -- Refreshed while the run executes; a stale one means its process is gone.
  heartbeat_at timestamptz NOT NULL DEFAULT now(),
  progress jsonb NOT NULL DEFAULT '{"phase": "queued", "done": 0, "total": 0, "item": ""}'::jsonb,
  -- Fixity: the objects (and bytes) planned and checked so far.
  planned integer NOT NULL DEFAULT 0,
  planned_bytes bigint NOT NULL DEFAULT 0,
  done integer NOT NULL DEFAULT 0,
  done_bytes bigint NOT NULL DEFAULT 0,
  resumed integer NOT NULL DEFAULT 0,
  summary jsonb,
  report jsonb,
  report_json_sha256 text,
  report_pdf_sha256 text,
  report_signature_sha256 text,
  error text,
  CHECK ((status IN ('queued', 'running', 'interrupted')) = (finished_at IS NULL)),
  CHECK (scope <> 'location' OR mode = 'fixity'),
  CHECK (scope <> 'batch' OR mode = 'fixity')
);
CREATE INDEX preservation_runs_started ON preservation_runs (started_at DESC, id DESC);
CREATE INDEX preservation_runs_mode_started ON preservation_runs (mode, started_at DESC, id DESC);
-- One run at work per mode across every process; an interrupted one waits to be resumed.
CREATE UNIQUE INDEX preservation_runs_one_active ON preservation_runs (mode) WHERE status IN ('queued', 'running');

INSERT INTO preservation_runs (id, mode, trigger, scope, dossier_id, location, repair, status, actor, runner,
    started_at, finished_at, heartbeat_at, progress, summary, report, error)
  SELECT id, 'verify', 'manual', CASE WHEN dossier_id IS NULL THEN 'all' ELSE 'dossier' END, dossier_id, NULL, repair,
    status, actor, runner, started_at, finished_at, heartbeat_at, progress, report -> 'summary', report, error
  FROM integrity_runs;

INSERT INTO preservation_runs (id, mode, trigger, scope, dossier_id, location, repair, status, actor, runner,
    started_at, finished_at, heartbeat_at, progress, planned, planned_bytes, done, done_bytes, resumed,
    summary, report, report_json_sha256, report_pdf_sha256, report_signature_sha256, error)
  SELECT id, 'fixity', trigger, scope, dossier_id, location, repair, status, actor, runner,
    started_at, finished_at, heartbeat_at,
    jsonb_build_object('phase', CASE WHEN status IN ('passed', 'failed', 'error') THEN 'done' ELSE 'check' END, 'done', done, 'total', planned, 'item', ''),
    planned, planned_bytes, done, done_bytes, resumed,
    summary, report, report_json_sha256, report_pdf_sha256, report_signature_sha256, error
  FROM fixity_runs;

ALTER TABLE fixity_run_items DROP CONSTRAINT fixity_run_items_run_id_fkey;
ALTER TABLE fixity_run_items ADD CONSTRAINT fixity_run_items_run_id_fkey FOREIGN KEY (run_id) REFERENCES preservation_runs (id) ON DELETE CASCADE;
ALTER TABLE fixity_findings DROP CONSTRAINT fixity_findings_run_id_fkey;
ALTER TABLE fixity_findings ADD CONSTRAINT fixity_findings_run_id_fkey FOREIGN KEY (run_id) REFERENCES preservation_runs (id) ON DELETE CASCADE;

DROP TABLE fixity_runs;
DROP TABLE integrity_runs;

CREATE VIEW integrity_runs AS
  SELECT id, status, repair, dossier_id, actor, runner, started_at, finished_at, heartbeat_at, progress, report, error
  FROM preservation_runs WHERE mode = 'verify';
`,
    )
    .execute(db);
}
