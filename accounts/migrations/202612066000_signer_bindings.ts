import { sql, type Kysely } from 'kysely';

// Signer identity (issue 10): which signing certificates and IINs belong to which user. A
// signature submitted by a user counts only when its certificate is bound to that user. Rows
// are never deleted: a removed binding keeps who removed it and why (the audit log has the rest).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
CREATE TABLE signer_bindings (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users(id),
  kind text NOT NULL CHECK (kind IN ('certificate', 'iin')),
  -- pending: bound at first use, waiting for the administrator's confirmation.
  status text NOT NULL CHECK (status IN ('active', 'pending', 'removed')),
  origin text NOT NULL CHECK (origin IN ('admin', 'first-use')),
  iin text CHECK (iin IS NULL OR iin ~ '^[0-9]{12}$'),
  certificate_der text,
  certificate_sha256 text CHECK (certificate_sha256 IS NULL OR certificate_sha256 ~ '^[0-9a-f]{64}$'),
  subject text,
  issuer text,
  serial_number text,
  not_before timestamptz,
  not_after timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  confirmed_at timestamptz,
  confirmed_by text,
  removed_at timestamptz,
  removed_by text,
  removed_reason text,
  CHECK (kind <> 'certificate' OR (certificate_der IS NOT NULL AND certificate_sha256 IS NOT NULL AND issuer IS NOT NULL AND serial_number IS NOT NULL)),
  CHECK (kind <> 'iin' OR iin IS NOT NULL)
);
-- One certificate, and one IIN, belongs to at most one user at a time.
CREATE UNIQUE INDEX signer_bindings_certificate ON signer_bindings (certificate_sha256) WHERE status <> 'removed';
CREATE UNIQUE INDEX signer_bindings_issuer_serial ON signer_bindings (issuer, serial_number) WHERE status <> 'removed';
CREATE UNIQUE INDEX signer_bindings_iin ON signer_bindings (iin) WHERE kind = 'iin' AND status <> 'removed';
CREATE INDEX signer_bindings_user ON signer_bindings (user_id);
`.execute(db);
}
