// The archivist's decision on a transfer refused because a case index it names is already kept
// for that department and year (issue 10): kept on the transfer row itself, so every retry and
// resume honours it — `muragat ingest --new-volume` was held only for the run that was given
// it, and a retry forgot it. `new-volume`: add the transfer's dossiers of those indexes (all of
// them when new_volume_indexes is null) as new volumes; `keep-refused`: the archivist looked and
// left the transfer refused. Decisions made before through transfers.options.newVolumes move here.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
ALTER TABLE transfers ADD COLUMN IF NOT EXISTS case_index_decision text
  CHECK (case_index_decision IN ('new-volume', 'keep-refused'));
ALTER TABLE transfers ADD COLUMN IF NOT EXISTS new_volume_indexes jsonb
  CHECK (new_volume_indexes IS NULL OR jsonb_typeof(new_volume_indexes) = 'array');
ALTER TABLE transfers ADD COLUMN IF NOT EXISTS case_index_decided_by text;
ALTER TABLE transfers ADD COLUMN IF NOT EXISTS case_index_decided_at timestamptz;
UPDATE transfers
   SET case_index_decision = 'new-volume',
       new_volume_indexes = CASE WHEN jsonb_typeof(options->'newVolumes') = 'array' THEN options->'newVolumes' ELSE NULL END,
       case_index_decided_at = coalesce(finished_at, received_at)
 WHERE options ? 'newVolumes' AND case_index_decision IS NULL;
`.execute(db);
}
