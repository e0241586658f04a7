import { sql, type Kysely } from 'kysely';

// The nomenclature of cases finished (App. 26, p.133–155):
// - revisions: an approved nomenclature never changes; a change is a new draft of the same
//   year (revision 2, 3…) which, once approved, supersedes the one in force;
// - the approval chain in its order (records-service head, expert commission protocol, state
//   review commission protocol when required, organisation head), kept in `approvals`;
// - sections (departments) in the approved order; carried-over cases, the form of the
//   documents and their medium, the Russian heading, the retention list version checked;
// - triggers refuse any change to an approved or superseded nomenclature, its sections or
//   items, except the year-end count of dossiers (column 3, p.155).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
ALTER TABLE nomenclature DROP CONSTRAINT nomenclature_year_key;
ALTER TABLE nomenclature DROP CONSTRAINT nomenclature_status_check;
ALTER TABLE nomenclature ADD CONSTRAINT nomenclature_status_check CHECK (status IN ('draft', 'approved', 'superseded'));
ALTER TABLE nomenclature ADD COLUMN revision integer NOT NULL DEFAULT 1 CHECK (revision >= 1);
ALTER TABLE nomenclature ADD COLUMN epk_required boolean NOT NULL DEFAULT true;
ALTER TABLE nomenclature ADD COLUMN based_on uuid REFERENCES nomenclature (id);
ALTER TABLE nomenclature ADD COLUMN in_force_from date;
ALTER TABLE nomenclature ADD CONSTRAINT nomenclature_year_revision UNIQUE (year, revision);
CREATE UNIQUE INDEX nomenclature_one_draft ON nomenclature (year) WHERE status = 'draft';
CREATE UNIQUE INDEX nomenclature_one_in_force ON nomenclature (year) WHERE status = 'approved';
UPDATE nomenclature SET in_force_from = make_date(year, 1, 1) WHERE status = 'approved';
-- Approvals recorded before the chain existed ({ body: ek|epk|head, by }) become steps.
UPDATE nomenclature SET approvals = (
  SELECT coalesce(jsonb_agg(jsonb_build_object(
    'step', CASE a->>'body' WHEN 'ek' THEN 'expert_commission' WHEN 'epk' THEN 'state_review' ELSE 'organisation_head' END,
    'protocolNumber', a->'protocolNumber', 'date', a->'date', 'username', 'system', 'name', a->'by',
    'position', NULL, 'at', to_jsonb(coalesce(approved_at, created_at)))), '[]'::jsonb)
  FROM jsonb_array_elements(approvals) a);

ALTER TABLE nomenclature_items ADD COLUMN heading_ru text CHECK (heading_ru IS NULL OR length(btrim(heading_ru)) > 0);
ALTER TABLE nomenclature_items ADD COLUMN retention_list_version integer;
ALTER TABLE nomenclature_items ADD COLUMN carried_over boolean NOT NULL DEFAULT false;
ALTER TABLE nomenclature_items ADD COLUMN carried_from_year integer CHECK (carried_from_year BETWEEN 1900 AND 2200);
ALTER TABLE nomenclature_items ADD COLUMN document_form text NOT NULL DEFAULT 'electronic' CHECK (document_form IN ('electronic', 'paper'));
ALTER TABLE nomenclature_items ADD COLUMN medium text;
ALTER TABLE nomenclature_items ADD CONSTRAINT nomenclature_items_carried CHECK (carried_over OR carried_from_year IS NULL);

CREATE TABLE nomenclature_sections (
  nomenclature_id uuid NOT NULL REFERENCES nomenclature (id),
  department_id uuid NOT NULL REFERENCES departments (id),
  position integer NOT NULL CHECK (position >= 1),
  PRIMARY KEY (nomenclature_id, department_id)
);
INSERT INTO nomenclature_sections (nomenclature_id, department_id, position)
SELECT nomenclature_id, department_id, (row_number() OVER (PARTITION BY nomenclature_id ORDER BY code))::int
FROM (SELECT DISTINCT i.nomenclature_id, i.department_id, d.code FROM nomenclature_items i JOIN departments d ON d.id = i.department_id) s;

CREATE FUNCTION nomenclature_frozen() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.status <> 'draft' THEN RAISE EXCEPTION 'nomenclature % (%) is %: it is never deleted', OLD.year, OLD.revision, OLD.status; END IF;
    RETURN OLD;
  END IF;
  IF OLD.status = 'draft' THEN RETURN NEW; END IF;
  IF OLD.status = 'approved' AND NEW.status = 'superseded' AND (to_jsonb(NEW) - 'status') = (to_jsonb(OLD) - 'status') THEN RETURN NEW; END IF;
  RAISE EXCEPTION 'nomenclature % (%) is %: it is not changed; changes go through a new draft', OLD.year, OLD.revision, OLD.status;
END
$fn$;
CREATE TRIGGER nomenclature_frozen BEFORE UPDATE OR DELETE ON nomenclature FOR EACH ROW EXECUTE FUNCTION nomenclature_frozen();

CREATE FUNCTION nomenclature_parts_frozen() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  owner uuid;
  state text;
BEGIN
  IF TG_OP = 'DELETE' THEN owner := OLD.nomenclature_id; ELSE owner := NEW.nomenclature_id; END IF;
  SELECT status INTO state FROM nomenclature WHERE id = owner;
  IF state IS DISTINCT FROM 'draft' THEN
    -- The year-end count of dossiers (column 3, p.155) is written into the approved nomenclature.
    IF TG_TABLE_NAME = 'nomenclature_items' AND TG_OP = 'UPDATE' AND (to_jsonb(NEW) - 'dossier_count') = (to_jsonb(OLD) - 'dossier_count') THEN
      RETURN NEW;
    END IF;
    RAISE EXCEPTION 'nomenclature % is %: % is not changed; changes go through a new draft', owner, state, TG_TABLE_NAME;
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END
$fn$;
CREATE TRIGGER nomenclature_items_frozen BEFORE INSERT OR UPDATE OR DELETE ON nomenclature_items FOR EACH ROW EXECUTE FUNCTION nomenclature_parts_frozen();
CREATE TRIGGER nomenclature_sections_frozen BEFORE INSERT OR UPDATE OR DELETE ON nomenclature_sections FOR EACH ROW EXECUTE FUNCTION nomenclature_parts_frozen();
`.execute(db);
}
