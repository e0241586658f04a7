// A realistic catalog for benchmarks: N documents in M dossiers (default 1,000,000 in 100,000),
// Kazakh and Russian, on a PostgreSQL server, in a fresh database made for it. Words come from
// the real seed texts (/work/shared/seeds: Kazakh orders and rules, the Russian documentation
// rules): each document is a few sentences of them, a person's name (Kazakh surnames, first names
// and patronymics, in the forms a text uses) and a date; titles, kinds, authors, departments,
// years, retention and access rules vary as in an organisation's archive. 5 % of dossiers are
// restricted until 2090, 2 % of documents are described only.
//
// Rows are written with multi-row INSERTs from arrays (unnest), with triggers off
// (session_replication_role = replica); the search rows are then built set-based on two
// connections, with the expressions of search/migrations/202612070500_search.ts (checked against
// search_index_document on a sample at the end), and the indexes created after the load.
//
// Run: node bin/run-ts.js bench/generate-catalog.ts [--documents 1000000] [--dossiers 100000]
//        [--url postgres://…/postgres] [--database muragat_bench_search] [--json]
// The server URL defaults to BENCH_DATABASE_URL, then TEST_DATABASE_URL. The database is dropped
// and created again.
import { randomUUID, createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { openDatabase } from '../database/db';
import { migrateToLatest, MIGRATION_FOLDERS } from '../database/migrator';
import { Migrator, type Kysely, type Migration } from 'kysely';
import { pathToFileURL } from 'node:url';

export const SEEDS_DIR = process.env.MURAGAT_SEEDS ?? '/work/shared/seeds';

export interface CatalogOptions {
  documents: number;
  dossiers: number;
  /** Server URL (any database on it); the bench database is created beside. */
  serverUrl: string;
  database: string;
  log?: (line: string) => void;
  /** Random seed: the same catalog for the same numbers. */
  seed?: number;
}

export interface GeneratedCatalog {
  url: string;
  documents: number;
  dossiers: number;
  textBytes: number;
  seconds: { rows: number; entries: number; indexes: number; total: number };
  /** Words the generator used, for queries: surnames, first names, seed words per language. */
  vocabulary: { surnames: string[]; firstNames: string[]; kk: string[]; ru: string[] };
  years: [number, number];
  departments: string[];
  fonds: string[];
}

/** Mulberry32: a small, fast, seedable generator (the catalog is reproducible). */
/** mulberry32: the same seed gives the same catalog and the same query mix in every bench. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The p-th percentile of an ascending list (nearest rank). */
export const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;

const KAZAKH_LETTERS = /[әғқңөұүһіӘҒҚҢӨҰҮҺІ]/;

interface Sentences {
  kk: string[];
  ru: string[];
}

/** Sentences of 4 to 40 words from the seed texts, by language (Kazakh letters decide). */
export function seedSentences(dir = SEEDS_DIR): Sentences {
  const out: Sentences = { kk: [], ru: [] };
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.txt')).sort()) {
    const text = readFileSync(path.join(dir, file), 'utf8').replace(/\\_/g, '').replace(/[*#_|]+/g, ' ');
    for (const raw of text.split(/(?<=[.!?;])\s+|\n{2,}/)) {
      const s = raw.replace(/\s+/g, ' ').trim();
      const words = s.split(' ').length;
      if (words < 4 || words > 40 || !/\p{L}{3}/u.test(s)) continue;
      (KAZAKH_LETTERS.test(s) ? out.kk : out.ru).push(s);
    }
  }
  return out;
}

export const SURNAME_ROOTS = ['Жумабай', 'Ахмет', 'Сейіт', 'Нұрлан', 'Тоқтар', 'Омар', 'Бек', 'Серік', 'Қайрат', 'Әбен', 'Жанұзақ', 'Тулеген', 'Сарсен', 'Елеусіз', 'Мұқан', 'Смағұл', 'Байжан', 'Ыбырай', 'Құдайберген', 'Оспан', 'Есен', 'Ермек', 'Қасым', 'Кенжебай', 'Асқар', 'Мырзахмет', 'Рысқұл', 'Әлімжан', 'Досмағамбет', 'Төлеген', 'Ибрагим', 'Исмаил', 'Муратбек', 'Бекмұхамед', 'Шәкәрім', 'Құрманғазы', 'Абылай', 'Сәтбай', 'Жақып', 'Нұрмағамбет', 'Қалиев', 'Садық', 'Жолдасбек', 'Айтбай', 'Болат', 'Дәулет', 'Ержан', 'Қуаныш', 'Мақсұт', 'Темірхан'];
export const FIRST_MALE = ['Ерлан', 'Болат', 'Серік', 'Нұрлан', 'Асқар', 'Дәурен', 'Қанат', 'Мұрат', 'Ержан', 'Бауыржан', 'Данияр', 'Еркін', 'Талғат', 'Арман', 'Самат', 'Әділ', 'Ғалым', 'Жандос', 'Марат', 'Руслан'];
export const FIRST_FEMALE = ['Әсел', 'Динара', 'Айгүл', 'Гүлнар', 'Сәуле', 'Меруерт', 'Жанар', 'Ақмарал', 'Айгерим', 'Салтанат', 'Гүлмира', 'Назгүл', 'Ләззат', 'Мадина', 'Аружан', 'Дана', 'Жұлдыз', 'Қарлығаш', 'Роза', 'Сымбат'];
const PATRONYMIC_ROOTS = ['Серік', 'Марат', 'Талғат', 'Қайрат', 'Нұрлан', 'Бек', 'Болат', 'Ерлан', 'Асқар', 'Мұрат', 'Жақсылық', 'Тұрсын', 'Әбдірахман', 'Сапар', 'Ғабит'];

const KINDS = {
  ru: ['приказ', 'распоряжение', 'письмо', 'акт', 'протокол', 'справка', 'служебная записка', 'договор', 'заявление', 'отчёт'],
  kk: ['бұйрық', 'өкім', 'хат', 'акт', 'хаттама', 'анықтама', 'қызметтік жазба', 'шарт', 'өтініш', 'есеп'],
};
const DOSSIER_TITLES = {
  ru: ['Приказы по основной деятельности', 'Приказы по личному составу', 'Переписка с министерствами', 'Протоколы заседаний правления', 'Акты проверок', 'Договоры с организациями', 'Годовые отчёты', 'Личные дела уволенных работников', 'Документы по охране труда', 'Служебные записки подразделений'],
  kk: ['Негізгі қызмет бойынша бұйрықтар', 'Жеке құрам бойынша бұйрықтар', 'Министрліктермен хат алмасу', 'Басқарма отырыстарының хаттамалары', 'Тексеру актілері', 'Ұйымдармен шарттар', 'Жылдық есептер', 'Жұмыстан шыққан қызметкерлердің жеке істері', 'Еңбекті қорғау құжаттары', 'Бөлімшелердің қызметтік жазбалары'],
};
const RETENTION = [
  { kind: 'permanent' },
  { kind: 'years', years: 5 },
  { kind: 'years', years: 10 },
  { kind: 'years', years: 75 },
  { kind: 'years_epk', years: 10 },
  { kind: 'until_needed' },
] as const;

export function surnameForms(root: string): { male: string; female: string; maleForms: string[]; femaleForms: string[] } {
  // Roots ending in a vowel or «й» take -ев, others -ов; Kazakh texts decline them like Russian ones.
  const male = /[аеиоуыэюяәөүұій]$/i.test(root) ? `${root.replace(/й$/, '')}ев` : `${root}ов`;
  const female = `${male}а`;
  return { male, female, maleForms: [male, `${male}а`, `${male}у`, `${male}ым`, `${male}қа`, `${male}ке`], femaleForms: [female, `${male}ой`, `${female}ға`] };
}

/** Lower-cased letter-only words of 3–40 characters: what search_add_words keeps. */
function vocabularyOf(text: string, into: Set<string>): void {
  for (const w of text.toLowerCase().match(/\p{L}+/gu) ?? []) if (w.length >= 3 && w.length <= 40) into.add(w);
}

export async function generateCatalog(options: CatalogOptions): Promise<GeneratedCatalog> {
  const log = options.log ?? (() => {});
  const random = rng(options.seed ?? 20261207);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const started = performance.now();

  const base = new URL(options.serverUrl);
  const admin = new pg.Client({ connectionString: options.serverUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${options.database} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${options.database}`);
  await admin.end();
  base.pathname = `/${options.database}`;
  const url = base.toString();
  const handle = await openDatabase({ url, poolSize: 2 });
  await migrateToLatest(handle.db);
  await handle.close();

  const sentences = seedSentences();
  const surnames = SURNAME_ROOTS.map(surnameForms);
  const departments = Array.from({ length: 20 }, (_, i) => String(i + 1).padStart(2, '0'));
  const fonds = ['12', '14', '27', '31', 'Р-105', 'Р-212', '44', '58'];
  const years: [number, number] = [2001, 2025];
  const yearCount = years[1] - years[0] + 1;
  const vocabulary = new Set<string>();
  for (const s of [...sentences.kk, ...sentences.ru]) vocabularyOf(s, vocabulary);
  for (const list of [...Object.values(KINDS), ...Object.values(DOSSIER_TITLES)]) for (const s of list) vocabularyOf(s, vocabulary);
  for (const n of [...FIRST_MALE, ...FIRST_FEMALE, ...PATRONYMIC_ROOTS]) vocabularyOf(n, vocabulary);
  for (const s of surnames) for (const f of [...s.maleForms, ...s.femaleForms]) vocabularyOf(f, vocabulary);

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  // Triggers off for the load: the search rows are built set-based afterwards.
  await client.query(`SET session_replication_role = replica`);
  await client.query(`SET synchronous_commit = off`);
  for (const index of ['search_entries_vector', 'search_entries_year', 'search_entries_fonds', 'search_entries_department', 'search_entries_document']) await client.query(`DROP INDEX IF EXISTS ${index}`);

  // One transfer per department and year, as the pipeline makes them.
  const transfers = new Map<string, string>();
  {
    const ids: string[] = [];
    const depts: string[] = [];
    const ys: number[] = [];
    for (const d of departments) for (let y = years[0]; y <= years[1]; y++) {
      const id = randomUUID();
      transfers.set(`${d}|${y}`, id);
      ids.push(id);
      depts.push(d);
      ys.push(y);
    }
    await client.query(
      `INSERT INTO transfers (id, status, department, year, source_name) SELECT id, 'completed', d, y, 'bench-' || d || '-' || y || '.tar' FROM unnest($1::uuid[], $2::text[], $3::int[]) AS t(id, d, y)`,
      [ids, depts, ys],
    );
  }

  const perDossier = Math.floor(options.documents / options.dossiers);
  const remainder = options.documents % options.dossiers;
  const BATCH = 1000; // dossiers per round trip
  let textBytes = 0;
  let docsMade = 0;
  const counters = new Map<string, number>();
  const hex = (s: string) => createHash('sha256').update(s).digest('hex');
  const sha = hex('bench');
  const tRows = performance.now();
  for (let first = 0; first < options.dossiers; first += BATCH) {
    const dossier = { id: [] as string[], transfer: [] as string[], index: [] as string[], title: [] as string[], metadata: [] as string[], department: [] as string[], year: [] as number[] };
    const doc = { id: [] as string[], transfer: [] as string[], index: [] as string[], seq: [] as number[], path: [] as string[] };
    const link = { dossier: [] as string[], position: [] as number[], document: [] as string[], metadata: [] as string[] };
    const text = { document: [] as string[], content: [] as string[] };
    const last = Math.min(options.dossiers, first + BATCH);
    for (let n = first; n < last; n++) {
      const department = departments[n % departments.length]!;
      const year = years[0] + (Math.floor(n / departments.length) % yearCount);
      const key = `${department}|${year}`;
      const sequence = (counters.get(key) ?? 0) + 1;
      counters.set(key, sequence);
      const language = random() < 0.55 ? 'kk' : 'ru';
      const id = randomUUID();
      const index = `${department}-${sequence}`;
      const title = `${pick(DOSSIER_TITLES[language])} (${year})`;
      const restricted = random() < 0.05;
      // Evenly spread: every dossier gets the average, the first ones one more for the remainder.
      const docCount = perDossier + (n < remainder ? 1 : 0);
      const compiler = surnames[Math.floor(random() * surnames.length)]!;
      const languages = new Set<string>();
      const dossierMeta: Record<string, unknown> = {
        schemaVersion: 'muragat.dossier/1',
        fonds: fonds[n % fonds.length],
        index,
        title,
        year,
        department: { code: department, name: language === 'kk' ? `${department} бөлім` : `Отдел ${department}` },
        startDate: `${year}-01-10`,
        endDate: `${year}-12-20`,
        retention: RETENTION[Math.floor(random() * RETENTION.length)],
        documentCount: docCount,
        compiledBy: { name: `${compiler.female} ${pick(FIRST_FEMALE)[0]}.`, position: language === 'kk' ? 'іс жүргізуші' : 'делопроизводитель' },
        ...(restricted ? { access: { kind: 'restricted', until: '2090-01-01' } } : {}),
      };
      const transferId = transfers.get(key)!;
      for (let position = 1; position <= docCount; position++) {
        const docLanguage = random() < 0.85 ? language : language === 'kk' ? 'ru' : 'kk';
        languages.add(docLanguage);
        const kind = pick(KINDS[docLanguage]);
        const person = pick(surnames);
        const female = random() < 0.5;
        const fullName = `${pick(female ? person.femaleForms : person.maleForms)} ${pick(female ? FIRST_FEMALE : FIRST_MALE)} ${pick(PATRONYMIC_ROOTS)}${docLanguage === 'kk' ? (female ? 'қызы' : 'ұлы') : female ? 'овна' : 'ович'}`;
        const body: string[] = [];
        const sentenceCount = 2 + Math.floor(random() * 4);
        for (let s = 0; s < sentenceCount; s++) body.push(pick(sentences[docLanguage]));
        body.splice(1 + Math.floor(random() * (body.length - 1)), 0, fullName);
        const date = `${year}-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`;
        const content = `${kind.toUpperCase()} № ${position}-${sequence}\n${date}\n${body.join(' ')}`;
        textBytes += Buffer.byteLength(content);
        const docId = randomUUID();
        const heading = pick(sentences[docLanguage]).split(' ').slice(0, 4 + Math.floor(random() * 5)).join(' ').replace(/[,;:.]+$/, '');
        doc.id.push(docId);
        doc.transfer.push(transferId);
        doc.index.push(index);
        doc.seq.push(n * 1000 + position);
        doc.path.push(`${index}/${position}.pdf`);
        link.dossier.push(id);
        link.position.push(position);
        link.document.push(docId);
        link.metadata.push(
          JSON.stringify({
            schemaVersion: 'muragat.document/1',
            identifier: docId,
            dossierIndex: index,
            position,
            kind,
            title: `${kind[0]!.toUpperCase()}${kind.slice(1)}: ${heading}`,
            date,
            number: `${position}-${sequence}`,
            language: docLanguage,
            author: { name: `${person.male} ${pick(FIRST_MALE)[0]}.` },
            access: random() < 0.02 ? { kind: 'restricted', until: '2090-01-01', beforeLift: 'metadata' } : { kind: 'open' },
          }),
        );
        text.document.push(docId);
        text.content.push(content);
      }
      docsMade += docCount;
      dossierMeta.languages = [...languages];
      dossier.id.push(id);
      dossier.transfer.push(transferId);
      dossier.index.push(index);
      dossier.title.push(title);
      dossier.metadata.push(JSON.stringify(dossierMeta));
      dossier.department.push(department);
      dossier.year.push(year);
    }
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO dossiers (id, transfer_id, case_index, volume, title, status, aip_manifest_sha256, inventory_sha256, integrity_sha256, metadata, department, year)
       SELECT id, t, i, 1, ti, 'stored', $8, $8, $8, m::jsonb, dep, y FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[]) AS x(id, t, i, ti, m, dep, y)`,
      [dossier.id, dossier.transfer, dossier.index, dossier.title, dossier.metadata, dossier.department, dossier.year, sha],
    );
    await client.query(
      `INSERT INTO documents (id, transfer_id, dossier_index, seq, source_path, sha256, size, status, rendition_sha256, rendition_path)
       SELECT id, t, i, s, p, $6, 1000, 'accepted', $6, 'documents/' || p FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::int[], $5::text[]) AS x(id, t, i, s, p)`,
      [doc.id, doc.transfer, doc.index, doc.seq, doc.path, sha],
    );
    await client.query(
      `INSERT INTO dossier_documents (dossier_id, position, document_id, aip_path, control_characteristic, metadata)
       SELECT d, p, doc, 'documents/' || p, $5, m::jsonb FROM unnest($1::uuid[], $2::int[], $3::uuid[], $4::text[]) AS x(d, p, doc, m)`,
      [link.dossier, link.position, link.document, link.metadata, sha],
    );
    await client.query(
      `INSERT INTO search_texts (document_id, rendition_sha256, content, chars) SELECT d, $3, c, char_length(c) FROM unnest($1::uuid[], $2::text[]) AS x(d, c)`,
      [text.document, text.content, sha],
    );
    await client.query('COMMIT');
    if ((first / BATCH) % 10 === 0) log(`rows: ${last.toLocaleString('en')} dossiers, ${docsMade.toLocaleString('en')} documents (${((performance.now() - tRows) / 1000).toFixed(0)} s)`);
  }
  const rowsSeconds = (performance.now() - tRows) / 1000;

  // The search rows, set-based, on two connections (half the dossiers each).
  const tEntries = performance.now();
  await client.query(`INSERT INTO search_words (word) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`, [[...vocabulary]]);
  const build = async (part: number) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      await c.query(`SET synchronous_commit = off`);
      await c.query(
        `INSERT INTO search_entries (dossier_id, position, document_id, title, case_index, fonds, year, department, doc_kind, languages, retention, doc_date, vector)
         SELECT d.id, 0, NULL, d.title, d.case_index, d.metadata->>'fonds', d.year, d.department, NULL,
                ARRAY(SELECT jsonb_array_elements_text(d.metadata->'languages')), d.metadata#>>'{retention,kind}', NULL,
                setweight(to_tsvector('russian', search_clean(d.title)), 'A')
                  || setweight(to_tsvector('russian', search_clean(concat_ws(' ', d.case_index, d.metadata#>>'{archivalCipher,code}', d.metadata#>>'{department,name}',
                       d.metadata#>>'{compiledBy,name}', d.metadata#>>'{compiledBy,position}'))), 'B')
         FROM dossiers d WHERE abs(hashtext(d.id::text)) % 2 = $1`,
        [part],
      );
      await c.query(
        `INSERT INTO search_entries (dossier_id, position, document_id, title, case_index, fonds, year, department, doc_kind, languages, retention, doc_date, vector)
         SELECT dd.dossier_id, dd.position, dd.document_id, coalesce(dd.metadata->>'title', ''), d.case_index, d.metadata->>'fonds', d.year, d.department,
                lower(dd.metadata->>'kind'), ARRAY[dd.metadata->>'language'], d.metadata#>>'{retention,kind}', search_date(dd.metadata->>'date'),
                setweight(to_tsvector('russian', search_clean(dd.metadata->>'title')), 'A')
                  || setweight(to_tsvector('russian', search_clean(concat_ws(' ', dd.metadata->>'kind', dd.metadata->>'number', dd.metadata#>>'{author,name}',
                       dd.metadata#>>'{author,position}', dd.metadata#>>'{author,organisation}', d.case_index, d.metadata#>>'{archivalCipher,code}'))), 'B')
                  || setweight(to_tsvector('russian', search_clean(concat_ws(' ', d.title, d.metadata#>>'{department,name}'))), 'C')
                  || setweight(to_tsvector('russian', left(coalesce(t.content, ''), 400000)), 'D')
         FROM dossier_documents dd JOIN dossiers d ON d.id = dd.dossier_id LEFT JOIN search_texts t ON t.document_id = dd.document_id
         WHERE abs(hashtext(d.id::text)) % 2 = $1`,
        [part],
      );
    } finally {
      await c.end();
    }
  };
  await Promise.all([build(0), build(1)]);
  const entriesSeconds = (performance.now() - tEntries) / 1000;
  log(`search rows built (${entriesSeconds.toFixed(0)} s)`);

  const tIndexes = performance.now();
  await client.query(`SET session_replication_role = origin`);
  await client.query(`SET maintenance_work_mem = '1GB'`);
  await client.query(`CREATE INDEX search_entries_vector ON search_entries USING gin (vector)`);
  // The lexemes a prefix is searched as (search/migrations/202612080200): its trigger was off.
  await client.query(`INSERT INTO search_lexemes (lexeme) SELECT DISTINCT l FROM search_entries, unnest(tsvector_to_array(vector)) AS l ON CONFLICT DO NOTHING`);
  await Promise.all(
    ['CREATE INDEX search_entries_year ON search_entries (year)', 'CREATE INDEX search_entries_fonds ON search_entries (fonds)', 'CREATE INDEX search_entries_department ON search_entries (department)', 'CREATE INDEX search_entries_document ON search_entries (document_id)'].map(
      async (statement) => {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        try {
          await c.query(statement);
        } finally {
          await c.end();
        }
      },
    ),
  );
  await client.query(`VACUUM ANALYZE`);
  const indexesSeconds = (performance.now() - tIndexes) / 1000;
  log(`indexes and statistics (${indexesSeconds.toFixed(0)} s)`);

  // The set-based rows must be what the triggers write: rebuild a sample through the function and compare.
  const sample = await client.query<{ dossier_id: string; position: number; vector: string }>(`SELECT dossier_id, position, vector::text FROM search_entries WHERE position > 0 ORDER BY random() LIMIT 20`);
  for (const row of sample.rows) {
    await client.query(`SELECT search_index_document($1, $2)`, [row.dossier_id, row.position]);
    const again = await client.query<{ vector: string }>(`SELECT vector::text FROM search_entries WHERE dossier_id = $1 AND position = $2`, [row.dossier_id, row.position]);
    if (again.rows[0]?.vector !== row.vector) throw new Error(`generated search row ${row.dossier_id}#${row.position} differs from search_index_document's`);
  }
  await client.end();
  const lower = (list: string[]) => list.map((w) => w.toLowerCase());
  const words = (list: string[]) => [...new Set(list.flatMap((s) => s.toLowerCase().match(/\p{L}{5,}/gu) ?? []))];
  return {
    url,
    documents: docsMade,
    dossiers: options.dossiers,
    textBytes,
    seconds: { rows: rowsSeconds, entries: entriesSeconds, indexes: indexesSeconds, total: (performance.now() - started) / 1000 },
    vocabulary: { surnames: lower(surnames.map((s) => s.male)), firstNames: lower([...FIRST_MALE, ...FIRST_FEMALE]), kk: words(sentences.kk), ru: words(sentences.ru) },
    years,
    departments,
    fonds,
  };
}

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

export function benchServerUrl(): string {
  const url = flag('url') ?? process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('no PostgreSQL server: pass --url or set BENCH_DATABASE_URL / TEST_DATABASE_URL');
  return url;
}

/**
 * Brings a bench database made earlier to the code's schema. Unlike a deployment's, its migrations
 * may be applied out of order: it outlives the sessions whose helpers add migrations with earlier
 * prefixes after a later one was applied to it, and generating it again takes 22 minutes.
 */
export async function migrateBenchDatabase(db: Kysely<any>): Promise<string[]> {
  const provider = {
    async getMigrations(): Promise<Record<string, Migration>> {
      const found: Record<string, Migration> = {};
      for (const folder of MIGRATION_FOLDERS) {
        let files: string[];
        try {
          files = readdirSync(folder);
        } catch {
          continue;
        }
        for (const file of files.filter((f) => /^\d{12}_[\w-]+\.ts$/.test(f))) found[file.replace(/\.ts$/, '')] = (await import(pathToFileURL(path.join(folder, file)).href)) as Migration;
      }
      return found;
    },
  };
  const result = await new Migrator({ db, provider, migrationTableSchema: 'public', allowUnorderedMigrations: true }).migrateToLatest();
  if (result.error) throw result.error;
  return (result.results ?? []).map((r) => r.migrationName);
}

export function catalogFlags(): Omit<CatalogOptions, 'log'> {
  const documents = Number(flag('documents') ?? 1_000_000);
  const dossiers = Number(flag('dossiers') ?? Math.max(1, Math.round(documents / 10)));
  if (!Number.isInteger(documents) || !Number.isInteger(dossiers) || dossiers < 1 || documents < dossiers) throw new Error('--documents and --dossiers: whole numbers, at least one document per dossier');
  return { documents, dossiers, serverUrl: benchServerUrl(), database: flag('database') ?? 'muragat_bench_search' };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.dirname, 'generate-catalog.ts')) {
  const json = process.argv.includes('--json');
  const result = await generateCatalog({ ...catalogFlags(), log: json ? undefined : (line) => process.stderr.write(`${line}\n`) });
  if (json) process.stdout.write(`${JSON.stringify({ ...result, vocabulary: undefined }, null, 2)}\n`);
  else process.stdout.write(`catalog ${result.url}: ${result.dossiers.toLocaleString('en')} dossiers, ${result.documents.toLocaleString('en')} documents, ${(result.textBytes / 1e6).toFixed(0)} MB of text in ${result.seconds.total.toFixed(0)} s (rows ${result.seconds.rows.toFixed(0)} s, search rows ${result.seconds.entries.toFixed(0)} s, indexes ${result.seconds.indexes.toFixed(0)} s)\n`);
}
