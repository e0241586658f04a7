import { sql, type Kysely } from 'kysely';

// Appraisal (issue 12): the appraiser's decision per dossier, retention changed by the expert
// commission's decision, holds (legal or audit) on a dossier, a series (case index) or a year,
// and destruction acts (BRIEF §9) with their rows, stored renditions and the head's signature.
// Decisions, holds and retention changes are history: a decision is superseded by the next one
// (`current`), a hold is lifted (who, when, why), never deleted.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
CREATE TABLE appraisal_decisions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  dossier_id uuid NOT NULL REFERENCES dossiers(id),
  decision text NOT NULL CHECK (decision IN ('destroy', 'keep_permanently', 'extend')),
  extend_years integer CHECK (extend_years IS NULL OR extend_years BETWEEN 1 AND 100),
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
  status text NOT NULL CHECK (status IN ('decided', 'proposed', 'applied', 'rejected')),
  agenda_item_id text,
  current boolean NOT NULL DEFAULT true,
  decided_by text NOT NULL,
  decided_by_user uuid,
  decided_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz,
  protocol jsonb,
  CHECK ((decision = 'extend') = (extend_years IS NOT NULL))
);
CREATE UNIQUE INDEX appraisal_decisions_current ON appraisal_decisions (dossier_id) WHERE current;

CREATE TABLE appraisal_retention_changes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  dossier_id uuid NOT NULL REFERENCES dossiers(id),
  decision_id uuid NOT NULL REFERENCES appraisal_decisions(id),
  previous jsonb NOT NULL,
  retention jsonb NOT NULL,
  protocol jsonb NOT NULL,
  applied_by text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX appraisal_retention_changes_dossier ON appraisal_retention_changes (dossier_id, applied_at);

CREATE TABLE appraisal_holds (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  scope text NOT NULL CHECK (scope IN ('dossier', 'series', 'year')),
  dossier_id uuid REFERENCES dossiers(id),
  case_index text,
  year integer CHECK (year IS NULL OR year BETWEEN 1000 AND 9999),
  kind text NOT NULL CHECK (kind IN ('legal', 'audit')),
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
  placed_by text NOT NULL,
  placed_by_user uuid,
  placed_at timestamptz NOT NULL DEFAULT now(),
  lifted_by text,
  lifted_by_user uuid,
  lifted_at timestamptz,
  lift_reason text,
  CHECK ((scope = 'dossier') = (dossier_id IS NOT NULL)),
  CHECK ((scope = 'series') = (case_index IS NOT NULL)),
  CHECK ((scope = 'year') = (year IS NOT NULL)),
  CHECK ((lifted_at IS NULL) = (lift_reason IS NULL))
);
CREATE INDEX appraisal_holds_active ON appraisal_holds (scope) WHERE lifted_at IS NULL;

CREATE TABLE destruction_acts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  number text NOT NULL,
  act_year integer NOT NULL,
  act_date date NOT NULL,
  fonds_number text,
  basis text NOT NULL CHECK (length(basis) BETWEEN 1 AND 2000),
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted', 'agreed', 'approved', 'executed')),
  appraiser jsonb NOT NULL,
  permanent_inventories jsonb NOT NULL DEFAULT '[]',
  agenda_item_id text,
  protocol jsonb,
  approval jsonb,
  execution jsonb,
  created_by text NOT NULL,
  created_by_user uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  submitted_at timestamptz,
  agreed_at timestamptz,
  approved_at timestamptz,
  executed_at timestamptz,
  UNIQUE (act_year, number)
);

CREATE TABLE destruction_act_items (
  act_id uuid NOT NULL REFERENCES destruction_acts(id) ON DELETE CASCADE,
  dossier_id uuid NOT NULL REFERENCES dossiers(id),
  position integer NOT NULL,
  case_index text NOT NULL,
  heading text NOT NULL,
  year integer,
  department text,
  start_date text,
  end_date text,
  retention jsonb NOT NULL,
  inventory_number text,
  PRIMARY KEY (act_id, dossier_id)
);
CREATE INDEX destruction_act_items_dossier ON destruction_act_items (dossier_id);

CREATE TABLE destruction_act_renditions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  act_id uuid NOT NULL REFERENCES destruction_acts(id),
  language text NOT NULL CHECK (language IN ('kk', 'ru')),
  status_at_render text NOT NULL,
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size bigint NOT NULL CHECK (size >= 0),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  signature_sha256 text CHECK (signature_sha256 ~ '^[0-9a-f]{64}$'),
  signer jsonb,
  signed_by text,
  signed_at timestamptz,
  CHECK ((signature_sha256 IS NULL) = (signed_at IS NULL))
);
CREATE INDEX destruction_act_renditions_act ON destruction_act_renditions (act_id, created_at);
`.execute(db);
}
