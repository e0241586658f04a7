// Search benchmark (issue 13): typical queries against a generated catalog on the PostgreSQL
// server (bench/generate-catalog.ts; default 1,000,000 documents in 100,000 dossiers), each
// through the search service as the API runs it (count, page, snippets), timed; p50 and p95 per
// kind of query and overall are printed, and EXPLAIN (ANALYZE, BUFFERS) of the page query of one
// query per kind with --explain. Goal: p95 under 100 ms on the 2-core machine.
//
// Run: node bin/run-ts.js bench/search.ts [--generate] [--documents 1000000] [--dossiers 100000]
//        [--database muragat_bench_search] [--runs 40] [--explain] [--json]
// Without --generate an existing bench database is used (made by an earlier --generate or by
// bench/generate-catalog.ts); the server is BENCH_DATABASE_URL, then TEST_DATABASE_URL, or --url.
import path from 'node:path';
import { Kysely, PostgresDialect, type CompiledQuery } from 'kysely';
import pg from 'pg';
import type { Database } from '../database/database';
import { parseSearchInput, search, type SearchViewer } from '../search';
import { FIRST_FEMALE, FIRST_MALE, SURNAME_ROOTS, catalogFlags, generateCatalog, migrateBenchDatabase, seedSentences, surnameForms, percentile, rng } from './generate-catalog';
import { loadavg } from 'node:os';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const has = (name: string) => process.argv.includes(`--${name}`);

interface QueryKind {
  name: string;
  what: string;
  viewer: 'staff' | 'researcher';
  params: () => Record<string, string>;
}

async function main(): Promise<void> {
  const json = has('json');
  const log = (line: string) => {
    if (!json) process.stderr.write(`${line}\n`);
  };
  const options = catalogFlags();
  let generated: Awaited<ReturnType<typeof generateCatalog>> | null = null;
  if (has('generate')) {
    log(`generating ${options.documents.toLocaleString('en')} documents in ${options.dossiers.toLocaleString('en')} dossiers …`);
    generated = await generateCatalog({ ...options, log });
  }
  const url = new URL(options.serverUrl);
  url.pathname = `/${options.database}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
  const captured: CompiledQuery[] = [];
  let capture = false;
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    log: (event) => {
      if (capture && event.level === 'query') captured.push(event.query);
    },
  });
  // A catalog generated earlier: the search's later migrations (search_lexemes) first.
  const applied = await migrateBenchDatabase(db);
  if (applied.length) log(`migrations applied: ${applied.join(', ')}`);
  const loadBefore = loadavg()[0]!;
  const sizes = await pool.query<{ documents: string; dossiers: string; entries: string; words: string; table_size: string; index_size: string }>(
    `SELECT (SELECT count(*) FROM dossier_documents) AS documents, (SELECT count(*) FROM dossiers) AS dossiers, (SELECT count(*) FROM search_entries) AS entries,
            (SELECT count(*) FROM search_words) AS words, pg_size_pretty(pg_total_relation_size('search_entries')) AS table_size,
            pg_size_pretty(pg_relation_size('search_entries_vector')) AS index_size`,
  );
  const catalog = sizes.rows[0]!;
  log(`catalog: ${Number(catalog.dossiers).toLocaleString('en')} dossiers, ${Number(catalog.documents).toLocaleString('en')} documents, ${Number(catalog.words).toLocaleString('en')} words; search_entries ${catalog.table_size}, GIN ${catalog.index_size}`);

  const random = rng(7);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const sentences = seedSentences();
  const words = (list: string[], min: number) => [...new Set(list.flatMap((s) => s.toLowerCase().match(/\p{L}+/gu) ?? []))].filter((w) => w.length >= min);
  const kkWords = words(sentences.kk, 7).filter((w) => /[әғқңөұүһі]/.test(w));
  const ruWords = words(sentences.ru, 6).filter((w) => /^[а-яё]+$/.test(w));
  const surnames = SURNAME_ROOTS.map((r) => surnameForms(r).male);
  const firstNames = [...FIRST_MALE, ...FIRST_FEMALE];
  const year = () => String(2001 + Math.floor(random() * 25));
  const department = () => String(1 + Math.floor(random() * 20)).padStart(2, '0');
  const typo = (w: string) => {
    const at = 2 + Math.floor(random() * (w.length - 3));
    return random() < 0.5 ? w.slice(0, at) + w.slice(at + 1) : w.slice(0, at) + w[at + 1] + w[at] + w.slice(at + 2);
  };

  const kinds: QueryKind[] = [
    { name: 'surname', what: "a person's surname (all its forms)", viewer: 'staff', params: () => ({ q: pick(surnames) }) },
    { name: 'full-name', what: 'surname and first name', viewer: 'staff', params: () => ({ q: `${pick(surnames)} ${pick(firstNames)}` }) },
    { name: 'ru-word', what: 'a Russian word, inflected', viewer: 'staff', params: () => ({ q: pick(ruWords) }) },
    { name: 'kk-prefix', what: 'the start of a Kazakh word', viewer: 'staff', params: () => ({ q: pick(kkWords).slice(0, 5) }) },
    { name: 'kk-typo', what: 'a misspelt Kazakh word', viewer: 'staff', params: () => ({ q: typo(pick(kkWords)) }) },
    { name: 'word+filters', what: 'a word, a year and a department', viewer: 'staff', params: () => ({ q: pick(random() < 0.5 ? ruWords : kkWords), year: year(), department: department() }) },
    { name: 'researcher', what: 'surname and first name, as a researcher', viewer: 'researcher', params: () => ({ q: `${pick(surnames)} ${pick(firstNames)}` }) },
    { name: 'browse', what: 'filters only: fonds, year, dossiers', viewer: 'staff', params: () => ({ fonds: pick(['12', '14', '27', '31']), year: year(), type: 'dossier' }) },
    { name: 'page-5', what: 'a surname, the fifth page', viewer: 'staff', params: () => ({ q: pick(surnames), offset: '80' }) },
  ];
  const runs = Number(flag('runs') ?? 40);
  const viewerOf = (k: QueryKind): SearchViewer => (k.viewer === 'researcher' ? { kind: 'researcher', now: new Date(), userId: null } : { kind: 'staff', scope: { kind: 'all' } });

  // Warm-up: the pages of the indexes the queries touch, as on a server that has been running.
  for (const k of kinds) for (let i = 0; i < 3; i++) await search(db, parseSearchInput(k.params()), viewerOf(k));

  const results: { kind: string; what: string; p50: number; p95: number; max: number; meanHits: number; example: string }[] = [];
  const all: number[] = [];
  for (const k of kinds) {
    const times: number[] = [];
    let hits = 0;
    let example = '';
    for (let i = 0; i < runs; i++) {
      const params = k.params();
      example ||= JSON.stringify(params);
      const t = performance.now();
      const r = await search(db, parseSearchInput(params), viewerOf(k));
      times.push(performance.now() - t);
      hits += r.total;
    }
    times.sort((a, b) => a - b);
    all.push(...times);
    results.push({ kind: k.name, what: k.what, p50: percentile(times, 50), p95: percentile(times, 95), max: times[times.length - 1]!, meanHits: Math.round(hits / runs), example });
  }
  all.sort((a, b) => a - b);
  const overall = { p50: percentile(all, 50), p95: percentile(all, 95), max: all[all.length - 1]! };

  const plans: Record<string, string> = {};
  if (has('explain')) {
    for (const k of kinds) {
      captured.length = 0;
      capture = true;
      await search(db, parseSearchInput(k.params()), viewerOf(k));
      capture = false;
      // The statement that counts, ranks and highlights (search.service.ts), planned as it runs there.
      const page = captured.find((q) => /^\s*with c as materialized/i.test(q.sql))!;
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(`SELECT set_config('enable_seqscan', 'off', true), set_config('jit', 'off', true)`);
        const plan = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${page.sql}`, page.parameters as unknown[]);
        plans[k.name] = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
      } finally {
        await client.query('ROLLBACK');
        client.release();
      }
    }
  }
  await db.destroy();

  if (json) {
    process.stdout.write(`${JSON.stringify({ catalog, generated: generated && { ...generated, vocabulary: undefined }, runs, results, overall, plans }, null, 2)}\n`);
    return;
  }
  const ms = (x: number) => x.toFixed(1).padStart(7);
  const lines = [
    `search bench: ${Number(catalog.documents).toLocaleString('en')} documents in ${Number(catalog.dossiers).toLocaleString('en')} dossiers, ${runs} runs per kind`,
    `${'kind'.padEnd(14)} ${'p50 ms'.padStart(7)} ${'p95 ms'.padStart(7)} ${'max ms'.padStart(7)} ${'hits'.padStart(7)}  what`,
    ...results.map((r) => `${r.kind.padEnd(14)} ${ms(r.p50)} ${ms(r.p95)} ${ms(r.max)} ${String(r.meanHits).padStart(7)}  ${r.what}, e.g. ${r.example}`),
    `${'overall'.padEnd(14)} ${ms(overall.p50)} ${ms(overall.p95)} ${ms(overall.max)}`,
    `goal p95 < 100 ms: ${overall.p95 < 100 ? 'met' : 'NOT met'} (1-minute load average ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after)`,
  ];
  if (generated) lines.unshift(`generated in ${generated.seconds.total.toFixed(0)} s (rows ${generated.seconds.rows.toFixed(0)} s, search rows ${generated.seconds.entries.toFixed(0)} s, indexes ${generated.seconds.indexes.toFixed(0)} s), ${(generated.textBytes / 1e6).toFixed(0)} MB of text`);
  for (const [kind, plan] of Object.entries(plans)) lines.push('', `EXPLAIN ${kind}:`, plan);
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.dirname, 'search.ts')) await main();
