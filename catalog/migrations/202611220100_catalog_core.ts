// Organisation, departments, users, login throttling, nomenclature and the audit log.
// Raw SQL that runs unchanged on PGlite and PostgreSQL 15+.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql
    .raw(
      `
CREATE TABLE organisation (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name_kk text NOT NULL CHECK (length(btrim(name_kk)) > 0),
  name_ru text NOT NULL CHECK (length(btrim(name_ru)) > 0),
  short_name_kk text,
  short_name_ru text,
  -- Business identification number: 12 digits.
  bin text NOT NULL UNIQUE CHECK (bin ~ '^[0-9]{12}$'),
  fonds_number text NOT NULL CHECK (length(btrim(fonds_number)) > 0),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- The digital code is the first part of every case index (p.149: "03-12").
CREATE TABLE departments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code text NOT NULL UNIQUE CHECK (code ~ '^[0-9]{2,3}$'),
  name_kk text NOT NULL CHECK (length(btrim(name_kk)) > 0),
  name_ru text NOT NULL CHECK (length(btrim(name_ru)) > 0),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Accounts are suspended, never deleted (004 §5.13): no code path deletes a row here.
CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  username text NOT NULL UNIQUE CHECK (username ~ '^[a-z][a-z0-9._-]{1,62}$'),
  password_hash text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
  full_name text NOT NULL CHECK (length(btrim(full_name)) > 0),
  position text,
  roles text[] NOT NULL CHECK (
    cardinality(roles) > 0 AND roles <@ ARRAY['admin', 'archivist', 'department_clerk', 'department_head',
      'commission_chair', 'commission_secretary', 'commission_member', 'researcher']::text[]),
  department_id uuid REFERENCES departments (id),
  language text NOT NULL DEFAULT 'kk' CHECK (language IN ('kk', 'ru', 'en')),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
  suspended_at timestamptz,
  suspended_reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'suspended') = (suspended_at IS NOT NULL))
);

-- Every login attempt, for throttling by username and by client address.
CREATE TABLE login_attempts (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  username text NOT NULL,
  ip text NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('success', 'failure', 'throttled'))
);
CREATE INDEX login_attempts_username_at ON login_attempts (username, at);
CREATE INDEX login_attempts_ip_at ON login_attempts (ip, at);

-- App. 26: one consolidated nomenclature per year; approved by EK and EPK protocols.
CREATE TABLE nomenclature (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  year integer NOT NULL UNIQUE CHECK (year BETWEEN 1900 AND 2200),
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'approved')),
  -- [{ body: 'ek'|'epk'|'head', protocolNumber, date, by }]
  approvals jsonb NOT NULL DEFAULT '[]'::jsonb,
  approved_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE nomenclature_items (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  nomenclature_id uuid NOT NULL REFERENCES nomenclature (id),
  department_id uuid NOT NULL REFERENCES departments (id),
  position integer NOT NULL,
  case_index text NOT NULL CHECK (case_index ~ '^[0-9]{2,3}-[0-9]{1,4}$'),
  heading text NOT NULL CHECK (length(btrim(heading)) > 0),
  retention_kind text NOT NULL CHECK (retention_kind IN ('permanent', 'years', 'years_epk', 'until_needed')),
  retention_years integer CHECK (retention_years BETWEEN 1 AND 100),
  retention_article text,
  dossier_count integer CHECK (dossier_count >= 0),
  note text,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (nomenclature_id, case_index),
  CHECK ((retention_kind IN ('years', 'years_epk')) = (retention_years IS NOT NULL))
);
CREATE INDEX nomenclature_items_department ON nomenclature_items (department_id);

-- Append-only, hash-chained: hash = sha256(canonical JSON of the event incl. prev_hash).
-- id is assigned under the append lock as previous + 1 (not from a sequence, which leaves
-- holes on rollback), so a hole in the ids is a deleted event.
CREATE TABLE audit_events (
  id bigint PRIMARY KEY CHECK (id > 0),
  at timestamptz NOT NULL,
  actor_user_id uuid,
  actor_username text NOT NULL,
  actor_roles text[] NOT NULL,
  action text NOT NULL CHECK (action ~ '^[a-z_]+(\\.[a-z_]+)+$'),
  object_type text NOT NULL,
  object_id text,
  request_id text,
  details jsonb NOT NULL DEFAULT '{}'::jsonb,
  prev_hash text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  hash text NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$')
);
CREATE INDEX audit_events_object ON audit_events (object_type, object_id);

-- The database itself refuses edits; the hash chain catches whoever disables this.
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$fn$;
CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
`,
    )
    .execute(db);
}
