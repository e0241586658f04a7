// The executor's own signature on the certificate of destruction (issue 12: "signed by the
// executor and the system"): a detached CMS over the certificate's statement — the canonical
// JSON the system key signs, naming both PDF/A renditions by digest — made in the browser with
// the executor's registered key after the execution. executor_cms_sha256 (the stored CMS) was
// already there; who signed and when are added.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
ALTER TABLE destruction_certificates
  ADD COLUMN executor_signer jsonb,
  ADD COLUMN executor_signed_by text,
  ADD COLUMN executor_signed_at timestamptz`.execute(db);
}
