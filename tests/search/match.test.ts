// The faster forms of the search's query must find exactly what the plain forms find (docs/search.md
// "Prefixes" and "Who sees what"): a prefix searched as the named lexemes of search_lexemes, and a
// document's researcher view decided in the query (documentViewJoinedSql) instead of through
// access_document_view. On PGlite and on PostgreSQL.
import { sql, type Kysely } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../helpers/db';
import type { Database } from '../../database/database';
import { documentViewJoinedSql, documentViewSql } from '../../access/researcher-filter';
import { matchQuery, queryTerms, similarWords, tsqueryText } from '../../search';
import { addDossiers } from './fixtures';

const rowsOf = async (db: Kysely<Database>, where: ReturnType<typeof sql>) =>
  (await sql<{ k: string }>`SELECT e.dossier_id || '#' || e.position AS k FROM search_entries e WHERE e.vector @@ (${where}) ORDER BY 1`.execute(db)).rows.map((r) => r.k);

describeEachDatabase('search match forms', (getDb) => {
  let ids: Awaited<ReturnType<typeof addDossiers>>;

  beforeAll(async () => {
    ids = await addDossiers(getDb().db, [
      {
        index: '05-01',
        title: 'Приказы по основной деятельности',
        department: '05',
        year: 2018,
        retention: { kind: 'permanent' },
        documents: [
          { title: 'О формировании дел', kind: 'Приказ', language: 'ru', text: 'Приказываю: формировать дела по номенклатуре; формирование завершить к 2019 году. Ответственный — Сарсенов Ерлан.', author: 'Иванова А.А.' },
          { title: 'О сроках хранения', kind: 'Приказ', language: 'ru', text: 'Сроки хранения документов определяются перечнем. Формируемые дела передаются в архив.', access: { kind: 'restricted', until: '2030-01-01', beforeLift: 'metadata' } },
        ],
      },
      {
        index: '05-02',
        title: 'Мемлекеттік мекемелердің хат алмасуы',
        department: '05',
        year: 2021,
        retention: { kind: 'years', years: 10 },
        access: { kind: 'restricted', until: '2028-06-30' },
        documents: [
          { title: 'Мектептің құрылысы туралы хат', kind: 'Хат', language: 'kk', text: 'Мемлекеттік мекеме мектептің құрылысын 2022 жылы аяқтайды. Сарсеновке тапсырылсын.', author: 'Сарсенова Қ.Б.' },
          { title: 'Жауап хат', kind: 'Хат', language: 'kk', text: 'Мектептер туралы ақпарат жіберілді. Мемлекеттiк тiлде.' },
        ],
      },
      {
        index: '05-03',
        title: 'Личные дела',
        department: '06',
        year: 2001,
        retention: { kind: 'years', years: 75 },
        access: { kind: 'personal' },
        documents: [{ title: 'Анкета', kind: 'Анкета', language: 'ru', text: 'Сарсенов Ерлан, 1975 года рождения, инженер.', access: { kind: 'official_use' } }],
      },
    ]);
    // An archivist's rules over open metadata: a document opened early, a dossier closed.
    const db = getDb().db;
    await db
      .insertInto('access_rules')
      .values([
        { target_type: 'document', target_id: ids.documents['05-01#2']!, dossier_id: ids.dossiers['05-01']!, kind: 'open', until: null, before_lift: 'hidden', basis: 'test', set_by: 'test' },
        { target_type: 'dossier', target_id: ids.dossiers['05-01']!, dossier_id: ids.dossiers['05-01']!, kind: 'restricted', until: '2027-01-01', before_lift: 'metadata', basis: 'test', set_by: 'test' },
      ])
      .execute();
  }, 120_000);

  it('keeps every lexeme of every vector in search_lexemes, also after a text changes', async () => {
    const { db } = getDb();
    await sql`UPDATE search_texts SET content = content || ' Дополнительныйлексем' WHERE document_id = ${ids.documents['05-01#1']!}`.execute(db);
    const missing = await sql<{ l: string }>`
      SELECT DISTINCT l FROM search_entries, unnest(tsvector_to_array(vector)) AS l
      WHERE NOT EXISTS (SELECT 1 FROM search_lexemes x WHERE x.lexeme = l)`.execute(db);
    expect(missing.rows).toEqual([]);
    const added = await sql<{ n: number }>`SELECT count(*)::int AS n FROM search_lexemes WHERE lexeme = ANY (tsvector_to_array(to_tsvector('russian', 'Дополнительныйлексем')))`.execute(db);
    expect(added.rows[0]!.n).toBe(1);
  });

  it('finds with the named lexemes exactly the rows the prefix query finds', async () => {
    const { db } = getDb();
    const words = (await sql<{ word: string }>`SELECT word FROM search_words ORDER BY word`.execute(db)).rows.map((r) => r.word);
    expect(words.length).toBeGreaterThan(20);
    const queries = new Set<string>(['и', 'в это', '2019', '2', 'мемлекетік', 'мектеп', 'формир', 'сарсенов ерлан', 'фор мек', 'хранения и дел', 'мемлекеттiк', 'zzzz', 'қ', 'приказа']);
    for (const [i, w] of words.entries()) {
      if (i % 3 !== 0) continue;
      queries.add(w);
      queries.add(w.slice(0, 3));
      queries.add(w.slice(0, 5));
      // A letter dropped: a misspelling, found through the similar words.
      if (w.length > 6) queries.add(w.slice(0, 3) + w.slice(4));
    }
    let compared = 0;
    let found = 0;
    for (const q of queries) {
      const terms = queryTerms(q);
      const similar = await similarWords(db, terms);
      for (const metadataOnly of [false, true]) {
        const plain = await rowsOf(db, sql`to_tsquery('russian', ${tsqueryText(terms, similar, metadataOnly)})`);
        const named = await rowsOf(db, await matchQuery(db, terms, similar, metadataOnly));
        expect(named, `${q}${metadataOnly ? ' (metadata)' : ''}`).toEqual(plain);
        compared++;
        if (plain.length) found++;
      }
    }
    // Most of the queries find something: the comparison is not of empty sets.
    expect(found).toBeGreaterThan(compared / 2);
  });

  it('decides a document as access_document_view does, with the dossier joined', async () => {
    const { db } = getDb();
    for (const now of [new Date('2026-12-07T06:00:00Z'), new Date('2029-01-01T06:00:00Z'), new Date('2031-01-01T06:00:00Z')]) {
      const ctx = { now, userId: null };
      const rows = await sql<{ k: string; plain: string; joined: string }>`
        SELECT dd.dossier_id || '#' || dd.position AS k, ${documentViewSql(ctx, 'dd')} AS plain, ${documentViewJoinedSql(ctx, 'dd', 'd')} AS joined
        FROM dossier_documents dd JOIN dossiers d ON d.id = dd.dossier_id ORDER BY 1`.execute(db);
      expect(rows.rows.length).toBeGreaterThanOrEqual(5);
      for (const r of rows.rows) expect(r.joined, `${r.k} at ${now.toISOString()}`).toBe(r.plain);
      // Not all alike: the rules above give different answers.
      expect(new Set(rows.rows.map((r) => r.plain)).size).toBeGreaterThan(1);
    }
  });
});
