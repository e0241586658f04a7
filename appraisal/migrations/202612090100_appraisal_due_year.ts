import { sql, type Kysely } from 'kysely';

// The year from which a dossier is due for appraisal, stored and indexed so the appraisal list
// (appraisal/appraisal.ts) reads only the dossiers due by the chosen day instead of computing the
// retention in force of every dossier from JSON (docs/scale.md: 10.7 s at 100,000 dossiers).
//
// dossiers.appraisal_due_year = closing year + N + 1 for a period of N years (with or without
// ЭПК; the closing year is the dossier's year or its last document's, whichever is later), 0 for
// "until no longer needed" (due at any date), NULL when never due (permanent) or unreadable. The
// retention is the one in force: the latest commission change (appraisal_retention_changes), else
// the metadata's — the same arithmetic as the list's own SQL and catalog/retention.
//
// Kept by triggers rather than by each writer, so no path can leave it stale: a dossier written or
// its metadata or year changed (ingest, signing, the catalog rebuild, unsealing, a hand edit), and
// a retention change applied by the commission's decision. Writing the column itself recomputes it.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
ALTER TABLE dossiers ADD COLUMN appraisal_due_year integer;

CREATE FUNCTION appraisal_due_year(p_id uuid, p_metadata jsonb, p_year integer) RETURNS integer
LANGUAGE sql STABLE AS $fn$
  SELECT CASE
    WHEN r->>'kind' = 'until_needed' THEN 0
    WHEN r->>'kind' IN ('years', 'years_epk') AND jsonb_typeof(r->'years') = 'number' AND r->>'years' ~ '^[0-9]{1,3}$' THEN
      CASE WHEN (r->>'years')::int BETWEEN 1 AND 100 THEN
        greatest(
          coalesce(p_year, CASE WHEN jsonb_typeof(p_metadata->'year') = 'number' AND p_metadata->>'year' ~ '^[0-9]{4}$' THEN (p_metadata->>'year')::int END),
          CASE WHEN jsonb_typeof(p_metadata->'endDate') = 'string' AND p_metadata->>'endDate' ~ '^[0-9]{4}-' THEN substr(p_metadata->>'endDate', 1, 4)::int END
        ) + (r->>'years')::int + 1
      END
  END
  FROM (
    SELECT coalesce(
      (SELECT c.retention FROM appraisal_retention_changes c WHERE c.dossier_id = p_id ORDER BY c.applied_at DESC LIMIT 1),
      p_metadata->'retention'
    ) AS r
  ) AS in_force
$fn$;

CREATE FUNCTION dossiers_set_appraisal_due_year() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  NEW.appraisal_due_year := appraisal_due_year(NEW.id, NEW.metadata, NEW.year);
  RETURN NEW;
END
$fn$;
-- Named to fire after dossiers_case_of_transfer (BEFORE triggers run by name), which fills the
-- year from the transfer.
CREATE TRIGGER dossiers_set_appraisal_due_year BEFORE INSERT OR UPDATE OF metadata, year, appraisal_due_year ON dossiers
  FOR EACH ROW EXECUTE FUNCTION dossiers_set_appraisal_due_year();

-- A retention change (history: inserted, never edited; any change handled all the same) sets the
-- column again through the dossier's own trigger.
CREATE FUNCTION appraisal_retention_changes_due_year() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    UPDATE dossiers SET appraisal_due_year = NULL WHERE id = OLD.dossier_id;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    UPDATE dossiers SET appraisal_due_year = NULL WHERE id = NEW.dossier_id;
  END IF;
  RETURN NULL;
END
$fn$;
CREATE TRIGGER appraisal_retention_changes_due_year AFTER INSERT OR UPDATE OR DELETE ON appraisal_retention_changes
  FOR EACH ROW EXECUTE FUNCTION appraisal_retention_changes_due_year();

-- Existing dossiers: the trigger computes it.
UPDATE dossiers SET appraisal_due_year = NULL;

CREATE INDEX dossiers_appraisal_due ON dossiers (appraisal_due_year) WHERE status = 'stored';
`.execute(db);
}
