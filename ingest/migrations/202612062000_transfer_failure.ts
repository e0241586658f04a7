import { sql, type Kysely } from 'kysely';

// Issue 9: a transfer ends in a clear state. `cancelled` joins the statuses (an archivist or the
// uploading clerk stopped it) and `failure` says why a failed transfer failed: the step, the
// message key and its parameters ({ step, code, params, message, at }).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE transfers DROP CONSTRAINT IF EXISTS transfers_status_check`.execute(db);
  await sql`ALTER TABLE transfers ADD CONSTRAINT transfers_status_check CHECK (status IN ('uploading', 'queued', 'processing', 'completed', 'failed', 'cancelled'))`.execute(db);
  await sql`ALTER TABLE transfers ADD COLUMN failure jsonb`.execute(db);
}
