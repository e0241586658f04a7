// The repair queue: bad copies found by verified reads (or integrity runs) wait here until a
// sound copy from another location is written back. Durable, so a crash between finding a bad
// copy and repairing it loses nothing; the next integrity run (or the background worker of a
// running server) processes what is pending.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql
    .raw(
      `
CREATE TABLE storage_repairs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  location text NOT NULL,
  fault text NOT NULL CHECK (fault IN ('missing', 'damaged', 'unreadable')),
  detected_by text NOT NULL CHECK (detected_by IN ('read', 'integrity')),
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'repaired', 'resolved')),
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  source_location text,
  detected_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz,
  CHECK ((status = 'pending') = (resolved_at IS NULL))
);
-- One pending entry per copy: a damaged object read a thousand times is queued once.
CREATE UNIQUE INDEX storage_repairs_one_pending ON storage_repairs (sha256, location) WHERE status = 'pending';
CREATE INDEX storage_repairs_detected ON storage_repairs (detected_at DESC);
`,
    )
    .execute(db);
}
