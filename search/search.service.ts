// Full-text search over the catalog (docs/search.md): dossier and document metadata and the
// text of the renditions, one row each in search_entries. A query word matches
//   - its Russian stem ('russian' configuration: «приказа» finds «приказ»),
//   - as a prefix (Kazakh suffixes: «мектеп» finds «мектептің»; any case, as vectors are
//     lower-cased),
//   - and, when the catalog knows no word starting with it, the catalog words most similar to it
//     by trigrams (pg_trgm), so a misspelt word still finds what it meant.
// Who sees what: researchers only what the access rules let them (access/), staff their
// departments (access/policy scopeOf).
import { sql, type Kysely, type RawBuilder, type SelectQueryBuilder } from 'kysely';
import type { Database } from '../database/database';
import type { DepartmentScope } from '../access';
import { documentViewJoinedSql, dossierViewSql, type ResearcherContext } from '../access/researcher-filter';
import { queryTerms, type SearchFilters, type SearchInput } from './query';

/** Who searches: staff within their department scope, or a researcher at a moment in time. */
export type SearchViewer =
  | { kind: 'staff'; scope: DepartmentScope }
  | { kind: 'researcher'; now: Date; userId: string | null };

/** Part of a highlighted text: `hit` parts are the words the query matched. */
export interface SnippetPart {
  text: string;
  hit?: true;
}

export interface SearchHit {
  type: 'dossier' | 'document';
  dossierId: string;
  caseIndex: string;
  volume: number;
  year: number | null;
  fonds: string | null;
  department: string | null;
  retention: string | null;
  dossierTitle: string;
  /** The document's position in its dossier (documents only). */
  position: number | null;
  documentId: string | null;
  title: SnippetPart[];
  kind: string | null;
  date: string | null;
  languages: string[];
  /** Where in the rendition's text the words are (documents with text that matched). */
  snippet: SnippetPart[] | null;
  rank: number;
}

export interface SearchResult {
  q: string;
  /** The words searched and, for misspelt ones, the catalog words searched instead. */
  terms: { term: string; similar: string[] }[];
  filters: SearchFilters;
  /** Matches, counted up to COUNT_CAP; `totalCapped` says there are more. */
  total: number;
  totalCapped: boolean;
  limit: number;
  offset: number;
  hits: SearchHit[];
}

/** Matches counted and ranked (see search()): beyond, totalCapped says there are more. */
export const COUNT_CAP = 1_000;
/**
 * Similar words taken for one misspelt term. How similar they must be is pg_trgm's own
 * thresholds: similarity 0.3 for the whole word (%), 0.6 for the term within a longer word (<%).
 */
const SIMILAR_WORDS = 4;
/** Matches ranked for a page (see search()); a query with more ranks the first ones found. */
export const RANK_WINDOW = COUNT_CAP;
/** Characters of a rendition's text read for its snippet. */
const SNIPPET_SOURCE_CHARS = 100_000;

const HEADLINE_TEXT = 'StartSel=⟦, StopSel=⟧, MaxWords=28, MinWords=10, MaxFragments=2, FragmentDelimiter=" … "';
const HEADLINE_TITLE = 'StartSel=⟦, StopSel=⟧, HighlightAll=true';

type SearchQueryTables = Database & { e: Database['search_entries']; d: Database['dossiers']; dd: Database['dossier_documents'] };
interface PageRow {
  dossier_id: string;
  position: number;
  document_id: string | null;
  case_index: string;
  fonds: string | null;
  year: number | null;
  department: string | null;
  doc_kind: string | null;
  languages: string[] | null;
  retention: string | null;
  volume: number;
  dossier_title: string;
  view: 'full' | 'metadata' | 'none';
  rank: number;
  doc_date: string | null;
  matched: number;
  title_marked: string;
  snippet_marked: string | null;
}
type EntryQuery<O> = SelectQueryBuilder<SearchQueryTables, 'e' | 'd' | 'dd', O>;

const trgmSchemas = new WeakMap<Kysely<Database>, Promise<string>>();

/** The schema pg_trgm lives in (public normally): its operators are named with it, so they resolve whatever the search_path. */
function trgmSchema(db: Kysely<Database>): Promise<string> {
  let p = trgmSchemas.get(db);
  if (!p) {
    p = sql<{ schema: string }>`SELECT n.nspname AS schema FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace WHERE x.extname = 'pg_trgm'`
      .execute(db)
      .then((r) => {
        const schema = r.rows[0]?.schema;
        if (!schema || !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error('pg_trgm is not installed (search migration 202612070500)');
        return schema;
      });
    p.catch(() => trgmSchemas.delete(db));
    trgmSchemas.set(db, p);
  }
  return p;
}

/** A tsquery operand: the word quoted (terms hold only letters and digits). */
const quoted = (w: string) => `'${w.replace(/'/g, "''").replace(/\\/g, '\\\\')}'`;

/** Terms a misspelling look-up is made for: long enough for trigrams to say something, no digits. */
const similarityCandidate = (t: string) => t.length >= 4 && !/\d/.test(t);

/**
 * For each term, the catalog words a misspelling most likely meant; empty for a term the
 * catalog knows (as a word or the start of one) and for short terms, where similarity says little.
 * search() calls it with sequential scans off: the vocabulary is small enough for the planner to
 * read it whole, and `<%` (word_similarity) over every word took 80–100 ms for 8,250 words
 * against 1 ms through the trigram index (docs/search.md).
 */
export async function similarWords(db: Kysely<Database>, terms: string[]): Promise<Map<string, string[]>> {
  return similarWordsIn(db, terms, () => trgmSchema(db));
}

/** similarWords on a transaction; the schema is asked of the root database (cached per instance). */
async function similarWordsIn(db: Kysely<Database>, terms: string[], schemaOf: () => Promise<string>): Promise<Map<string, string[]>> {
  const result = new Map<string, string[]>();
  const candidates = terms.filter(similarityCandidate);
  if (!candidates.length) return result;
  const schema = await schemaOf();
  const known = await sql<{ term: string; known: boolean }>`
    SELECT t.term, EXISTS (SELECT 1 FROM search_words w WHERE w.word LIKE t.term || '%') AS known
    FROM unnest(${candidates}::text[]) AS t(term)`.execute(db);
  for (const row of known.rows) {
    if (row.known) continue;
    const similar = await sql<{ word: string }>`
      SELECT word FROM search_words
      WHERE word ${sql.raw(`OPERATOR(${schema}.%)`)} ${row.term} OR ${row.term} ${sql.raw(`OPERATOR(${schema}.<%)`)} word
      ORDER BY greatest(${sql.raw(`${schema}.similarity`)}(word, ${row.term}), ${sql.raw(`${schema}.word_similarity`)}(${row.term}, word)) DESC, word
      LIMIT ${SIMILAR_WORDS}`.execute(db);
    const words = similar.rows.map((r) => r.word).filter((w) => w !== row.term);
    if (words.length) result.set(row.term, words);
  }
  return result;
}

/**
 * The tsquery text for the terms: every term must match, each as its stem, a prefix or a similar
 * word. `metadataOnly`: matched only in the weights of metadata (A–C), never in the text (D).
 */
export function tsqueryText(terms: string[], similar: Map<string, string[]>, metadataOnly = false): string {
  const w = metadataOnly ? 'ABC' : '';
  return terms
    .map((t) => {
      const alternatives = [`${quoted(t)}${w ? `:${w}` : ''}`];
      if (t.length >= 3) alternatives.push(`${quoted(t)}:*${w}`);
      for (const s of similar.get(t) ?? []) alternatives.push(`${quoted(s)}${w ? `:${w}` : ''}`);
      return `(${alternatives.join(' | ')})`;
    })
    .join(' & ');
}

/** Lexemes a prefix is searched as at most; a shorter prefix is left to GIN's prefix match. */
const PREFIX_LEXEMES = 64;

interface WordLexemes {
  word: string;
  /** The word's lexemes under the 'russian' configuration (to_tsquery stems a term to the same). */
  lexemes: string[];
  /** The catalog's lexemes starting with the word's one lexeme (PREFIX_LEXEMES + 1 at most); null when not asked or not computable. */
  prefixed: string[] | null;
}

/**
 * The query the index is asked (the WHERE of search()): the same rows as
 * `to_tsquery('russian', tsqueryText(terms, similar))`, with each prefix (`'x':*`) replaced by the
 * lexemes of search_lexemes that start with it, named. GIN answers a named lexeme from its posting
 * list, but a prefix by first collecting every matching list into a bitmap of its own: 93 ms
 * against 19 ms for the same three lexemes on the 1,000,000-document catalog (docs/search.md).
 * search_lexemes holds every lexeme of every vector (a trigger keeps it), so the lexemes named are
 * all the prefix could match, and a term's own stem matches through them too. A term not
 * reducible to one lexeme (a stop word, a word the parser splits) or a prefix with more than
 * PREFIX_LEXEMES lexemes keeps its tsqueryText form; ranking and snippets use tsqueryText as before.
 */
export async function matchQuery(db: Kysely<Database>, terms: string[], similar: Map<string, string[]>, metadataOnly = false): Promise<RawBuilder<unknown>> {
  const words = new Map<string, boolean>();
  for (const t of terms) {
    words.set(t, t.length >= 3);
    for (const s of similar.get(t) ?? []) if (!words.has(s)) words.set(s, false);
  }
  const { rows } = await sql<WordLexemes>`
    SELECT w.word, l.lexemes,
      CASE WHEN w.prefix AND cardinality(l.lexemes) = 1 AND ascii(right(l.lexemes[1], 1)) BETWEEN 1 AND 55294 THEN ARRAY(
        SELECT x.lexeme FROM search_lexemes x
        WHERE x.lexeme >= l.lexemes[1] COLLATE "C" AND x.lexeme < (left(l.lexemes[1], -1) || chr(ascii(right(l.lexemes[1], 1)) + 1)) COLLATE "C"
        ORDER BY x.lexeme LIMIT ${PREFIX_LEXEMES + 1})
      END AS prefixed
    FROM unnest(${[...words.keys()]}::text[], ${[...words.values()]}::boolean[]) AS w(word, prefix)
    CROSS JOIN LATERAL (SELECT tsvector_to_array(to_tsvector('russian', w.word)) AS lexemes) l`.execute(db);
  const of = new Map(rows.map((r) => [r.word, r]));
  const weight = metadataOnly ? ':ABC' : '';
  const named: string[] = [];
  const kept: string[] = [];
  for (const t of terms) {
    const own = of.get(t);
    const alternatives = new Set<string>();
    let ok = own !== undefined && own.lexemes.length === 1;
    if (ok) alternatives.add(own!.lexemes[0]!);
    if (ok && t.length >= 3) {
      if (own!.prefixed === null || own!.prefixed.length > PREFIX_LEXEMES) ok = false;
      else for (const l of own!.prefixed) alternatives.add(l);
    }
    for (const s of similar.get(t) ?? []) {
      const lexemes = of.get(s)?.lexemes;
      if (!lexemes || lexemes.length > 1) ok = false;
      // A stop word among the similar words: to_tsquery leaves it out of the alternatives too.
      else if (lexemes.length === 1) alternatives.add(lexemes[0]!);
    }
    if (ok) named.push(`(${[...alternatives].map((l) => `${quoted(l)}${weight}`).join(' | ')})`);
    else kept.push(t);
  }
  const parts: RawBuilder<unknown>[] = [];
  if (named.length) parts.push(sql`${named.join(' & ')}::tsquery`);
  // && of tsqueries ignores an empty operand, as to_tsquery leaves out a stop word's group.
  if (kept.length) parts.push(sql`to_tsquery('russian', ${tsqueryText(kept, similar, metadataOnly)})`);
  return parts.length ? sql.join(parts, sql` && `) : sql`to_tsquery('russian', ${tsqueryText(terms, similar, metadataOnly)})`;
}

/** A query matching more rows than this, and this share of them, is read in key order (search()). */
const DENSE_ROWS = 50_000;
const DENSE_SHARE = 0.08;

/** Whether the planner expects the match to hold for a large share of the rows (its statistics of the lexemes). */
async function denseMatch(db: Kysely<Database>, match: RawBuilder<unknown>): Promise<boolean> {
  const plan = await sql<{ 'QUERY PLAN': unknown }>`EXPLAIN (FORMAT JSON) SELECT 1 FROM search_entries e WHERE e.vector @@ (${match})`.execute(db);
  const raw = plan.rows[0]?.['QUERY PLAN'];
  const parsed = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan?: { 'Plan Rows'?: number } }[];
  const expected = Number(parsed?.[0]?.Plan?.['Plan Rows'] ?? 0);
  if (expected < DENSE_ROWS) return false;
  const size = await sql<{ rows: number }>`SELECT reltuples::float8 AS rows FROM pg_class WHERE oid = to_regclass('search_entries')`.execute(db);
  return expected >= DENSE_SHARE * Number(size.rows[0]?.rows ?? Infinity);
}

export function parseHighlight(marked: string | null | undefined): SnippetPart[] {
  if (!marked) return [];
  const parts: SnippetPart[] = [];
  const re = /⟦([^⟧]*)⟧/g;
  let last = 0;
  for (let m = re.exec(marked); m; m = re.exec(marked)) {
    if (m.index > last) parts.push({ text: marked.slice(last, m.index) });
    parts.push({ text: m[1]!, hit: true });
    last = m.index + m[0].length;
  }
  if (last < marked.length) parts.push({ text: marked.slice(last) });
  return parts;
}

function applyFilters<O>(qb: EntryQuery<O>, f: SearchFilters): EntryQuery<O> {
  let q = qb;
  if (f.fonds !== undefined) q = q.where('e.fonds', '=', f.fonds);
  if (f.yearFrom !== undefined) q = q.where('e.year', '>=', f.yearFrom);
  if (f.yearTo !== undefined) q = q.where('e.year', '<=', f.yearTo);
  if (f.department !== undefined) q = q.where('e.department', '=', f.department);
  if (f.kind !== undefined) q = q.where('e.doc_kind', '=', f.kind);
  if (f.language !== undefined) q = q.where(sql<boolean>`${f.language} = ANY (e.languages)`);
  if (f.retention !== undefined) q = q.where('e.retention', '=', f.retention);
  // A kind or a language describes documents: dossiers match them through their documents' rows.
  const type = f.type ?? (f.kind !== undefined ? 'document' : undefined);
  if (type === 'dossier') q = q.where('e.position', '=', 0);
  if (type === 'document') q = q.where('e.position', '>', 0);
  return q;
}

/**
 * What a researcher may see of a row, by access/'s rules: a dossier's description unless hidden;
 * a document in full, or its description only (then found by its metadata, never its text).
 */
function researcherView(ctx: ResearcherContext) {
  // access/'s functions cost a sub-query each, too much for thousands of matches; most rows are
  // open by their own metadata and have no archivist's rule, and then those functions answer
  // 'full' (access_rule_view: kind open → full; narrower of full and full), so they are asked
  // only about the others — a document through documentViewJoinedSql, its dossier being joined
  // (access_document_view itself re-plans its inner functions at every call, ≈ 1 ms a row).
  return sql<'full' | 'metadata' | 'none'>`(CASE
    WHEN coalesce(d.metadata #>> '{access,kind}', 'open') = 'open'
     AND (e.position = 0 OR coalesce(dd.metadata #>> '{access,kind}', 'open') = 'open')
     AND NOT EXISTS (SELECT 1 FROM access_rules r WHERE r.dossier_id = e.dossier_id) THEN 'full'
    WHEN e.position = 0 THEN ${dossierViewSql(ctx, 'd')}
    ELSE ${documentViewJoinedSql(ctx, 'dd', 'd')} END)`;
}

export async function search(db: Kysely<Database>, input: SearchInput, viewer: SearchViewer): Promise<SearchResult> {
  const terms = queryTerms(input.q);
  const researcher: ResearcherContext | null = viewer.kind === 'researcher' ? { now: viewer.now, userId: viewer.userId } : null;
  // Asked before the transaction: PGlite has one connection, which the transaction holds.
  const schema = terms.some(similarityCandidate) ? await trgmSchema(db) : '';
  return db.transaction().execute(async (trx) => {
    // Sequential scans off: with a LIMIT the planner may read the table in order hoping to meet
    // enough matches early (for a word in 2 % of the rows, tens of thousands of wide rows), and
    // it reads the small vocabulary whole for the misspelling look-up; the GIN, trigram and
    // btree indexes find the rows directly. JIT off: a plan estimated past jit_above_cost (a deep
    // page) spent 10–100 ms compiling, more than the query itself (docs/search.md, bench).
    await sql`SELECT set_config('enable_seqscan', 'off', true), set_config('jit', 'off', true)`.execute(trx);
    const similar = await similarWordsIn(trx, terms, async () => schema);
    const tsq = terms.length ? tsqueryText(terms, similar) : null;
    const tsqMeta = terms.length ? tsqueryText(terms, similar, true) : null;
    const match = terms.length ? await matchQuery(trx, terms, similar) : null;
    // A word in a large share of the rows: GIN would build a bitmap of all of them (474,000 rows
    // of «құжат», 1 s on the 1M catalog) to keep the first 1,001; read in key order (or through
    // the filters' btree indexes), the first 1,001 matches come after ~2,300 rows. The match is
    // then written so that GIN cannot answer it (coalesce), and only checked on the rows read.
    const dense = match !== null && (await denseMatch(trx, match));
    const matches = match === null ? null : dense ? sql<boolean>`coalesce(e.vector @@ (${match}), false)` : sql<boolean>`e.vector @@ (${match})`;
    const result: SearchResult = {
      q: input.q,
      terms: terms.map((t) => ({ term: t, similar: similar.get(t) ?? [] })),
      filters: input.filters,
      total: 0,
      totalCapped: false,
      limit: input.limit,
      offset: input.offset,
      hits: [],
    };
    const tdb = trx as unknown as Kysely<SearchQueryTables>;
    const entryColumns = ['e.dossier_id', 'e.position', 'e.document_id', 'e.title', 'e.case_index', 'e.fonds', 'e.year', 'e.department', 'e.doc_kind', 'e.languages', 'e.retention', 'e.doc_date', 'e.vector'] as const;

    // Ranking reads every candidate's vector, and counting every match of a common word would
    // read all its rows: the candidates are the first RANK_WINDOW matches found (more for deep
    // pages; the index's order, stable for the same catalog), counted and ranked in one
    // statement. Fewer matches than that are all ranked and counted exactly.
    const window = Math.max(RANK_WINDOW, input.offset + input.limit);
    let candidates;
    if (researcher === null) {
      let qb = tdb.selectFrom('search_entries as e');
      if (matches !== null) qb = qb.where(matches);
      qb = applyFilters(qb as EntryQuery<object>, input.filters) as unknown as typeof qb;
      if (viewer.kind === 'staff' && viewer.scope.kind === 'department') qb = viewer.scope.code === null ? qb.where(sql<boolean>`false`) : qb.where('e.department', '=', viewer.scope.code);
      // The dossier's title and volume are read for the page's rows only (below).
      candidates = qb.select([...entryColumns, sql<'full' | 'metadata' | 'none'>`'full'`.as('view')]).limit(window + 1);
    } else {
      let qb = tdb
        .selectFrom('search_entries as e')
        .innerJoin('dossiers as d', 'd.id', 'e.dossier_id')
        .leftJoin('dossier_documents as dd', (j) => j.onRef('dd.dossier_id', '=', 'e.dossier_id').onRef('dd.position', '=', 'e.position'));
      if (matches !== null) qb = qb.where(matches);
      qb = applyFilters(qb, input.filters);
      // The view is decided once per row that matched (OFFSET 0 keeps the planner from copying the
      // expression into the filter above); hidden rows drop out, metadata-only ones must match
      // outside the text.
      const viewed = qb.select([...entryColumns, researcherView(researcher).as('view')]).offset(0);
      const metaMatch = tsqMeta !== null ? sql<boolean>`v.vector @@ to_tsquery('russian', ${tsqMeta})` : sql<boolean>`true`;
      candidates = tdb
        .selectFrom(viewed.as('v'))
        .selectAll()
        .where(sql<boolean>`(v.view = 'full' OR (v.view = 'metadata' AND ${metaMatch}))`)
        .limit(window + 1);
    }
    const query = tsq !== null ? sql`to_tsquery('russian', ${tsq})` : null;
    const rank = query ? sql`ts_rank(c.vector, ${query})` : sql`0`;
    const titleMarked = query ? sql`ts_headline('russian', search_clean(p.title), ${query}, ${HEADLINE_TITLE})` : sql`search_clean(p.title)`;
    const snippetMarked = query
      ? sql`CASE WHEN t.content IS NULL THEN NULL ELSE ts_headline('russian', search_clean(left(t.content, ${SNIPPET_SOURCE_CHARS})), ${query}, ${HEADLINE_TEXT}) END`
      : sql`left(search_clean(t.content), 240)`;
    const page = await sql<PageRow>`
      WITH c AS MATERIALIZED (${candidates}),
      p AS (
        SELECT c.*, ${rank} AS rank FROM c
        ORDER BY rank DESC, c.year DESC NULLS LAST, c.dossier_id, c.position
        LIMIT ${input.limit} OFFSET ${input.offset})
      SELECT p.dossier_id, p.position, p.document_id, p.case_index, p.fonds, p.year, p.department, p.doc_kind, p.languages,
             p.retention, d.volume, d.title AS dossier_title, p.view, p.rank, to_char(p.doc_date, 'YYYY-MM-DD') AS doc_date,
             (SELECT count(*) FROM c)::int AS matched, ${titleMarked} AS title_marked, ${snippetMarked} AS snippet_marked
      FROM p JOIN dossiers d ON d.id = p.dossier_id LEFT JOIN search_texts t ON t.document_id = p.document_id
      ORDER BY p.rank DESC, p.year DESC NULLS LAST, p.dossier_id, p.position`.execute(trx);
    const rows = page.rows;
    let matched = rows[0]?.matched;
    if (matched === undefined && input.offset > 0) {
      // A page past the last: the count alone.
      const counted = await tdb.selectFrom(candidates.as('m')).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      matched = Number(counted.n);
    }
    result.total = Math.min(Number(matched ?? 0), window);
    result.totalCapped = Number(matched ?? 0) > window;
    result.hits = rows.map((r) => hitOf(r, query !== null));
    return result;
  });
}

function hitOf(r: PageRow, queried: boolean): SearchHit {
  // A document a researcher may see described only: nothing of its text.
  const snippet = r.snippet_marked && r.view === 'full' ? parseHighlight(r.snippet_marked) : null;
  return {
    type: r.position === 0 ? 'dossier' : 'document',
    dossierId: r.dossier_id,
    caseIndex: r.case_index,
    volume: r.volume,
    year: r.year,
    fonds: r.fonds,
    department: r.department,
    retention: r.retention,
    dossierTitle: r.dossier_title,
    position: r.position === 0 ? null : r.position,
    documentId: r.document_id,
    title: parseHighlight(r.title_marked),
    kind: r.doc_kind,
    date: r.doc_date,
    languages: r.languages ?? [],
    // A snippet without a highlighted word says nothing about why the document matched.
    snippet: queried && snippet && !snippet.some((p) => p.hit) ? null : snippet,
    rank: Number(r.rank),
  };
}
