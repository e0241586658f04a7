// Search in Kazakh and Russian (issue 13 acceptance): a person's name inside a document, an
// inflected Russian word, a Kazakh word with a typo; filters and a bad filter value; paging;
// what researchers and department staff may see. On PGlite and on PostgreSQL.
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../helpers/db';
import { parseSearchInput, search, storeDocumentText, type SearchResult, type SearchViewer } from '../../search';
import { AppError } from '../../common/errors';
import { addDossiers } from './fixtures';

const SEEDS = '/work/shared/seeds';
// A Kazakh ministerial order (real text): signed off to «С.С. Сарсеновке», «Мемлекеттік» throughout.
const kazakhOrder = readFileSync(`${SEEDS}/002_2ff5aa7a31bffea1.txt`, 'utf8').slice(0, 12_000);
// Russian rules of documentation (real text), the first pages.
const russianRules = readFileSync(`${SEEDS}/001_b8d1d84c59c082d9.txt`, 'utf8').slice(0, 6_000);

const archivist: SearchViewer = { kind: 'staff', scope: { kind: 'all' } };
const researcher: SearchViewer = { kind: 'researcher', now: new Date('2026-12-07T06:00:00Z'), userId: null };
const clerkOf = (code: string): SearchViewer => ({ kind: 'staff', scope: { kind: 'department', code, userId: null } });

const hitKeys = (r: SearchResult) => r.hits.map((h) => (h.position === null ? h.caseIndex : `${h.caseIndex}#${h.position}`));

describeEachDatabase('search', (getDb) => {
  const run = (raw: Record<string, unknown>, viewer: SearchViewer = archivist) => search(getDb().db, parseSearchInput(raw), viewer);

  beforeAll(async () => {
    await addDossiers(getDb().db, [
      {
        index: '01-05',
        title: 'Документы по личному составу',
        department: '01',
        year: 2020,
        retention: { kind: 'years', years: 75 },
        documents: [
          {
            title: 'О приёме на работу',
            kind: 'Приказ',
            language: 'ru',
            text: 'ПРИКАЗ № 15-к\nг. Алматы, 3 марта 2020 года\nПринять Жумабаева Ерлана Серикулы на должность инженера отдела связи с 4 марта 2020 года.\nОснование: заявление.',
          },
          {
            title: 'Служебная записка о кадровом резерве',
            kind: 'Записка',
            language: 'ru',
            text: `${russianRules}\nКадровый резерв: Тулегенова Айгерим Маратовна.`,
            // Restricted by the fonds creator; a researcher may see its description only.
            access: { kind: 'restricted', until: '2090-01-01', beforeLift: 'metadata' },
          },
        ],
      },
      {
        index: '02-01',
        title: 'Мектеп құрылысы туралы хат алмасу',
        department: '02',
        year: 2021,
        fonds: '14',
        retention: { kind: 'permanent' },
        documents: [{ title: 'Интранет-порталында жұмыс істеу туралы бұйрық', kind: 'Бұйрық', language: 'kk', text: kazakhOrder, author: 'Елеусізова Қ.Б.' }],
      },
      {
        index: '03-07',
        title: 'Переписка с министерством (закрытая)',
        department: '01',
        year: 2019,
        retention: { kind: 'years', years: 10 },
        // Restricted as a whole until 2090: nothing of it for researchers.
        access: { kind: 'restricted', until: '2090-01-01' },
        documents: [{ title: 'Письмо о Жумабаеве', kind: 'Письмо', language: 'ru', text: 'Жумабаев Ерлан Серикулы командирован в Астану.' }],
      },
      {
        index: '04-02',
        title: 'Акты приёма-передачи оборудования',
        department: '02',
        year: 2022,
        retention: { kind: 'years', years: 5 },
        documents: Array.from({ length: 23 }, (_, i) => ({ title: `Акт приёма-передачи № ${i + 1}`, kind: 'Акт', language: 'ru' as const, text: `Акт приёма-передачи оборудования № ${i + 1}. Передан принтер.` })),
      },
    ]);
  }, 120_000);

  it("finds a person's name that is only inside a document's text, highlighted in the snippet", async () => {
    const r = await run({ q: 'Жумабаева' });
    expect(hitKeys(r)).toContain('01-05#1');
    const hit = r.hits.find((h) => h.caseIndex === '01-05' && h.position === 1)!;
    expect(hit.snippet!.filter((p) => p.hit).map((p) => p.text.toLowerCase())).toContain('жумабаева');
    // The Kazakh order names «С.С. Сарсеновке» (dative): the name's stem finds it, in any case.
    const kk = await run({ q: 'САРСЕНОВ' });
    expect(hitKeys(kk)).toEqual(['02-01#1']);
    expect(kk.hits[0]!.snippet!.some((p) => p.hit && p.text.startsWith('Сарсенов'))).toBe(true);
  });

  it('finds «приказ» when asked for «приказа» (Russian stemming), and an inflected name', async () => {
    const r = await run({ q: 'приказа' });
    expect(hitKeys(r)).toContain('01-05#1');
    expect(hitKeys(r)).not.toContain('02-01#1');
    // Stop words alone find nothing (and are no error).
    expect((await run({ q: 'и в' })).total).toBe(0);
    const name = await run({ q: 'Жумабаев Ерлан' });
    expect(hitKeys(name)).toEqual(expect.arrayContaining(['01-05#1', '03-07#1']));
  });

  it('finds Kazakh words by their beginning, whatever the case, and a misspelt Kazakh word', async () => {
    // «мектеп» finds the dossier titled «Мектеп құрылысы…»; «МЕМЛЕКЕТТІК» the order.
    expect(hitKeys(await run({ q: 'мектеп' }))).toContain('02-01');
    expect(hitKeys(await run({ q: 'МЕМЛЕКЕТТІК' }))).toContain('02-01#1');
    // «мемлекетік» (one т missing) is no word of the catalog: its nearest words are searched.
    const typo = await run({ q: 'мемлекетік' });
    expect(typo.terms[0]!.similar).toContain('мемлекеттік');
    expect(hitKeys(typo)).toContain('02-01#1');
    // «құрлысы» for «құрылысы» (a letter dropped), in the dossier's heading.
    expect(hitKeys(await run({ q: 'құрлысы' }))).toContain('02-01');
  });

  it('filters by fonds, year, department, kind, language and retention', async () => {
    expect(hitKeys(await run({ q: 'Жумабаев', year: '2020' }))).toEqual(['01-05#1']);
    expect(hitKeys(await run({ q: 'Жумабаев', year: '2019-2020', department: '01' })).sort()).toEqual(['01-05#1', '03-07#1']);
    expect(hitKeys(await run({ q: 'Жумабаев', kind: 'письмо' }))).toEqual(['03-07#1']);
    expect(hitKeys(await run({ q: 'мемлекеттік', language: 'kk' }))).toEqual(['02-01#1']);
    expect((await run({ q: 'мемлекеттік', language: 'ru' })).total).toBe(0);
    // A document is found by its dossier's heading too (weighted below its own words).
    expect(hitKeys(await run({ q: 'мектеп', retention: 'permanent', fonds: '14' })).sort()).toEqual(['02-01', '02-01#1']);
    expect((await run({ q: 'мектеп', fonds: '12' })).total).toBe(0);
    // Filters alone list what they select; type narrows to dossiers.
    const dossiers = await run({ department: '02', type: 'dossier' });
    expect(hitKeys(dossiers).sort()).toEqual(['02-01', '04-02']);
  });

  it('refuses a bad filter value naming the filter and the value', async () => {
    const refused = (raw: Record<string, unknown>) => {
      try {
        parseSearchInput(raw);
      } catch (error) {
        return error as AppError;
      }
      throw new Error('accepted');
    };
    const year = refused({ q: 'акт', year: '20x1' });
    expect(year).toBeInstanceOf(AppError);
    expect(year.status).toBe(400);
    expect(year.messageKey).toBe('search.bad_year');
    expect(year.params).toMatchObject({ filter: 'year', value: '20x1' });
    expect(refused({ q: 'акт', year: '2021-2019' }).params).toMatchObject({ filter: 'year' });
    expect(refused({ q: 'акт', retention: 'forever' }).params).toMatchObject({ filter: 'retention', value: 'forever' });
    expect(refused({ q: 'акт', department: '01; drop' }).messageKey).toBe('search.bad_department');
    expect(refused({ q: 'акт', yaer: '2019' }).messageKey).toBe('search.unknown_filter');
    expect(refused({ q: 'акт', limit: '1000' }).params).toMatchObject({ filter: 'limit' });
    expect(refused({ q: 'акт', year: ['2019', '2020'] }).messageKey).toBe('search.bad_repeated');
    expect(refused({ q: '  ' }).messageKey).toBe('search.query_empty');
  });

  it('pages through many results without repeating or losing one', async () => {
    const seen: string[] = [];
    let total = 0;
    for (let offset = 0; offset < 30; offset += 10) {
      const page = await run({ q: 'принтер', limit: '10', offset: String(offset) });
      total = page.total;
      seen.push(...hitKeys(page));
    }
    expect(total).toBe(23);
    expect(seen).toHaveLength(23);
    expect(new Set(seen).size).toBe(23);
  });

  it('hides restricted items from researchers and finds metadata-only documents by their description, never their text', async () => {
    // The whole dossier 03-07 is closed until 2090.
    expect(hitKeys(await run({ q: 'Жумабаев' }, researcher))).toEqual(['01-05#1']);
    expect((await run({ q: 'министерством' }, researcher)).total).toBe(0);
    expect(hitKeys(await run({ q: 'министерством' }, archivist)).sort()).toEqual(['03-07', '03-07#1']);
    // 01-05#2 is described (title) but its text is closed: the title finds it, with no snippet…
    const described = await run({ q: 'кадровом резерве' }, researcher);
    expect(hitKeys(described)).toEqual(['01-05#2']);
    expect(described.hits[0]!.snippet).toBeNull();
    // …and a name only in its text does not.
    expect((await run({ q: 'Тулегенова' }, researcher)).total).toBe(0);
    expect(hitKeys(await run({ q: 'Тулегенова' }, archivist))).toEqual(['01-05#2']);
    // After the lift date it opens by itself.
    const later: SearchViewer = { kind: 'researcher', now: new Date('2090-01-02T00:00:00Z'), userId: null };
    expect(hitKeys(await run({ q: 'Тулегенова' }, later))).toEqual(['01-05#2']);
    expect(hitKeys(await run({ q: 'министерством' }, later)).sort()).toEqual(['03-07', '03-07#1']);
  });

  it("follows the archivist's access rule over an open document's metadata", async () => {
    const { db } = getDb();
    const hit = (await run({ q: 'Жумабаева' }, researcher)).hits.find((h) => h.caseIndex === '01-05' && h.position === 1)!;
    await db
      .insertInto('access_rules')
      .values({ target_type: 'document', target_id: hit.documentId!, dossier_id: hit.dossierId, kind: 'restricted', until: '2080-01-01', before_lift: 'hidden', basis: 'search test', set_by: 'archivist' })
      .execute();
    try {
      expect(hitKeys(await run({ q: 'Жумабаева' }, researcher))).not.toContain('01-05#1');
      expect(hitKeys(await run({ q: 'Жумабаева' }, archivist))).toContain('01-05#1');
    } finally {
      await db.deleteFrom('access_rules').where('target_id', '=', hit.documentId!).execute();
    }
    expect(hitKeys(await run({ q: 'Жумабаева' }, researcher))).toContain('01-05#1');
  });

  it("gives department staff only their department's dossiers", async () => {
    expect(hitKeys(await run({ q: 'Жумабаев' }, clerkOf('02')))).toEqual([]);
    expect(hitKeys(await run({ q: 'Жумабаев' }, clerkOf('01'))).sort()).toEqual(['01-05#1', '03-07#1']);
    expect(hitKeys(await run({ q: 'мектеп' }, clerkOf('02')))).toContain('02-01');
  });

  it('never shows a destroyed dossier again, and forgets its text', async () => {
    const { db } = getDb();
    const before = await run({ q: 'принтер', type: 'document', limit: '1' });
    expect(before.total).toBe(23);
    const dossierId = before.hits[0]!.dossierId;
    // What destruction/'s trigger on destroyed_dossiers does.
    await sql`SELECT search_withdraw(${dossierId}::uuid, 'destroyed')`.execute(db);
    expect((await run({ q: 'принтер' })).total).toBe(0);
    const texts = await db.selectFrom('search_texts as t').innerJoin('dossier_documents as dd', 'dd.document_id', 't.document_id').where('dd.dossier_id', '=', dossierId).select('t.document_id').execute();
    expect(texts).toEqual([]);
    // A later change of the dossier's row does not bring it back.
    await db.updateTable('dossiers').set({ title: 'Акты приёма-передачи принтеров' }).where('id', '=', dossierId).execute();
    expect((await run({ q: 'принтер' })).total).toBe(0);
  });

  it("makes a kept text's vector and words at once; its words reach the vocabulary only with its dossier", async () => {
    const { db } = getDb();
    const inVocabulary = async (word: string) => (await db.selectFrom('search_words').select('word').where('word', '=', word).execute()).length === 1;
    const transfer = await db.insertInto('transfers').values({ status: 'completed', department: '01', year: 2023, source_name: 't-05-01-2023.tar' } as never).returning('id').executeTakeFirstOrThrow();
    const transferId = (transfer as { id: string }).id;
    const row = await db
      .insertInto('documents')
      .values({ transfer_id: transferId, dossier_index: '05-01', seq: 1, source_path: '05-01/1.txt', sha256: 'a'.repeat(64), size: 64, status: 'accepted', rendition_sha256: null } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    const documentId = (row as { id: string }).id;
    // The ingest keeps the text while LibreOffice still converts; the dossier comes later.
    await storeDocumentText(db, documentId, 'Протокол заседания комиссии. Секретарь: Шалабаева Гульнар.', null);
    const kept = await db.selectFrom('search_texts').select(['vector', 'words']).where('document_id', '=', documentId).executeTakeFirstOrThrow();
    expect(String(kept.vector)).toMatch(/'шалабаев'/);
    expect(kept.words).toEqual(expect.arrayContaining(['шалабаева', 'протокол']));
    expect(await inVocabulary('шалабаева')).toBe(false);
    expect(await db.selectFrom('search_entries').select('position').where('document_id', '=', documentId).execute()).toEqual([]);

    const dossier = await db
      .insertInto('dossiers')
      .values({ transfer_id: transferId, case_index: '05-01', title: 'Протоколы комиссии', status: 'stored', aip_manifest_sha256: 'b'.repeat(64), inventory_sha256: 'c'.repeat(64), integrity_sha256: 'd'.repeat(64), metadata: JSON.stringify({ fonds: '12', index: '05-01', title: 'Протоколы комиссии', year: 2023, department: { code: '01' }, retention: { kind: 'permanent' }, languages: ['ru'] }) } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    const dossierId = (dossier as { id: string }).id;
    await db
      .insertInto('dossier_documents')
      .values({ dossier_id: dossierId, position: 1, document_id: documentId, aip_path: 'documents/1', control_characteristic: 'e'.repeat(64), previous: null, metadata: JSON.stringify({ title: 'Протокол № 1', kind: 'Протокол', language: 'ru', access: { kind: 'open' } }) })
      .execute();
    expect(hitKeys(await run({ q: 'Шалабаевой', type: 'document' }))).toEqual(['05-01#1']);
    expect(await inVocabulary('шалабаева')).toBe(true);
  });

  it('still indexes a text kept before texts had their own vector, from the text itself', async () => {
    const { db } = getDb();
    const { dossiers, documents } = await addDossiers(db, [
      { index: '05-02', title: 'Письма граждан', department: '01', year: 2023, retention: { kind: 'years', years: 5 }, documents: [{ title: 'Обращение', kind: 'Письмо', language: 'ru', text: 'Обращение Нурпеисовой Алии о ремонте крыши.' }] },
    ]);
    // As a row written before the migration 202612090200: no vector, no word list.
    await db.updateTable('search_texts').set({ vector: null, words: null } as never).where('document_id', '=', documents['05-02#1']!).execute();
    await db.deleteFrom('search_words').where('word', '=', 'нурпеисовой').execute();
    await sql`DELETE FROM search_entries WHERE dossier_id = ${dossiers['05-02']!}::uuid AND position = 1`.execute(db);
    expect(hitKeys(await run({ q: 'Нурпеисова', type: 'document' }))).not.toContain('05-02#1');
    await sql`SELECT search_index_document(${dossiers['05-02']!}::uuid, 1)`.execute(db);
    expect(hitKeys(await run({ q: 'Нурпеисова', type: 'document' }))).toEqual(['05-02#1']);
    expect((await db.selectFrom('search_words').select('word').where('word', '=', 'нурпеисовой').execute()).length).toBe(1);
  });
});
