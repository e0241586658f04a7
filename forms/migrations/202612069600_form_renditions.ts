import { sql, type Kysely } from 'kysely';

// Stored renditions of the official forms (App. 26, 30, 31, 32, 33), issue 11: each PDF/A, JSON
// or CSV made for keeping is an object in the content-addressed store like any other document,
// recorded here with what it renders (kind, subject, language, format) and its sha256, and
// signed like any other document: a detached CMS over the stored bytes, itself stored, with
// the signer and the verification verdict. Rows are never updated except to add the signature.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
CREATE TABLE form_renditions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind text NOT NULL CHECK (kind IN ('nomenclature', 'inventory', 'schedule', 'internal-inventory', 'acceptance-act')),
  subject_id text NOT NULL CHECK (length(subject_id) BETWEEN 1 AND 100),
  language text NOT NULL CHECK (language IN ('kk', 'ru')),
  format text NOT NULL CHECK (format IN ('pdf', 'json', 'csv')),
  title text NOT NULL,
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size bigint NOT NULL CHECK (size >= 0),
  storage_key text NOT NULL,
  created_by text NOT NULL,
  created_by_user uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  signature_sha256 text CHECK (signature_sha256 ~ '^[0-9a-f]{64}$'),
  signature_verdict text CHECK (signature_verdict IN ('valid', 'invalid', 'cannot-verify')),
  signer jsonb,
  signed_by text,
  signed_at timestamptz,
  CHECK ((signature_sha256 IS NULL) = (signed_at IS NULL))
);
CREATE INDEX form_renditions_subject ON form_renditions (kind, subject_id, created_at);
`.execute(db);
}
