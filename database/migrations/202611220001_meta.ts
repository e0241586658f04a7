import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE TABLE muragat_meta (key text PRIMARY KEY, value text NOT NULL)`.execute(db);
}
