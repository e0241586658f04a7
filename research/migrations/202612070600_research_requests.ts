import { sql, type Kysely } from 'kysely';

// Researchers, their copy requests, the certified-copy packages and notifications (issue 13,
// docs/research.md). A researcher profile belongs to one user with the researcher role; it is
// confirmed by the archivist before its requests are accepted (the reading room admits a
// researcher on an application, as the archive's rules of work with users require).
// Packages keep only the SHA-256 of their download token: the link itself is shown once.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
CREATE TABLE researchers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL UNIQUE REFERENCES users (id),
  full_name text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
  organisation text NOT NULL CHECK (length(organisation) BETWEEN 1 AND 300),
  email text CHECK (email IS NULL OR length(email) <= 200),
  phone text CHECK (phone IS NULL OR length(phone) <= 50),
  purpose text NOT NULL CHECK (length(purpose) BETWEEN 1 AND 2000),
  status text NOT NULL CHECK (status IN ('pending', 'confirmed', 'refused')),
  registered_by text NOT NULL CHECK (registered_by IN ('self', 'archivist')),
  created_at timestamptz NOT NULL DEFAULT now(),
  decided_by text,
  decided_at timestamptz,
  decision_reason text,
  CHECK (email IS NOT NULL OR phone IS NOT NULL)
);
CREATE INDEX researchers_status ON researchers (status, created_at);

CREATE SEQUENCE research_request_number;
CREATE TABLE research_requests (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  number text NOT NULL UNIQUE,
  researcher_id uuid NOT NULL REFERENCES researchers (id),
  user_id uuid NOT NULL REFERENCES users (id),
  status text NOT NULL CHECK (status IN ('submitted', 'approved', 'refused', 'copies_ready', 'delivered', 'expired')),
  purpose text NOT NULL CHECK (length(purpose) BETWEEN 1 AND 2000),
  delivery text NOT NULL CHECK (delivery IN ('electronic', 'paper')),
  language text NOT NULL CHECK (language IN ('kk', 'ru')),
  created_at timestamptz NOT NULL DEFAULT now(),
  due_at timestamptz NOT NULL,
  decided_by text,
  decided_by_user uuid,
  decided_at timestamptz,
  refusal_reason text,
  copies_at timestamptz,
  delivered_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (status <> 'refused' OR (refusal_reason IS NOT NULL AND length(refusal_reason) > 0))
);
CREATE INDEX research_requests_user ON research_requests (user_id, created_at DESC);
CREATE INDEX research_requests_status ON research_requests (status, due_at);

CREATE TABLE research_request_items (
  request_id uuid NOT NULL REFERENCES research_requests (id),
  position integer NOT NULL CHECK (position >= 1),
  dossier_id uuid NOT NULL,
  document_position integer CHECK (document_position IS NULL OR document_position >= 1),
  label text NOT NULL,
  PRIMARY KEY (request_id, position)
);

CREATE TABLE research_packages (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  request_id uuid NOT NULL REFERENCES research_requests (id),
  token_sha256 text NOT NULL UNIQUE CHECK (token_sha256 ~ '^[0-9a-f]{64}$'),
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size bigint NOT NULL CHECK (size >= 0),
  file_name text NOT NULL,
  manifest jsonb NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  downloads integer NOT NULL DEFAULT 0
);
CREATE INDEX research_packages_request ON research_packages (request_id, created_at DESC);

CREATE TABLE research_notifications (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id),
  request_id uuid REFERENCES research_requests (id),
  researcher_id uuid REFERENCES researchers (id),
  kind text NOT NULL,
  params jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  read_at timestamptz
);
CREATE INDEX research_notifications_user ON research_notifications (user_id, read_at, created_at DESC);
`.execute(db);
}
