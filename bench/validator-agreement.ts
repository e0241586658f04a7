// The built-in PDF/A-1b checker measured against veraPDF, the reference, in the same run:
//   corpus     every file of the shared PDF/A-1b corpus sample (../shared/corpus/pdfa-1b)
//   realworld  renditions of the real-world development corpus (PDF.js and Apache POI test
//              files), made by the converters exactly as ingest makes them (identifyFormat →
//              createConverter().convertMany)
//   suite      renditions of the files the test suite generates: the transfer fixtures, the demo
//              transfer (txt, DOCX, ODT, PDF, ODS, XLSX, RTF, PNG, JPEG), Muragat's own layouts
// For each set: verdict agreement, per-clause agreement (files where both, only the built-in or
// only veraPDF report a clause failed), and the speed of each engine (files/s; veraPDF's in one
// JVM start per 64 files, its start included). Disagreeing files are listed with their clauses.
// Renditions are kept in .tmp/bench-validator-agreement (reused unless --fresh). --record writes
// veraPDF's verdicts and failed clauses on the corpus sample to validators/pdfa/testdata/
// corpus-verapdf.csv, the reference of validators/pdfa/corpus.test.ts.
// Run: npm run bench:validator-agreement -- [--json] [--sets corpus,realworld,suite] [--fresh]
//      [--list] [--record]; --json prints one JSON object on stdout and the tables on stderr.
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { identifyFormat } from '../ingest/scan';
import { createConverter, renderPdfA, textToPdfA } from '../ingest/convert';
import { buildDemoTree } from '../ingest/demo/generate';
import { buildTransferTree } from '../ingest/transfer/testing/fixtures';
import { disagreementsOf } from '../validators/pdfa';
import { validateFile } from '../validators/pdfa/builtin';
import { compareClause } from '../validators/pdfa/findings';
import { runVeraPdfBatch, veraPdfVersion, type VeraPdfResult } from '../validators/pdfa/verapdf';
import { DEFAULT_CORPUS, readCorpus } from '../validators/pdfa/testing/corpus';
import { load, parseFlags, table } from './ingest-common';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const flags = parseFlags();
const cache = path.join(root, '.tmp', 'bench-validator-agreement');
const SETS = ['corpus', 'realworld', 'suite'] as const;
type SetName = (typeof SETS)[number];
const wanted = (flags.str('sets') ?? SETS.join(',')).split(',').filter(Boolean) as SetName[];
const say = flags.json ? (s: string) => process.stderr.write(s + '\n') : (s: string) => process.stdout.write(s + '\n');
const TIMEOUT_MS = 60_000;

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p)));
    else if (e.isFile()) out.push(p);
  }
  return out.sort();
}

async function nonEmpty(file: string): Promise<boolean> {
  return ((await stat(file).catch(() => null))?.size ?? 0) > 0;
}

/** Converts every convertible file of `sources` into `outDir` as ingest does; returns the renditions. */
async function convertAll(sources: { file: string; name: string }[], outDir: string): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const items: { path: string; format: Awaited<ReturnType<typeof identifyFormat>>; outPath: string }[] = [];
  const renditions: string[] = [];
  for (const s of sources) {
    const outPath = path.join(outDir, `${s.name.replace(/[^\w.-]+/g, '_')}.pdf`);
    if (!process.argv.includes('--fresh') && (await nonEmpty(outPath))) {
      renditions.push(outPath);
      continue;
    }
    const format = await identifyFormat(s.file);
    if (format.encrypted || !['office', 'pdf', 'image', 'text'].includes(format.family)) continue;
    items.push({ path: s.file, format, outPath });
  }
  if (items.length) {
    say(`  converting ${items.length} files (renditions kept in ${path.relative(root, outDir)})`);
    const work = path.join(cache, 'work');
    const converter = createConverter({ workDir: work });
    try {
      await converter.convertMany(items);
    } finally {
      await converter.close();
      await rm(work, { recursive: true, force: true });
    }
    for (const item of items) if (await nonEmpty(item.outPath)) renditions.push(item.outPath);
  }
  return renditions.sort();
}

async function corpusFiles(): Promise<string[]> {
  const dir = path.resolve(process.env.MURAGAT_PDFA_CORPUS ?? DEFAULT_CORPUS);
  if (!existsSync(path.join(dir, 'expected.csv'))) throw new Error(`no PDF/A-1b corpus at ${dir}`);
  return readCorpus(dir).map((e) => e.path);
}

async function realworldFiles(): Promise<string[]> {
  const dir = path.resolve(flags.str('realworld') ?? process.env.MURAGAT_REALWORLD_DIR ?? path.join(root, '..', 'shared', 'corpus', 'realworld-dev'));
  if (!existsSync(dir)) throw new Error(`no real-world corpus at ${dir}`);
  const files = (await listFiles(dir)).filter((f) => !/^(README|LICEN[CS]E|NOTICE)/i.test(path.basename(f)));
  return convertAll(files.map((f) => ({ file: f, name: path.relative(dir, f) })), path.join(cache, 'realworld'));
}

async function suiteFiles(): Promise<string[]> {
  const src = path.join(cache, 'suite-sources');
  await rm(src, { recursive: true, force: true });
  const transfer = await buildTransferTree(path.join(src, 'transfer'));
  const demo = await buildDemoTree(path.join(src, 'demo'), { year: 2025, sign: async () => new Uint8Array([0x30, 0x00]) });
  const sources = [
    ...transfer.documents.map((d) => ({ file: path.join(transfer.dir, d.path), name: `transfer/${d.path}` })),
    ...demo.documents.map((d) => ({ file: path.join(src, 'demo', d), name: `demo/${d}` })),
  ].filter((s) => existsSync(s.file));
  const out = await convertAll(sources, path.join(cache, 'suite'));
  // Muragat's own renditions: an inventory-like layout and plain text, in both languages.
  const own = path.join(cache, 'suite', 'own');
  await mkdir(own, { recursive: true });
  const layouts: [string, Uint8Array][] = [
    [
      'inventory-kk.pdf',
      await renderPdfA({
        title: 'Ішкі тізімдеме',
        language: 'kk',
        blocks: [
          { kind: 'heading', text: 'Іс 02-1 құжаттарының ішкі тізімдемесі' },
          {
            kind: 'table',
            columns: [
              { title: '№', width: 30, align: 'right' },
              { title: 'Құжат', width: 250 },
              { title: 'Күні', width: 90 },
              { title: 'Парақтар', width: 60, align: 'right' },
            ],
            rows: Array.from({ length: 40 }, (_, i) => [String(i + 1), `Бұйрық № ${i + 1}-н`, '2025-03-01', String(1 + (i % 3))]),
          },
          { kind: 'signatures', lines: [{ role: 'Мұрағатшы', name: 'А. Сейітова' }] },
        ],
      }),
    ],
    ['text-ru.pdf', await textToPdfA('Ведомственный архив принимает дела постоянного хранения.\n'.repeat(300), { title: 'Текст' })],
  ];
  for (const [name, bytes] of layouts) {
    await writeFile(path.join(own, name), bytes);
    out.push(path.join(own, name));
  }
  return out;
}

interface FileResult {
  file: string;
  builtin: { compliant: boolean; unreadable: boolean; clauses: string[] };
  verapdf: { compliant: boolean; unreadable: boolean; clauses: string[] };
}

interface SetResult {
  name: SetName;
  files: number;
  verdictAgreement: number;
  agree: number;
  builtinCompliant: number;
  verapdfCompliant: number;
  /** Files on which the reported failed clauses are exactly the same. */
  clauseSetAgreement: number;
  builtinSeconds: number;
  verapdfSeconds: number;
  builtinFilesPerSecond: number;
  verapdfFilesPerSecond: number;
  results: FileResult[];
}

const clausesOf = (failures: { clause: string }[]) => [...new Set(failures.map((f) => f.clause))].sort(compareClause);

async function measure(name: SetName, files: string[]): Promise<SetResult> {
  // The engines run one after the other, each alone on the machine.
  const t0 = performance.now();
  const builtin = files.map((f) => validateFile(f, { timeoutMs: TIMEOUT_MS }));
  const builtinSeconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const vera: VeraPdfResult[] = await runVeraPdfBatch(files, { timeoutMs: TIMEOUT_MS });
  const verapdfSeconds = (performance.now() - t1) / 1000;
  const results = files.map((file, i) => ({
    file,
    builtin: { compliant: builtin[i]!.compliant && !builtin[i]!.unreadable, unreadable: builtin[i]!.unreadable, clauses: clausesOf(builtin[i]!.failures) },
    verapdf: { compliant: vera[i]!.compliant && !vera[i]!.unreadable, unreadable: vera[i]!.unreadable, clauses: clausesOf(vera[i]!.failures) },
  }));
  const agree = results.filter((r) => r.builtin.compliant === r.verapdf.compliant).length;
  const sameClauses = results.filter((r) => r.builtin.clauses.join() === r.verapdf.clauses.join()).length;
  return {
    name,
    files: files.length,
    verdictAgreement: files.length ? agree / files.length : 1,
    agree,
    builtinCompliant: results.filter((r) => r.builtin.compliant).length,
    verapdfCompliant: results.filter((r) => r.verapdf.compliant).length,
    clauseSetAgreement: files.length ? sameClauses / files.length : 1,
    builtinSeconds,
    verapdfSeconds,
    builtinFilesPerSecond: files.length / Math.max(builtinSeconds, 1e-6),
    verapdfFilesPerSecond: files.length / Math.max(verapdfSeconds, 1e-6),
    results,
  };
}

/** Per clause, over all files: both engines report it, only the built-in, only veraPDF. */
function perClause(results: FileResult[]): { clause: string; both: number; builtinOnly: number; verapdfOnly: number; agreement: number }[] {
  const rows = new Map<string, { both: number; builtinOnly: number; verapdfOnly: number }>();
  for (const r of results) {
    const a = new Set(r.builtin.clauses);
    const b = new Set(r.verapdf.clauses);
    for (const c of new Set([...a, ...b])) {
      const row = rows.get(c) ?? { both: 0, builtinOnly: 0, verapdfOnly: 0 };
      if (a.has(c) && b.has(c)) row.both++;
      else if (a.has(c)) row.builtinOnly++;
      else row.verapdfOnly++;
      rows.set(c, row);
    }
  }
  return [...rows]
    .sort(([a], [b]) => compareClause(a, b))
    .map(([clause, r]) => ({ clause, ...r, agreement: r.both / (r.both + r.builtinOnly + r.verapdfOnly) }));
}

/** veraPDF's verdicts and clauses on the corpus sample, for the corpus test to compare with. */
async function record(set: SetResult, version: string): Promise<void> {
  const file = path.join(root, 'validators', 'pdfa', 'testdata', 'corpus-verapdf.csv');
  const lines = set.results.map((r) => `${path.basename(r.file)},${r.verapdf.unreadable ? 'unreadable' : r.verapdf.compliant ? 'pass' : 'fail'},${r.verapdf.clauses.join(' ')}`);
  await writeFile(file, `# ${version}, --flavour 1b: failed clauses per file of the PDF/A-1b corpus sample (bench:validator-agreement --record)\nfile,verdict,clauses\n${lines.join('\n')}\n`);
  say(`  recorded veraPDF's clauses in ${path.relative(root, file)}`);
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

async function main(): Promise<void> {
  const version = await veraPdfVersion();
  if (!version) {
    process.stderr.write('bench:validator-agreement: veraPDF is not installed (run `node scripts/setup.mjs --test` or set VERAPDF_BIN)\n');
    process.exitCode = 2;
    return;
  }
  await mkdir(cache, { recursive: true });
  const sets: SetResult[] = [];
  for (const name of SETS.filter((s) => wanted.includes(s))) {
    say(`${name}:`);
    const files = name === 'corpus' ? await corpusFiles() : name === 'realworld' ? await realworldFiles() : await suiteFiles();
    say(`  validating ${files.length} files with both engines`);
    const measured = await measure(name, files);
    sets.push(measured);
    if (name === 'corpus' && process.argv.includes('--record')) await record(measured, version);
  }
  const all = sets.flatMap((s) => s.results);
  const total = {
    files: all.length,
    agree: all.filter((r) => r.builtin.compliant === r.verapdf.compliant).length,
    builtinSeconds: sets.reduce((n, s) => n + s.builtinSeconds, 0),
    verapdfSeconds: sets.reduce((n, s) => n + s.verapdfSeconds, 0),
  };
  const overall = {
    files: total.files,
    verdictAgreement: total.files ? total.agree / total.files : 1,
    clauseSetAgreement: total.files ? all.filter((r) => r.builtin.clauses.join() === r.verapdf.clauses.join()).length / total.files : 1,
    builtinFilesPerSecond: total.files / Math.max(total.builtinSeconds, 1e-6),
    verapdfFilesPerSecond: total.files / Math.max(total.verapdfSeconds, 1e-6),
    speedRatio: total.verapdfSeconds / Math.max(total.builtinSeconds, 1e-6),
  };
  const clauses = perClause(all);
  const disagreements = sets.flatMap((s) =>
    s.results
      .map((r) => ({ set: s.name, file: path.basename(r.file), differences: disagreementsOf({ compliant: r.builtin.compliant, failures: r.builtin.clauses.map((clause) => ({ clause })) }, { compliant: r.verapdf.compliant, failures: r.verapdf.clauses.map((clause) => ({ clause })) }) }))
      .filter((d) => d.differences.length),
  );

  say(`\nveraPDF: ${version}; load ${load()}`);
  say(
    table([
      ['set', 'files', 'verdicts agree', 'clause sets agree', 'compliant (built-in / veraPDF)', 'built-in files/s', 'veraPDF files/s', 'ratio'],
      ...sets.map((s) => [s.name, s.files, pct(s.verdictAgreement), pct(s.clauseSetAgreement), `${s.builtinCompliant} / ${s.verapdfCompliant}`, s.builtinFilesPerSecond, s.verapdfFilesPerSecond, `${(s.builtinFilesPerSecond / s.verapdfFilesPerSecond).toFixed(1)}×`]),
      ['all', overall.files, pct(overall.verdictAgreement), pct(overall.clauseSetAgreement), '', overall.builtinFilesPerSecond, overall.verapdfFilesPerSecond, `${overall.speedRatio.toFixed(1)}×`],
    ]),
  );
  say('\nper clause (files where the clause is reported failed):');
  say(table([['clause', 'both', 'built-in only', 'veraPDF only', 'agreement'], ...clauses.map((c) => [c.clause, c.both, c.builtinOnly, c.verapdfOnly, pct(c.agreement)])]));
  const verdictMisses = disagreements.filter((d) => d.differences.some((x) => x.kind === 'verdict'));
  say(`\nverdict disagreements: ${verdictMisses.length}`);
  for (const d of process.argv.includes('--list') ? disagreements : verdictMisses) {
    say(`  ${d.set} ${d.file}: ${d.differences.map((x) => (x.kind === 'verdict' ? `verdict built-in ${x.builtin ? 'pass' : 'fail'} / veraPDF ${x.verapdf ? 'pass' : 'fail'}` : `${x.clause} ${x.builtin ? 'built-in only' : 'veraPDF only'}`)).join('; ')}`);
  }
  if (flags.json) {
    process.stdout.write(
      JSON.stringify(
        {
          verapdf: version,
          load: load(),
          overall,
          sets: sets.map(({ results: _results, ...s }) => s),
          clauses,
          disagreements,
        },
        null,
        2,
      ) + '\n',
    );
  }
}

await main();
