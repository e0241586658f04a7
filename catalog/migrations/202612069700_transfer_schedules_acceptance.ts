import { sql, type Kysely } from 'kysely';

// Transfer schedules (App. 31, p.207) and the archive's acceptance of transfers (App. 33).
// A schedule is drafted by the archive (a row per department: deadline, responsible user) and
// approved by the organisation head; an approved schedule is frozen (triggers refuse changes to
// its rows). The acceptance decision is the archive's step after a transfer is stored: accepted
// (with its act) or returned (with its reason). It lives in tables of its own, so the
// transfers table and its state machine stay the ingest domain's; one decision per transfer.
// The act keeps a snapshot of its table (per dossier: index, documents, files, signatures,
// bytes, retention) so the legal record never changes when the catalog does.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
CREATE TABLE transfer_schedules (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  year integer NOT NULL UNIQUE CHECK (year BETWEEN 1900 AND 2999),
  records_year integer NOT NULL CHECK (records_year BETWEEN 1900 AND 2999),
  number text,
  place text,
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'approved')),
  compiled_by uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  approved_by uuid REFERENCES users(id),
  approved_at timestamptz,
  CHECK ((status = 'approved') = (approved_at IS NOT NULL))
);
CREATE TABLE transfer_schedule_rows (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  schedule_id uuid NOT NULL REFERENCES transfer_schedules(id),
  position integer NOT NULL CHECK (position >= 1),
  department_id uuid NOT NULL REFERENCES departments(id),
  deadline date NOT NULL,
  responsible_id uuid NOT NULL REFERENCES users(id),
  note text,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (schedule_id, department_id),
  UNIQUE (schedule_id, position)
);
CREATE INDEX transfer_schedule_rows_responsible ON transfer_schedule_rows (responsible_id);

-- An approved schedule is a signed record: its rows no longer change.
CREATE FUNCTION transfer_schedule_rows_frozen() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE s text;
BEGIN
  SELECT status INTO s FROM transfer_schedules WHERE id = coalesce(NEW.schedule_id, OLD.schedule_id);
  IF s = 'approved' THEN
    RAISE EXCEPTION 'the rows of an approved transfer schedule are not changed';
  END IF;
  RETURN coalesce(NEW, OLD);
END
$fn$;
CREATE TRIGGER transfer_schedule_rows_frozen BEFORE INSERT OR UPDATE OR DELETE ON transfer_schedule_rows
  FOR EACH ROW EXECUTE FUNCTION transfer_schedule_rows_frozen();

CREATE TABLE acceptance_acts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  number integer NOT NULL CHECK (number >= 1),
  act_year integer NOT NULL,
  transfer_id uuid NOT NULL UNIQUE REFERENCES transfers(id),
  department text NOT NULL,
  records_years text NOT NULL,
  handed_over_by uuid REFERENCES users(id),
  handed_over jsonb NOT NULL,
  accepted_by uuid REFERENCES users(id),
  accepted jsonb NOT NULL,
  state_of_documents text NOT NULL,
  rows jsonb NOT NULL,
  totals jsonb NOT NULL,
  status text NOT NULL DEFAULT 'accepted' CHECK (status IN ('accepted', 'approved')),
  approved_by uuid REFERENCES users(id),
  approved jsonb,
  approved_at timestamptz,
  renditions jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (act_year, number)
);

CREATE TABLE transfer_acceptances (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  transfer_id uuid NOT NULL UNIQUE REFERENCES transfers(id),
  decision text NOT NULL CHECK (decision IN ('accepted', 'returned')),
  reason text,
  act_id uuid REFERENCES acceptance_acts(id),
  schedule_row_id uuid REFERENCES transfer_schedule_rows(id),
  decided_by uuid REFERENCES users(id),
  decided_by_name text NOT NULL,
  decided_at timestamptz NOT NULL DEFAULT now(),
  CHECK (decision <> 'returned' OR (reason IS NOT NULL AND length(btrim(reason)) > 0)),
  CHECK ((decision = 'accepted') = (act_id IS NOT NULL))
);
CREATE INDEX transfer_acceptances_row ON transfer_acceptances (schedule_row_id);
`.execute(db);
}
