import { sql, type Kysely } from 'kysely';

// Index only (helper H2, issue 15 scale, docs/scale.md): the transfer list counts each listed
// transfer's documents by status (ingest/intake/transfers.service.ts counts). On the generated
// catalog of 1,000,000 documents the 50 latest transfers' 100,000 documents were read from the
// table (bitmap heap scan, 180 ms); with (transfer_id, status) the count is an index-only scan
// (51–61 ms, load average 18).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX documents_transfer_status ON documents (transfer_id, status)`.execute(db);
}
