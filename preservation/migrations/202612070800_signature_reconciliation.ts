// Reconciliation tasks (p.97-1): a re-check of a permanent or over-10-year dossier found a
// signature that no longer verifies from its AIP evidence. The archivist compares the
// electronic copy with the paper original; where one matches, the head re-certifies the copy
// with their own signature; where none exists (or it differs) the document keeps a recorded
// mark. Nothing is re-signed without these steps.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql
    .raw(
      `
CREATE TABLE signature_reconciliation_tasks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  dossier_id uuid NOT NULL REFERENCES dossiers(id) ON DELETE CASCADE,
  -- NULL for the dossier's own signatures (inventory, integrity statement).
  document_id text,
  manifest_sha256 text NOT NULL,
  signature_path text NOT NULL,
  signature_sha256 text NOT NULL CHECK (signature_sha256 ~ '^[0-9a-f]{64}$'),
  content_path text NOT NULL,
  content_sha256 text NOT NULL CHECK (content_sha256 ~ '^[0-9a-f]{64}$'),
  retention text NOT NULL,
  verdict_before text NOT NULL,
  verdict_found text NOT NULL CHECK (verdict_found IN ('invalid', 'cannot-verify')),
  reason text NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'awaiting_recertification', 'recertified', 'marked')),
  found_at timestamptz NOT NULL DEFAULT now(),
  found_by jsonb NOT NULL,
  comparison text CHECK (comparison IN ('paper_matches', 'paper_differs', 'no_paper')),
  comparison_note text,
  compared_by jsonb,
  compared_at timestamptz,
  recertification_cms_sha256 text CHECK (recertification_cms_sha256 ~ '^[0-9a-f]{64}$'),
  recertification jsonb,
  recertified_by jsonb,
  recertified_at timestamptz,
  mark text,
  closed_at timestamptz
);
-- One task at a time per signature: a later run finding the same failure adds nothing.
CREATE UNIQUE INDEX signature_reconciliation_open ON signature_reconciliation_tasks (dossier_id, signature_sha256) WHERE closed_at IS NULL;
CREATE INDEX signature_reconciliation_status ON signature_reconciliation_tasks (status, found_at);
`,
    )
    .execute(db);
}
