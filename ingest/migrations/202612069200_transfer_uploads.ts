import { sql, type Kysely } from 'kysely';

// Issue 9, review: resumable uploads were described by one `<id>.json` file each, and the quota
// check read every one of them on each announcement. Their descriptions now live in this table
// (the bytes stay in `uploads/<id>.part`), so a user's unfinished uploads are one indexed query.
// `touched_at` is the time of the last piece (an abandoned upload stops counting after a day).
// Records of uploads announced before this migration are imported by the uploads service from
// their files (ingest/intake/uploads.service.ts).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE transfer_uploads (
      id uuid PRIMARY KEY,
      filename text NOT NULL,
      size bigint NOT NULL CHECK (size > 0),
      sha256 text,
      created_at timestamptz NOT NULL DEFAULT now(),
      created_by_user_id uuid,
      created_by_username text NOT NULL,
      transfer_id uuid,
      touched_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX transfer_uploads_in_flight ON transfer_uploads (created_by_user_id, touched_at) WHERE transfer_id IS NULL;
  `.execute(db);
}
