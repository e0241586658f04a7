import { sql, type Kysely } from 'kysely';

// Researcher access rules (issue 13, p.212). The rule a transfer brought is kept in the AIP's
// metadata (it is part of the control-characteristic chain and never rewritten); an
// archivist's later decision is a row here and wins over the metadata. A personnel dossier's
// exception names one researcher and the grounds (the person themselves or an authorised body).
// No foreign key to dossiers: a destroyed dossier's rule history stays with the audit log.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
CREATE TABLE access_rules (
  target_type text NOT NULL CHECK (target_type IN ('dossier', 'document')),
  target_id uuid NOT NULL,
  dossier_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('open', 'restricted', 'personal', 'official_use')),
  until date,
  before_lift text NOT NULL DEFAULT 'hidden' CHECK (before_lift IN ('hidden', 'metadata')),
  basis text,
  set_by text NOT NULL,
  set_by_user_id uuid,
  set_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (target_type, target_id),
  CHECK (kind NOT IN ('open', 'official_use') OR until IS NULL)
);
CREATE INDEX access_rules_dossier ON access_rules (dossier_id);

CREATE TABLE access_exceptions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id),
  dossier_id uuid NOT NULL,
  grounds text NOT NULL CHECK (grounds IN ('data_subject', 'authorised_body')),
  reference text NOT NULL,
  granted_by text NOT NULL,
  granted_by_user_id uuid,
  granted_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  revoked_by text,
  revoke_reason text
);
CREATE INDEX access_exceptions_user_dossier ON access_exceptions (user_id, dossier_id) WHERE revoked_at IS NULL;

-- The researcher's view of one rule (access/rules.ts viewUnder says the same in TypeScript;
-- tests/access compare them case by case).
CREATE FUNCTION access_view(p_kind text, p_until date, p_before_lift text, p_today date, p_excepted boolean) RETURNS text
LANGUAGE sql IMMUTABLE AS $fn$
  SELECT CASE
    WHEN p_kind IS NULL OR p_kind = 'open' THEN 'full'
    WHEN p_kind = 'official_use' THEN 'none'
    WHEN p_kind = 'personal' AND p_excepted THEN 'full'
    WHEN p_until IS NOT NULL AND p_until <= p_today THEN 'full'
    WHEN p_before_lift = 'metadata' THEN 'metadata'
    ELSE 'none'
  END
$fn$;

CREATE FUNCTION access_narrower(a text, b text) RETURNS text
LANGUAGE sql IMMUTABLE AS $fn$
  SELECT CASE WHEN a = 'none' OR b = 'none' THEN 'none' WHEN a = 'metadata' OR b = 'metadata' THEN 'metadata' ELSE 'full' END
$fn$;

-- One dossier's or document's own rule: the archivist's row when there is one, else the
-- transfer's (the AIP metadata's "access"), else open. A date the metadata spells wrongly is
-- no date (the item stays closed) rather than an error in someone's list.
CREATE FUNCTION access_rule_view(p_type text, p_target uuid, p_dossier uuid, p_access jsonb, p_today date, p_user uuid) RETURNS text
LANGUAGE sql STABLE AS $fn$
  SELECT access_view(
    coalesce(r.kind, p_access->>'kind', 'open'),
    CASE WHEN r.kind IS NOT NULL THEN r.until
         WHEN (p_access->>'until') ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN (p_access->>'until')::date END,
    CASE WHEN r.kind IS NOT NULL THEN r.before_lift ELSE coalesce(p_access->>'beforeLift', 'hidden') END,
    p_today,
    p_user IS NOT NULL AND EXISTS (SELECT 1 FROM access_exceptions e WHERE e.user_id = p_user AND e.dossier_id = p_dossier AND e.revoked_at IS NULL))
  FROM (SELECT 1) AS one
  LEFT JOIN access_rules r ON r.target_type = p_type AND r.target_id = p_target
$fn$;

-- A dossier as a researcher sees it.
CREATE FUNCTION access_dossier_view(p_dossier uuid, p_metadata jsonb, p_today date, p_user uuid) RETURNS text
LANGUAGE sql STABLE AS $fn$
  SELECT access_rule_view('dossier', p_dossier, p_dossier, p_metadata->'access', p_today, p_user)
$fn$;

-- A document as a researcher sees it: no more open than its dossier.
CREATE FUNCTION access_document_view(p_document uuid, p_dossier uuid, p_access jsonb, p_today date, p_user uuid) RETURNS text
LANGUAGE sql STABLE AS $fn$
  SELECT access_narrower(
    coalesce((SELECT access_dossier_view(d.id, d.metadata, p_today, p_user) FROM dossiers d WHERE d.id = p_dossier), 'none'),
    access_rule_view('document', p_document, p_dossier, p_access, p_today, p_user))
$fn$;
`.execute(db);
}
