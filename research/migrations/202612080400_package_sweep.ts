import { sql, type Kysely } from 'kysely';

// Expired certified-copy packages are swept (research/sweep.ts): their ZIP files are removed
// from the data folder and the package row keeps when that happened, so the request still
// shows what was made and until when, and a late link is answered 410 naming the expiry.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
ALTER TABLE research_packages ADD COLUMN removed_at timestamptz;
CREATE INDEX research_packages_due_sweep ON research_packages (expires_at) WHERE removed_at IS NULL;
`.execute(db);
}
