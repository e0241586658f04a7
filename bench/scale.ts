// Scale benchmark (issue 15): the key queries of the archive on the generated catalog of
// 1,000,000 documents in 100,000 dossiers (bench/generate-catalog.ts, the same database as
// bench/search), each through the domain function the server calls — search, inventory build,
// appraisal list, retention eligibility, transfer dashboard — timed; p50/p95/max per query with
// the machine's load average beside them (the machine is shared). EXPLAIN plans: docs/scale.md.
//
// Run: npm run bench:scale -- [--runs 20] [--only appraisal-list,search] [--json]
//      (node bin/run-ts.js bench/scale.ts …; the server is BENCH_DATABASE_URL, then
//      TEST_DATABASE_URL, or --url; the database --database, default muragat_bench_search)
// The bench database is brought to the code's schema first (migrations), and bench/scale-setup.sql
// adds what these queries need beyond the search rows (organisation, departments, acceptance acts).
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../database/database';
import type { Actor } from '../audit/audit.service';
import { parseSearchInput, search } from '../search';
import { appraisalList, loadAppraisalDossiers } from '../appraisal';
import { createInventoriesService } from '../catalog/inventories';
import { listTransfers } from '../ingest/intake/transfers.service';
import { dossierDetail } from '../ingest/intake/dossiers.service';
import { runIngest, type IngestDeps } from '../ingest';
import { manifestTransferTar } from '../ingest/transfer/testing/fixtures';
import { createAccessService, type AccessUser } from '../access';
import { parseConfig } from '../common/config';
import { openStorage } from '../storage';
import { SURNAME_ROOTS, FIRST_MALE, FIRST_FEMALE, catalogFlags, migrateBenchDatabase, surnameForms, percentile, rng } from './generate-catalog';

const has = (name: string) => process.argv.includes(`--${name}`);
function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const load = () => loadavg()[0]!;

interface Kind {
  name: string;
  what: string;
  /** The timed call; `after` (untimed) undoes what it changed. */
  run: () => Promise<{ count: number; after?: () => Promise<unknown> }>;
}

export interface ScaleResult {
  kind: string;
  what: string;
  runs: number;
  p50: number;
  p95: number;
  max: number;
  /** Rows the call answered (mean): hits, groups, dossiers, transfers. */
  rows: number;
  /** 1-minute load average before and after the kind's runs. */
  load: [number, number];
}

/**
 * The dossier view needs stored objects (dossierDetail reads the AIP manifest), and the generated
 * rows name none: a small real transfer (three dossiers of Kazakh and Russian text letters) is
 * ingested into the bench database once, its objects in a storage folder that outlives the run
 * ($TMPDIR/muragat-bench-scale/view). Idempotent: a later run finds the transfer by its source
 * name and reuses it; only when its objects are gone (the folder was cleaned) is a new one, with
 * the next number, ingested (the old rows stay among the 100,000; the bench says so).
 */
async function viewDossiers(db: Kysely<Database>, log: (line: string) => void): Promise<{ ids: string[]; deps: IngestDeps }> {
  const root = path.join(process.env.TMPDIR ?? tmpdir(), 'muragat-bench-scale', 'view');
  await mkdir(root, { recursive: true });
  const config = parseConfig({ MURAGAT_DATA_DIR: path.join(root, 'data'), MURAGAT_STORAGE: `file:${path.join(root, 'primary')}`, MURAGAT_MALWARE_POLICY: 'accept-with-warning', LOG_LEVEL: 'silent' });
  const deps: IngestDeps = { db, storage: openStorage(config), config };
  const dossiersOf = async (transferId: string) => (await db.selectFrom('dossiers').select('id').where('transfer_id', '=', transferId).orderBy('case_index').execute()).map((r) => r.id);
  const readable = async (ids: string[]) => ids.length > 0 && (await dossierDetail(deps, ids[0]!).then(() => true, () => false));
  for (let n = 1; n <= 5; n++) {
    const source = `muragat-bench-scale-view-${n}.tar`;
    const found = await db.selectFrom('transfers').select(['id', 'status']).where('source_name', '=', source).executeTakeFirst();
    if (found) {
      const ids = await dossiersOf(found.id);
      if (found.status === 'completed' && (await readable(ids))) return { ids, deps };
      log(`dossier view: transfer ${source} (${found.status}) has no readable objects; ingesting the next one`);
      continue;
    }
    const tar = path.join(root, source);
    await writeFile(tar, viewTransferTar(n));
    const t = performance.now();
    const report = await runIngest(deps, { tarPath: tar, actor: { userId: null, username: 'bench', roles: ['archivist'] } });
    const ids = await dossiersOf(report.transfer);
    if (report.status !== 'completed' || !(await readable(ids))) throw new Error(`dossier view: the bench transfer ${source} was not stored (${report.status}: ${report.failure?.message ?? 'no readable dossier'})`);
    log(`dossier view: ingested ${source} (${ids.length} dossiers) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    return { ids, deps };
  }
  throw new Error('dossier view: no readable bench transfer after 5 tries');
}

/** Three dossiers of department 99 (no generated dossier has it), 2025, six text letters each in Kazakh and Russian. */
function viewTransferTar(n: number): Buffer {
  const dossiers = [1, 2, 3].map((k) => {
    const index = `99-${n}${String(k).padStart(2, '0')}`;
    const files = Array.from({ length: 6 }, (_, i) => {
      const language = i % 2 === 0 ? ('kk' as const) : ('ru' as const);
      const content = Buffer.from(
        language === 'kk'
          ? `Хат ${index}/${i + 1}. Қазақстан Республикасы, мұрағатқа тапсыру туралы хат. Құжаттар толық тапсырылды.\n`
          : `Письмо ${index}/${i + 1}. О передаче документов в архив организации. Документы переданы полностью.\n`,
      );
      return { name: `${language === 'kk' ? 'хат' : 'письмо'}-${i + 1}.txt`, content, title: language === 'kk' ? `Хат ${i + 1}` : `Письмо ${i + 1}`, language };
    });
    return { index, title: `Хат алмасу ${index} (Переписка)`, retention: { kind: 'years', years: 5, article: '23' }, files };
  });
  return manifestTransferTar(
    {
      organisation: { bin: '990000000001', name: 'Сынақ мекемесі' },
      department: { code: '99', name: 'Бенч бөлімі' },
      compiledBy: { name: 'Бенч Б. Б.', position: 'іс жүргізуші' },
    },
    dossiers,
  );
}

async function main(): Promise<void> {
  const json = has('json');
  const log = (line: string) => {
    if (!json) process.stderr.write(`${line}\n`);
  };
  const options = catalogFlags();
  const url = new URL(options.serverUrl);
  url.pathname = `/${options.database}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const applied = await migrateBenchDatabase(db);
  if (applied.length) log(`migrations applied: ${applied.join(', ')}`);
  await pool.query(readFileSync(path.join(import.meta.dirname, 'scale-setup.sql'), 'utf8'));
  const catalog = (
    await pool.query<{ documents: string; dossiers: string; transfers: string }>(
      `SELECT (SELECT count(*) FROM dossier_documents) AS documents, (SELECT count(*) FROM dossiers) AS dossiers, (SELECT count(*) FROM transfers) AS transfers`,
    )
  ).rows[0]!;
  log(`catalog: ${Number(catalog.dossiers).toLocaleString('en')} dossiers, ${Number(catalog.documents).toLocaleString('en')} documents, ${catalog.transfers} transfers`);

  const random = rng(15);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  // Not department 99: it holds only the dossier view's small transfer (viewDossiers).
  const departments = (await pool.query<{ code: string }>(`SELECT code FROM departments WHERE code <> '99' ORDER BY code`)).rows.map((r) => r.code);
  const years = (await pool.query<{ year: number }>(`SELECT DISTINCT year FROM transfers WHERE year IS NOT NULL ORDER BY year`)).rows.map((r) => r.year);
  const actor: Actor = { userId: null, username: 'bench', roles: ['archivist'] };
  // The inventory build writes no file without a renderer (InventoryDeps.renderRenditions); a storage is still part of its deps.
  const inventories = createInventoriesService({ db, storage: openStorage({ storage: [{ kind: 'file', root: path.join(process.env.TMPDIR ?? '/tmp', 'muragat-bench-scale') }] }) });
  const staff = { kind: 'staff', scope: { kind: 'all' } } as const;
  const by = '2026-12-31';
  const access = createAccessService({ db });
  const archivist: AccessUser = { id: null, username: 'bench', roles: ['archivist'], departmentId: null };
  const researcher: AccessUser = { id: null, username: 'bench-researcher', roles: ['researcher'], departmentId: null };
  let view: ReturnType<typeof viewDossiers> | undefined;
  /** A dossier's page as GET /api/dossiers/{id} makes it for this user: access check, detail, the read recorded. */
  const viewAs = async (user: AccessUser) => {
    const { ids, deps } = await (view ??= viewDossiers(db, log));
    const detail = await access.whileRecording(user, { dossier: pick(ids), need: 'metadata' }, { kind: 'view', what: 'dossier', route: 'GET /api/dossiers/{id}' }, async (d) =>
      access.detailFor(user, await dossierDetail(deps, d.record), d),
    );
    return { count: detail.documents.length };
  };

  const kinds: Kind[] = [
    {
      name: 'search',
      what: 'a surname, as the archivist (search/)',
      run: async () => ({ count: (await search(db, parseSearchInput({ q: surnameForms(pick(SURNAME_ROOTS)).male }), staff)).hits.length }),
    },
    {
      name: 'search-researcher',
      what: 'surname and first name, as a researcher through access/',
      run: async () => ({
        count: (await search(db, parseSearchInput({ q: `${surnameForms(pick(SURNAME_ROOTS)).male} ${pick([...FIRST_MALE, ...FIRST_FEMALE])}` }), { kind: 'researcher', now: new Date(), userId: null })).hits.length,
      }),
    },
    {
      name: 'inventory-build',
      what: "a department's year of permanent dossiers into an inventory (catalog/inventories build; discarded after, untimed)",
      run: async () => {
        const view = await inventories.build(actor, { department: pick(departments), year: pick(years), category: 'permanent', compiler: { name: 'Бенч Б.Б.', position: 'архивист' } });
        return { count: view.rows.length, after: () => inventories.discard(actor, view.id, 'bench') };
      },
    },
    {
      name: 'appraisal-list',
      what: `dossiers due for appraisal by ${by}, a page of the grouped list (appraisal appraisalList)`,
      run: async () => {
        const list = await appraisalList(db, { by, page: 1 + Math.floor(random() * 3) });
        return { count: list.groups.length };
      },
    },
    {
      name: 'appraisal-filtered',
      what: 'the same for one department (appraisal appraisalList)',
      run: async () => ({ count: (await appraisalList(db, { by, department: pick(departments) })).groups.length }),
    },
    {
      name: 'retention-eligibility',
      what: "a department's year of dossiers: retention in force and earliest destruction (appraisal loadAppraisalDossiers)",
      run: async () => {
        const ids = (await pool.query<{ id: string }>(`SELECT id FROM dossiers WHERE department = $1 AND year = $2`, [pick(departments), pick(years)])).rows.map((r) => r.id);
        return { count: (await loadAppraisalDossiers(db, ids)).length };
      },
    },
    {
      name: 'dossier-view',
      what: 'a dossier of a real transfer amid the million rows, as the archivist: access check and dossierDetail (GET /api/dossiers/{id})',
      run: () => viewAs(archivist),
    },
    {
      name: 'dossier-view-researcher',
      what: 'the same dossier view as a researcher (access/ rules: the dossier and each document)',
      run: () => viewAs(researcher),
    },
    {
      name: 'transfer-dashboard',
      what: 'the latest 50 transfers with their dossier and document counts (ingest listTransfers)',
      run: async () => ({ count: (await listTransfers(db, { kind: 'all' }, { limit: 50 })).transfers.length }),
    },
  ];
  const only = flag('only')?.split(',');
  const chosen = only ? kinds.filter((k) => only.includes(k.name)) : kinds;
  const runs = Number(flag('runs') ?? 20);

  const results: ScaleResult[] = [];
  for (const k of chosen) {
    // Warm-up: the pages of the indexes the query touches, as on a server that has been running.
    for (let i = 0; i < 2; i++) await (await k.run()).after?.();
    const before = load();
    const times: number[] = [];
    let rows = 0;
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      const r = await k.run();
      times.push(performance.now() - t);
      rows += r.count;
      await r.after?.();
    }
    times.sort((a, b) => a - b);
    const result = { kind: k.name, what: k.what, runs, p50: percentile(times, 50), p95: percentile(times, 95), max: times[times.length - 1]!, rows: Math.round(rows / runs), load: [before, load()] as [number, number] };
    results.push(result);
    log(`${k.name}: p50 ${result.p50.toFixed(1)} ms, p95 ${result.p95.toFixed(1)} ms (load ${result.load.map((x) => x.toFixed(1)).join('→')})`);
  }
  await db.destroy();

  if (json) {
    process.stdout.write(`${JSON.stringify({ catalog, runs, results }, null, 2)}\n`);
    return;
  }
  const ms = (x: number) => x.toFixed(1).padStart(8);
  process.stdout.write(
    [
      `scale bench: ${Number(catalog.documents).toLocaleString('en')} documents in ${Number(catalog.dossiers).toLocaleString('en')} dossiers, ${catalog.transfers} transfers; ${runs} runs per query`,
      `${'query'.padEnd(22)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'max ms'.padStart(8)} ${'rows'.padStart(6)}  ${'load'.padEnd(10)}  what`,
      ...results.map((r) => `${r.kind.padEnd(22)} ${ms(r.p50)} ${ms(r.p95)} ${ms(r.max)} ${String(r.rows).padStart(6)}  ${r.load.map((x) => x.toFixed(1)).join('→').padEnd(10)}  ${r.what}`),
    ].join('\n') + '\n',
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.dirname, 'scale.ts')) await main();
