import { sql, type Kysely } from 'kysely';

// Inventories of e-dossiers (App. 30) and archival ciphers (p.181), issue 11.
// An inventory is compiled per department, year and category (permanent, over 10 years,
// personnel: p.195) from accepted dossiers; numbered per fonds; approved once by the head of
// the department's CMS signature. Approving an inventory of permanent dossiers gives each of
// them its archival cipher (fonds – inventory – case), which never changes afterwards.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
CREATE TABLE inventories (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  fonds_number text NOT NULL CHECK (length(fonds_number) BETWEEN 1 AND 50),
  number integer NOT NULL CHECK (number >= 1),
  department_code text NOT NULL,
  year integer NOT NULL CHECK (year BETWEEN 1900 AND 2200),
  category text NOT NULL CHECK (category IN ('permanent', 'over_10', 'personnel')),
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'approved', 'discarded')),
  compiler jsonb NOT NULL,
  commission jsonb,
  handed_over jsonb,
  accepted_by jsonb,
  renditions jsonb,
  approval jsonb,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  approved_at timestamptz,
  discarded_at timestamptz,
  discard_reason text,
  CHECK ((status = 'approved') = (approved_at IS NOT NULL AND approval IS NOT NULL))
);
-- One number per fonds; a discarded draft gives its number back.
CREATE UNIQUE INDEX inventories_fonds_number ON inventories (fonds_number, number) WHERE status <> 'discarded';
CREATE INDEX inventories_department_year ON inventories (department_code, year);

CREATE TABLE inventory_items (
  inventory_id uuid NOT NULL REFERENCES inventories(id),
  sequence integer NOT NULL CHECK (sequence >= 1),
  dossier_id uuid NOT NULL REFERENCES dossiers(id),
  case_index text NOT NULL,
  title text NOT NULL,
  start_date text,
  end_date text,
  document_count integer NOT NULL,
  size_bytes bigint NOT NULL,
  retention jsonb NOT NULL,
  note text,
  released boolean NOT NULL DEFAULT false,
  PRIMARY KEY (inventory_id, sequence)
);
-- A dossier is listed in one inventory at a time (a discarded draft releases its dossiers).
CREATE UNIQUE INDEX inventory_items_dossier ON inventory_items (dossier_id) WHERE NOT released;

CREATE TABLE archival_ciphers (
  dossier_id uuid PRIMARY KEY REFERENCES dossiers(id),
  inventory_id uuid NOT NULL REFERENCES inventories(id),
  fonds_number text NOT NULL,
  inventory_number integer NOT NULL,
  case_number integer NOT NULL CHECK (case_number >= 1),
  code text NOT NULL,
  given_by text NOT NULL,
  given_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (fonds_number, inventory_number, case_number)
);

-- p.181: the cipher is the dossier's place in the fonds; once given it is never changed or taken back.
CREATE FUNCTION archival_ciphers_frozen() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'an archival cipher is never changed or removed (dossier %)', OLD.dossier_id;
END
$fn$;
CREATE TRIGGER archival_ciphers_frozen BEFORE UPDATE OR DELETE ON archival_ciphers FOR EACH ROW EXECUTE FUNCTION archival_ciphers_frozen();

-- An approved inventory is a signed record: its rows and its approval stay as signed.
CREATE FUNCTION inventories_approved_frozen() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.status = 'approved' THEN RAISE EXCEPTION 'an approved inventory is never deleted (%)', OLD.id; END IF;
    RETURN OLD;
  END IF;
  IF OLD.status = 'approved' THEN RAISE EXCEPTION 'an approved inventory is never changed (%)', OLD.id; END IF;
  RETURN NEW;
END
$fn$;
CREATE TRIGGER inventories_approved_frozen BEFORE UPDATE OR DELETE ON inventories FOR EACH ROW EXECUTE FUNCTION inventories_approved_frozen();
`.execute(db);
}
