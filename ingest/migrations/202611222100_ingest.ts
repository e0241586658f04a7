// Ingest state: transfers, the durable per-step pipeline state, per-document verdicts and
// the stored e-dossiers. Unique keys make every pipeline step safe to repeat after a crash.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql
    .raw(
      `
CREATE TABLE transfers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- uploading: bytes still arriving (API); queued: waiting for the worker.
  status text NOT NULL CHECK (status IN ('uploading', 'queued', 'processing', 'completed', 'failed')),
  department text,
  year integer,
  source_name text NOT NULL,
  -- The same package received twice is the same transfer (resume, never duplicate).
  source_sha256 text UNIQUE CHECK (source_sha256 ~ '^[0-9a-f]{64}$'),
  source_size bigint,
  received_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  limits jsonb NOT NULL DEFAULT '{}'::jsonb,
  options jsonb NOT NULL DEFAULT '{}'::jsonb,
  actor jsonb NOT NULL DEFAULT '{}'::jsonb,
  problems jsonb NOT NULL DEFAULT '[]'::jsonb,
  report jsonb
);
CREATE INDEX transfers_status ON transfers (status);

CREATE TABLE ingest_steps (
  transfer_id uuid NOT NULL REFERENCES transfers (id),
  step text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed')),
  attempt integer NOT NULL DEFAULT 0,
  started_at timestamptz,
  finished_at timestamptz,
  output jsonb,
  error jsonb,
  PRIMARY KEY (transfer_id, step)
);

CREATE TABLE documents (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  transfer_id uuid NOT NULL REFERENCES transfers (id),
  dossier_index text,
  -- Position in the manifest; expanded container members follow their container.
  seq integer NOT NULL,
  source_path text NOT NULL,
  parent_path text,
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size bigint NOT NULL,
  format jsonb,
  status text NOT NULL CHECK (status IN ('pending', 'accepted', 'rejected', 'conversion-failed', 'expanded')),
  problems jsonb NOT NULL DEFAULT '[]'::jsonb,
  malware jsonb,
  signature jsonb,
  rendition_sha256 text,
  rendition_path text,
  accepted_with_reason text,
  manifest_entry jsonb NOT NULL DEFAULT '{}'::jsonb,
  UNIQUE (transfer_id, source_path)
);
CREATE INDEX documents_sha256 ON documents (sha256);

CREATE TABLE dossiers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  transfer_id uuid NOT NULL REFERENCES transfers (id),
  case_index text NOT NULL,
  volume integer NOT NULL DEFAULT 1,
  title text NOT NULL,
  status text NOT NULL CHECK (status IN ('awaiting-signature', 'stored')),
  aip_manifest_sha256 text NOT NULL CHECK (aip_manifest_sha256 ~ '^[0-9a-f]{64}$'),
  inventory_sha256 text NOT NULL,
  integrity_sha256 text NOT NULL,
  metadata jsonb NOT NULL,
  stored_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (transfer_id, case_index, volume)
);

CREATE TABLE dossier_documents (
  dossier_id uuid NOT NULL REFERENCES dossiers (id),
  position integer NOT NULL CHECK (position >= 1),
  document_id uuid NOT NULL REFERENCES documents (id),
  aip_path text NOT NULL,
  control_characteristic text NOT NULL CHECK (control_characteristic ~ '^[0-9a-f]{64}$'),
  previous text,
  metadata jsonb NOT NULL,
  PRIMARY KEY (dossier_id, position),
  UNIQUE (dossier_id, document_id)
);

CREATE TABLE dossier_signatures (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  dossier_id uuid NOT NULL REFERENCES dossiers (id),
  kind text NOT NULL CHECK (kind IN ('inventory', 'integrity')),
  signer jsonb NOT NULL,
  cms_sha256 text NOT NULL CHECK (cms_sha256 ~ '^[0-9a-f]{64}$'),
  verdict text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (dossier_id, kind, cms_sha256)
);
`,
    )
    .execute(db);
}
