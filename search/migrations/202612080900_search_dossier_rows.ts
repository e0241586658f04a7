import { sql, type Kysely } from 'kysely';

// Browsing dossiers by fonds and year (no words): the single-column fonds and year indexes
// found every row of the fonds and year, documents included, ~10 times the dossiers asked for,
// and read those wide rows (vectors and text) to drop the documents: p95 764 ms on the 1M
// catalog. The dossiers' own rows by fonds and year: 7 ms (bench/search "browse", docs/search.md).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX IF NOT EXISTS search_entries_dossier_rows ON search_entries (fonds, year) WHERE position = 0`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS search_entries_dossier_rows`.execute(db);
}
