import { sql, type Kysely } from 'kysely';

// Full-text search (issue 13, docs/search.md). One row per stored dossier (position 0) and per
// document of it (its position), kept by triggers on dossiers, dossier_documents and
// search_texts, so every path that stores or changes a dossier indexes it without knowing.
// Vectors use the 'russian' configuration (Russian stemming; Kazakh and other words pass through
// lower-cased, so prefix queries match Kazakh suffixes); the vocabulary of surface words with a
// trigram index finds the words a misspelt query term meant (pg_trgm).
//
// pg_trgm is created in `public`, never in the current schema: test suites on one server each
// migrate their own schema and drop it afterwards, and an extension created there would vanish
// under the others. Its operator class is named with the schema it actually lives in (a server
// may have had it installed elsewhere before), read from pg_extension.
export async function up(db: Kysely<any>): Promise<void> {
  // Two schemas migrating at once would both try to create the extension; one waits here.
  await sql`SELECT pg_advisory_xact_lock(2026120705)`.execute(db);
  await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public`.execute(db);
  const { rows } = await sql<{ schema: string }>`SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'`.execute(db);
  const trgm = rows[0]?.schema ?? 'public';

  await sql`
CREATE TABLE search_texts (
  document_id uuid PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
  rendition_sha256 text,
  content text NOT NULL,
  chars integer NOT NULL,
  truncated boolean NOT NULL DEFAULT false,
  extracted_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE search_entries (
  dossier_id uuid NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
  position integer NOT NULL,
  document_id uuid REFERENCES documents (id) ON DELETE CASCADE,
  title text NOT NULL,
  case_index text NOT NULL,
  fonds text,
  year integer,
  department text,
  doc_kind text,
  languages text[] NOT NULL DEFAULT '{}',
  retention text,
  doc_date date,
  vector tsvector NOT NULL,
  PRIMARY KEY (dossier_id, position)
);
CREATE INDEX search_entries_vector ON search_entries USING gin (vector);
CREATE INDEX search_entries_year ON search_entries (year);
CREATE INDEX search_entries_fonds ON search_entries (fonds);
CREATE INDEX search_entries_department ON search_entries (department);
CREATE INDEX search_entries_document ON search_entries (document_id);

CREATE TABLE search_words (
  word text PRIMARY KEY
);

-- Dossiers the search must never show again (destroyed: their text is deleted with them).
CREATE TABLE search_withdrawn (
  dossier_id uuid PRIMARY KEY,
  reason text NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);
`.execute(db);
  await sql.raw(`CREATE INDEX search_words_trgm ON search_words USING gin (word ${trgm}.gin_trgm_ops)`).execute(db);

  await sql`
-- Text the search reads: markers of highlighted snippets (⟦ ⟧) never come from a document.
CREATE FUNCTION search_clean(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT translate(coalesce(t, ''), '⟦⟧', '')
$$;

-- Surface words (lower-cased, 3 to 40 characters, letters only) for the misspelling look-up.
CREATE FUNCTION search_add_words(t text) RETURNS void LANGUAGE sql AS $$
  INSERT INTO search_words (word)
  SELECT lexeme FROM unnest(to_tsvector('simple', t))
  WHERE char_length(lexeme) BETWEEN 3 AND 40 AND lexeme !~ '[0-9_.@/\\-]'
  ON CONFLICT DO NOTHING
$$;

-- A document's date, or null for anything that is not one (the index never refuses a row).
CREATE FUNCTION search_date(t text) RETURNS date LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF t IS NULL OR t !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN RETURN NULL; END IF;
  RETURN t::date;
EXCEPTION WHEN others THEN
  RETURN NULL;
END
$$;

CREATE FUNCTION search_index_dossier(p_dossier uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  meta_words text;
BEGIN
  INSERT INTO search_entries AS e (dossier_id, position, document_id, title, case_index, fonds, year, department, doc_kind, languages, retention, doc_date, vector)
  SELECT d.id, 0, NULL, d.title, d.case_index, d.metadata->>'fonds',
         coalesce(d.year, CASE WHEN d.metadata->>'year' ~ '^[0-9]{4}$' THEN (d.metadata->>'year')::int END),
         coalesce(d.department, d.metadata#>>'{department,code}'), NULL,
         CASE WHEN jsonb_typeof(d.metadata->'languages') = 'array' THEN ARRAY(SELECT jsonb_array_elements_text(d.metadata->'languages')) ELSE '{}' END,
         d.metadata#>>'{retention,kind}', NULL,
         setweight(to_tsvector('russian', search_clean(d.title)), 'A')
           || setweight(to_tsvector('russian', search_clean(concat_ws(' ', d.case_index, d.metadata#>>'{archivalCipher,code}', d.metadata#>>'{department,name}',
                d.metadata#>>'{compiledBy,name}', d.metadata#>>'{compiledBy,position}'))), 'B')
  FROM dossiers d WHERE d.id = p_dossier AND NOT EXISTS (SELECT 1 FROM search_withdrawn w WHERE w.dossier_id = d.id)
  ON CONFLICT (dossier_id, position) DO UPDATE SET
    title = EXCLUDED.title, case_index = EXCLUDED.case_index, fonds = EXCLUDED.fonds, year = EXCLUDED.year,
    department = EXCLUDED.department, languages = EXCLUDED.languages, retention = EXCLUDED.retention, vector = EXCLUDED.vector;
  SELECT concat_ws(' ', d.title, d.metadata#>>'{department,name}', d.metadata#>>'{compiledBy,name}') INTO meta_words FROM dossiers d WHERE d.id = p_dossier;
  PERFORM search_add_words(meta_words);
END
$$;

CREATE FUNCTION search_index_document(p_dossier uuid, p_position integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  words text;
BEGIN
  INSERT INTO search_entries AS e (dossier_id, position, document_id, title, case_index, fonds, year, department, doc_kind, languages, retention, doc_date, vector)
  SELECT dd.dossier_id, dd.position, dd.document_id, coalesce(dd.metadata->>'title', ''), d.case_index, d.metadata->>'fonds',
         coalesce(d.year, CASE WHEN d.metadata->>'year' ~ '^[0-9]{4}$' THEN (d.metadata->>'year')::int END),
         coalesce(d.department, d.metadata#>>'{department,code}'),
         lower(dd.metadata->>'kind'),
         CASE WHEN dd.metadata->>'language' IS NULL THEN '{}' ELSE ARRAY[dd.metadata->>'language'] END,
         d.metadata#>>'{retention,kind}',
         search_date(dd.metadata->>'date'),
         setweight(to_tsvector('russian', search_clean(dd.metadata->>'title')), 'A')
           || setweight(to_tsvector('russian', search_clean(concat_ws(' ', dd.metadata->>'kind', dd.metadata->>'number', dd.metadata#>>'{author,name}',
                dd.metadata#>>'{author,position}', dd.metadata#>>'{author,organisation}', d.case_index, d.metadata#>>'{archivalCipher,code}'))), 'B')
           || setweight(to_tsvector('russian', search_clean(concat_ws(' ', d.title, d.metadata#>>'{department,name}'))), 'C')
           || setweight(to_tsvector('russian', left(coalesce(t.content, ''), 400000)), 'D')
  FROM dossier_documents dd
  JOIN dossiers d ON d.id = dd.dossier_id
  LEFT JOIN search_texts t ON t.document_id = dd.document_id
  WHERE dd.dossier_id = p_dossier AND dd.position = p_position AND NOT EXISTS (SELECT 1 FROM search_withdrawn w WHERE w.dossier_id = d.id)
  ON CONFLICT (dossier_id, position) DO UPDATE SET
    document_id = EXCLUDED.document_id, title = EXCLUDED.title, case_index = EXCLUDED.case_index, fonds = EXCLUDED.fonds,
    year = EXCLUDED.year, department = EXCLUDED.department, doc_kind = EXCLUDED.doc_kind, languages = EXCLUDED.languages,
    retention = EXCLUDED.retention, doc_date = EXCLUDED.doc_date, vector = EXCLUDED.vector;
  SELECT concat_ws(' ', dd.metadata->>'title', dd.metadata->>'kind', dd.metadata#>>'{author,name}', left(coalesce(t.content, ''), 400000)) INTO words
  FROM dossier_documents dd LEFT JOIN search_texts t ON t.document_id = dd.document_id
  WHERE dd.dossier_id = p_dossier AND dd.position = p_position;
  PERFORM search_add_words(words);
END
$$;

CREATE FUNCTION search_on_dossier() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM search_index_dossier(NEW.id);
  IF TG_OP = 'UPDATE' THEN
    PERFORM search_index_document(NEW.id, dd.position) FROM dossier_documents dd WHERE dd.dossier_id = NEW.id;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER search_dossier_insert AFTER INSERT ON dossiers FOR EACH ROW EXECUTE FUNCTION search_on_dossier();
-- Only what the index reads: a re-sealed AIP (new manifest hash) changes nothing searchable.
CREATE TRIGGER search_dossier_update AFTER UPDATE ON dossiers FOR EACH ROW
  WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.case_index IS DISTINCT FROM NEW.case_index OR OLD.year IS DISTINCT FROM NEW.year
        OR OLD.department IS DISTINCT FROM NEW.department
        OR OLD.metadata - 'integrity' - 'inventory' IS DISTINCT FROM NEW.metadata - 'integrity' - 'inventory')
  EXECUTE FUNCTION search_on_dossier();

CREATE FUNCTION search_on_dossier_document() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM search_entries WHERE dossier_id = OLD.dossier_id AND position = OLD.position;
    RETURN NULL;
  END IF;
  IF TG_OP = 'UPDATE' AND (OLD.dossier_id, OLD.position) IS DISTINCT FROM (NEW.dossier_id, NEW.position) THEN
    DELETE FROM search_entries WHERE dossier_id = OLD.dossier_id AND position = OLD.position;
  END IF;
  PERFORM search_index_document(NEW.dossier_id, NEW.position);
  RETURN NULL;
END
$$;
CREATE TRIGGER search_dossier_document AFTER INSERT OR UPDATE OR DELETE ON dossier_documents FOR EACH ROW EXECUTE FUNCTION search_on_dossier_document();

CREATE FUNCTION search_on_text() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM search_index_document(dd.dossier_id, dd.position) FROM dossier_documents dd
  WHERE dd.document_id = CASE WHEN TG_OP = 'DELETE' THEN OLD.document_id ELSE NEW.document_id END;
  RETURN NULL;
END
$$;
CREATE TRIGGER search_text AFTER INSERT OR UPDATE OR DELETE ON search_texts FOR EACH ROW EXECUTE FUNCTION search_on_text();

-- A destroyed dossier (destruction/, when installed) leaves the search with its text.
CREATE FUNCTION search_withdraw(p_dossier uuid, p_reason text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO search_withdrawn (dossier_id, reason) VALUES (p_dossier, p_reason) ON CONFLICT (dossier_id) DO NOTHING;
  DELETE FROM search_texts WHERE document_id IN (SELECT document_id FROM dossier_documents WHERE dossier_id = p_dossier);
  DELETE FROM search_entries WHERE dossier_id = p_dossier;
END
$$;
CREATE FUNCTION search_on_destroyed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM search_withdraw(NEW.dossier_id, 'destroyed');
  RETURN NULL;
END
$$;
DO $$
BEGIN
  IF to_regclass('destroyed_dossiers') IS NOT NULL THEN
    CREATE TRIGGER search_destroyed AFTER INSERT ON destroyed_dossiers FOR EACH ROW EXECUTE FUNCTION search_on_destroyed();
    PERFORM search_withdraw(dossier_id, 'destroyed') FROM destroyed_dossiers;
  END IF;
END
$$;

-- Dossiers stored before this migration: their metadata now; their text by muragat search reindex.
SELECT search_index_dossier(id) FROM dossiers;
SELECT search_index_document(dossier_id, position) FROM dossier_documents;
`.execute(db);
}
