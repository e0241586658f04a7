import { sql, type Kysely } from 'kysely';

// A document's text is made into its search vector and its words when the text is kept, not
// when its dossier is indexed. At ingest the text is kept while LibreOffice still converts the
// transfer's other files (ingest/pipeline/steps/convert.ts); the index step comes after the last
// of them and waited for this work (to_tsvector over every text, twice). Indexing now takes the
// text's vector as it is, and adds its words to the vocabulary from the kept list; what is
// searchable, and when, does not change: the words still reach search_words only with their
// dossier. A text kept before this migration has neither, and is read as before.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
ALTER TABLE search_texts ADD COLUMN vector tsvector;
ALTER TABLE search_texts ADD COLUMN words text[];

-- The surface words search_add_words takes from a text (same rule), as a list.
CREATE FUNCTION search_words_of(t text) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(array_agg(lexeme), '{}') FROM unnest(to_tsvector('simple', t))
  WHERE char_length(lexeme) BETWEEN 3 AND 40 AND lexeme !~ '[0-9_.@/\\-]'
$$;

CREATE FUNCTION search_on_text_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.vector := setweight(to_tsvector('russian', left(NEW.content, 400000)), 'D');
  NEW.words := search_words_of(left(NEW.content, 400000));
  RETURN NEW;
END
$$;
CREATE TRIGGER search_text_kept BEFORE INSERT OR UPDATE OF content ON search_texts FOR EACH ROW EXECUTE FUNCTION search_on_text_kept();

CREATE OR REPLACE FUNCTION search_index_document(p_dossier uuid, p_position integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  words text;
  text_words text[];
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
           || coalesce(t.vector, setweight(to_tsvector('russian', left(coalesce(t.content, ''), 400000)), 'D'))
  FROM dossier_documents dd
  JOIN dossiers d ON d.id = dd.dossier_id
  LEFT JOIN search_texts t ON t.document_id = dd.document_id
  WHERE dd.dossier_id = p_dossier AND dd.position = p_position AND NOT EXISTS (SELECT 1 FROM search_withdrawn w WHERE w.dossier_id = d.id)
  ON CONFLICT (dossier_id, position) DO UPDATE SET
    document_id = EXCLUDED.document_id, title = EXCLUDED.title, case_index = EXCLUDED.case_index, fonds = EXCLUDED.fonds,
    year = EXCLUDED.year, department = EXCLUDED.department, doc_kind = EXCLUDED.doc_kind, languages = EXCLUDED.languages,
    retention = EXCLUDED.retention, doc_date = EXCLUDED.doc_date, vector = EXCLUDED.vector;
  SELECT concat_ws(' ', dd.metadata->>'title', dd.metadata->>'kind', dd.metadata#>>'{author,name}', CASE WHEN t.words IS NULL THEN left(t.content, 400000) END), t.words
  INTO words, text_words
  FROM dossier_documents dd LEFT JOIN search_texts t ON t.document_id = dd.document_id
  WHERE dd.dossier_id = p_dossier AND dd.position = p_position;
  PERFORM search_add_words(words);
  IF text_words IS NOT NULL THEN
    INSERT INTO search_words (word) SELECT unnest(text_words) ON CONFLICT DO NOTHING;
  END IF;
END
$$;
`.execute(db);
}

