import { sql, type Kysely } from 'kysely';

// The lexemes of the search vectors (docs/search.md "Prefixes"), so that a query word's prefix is
// searched as the explicit list of the lexemes that start with it. GIN answers a prefix (`'x':*`)
// by collecting every matching posting list into a bitmap of its own before the scan proper;
// on the generated catalog of 1,000,000 documents that took 93 ms for a prefix in 60,000 rows,
// against 19 ms for the same three lexemes named (bench/search, EXPLAIN in docs/search.md).
//
// Kept by a trigger on search_entries, so the list is always a superset of the lexemes of every
// vector (rows deleted leave their lexemes behind: a lexeme no row has matches nothing, so a
// superset finds exactly what the prefix finds). "C" collation: byte order, the order in which
// tsquery compares a prefix, and a btree range scan finds the lexemes of a prefix.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
CREATE TABLE search_lexemes (
  lexeme text COLLATE "C" PRIMARY KEY
);
INSERT INTO search_lexemes (lexeme)
SELECT DISTINCT l FROM search_entries, unnest(tsvector_to_array(vector)) AS l
ON CONFLICT DO NOTHING;

-- Sorted (a tsvector's lexemes are), so two transactions adding the same new lexemes take
-- their locks in the same order.
CREATE FUNCTION search_add_lexemes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO search_lexemes (lexeme) SELECT unnest(tsvector_to_array(NEW.vector)) ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;
CREATE TRIGGER search_entries_lexemes AFTER INSERT OR UPDATE OF vector ON search_entries
  FOR EACH ROW EXECUTE FUNCTION search_add_lexemes();
`.execute(db);
}
