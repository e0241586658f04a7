// Fixity: when each stored object was last proven intact, the runs that prove it (on a
// schedule in batches, or on demand for one dossier, one storage location or everything),
// the objects each run planned (so an interrupted run resumes where it stopped) and what it
// found in each location (missing, damaged, repaired, lost).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql
    .raw(
      `
CREATE TABLE fixity_objects (
  sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size bigint NOT NULL,
  registered_at timestamptz NOT NULL DEFAULT now(),
  last_checked_at timestamptz,
  -- Last time every location held a copy hashing to the digest (after repair, if any).
  last_intact_at timestamptz,
  last_state text CHECK (last_state IN ('intact', 'repaired', 'damaged', 'lost'))
);
-- Oldest-checked first: never-checked objects (NULL) lead.
CREATE INDEX fixity_objects_oldest ON fixity_objects (last_checked_at NULLS FIRST, sha256);

-- Who uses an object: a dossier (its AIP path), a transfer's rejected items, or a fixity
-- run's stored report (so the reports are checked like everything else).
CREATE TABLE fixity_object_refs (
  sha256 text NOT NULL,
  owner_kind text NOT NULL CHECK (owner_kind IN ('dossier', 'rejected', 'report')),
  owner_id text NOT NULL,
  path text NOT NULL,
  PRIMARY KEY (sha256, owner_kind, owner_id, path)
);
CREATE INDEX fixity_object_refs_owner ON fixity_object_refs (owner_kind, owner_id);

-- AIP manifests already expanded into fixity_objects (a manifest is immutable).
CREATE TABLE fixity_registered (
  owner_kind text NOT NULL,
  owner_id text NOT NULL,
  manifest_sha256 text NOT NULL,
  registered_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (owner_kind, owner_id, manifest_sha256)
);

CREATE TABLE fixity_runs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  trigger text NOT NULL CHECK (trigger IN ('schedule', 'manual')),
  scope text NOT NULL CHECK (scope IN ('batch', 'all', 'dossier', 'location')),
  dossier_id uuid,
  location text,
  repair boolean NOT NULL DEFAULT true,
  status text NOT NULL CHECK (status IN ('queued', 'running', 'interrupted', 'passed', 'failed', 'error')),
  actor jsonb NOT NULL,
  runner text,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  heartbeat_at timestamptz NOT NULL DEFAULT now(),
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
  CHECK ((status IN ('queued', 'running', 'interrupted')) = (finished_at IS NULL))
);
CREATE INDEX fixity_runs_started ON fixity_runs (started_at DESC);
-- One run at work at a time across every process; an interrupted one waits to be resumed.
CREATE UNIQUE INDEX fixity_runs_one_active ON fixity_runs ((true)) WHERE status IN ('queued', 'running');

CREATE TABLE fixity_run_items (
  run_id uuid NOT NULL REFERENCES fixity_runs (id) ON DELETE CASCADE,
  ordinal integer NOT NULL,
  sha256 text NOT NULL,
  size bigint NOT NULL,
  outcome text CHECK (outcome IN ('intact', 'repaired', 'damaged', 'lost')),
  PRIMARY KEY (run_id, ordinal)
);
CREATE INDEX fixity_run_items_pending ON fixity_run_items (run_id, ordinal) WHERE outcome IS NULL;

-- One row per bad copy met by a run, and what became of it.
CREATE TABLE fixity_findings (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  run_id uuid NOT NULL REFERENCES fixity_runs (id) ON DELETE CASCADE,
  sha256 text NOT NULL,
  location text NOT NULL,
  fault text NOT NULL CHECK (fault IN ('missing', 'damaged', 'unreadable')),
  outcome text NOT NULL CHECK (outcome IN ('repaired', 'unrepaired', 'lost', 'reported')),
  source_location text,
  damaged_copy text,
  detail text,
  found_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX fixity_findings_run ON fixity_findings (run_id);
CREATE INDEX fixity_findings_found ON fixity_findings (found_at DESC);

CREATE TABLE fixity_schedule (
  id integer PRIMARY KEY CHECK (id = 1),
  enabled boolean NOT NULL DEFAULT true,
  cycle_days integer NOT NULL DEFAULT 90 CHECK (cycle_days BETWEEN 1 AND 3650),
  batch_hours integer NOT NULL DEFAULT 24 CHECK (batch_hours BETWEEN 1 AND 720),
  repair boolean NOT NULL DEFAULT true,
  -- The first batch a day after installation: a fresh archive has little to check, and a
  -- server started for a moment (tests, demos) never starts one.
  next_batch_at timestamptz NOT NULL DEFAULT now() + interval '1 day',
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by jsonb
);
INSERT INTO fixity_schedule (id) VALUES (1);
`,
    )
    .execute(db);
}
