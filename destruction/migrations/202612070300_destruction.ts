// Sealed content and destruction (docs/destruction.md). The key material itself is never in
// the database (it is in the key areas of the storage locations, storage/keys.ts): a database
// backup holds only which objects are sealed under which key and a check value of each key.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql
    .raw(
      `
CREATE TABLE content_keys (
  key_id uuid PRIMARY KEY,
  -- The AIP the key was made for (transfer/index/volume): the store step runs before the
  -- dossier row exists, and a re-run must find the same key.
  aip_id text NOT NULL UNIQUE,
  dossier_id uuid UNIQUE REFERENCES dossiers (id),
  algorithm text NOT NULL DEFAULT 'AES-256-GCM' CHECK (algorithm = 'AES-256-GCM'),
  key_check text NOT NULL CHECK (key_check ~ '^[0-9a-f]{64}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  destroyed_at timestamptz,
  destruction_act_id text
);

CREATE TABLE sealed_objects (
  key_id uuid NOT NULL REFERENCES content_keys (key_id),
  plain_sha256 text NOT NULL CHECK (plain_sha256 ~ '^[0-9a-f]{64}$'),
  sealed_sha256 text NOT NULL CHECK (sealed_sha256 ~ '^[0-9a-f]{64}$'),
  plain_size bigint NOT NULL,
  sealed_size bigint NOT NULL,
  PRIMARY KEY (key_id, plain_sha256)
);
CREATE INDEX sealed_objects_sealed ON sealed_objects (sealed_sha256);

-- What stays of a destroyed dossier (p.186-1): its catalog record and the act.
CREATE TABLE destroyed_dossiers (
  dossier_id uuid PRIMARY KEY REFERENCES dossiers (id),
  act_id text NOT NULL,
  act_number text NOT NULL,
  case_index text NOT NULL,
  volume integer NOT NULL,
  heading text NOT NULL,
  year integer,
  department text,
  start_date text,
  end_date text,
  retention jsonb NOT NULL,
  method text NOT NULL,
  destroyed_at timestamptz NOT NULL,
  executed_by uuid NOT NULL,
  executed_by_name text NOT NULL,
  final_control jsonb NOT NULL,
  certificate_id uuid
);
CREATE INDEX destroyed_dossiers_act ON destroyed_dossiers (act_id);

-- Objects whose every copy was deleted by a destruction: repair never writes them back.
CREATE TABLE destroyed_objects (
  sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  dossier_id uuid NOT NULL,
  act_id text NOT NULL,
  destroyed_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE destruction_certificates (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  act_id text NOT NULL UNIQUE,
  act_number text NOT NULL,
  executed_by uuid NOT NULL,
  executed_at timestamptz NOT NULL,
  method text NOT NULL,
  pdf_sha256 text NOT NULL,
  statement_sha256 text NOT NULL,
  system_signature text NOT NULL,
  system_key_id text NOT NULL,
  executor_cms_sha256 text,
  created_at timestamptz NOT NULL DEFAULT now()
);
`,
    )
    .execute(db);
}
