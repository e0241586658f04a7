// The append-only triggers of the audit log fire ALWAYS: an ordinary trigger is skipped when a
// session sets session_replication_role = replica, which turned them off with one SET. What a
// superuser can still do (ALTER TABLE … DISABLE TRIGGER, DROP TRIGGER) is DDL that `muragat
// audit verify` reports (trigger state), and any edit made meanwhile is caught by the hash
// chain and the signed anchors of the log's head kept in storage.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE audit_events ENABLE ALWAYS TRIGGER audit_events_no_update_delete`.execute(db);
  await sql`ALTER TABLE audit_events ENABLE ALWAYS TRIGGER audit_events_no_truncate`.execute(db);
}
