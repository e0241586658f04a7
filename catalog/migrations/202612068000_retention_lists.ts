import { sql, type Kysely } from 'kysely';

// Retention list (перечень, BRIEF §7, p.153), versioned: an import adds a version and never
// changes an earlier one, so a dossier keeps the version it was given. The version is given
// by a trigger when the dossier row is written (whatever path stores it), and kept in a table
// of its own so the dossiers table stays the ingest domain's.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
CREATE TABLE retention_lists (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  version integer NOT NULL UNIQUE CHECK (version >= 1),
  title text NOT NULL,
  source_name text,
  source_format text NOT NULL CHECK (source_format IN ('csv', 'json')),
  imported_by text NOT NULL,
  imported_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE retention_articles (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  list_id uuid NOT NULL REFERENCES retention_lists(id),
  position integer NOT NULL CHECK (position >= 1),
  article text NOT NULL CHECK (length(article) BETWEEN 1 AND 50),
  document_type_kk text NOT NULL,
  document_type_ru text NOT NULL,
  retention_kind text NOT NULL CHECK (retention_kind IN ('permanent', 'years', 'years_epk', 'until_needed')),
  retention_years integer CHECK (retention_years BETWEEN 1 AND 100),
  note text,
  CHECK ((retention_kind IN ('years', 'years_epk')) = (retention_years IS NOT NULL)),
  UNIQUE (list_id, article),
  UNIQUE (list_id, position)
);
CREATE TABLE dossier_retention_lists (
  dossier_id uuid PRIMARY KEY REFERENCES dossiers(id) ON DELETE CASCADE,
  list_id uuid NOT NULL REFERENCES retention_lists(id),
  assigned_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dossier_retention_lists_list ON dossier_retention_lists (list_id);

-- A new dossier is given the latest version there is at the time (none yet: no row).
CREATE FUNCTION dossiers_give_retention_list() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  INSERT INTO dossier_retention_lists (dossier_id, list_id)
  SELECT NEW.id, id FROM retention_lists ORDER BY version DESC LIMIT 1;
  RETURN NULL;
END
$fn$;
CREATE TRIGGER dossiers_give_retention_list AFTER INSERT ON dossiers FOR EACH ROW EXECUTE FUNCTION dossiers_give_retention_list();

-- Versions are history: neither a list nor its articles change once imported.
CREATE FUNCTION retention_lists_frozen() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'retention list versions are not changed or deleted (%)', TG_TABLE_NAME;
END
$fn$;
CREATE TRIGGER retention_lists_frozen BEFORE UPDATE OR DELETE ON retention_lists FOR EACH ROW EXECUTE FUNCTION retention_lists_frozen();
CREATE TRIGGER retention_articles_frozen BEFORE UPDATE OR DELETE ON retention_articles FOR EACH ROW EXECUTE FUNCTION retention_lists_frozen();
`.execute(db);
}
