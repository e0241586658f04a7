// Ingest of a mixed transfer against the bare converters (issues #3, #9). Either generates N
// documents — docx, odt (pure JS), xlsx and pptx (LibreOffice batch from csv / odp), PDFs
// (pdf-lib, DejaVu), JPEG and PNG scans, text — in Kazakh and Russian across several dossiers,
// or (--realworld) takes real DOCX and PDFs of the realworld-dev corpus, chosen by a hash of
// their path. Packs the tree, then times (1) the reference: the bare converters on all cores
// (bench/convert-baseline.ts: LibreOffice PDF/A batches, --office-lanes at once, beside a pool of Ghostscript PDF/A
// runs) and (2) the whole pipeline on an embedded PGlite catalog, and prints pipeline /
// reference in wall time and in CPU seconds.
// Run: node bin/run-ts.js bench/ingest-mixed.ts [--docs 200] [--json] [--keep] [--office-lanes N]
//      node bin/run-ts.js bench/ingest-mixed.ts --realworld [DIR] [--docx N] [--pdfs 26]
// --office-lanes N: the reference runs N soffice instances at once (own profiles), each over
// every N-th office file, as a user who knows soffice converts one file at a time could. Default:
// as many as the pipeline runs (MURAGAT_OFFICE_LANES, default 1: the one batch issue 9 defines),
// so the reference is never weaker than the pipeline's own use of LibreOffice.
// --rounds N: reference and pipeline alternate N times (a fresh catalog each round); the figures
// printed are of the round with the median ratio, and every round's pair is listed.
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { parseConfig } from '../common/config';
import { findTool, runProcess } from '../common/process';
import { packTransfer } from '../ingest/transfer';
import { loadTools, processTransfer, receiveTransfer } from '../ingest';
import { makeDocx, makeOdt } from '../ingest/transfer/testing/fixtures';
import { startToolRunner, stopToolRunner, watchToolRuns, type ToolRun } from '../ingest/convert/tool-runner';
import { cpuSecondsSelfAndChildren, cpuSplit, timeConversionBaseline, type BaselineTiming } from './convert-baseline';
import {
  TITLES,
  benchRoot,
  dateFor,
  load,
  makeJpeg,
  makePng,
  makeTextPdf,
  openBenchCatalog,
  parseFlags,
  prose,
  sampleProblems,
  secondsSince,
  statusCounts,
  stepTimings,
  type StepTiming,
  table,
  writeDossierJson,
  writeMeta,
  writeTransferJson,
} from './ingest-common';

type Kind = 'docx' | 'odt' | 'xlsx' | 'pptx' | 'pdf' | 'jpg' | 'png' | 'txt';
const GOAL_RATIO = 1.2;
const REALWORLD = '/work/shared/corpus/realworld-dev';
/** One cycle of 20 documents: the mix of the generated transfer. */
const MIX: Kind[] = ['docx', 'pdf', 'odt', 'jpg', 'docx', 'xlsx', 'pdf', 'pptx', 'docx', 'pdf', 'png', 'txt', 'docx', 'pdf', 'odt', 'xlsx', 'docx', 'pdf', 'jpg', 'pptx'];
const DOCS_PER_DOSSIER = 25;

function odp(lines: string[]): Uint8Array {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const ns =
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0"';
  const pages = [lines.slice(0, 4), lines.slice(4, 8)]
    .map(
      (ls, i) =>
        `<draw:page draw:name="page${i + 1}"><draw:frame svg:x="2cm" svg:y="2cm" svg:width="24cm" svg:height="14cm"><draw:text-box>${ls.map((l) => `<text:p>${esc(l)}</text:p>`).join('')}</draw:text-box></draw:frame></draw:page>`,
    )
    .join('');
  return zipSync({
    mimetype: [strToU8('application/vnd.oasis.opendocument.presentation'), { level: 0 }],
    'META-INF/manifest.xml': strToU8(
      '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.presentation"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>',
    ),
    'content.xml': strToU8(`<?xml version="1.0" encoding="UTF-8"?><office:document-content ${ns} office:version="1.2"><office:body><office:presentation>${pages}</office:presentation></office:body></office:document-content>`),
  });
}

function csv(language: 'kk' | 'ru', seed: number): string {
  const head = language === 'kk' ? 'Р/с,Аты-жөні,Лауазымы,Жалақы' : '№,ФИО,Должность,Оклад';
  const names = language === 'kk' ? ['Әбенова Г. С.', 'Сейітов Н. Қ.', 'Құрманова Ә. Б.', 'Жұмабаев Ө. Т.'] : ['Иванова А. П.', 'Петров С. Н.', 'Ким В. В.', 'Ахметова Д. К.'];
  const pos = language === 'kk' ? ['бас маман', 'жетекші маман', 'бөлім басшысы'] : ['главный специалист', 'ведущий специалист', 'начальник отдела'];
  const rows = [head];
  for (let i = 0; i < 30; i++) rows.push(`${i + 1},"${names[(i + seed) % names.length]}","${pos[(i * 7 + seed) % pos.length]}",${250000 + ((seed * 131 + i * 977) % 400000)}`);
  return rows.join('\n') + '\n';
}

export interface GeneratedDoc {
  path: string;
  kind: Kind;
  bytes: number;
}

/** Writes the transfer tree; office files needing LibreOffice are made in two soffice batches. */
async function generate(dir: string, n: number): Promise<{ docs: GeneratedDoc[]; generateSeconds: number; problems: string[] }> {
  const t0 = performance.now();
  const problems: string[] = [];
  await writeTransferJson(dir);
  const staging = path.join(dir, '..', 'office-staging');
  await mkdir(staging, { recursive: true });
  const pending: { kind: 'xlsx' | 'pptx'; staged: string; target: string }[] = [];
  const docs: GeneratedDoc[] = [];
  const dossiers = Math.max(2, Math.ceil(n / DOCS_PER_DOSSIER));
  for (let d = 0; d < dossiers; d++) await writeDossierJson(path.join(dir, `03-${String(d + 1).padStart(2, '0')}`), d % 2 ? 'Переписка с организациями' : 'Жеке құрам бойынша бұйрықтар');
  for (let i = 0; i < n; i++) {
    const kind = MIX[i % MIX.length] ?? 'docx';
    const language: 'kk' | 'ru' = i % 2 ? 'ru' : 'kk';
    const title = TITLES[language][i % TITLES[language].length];
    const date = dateFor(i);
    const folder = path.join(dir, `03-${String((i % dossiers) + 1).padStart(2, '0')}`);
    const file = path.join(folder, `${date} ${title} №${i + 1}.${kind}`);
    const lines = prose(language, 12 + (i % 20), i);
    switch (kind) {
      case 'docx':
        await writeFile(file, makeDocx({ title: `${title} №${i + 1}`, author: 'Кадр бөлімі', created: `${date}T09:00:00Z`, paragraphs: lines }));
        break;
      case 'odt':
        await writeFile(file, makeOdt({ title: `${title} №${i + 1}`, author: 'Кадр бөлімі', created: `${date}T09:00:00`, paragraphs: lines }));
        break;
      case 'pdf':
        await writeFile(file, await makeTextPdf({ title: `${title} №${i + 1}`, lines: prose(language, 40 + (i % 3) * 30, i), created: new Date(`${date}T09:00:00Z`) }));
        break;
      case 'jpg':
        await writeFile(file, makeJpeg(620, 877, i, 75));
        await writeMeta(file, { title: `${title} №${i + 1}`, date, language, number: String(i + 1) });
        break;
      case 'png':
        await writeFile(file, makePng(620, 877, i));
        await writeMeta(file, { title: `${title} №${i + 1}`, date, language, number: String(i + 1) });
        break;
      case 'txt':
        await writeFile(file, lines.join('\n') + '\n');
        break;
      case 'xlsx': {
        const staged = path.join(staging, `x${i}.csv`);
        await writeFile(staged, csv(language, i));
        pending.push({ kind, staged, target: file });
        break;
      }
      case 'pptx': {
        const staged = path.join(staging, `p${i}.odp`);
        await writeFile(staged, odp(lines));
        pending.push({ kind, staged, target: file });
        break;
      }
    }
    if (kind !== 'xlsx' && kind !== 'pptx') docs.push({ path: file, kind, bytes: (await stat(file)).size });
  }
  if (pending.length) {
    const soffice = await findTool('soffice');
    if (!soffice) problems.push('soffice not installed: no xlsx/pptx in the mix');
    else {
      const profile = `-env:UserInstallation=file://${path.join(staging, 'profile')}`;
      const out = path.join(staging, 'out');
      const batches: [string, string[], string[]][] = [
        ['xlsx', ['--infilter=CSV:44,34,76,1', '--convert-to', 'xlsx'], pending.filter((p) => p.kind === 'xlsx').map((p) => p.staged)],
        ['pptx', ['--convert-to', 'pptx'], pending.filter((p) => p.kind === 'pptx').map((p) => p.staged)],
      ];
      for (const [name, args, files] of batches) {
        if (!files.length) continue;
        const r = await runProcess(soffice, ['--headless', '--norestore', profile, ...args, '--outdir', out, ...files], { timeoutMs: 30 * 60_000 });
        if (r.code !== 0) problems.push(`soffice → ${name}: exit ${r.code}`);
      }
      for (const p of pending) {
        const made = path.join(out, path.basename(p.staged).replace(/\.\w+$/, `.${p.kind}`));
        try {
          const { rename } = await import('node:fs/promises');
          await rename(made, p.target);
          docs.push({ path: p.target, kind: p.kind, bytes: (await stat(p.target)).size });
        } catch {
          problems.push(`soffice did not produce ${path.basename(made)}`);
        }
      }
    }
  }
  await rm(staging, { recursive: true, force: true });
  return { docs, generateSeconds: secondsSince(t0), problems };
}

const byPathHash = (root: string) => (a: string, b: string) => {
  const h = (f: string) => createHash('sha256').update(path.relative(root, f)).digest('hex');
  return h(a) < h(b) ? -1 : h(a) > h(b) ? 1 : 0;
};

async function filesUnder(dir: string, ext: RegExp): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p, ext)));
    else if (e.isFile() && ext.test(e.name)) out.push(p);
  }
  return out;
}

/**
 * Real files: the corpus's DOCX and PDFs, each list ordered by the SHA-256 of the file's path
 * relative to the corpus and cut to the size asked for (the same files on every run), copied
 * into two dossiers with a .meta.json each (title, date, language: what the sender gives).
 */
async function realworld(dir: string, corpus: string, docxWanted: number, pdfWanted: number): Promise<{ docs: GeneratedDoc[]; generateSeconds: number; problems: string[] }> {
  const t0 = performance.now();
  const order = byPathHash(corpus);
  const docx = (await filesUnder(corpus, /\.docx$/i)).sort(order).slice(0, docxWanted);
  const pdfs = (await filesUnder(corpus, /\.pdf$/i)).sort(order).slice(0, pdfWanted);
  const problems: string[] = [];
  if (docx.length < docxWanted && docxWanted !== Infinity) problems.push(`only ${docx.length} DOCX in ${corpus} (${docxWanted} asked)`);
  if (pdfs.length < pdfWanted) problems.push(`only ${pdfs.length} PDFs in ${corpus} (${pdfWanted} asked)`);
  await writeTransferJson(dir);
  const folders = [path.join(dir, '03-01'), path.join(dir, '03-02')];
  await writeDossierJson(folders[0]!, 'Жеке құрам бойынша бұйрықтар');
  await writeDossierJson(folders[1]!, 'Переписка с организациями');
  const docs: GeneratedDoc[] = [];
  for (const [i, src] of [...docx, ...pdfs].entries()) {
    const kind: Kind = /\.pdf$/i.test(src) ? 'pdf' : 'docx';
    const target = path.join(folders[i % 2]!, `${String(i + 1).padStart(3, '0')} ${path.basename(src)}`);
    await copyFile(src, target);
    await writeMeta(target, { title: path.basename(src).replace(/\.\w+$/, ''), date: dateFor(i), language: i % 3 ? 'ru' : 'kk', number: String(i + 1) });
    docs.push({ path: target, kind, bytes: (await stat(target)).size });
  }
  return { docs, generateSeconds: secondsSince(t0), problems };
}

/** Child processes of this one (the tool runner, soffice…), from /proc. */
function childPids(): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const s = readFileSync(`/proc/${name}/stat`, 'latin1');
      if (Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]) === process.pid) out.push(Number(name));
    } catch {
      // Exited meanwhile.
    }
  }
  return out;
}

/**
 * Stops the tool runner and waits (≤ 20 s) until every child started since `before` has ended,
 * so that their CPU is counted (tsx's esbuild service lives as long as this process).
 */
async function childrenEnded(before: Set<number>): Promise<void> {
  stopToolRunner();
  const until = performance.now() + 20_000;
  while (childPids().some((p) => !before.has(p)) && performance.now() < until) await new Promise((r) => setTimeout(r, 100));
}

interface Round {
  baseline: BaselineTiming;
  baselineSeconds: number;
  receiveSeconds: number;
  pipelineSeconds: number;
  pipelineCpu: number | null;
  split: { selfUser: number; selfSystem: number; children: number } | null;
  steps: StepTiming[];
  report: Awaited<ReturnType<typeof processTransfer>>;
  ratio: number | null;
  /** The pipeline's LibreOffice conversions on its clock: the serial work before and after them. */
  libreOffice: LibreOfficeSpan | null;
  loadBefore: string;
  loadBetween: string;
  loadAfter: string;
}

/**
 * Where the pipeline's LibreOffice conversions sit in its run (seconds from the pipeline's start):
 * `before` is the work no file can skip before it reaches LibreOffice (unpack, manifest,
 * identification, malware scan, the DTD look), `after` the checks of the last files, the store
 * and the index, which need every document of a dossier. With LibreOffice as fast in the pipeline
 * as alone, the ratio could not go below (reference + before + after) / reference.
 */
interface LibreOfficeSpan {
  before: number;
  converting: number;
  after: number;
}

/** The ratio with LibreOffice as fast in the pipeline as alone (see LibreOfficeSpan). */
function serialFloor(r: Pick<Round, 'baselineSeconds' | 'libreOffice'>): number | null {
  return r.baselineSeconds && r.libreOffice ? (r.baselineSeconds + r.libreOffice.before + r.libreOffice.after) / r.baselineSeconds : null;
}

function libreOfficeSpan(runs: ToolRun[], startMs: number, endMs: number): LibreOfficeSpan | null {
  const conversions = runs.filter((r) => path.basename(r.command).startsWith('soffice') && r.args.includes('--convert-to'));
  if (!conversions.length) return null;
  const first = Math.min(...conversions.map((r) => r.startedMs));
  const last = Math.max(...conversions.map((r) => r.endedMs));
  return { before: (first - startMs) / 1000, converting: (last - first) / 1000, after: (endMs - last) / 1000 };
}

/** One round: the reference on the package's files, then the pipeline on a fresh catalog in `root`. */
async function oneRound(root: string, tar: string, files: string[], officeLanes: number, log: (s: string) => void): Promise<Round> {
  log(`reference: soffice PDF/A batch beside a pool of gs PDF/A on the same files … (load ${load()})`);
  const loadBefore = load();
  // Tools started from here on log this phase (bench/tool-cpu-wrappers.sh: CPU per tool).
  process.env.MURAGAT_BENCH_PHASE = 'reference';
  const baseline: BaselineTiming = await timeConversionBaseline(files, { officeLanes });
  const baselineSeconds = baseline.totalMs / 1000;
  const loadBetween = load();

  // The catalog (a fresh one is created in a child process) and the tools are ready before
  // the clock starts, as in a worker that takes its next transfer.
  const bench = await openBenchCatalog(root);
  try {
    const tools = await loadTools();
    const deps = { ...bench.deps, tools };
    const existing = new Set(childPids());
    await childrenEnded(existing);
    // The tool runner too, as in a worker after its first transfer; its CPU is still counted
    // (childrenEnded stops it after the run).
    startToolRunner();
    log(`pipeline: receive + process on embedded PGlite … (load ${load()})`);
    process.env.MURAGAT_BENCH_PHASE = 'pipeline';
    const cpu0 = cpuSecondsSelfAndChildren();
    const split0 = cpuSplit();
    const toolRuns: ToolRun[] = [];
    const unwatch = watchToolRuns((run) => toolRuns.push(run));
    const t0 = performance.now();
    const transferId = await receiveTransfer(deps, { tarPath: tar });
    const receiveSeconds = secondsSince(t0);
    const report = await processTransfer(deps, transferId, {}).finally(unwatch);
    const t1 = performance.now();
    const pipelineSeconds = (t1 - t0) / 1000;
    await childrenEnded(existing);
    const cpu1 = cpuSecondsSelfAndChildren();
    const split1 = cpuSplit();
    const steps = await stepTimings(deps, transferId);
    return {
      baseline,
      baselineSeconds,
      receiveSeconds,
      pipelineSeconds,
      pipelineCpu: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0,
      split: split0 && split1 ? { selfUser: split1.selfUser - split0.selfUser, selfSystem: split1.selfSystem - split0.selfSystem, children: split1.children - split0.children } : null,
      steps,
      report,
      ratio: baselineSeconds ? pipelineSeconds / baselineSeconds : null,
      libreOffice: libreOfficeSpan(toolRuns, t0, t1),
      loadBefore,
      loadBetween,
      loadAfter: load(),
    };
  } finally {
    await bench.catalog.close();
  }
}

async function main(): Promise<void> {
  const flags = parseFlags();
  const n = Math.floor(flags.num('docs', 200));
  const argv = process.argv.slice(2);
  const rwAt = argv.indexOf('--realworld');
  const corpus = rwAt < 0 ? null : argv[rwAt + 1] && !argv[rwAt + 1]!.startsWith('--') ? path.resolve(argv[rwAt + 1]!) : (process.env.MURAGAT_REALWORLD_DIR ?? REALWORLD);
  const docxWanted = flags.str('docx') === undefined ? Infinity : Math.floor(flags.num('docx', 1));
  const pdfWanted = Math.floor(flags.num('pdfs', 26));
  const root = await benchRoot('mixed');
  const log = (s: string) => {
    if (!flags.json) process.stderr.write(s + '\n');
  };
  try {
    const tree = path.join(root, 'tree');
    log(corpus ? `copying real DOCX and PDFs from ${corpus} to ${tree} …` : `generating ${n} documents in ${tree} … (load ${load()})`);
    const gen = corpus ? await realworld(tree, corpus, docxWanted, pdfWanted) : await generate(tree, n);
    const byKind: Record<string, { files: number; bytes: number }> = {};
    for (const d of gen.docs) {
      const k = (byKind[d.kind] ??= { files: 0, bytes: 0 });
      k.files++;
      k.bytes += d.bytes;
    }

    const tar = path.join(root, 'transfer.tar');
    const tp = performance.now();
    await packTransfer(tree, tar);
    const packSeconds = secondsSince(tp);
    const tarBytes = (await stat(tar)).size;

    const officeLanes = Math.max(1, Math.floor(flags.num('office-lanes', parseConfig(process.env).officeLanes)));
    const roundCount = Math.max(1, Math.floor(flags.num('rounds', 1)));
    // Reference and pipeline alternate, round after round, in the same minutes: on a shared host
    // the speed drifts by a third within minutes (docs/benchmarks.md), and one pair can land on a
    // fast and a slow minute. The figures below are of the round with the median ratio.
    const rounds: Round[] = [];
    for (let k = 1; k <= roundCount; k++) {
      rounds.push(await oneRound(roundCount > 1 ? path.join(root, `round-${k}`) : root, tar, gen.docs.map((d) => d.path), officeLanes, (s) => log(roundCount > 1 ? `round ${k}/${roundCount}: ${s}` : s)));
    }
    const byRatio = [...rounds].sort((a, b) => (a.ratio ?? Infinity) - (b.ratio ?? Infinity));
    const { baseline, baselineSeconds, receiveSeconds, pipelineSeconds, pipelineCpu, split, steps, report, libreOffice, loadBefore, loadBetween, loadAfter } = byRatio[Math.floor((byRatio.length - 1) / 2)]!;

    const images = (byKind.jpg?.files ?? 0) + (byKind.png?.files ?? 0);
    const convertStep = steps.find((s) => s.step === 'convert')?.seconds ?? null;
    const result = {
      bench: 'ingest-mixed',
      source: corpus ? `realworld ${corpus}` : 'generated',
      files: corpus ? gen.docs.map((d) => path.basename(d.path)) : undefined,
      docs: gen.docs.length,
      requestedDocs: n,
      byKind,
      tarMB: tarBytes / 1024 / 1024,
      generateSeconds: gen.generateSeconds,
      packSeconds,
      baseline: {
        seconds: baselineSeconds,
        sofficeSeconds: baseline.sofficeMs === null ? null : baseline.sofficeMs / 1000,
        sofficeFiles: baseline.sofficeFiles,
        gsSeconds: baseline.gsMs === null ? null : baseline.gsMs / 1000,
        gsFiles: baseline.gsFiles,
        gsParallel: baseline.gsParallel,
        officeLanes: baseline.officeLanes,
        cpuSeconds: baseline.cpuSeconds,
        failures: baseline.failures,
        notCovered: { images, text: byKind.txt?.files ?? 0 },
      },
      pipeline: {
        seconds: pipelineSeconds,
        receiveSeconds,
        docsPerSecond: gen.docs.length / pipelineSeconds,
        cpuSeconds: pipelineCpu,
        // Where the CPU went: the ingest process itself (user, system) and the tools it waited for.
        cpuSplit: split,
        steps,
        libreOffice,
        statuses: statusCounts(report),
        problems: sampleProblems(report),
      },
      ratio: baselineSeconds ? pipelineSeconds / baselineSeconds : null,
      cpuRatio: baseline.cpuSeconds && pipelineCpu !== null ? pipelineCpu / baseline.cpuSeconds : null,
      convertStepRatio: baselineSeconds && convertStep !== null ? convertStep / baselineSeconds : null,
      serialFloorRatio: serialFloor({ baselineSeconds, libreOffice }),
      goalRatio: GOAL_RATIO,
      // Every round (reference, then pipeline); the fields above are the median round's.
      rounds: rounds.length > 1 ? rounds.map((r) => ({ referenceSeconds: r.baselineSeconds, pipelineSeconds: r.pipelineSeconds, ratio: r.ratio, referenceCpu: r.baseline.cpuSeconds, pipelineCpu: r.pipelineCpu, libreOffice: r.libreOffice })) : undefined,
      load: { before: loadBefore, between: loadBetween, after: loadAfter },
      generationProblems: gen.problems,
    };
    if (flags.json) {
      process.stdout.write(JSON.stringify(result, null, 2) + '\n');
      return;
    }
    const out: string[] = [];
    out.push(`Ingest, ${corpus ? `real files of ${corpus} (${byKind.docx?.files ?? 0} DOCX, ${byKind.pdf?.files ?? 0} PDF, chosen by SHA-256 of their path)` : 'mixed transfer'}: ${result.docs} documents, ${result.tarMB.toFixed(1)} MB tar, load average ${loadBefore} → ${loadBetween} → ${loadAfter}`);
    out.push(table([['kind', 'files', 'MB'], ...Object.entries(byKind).map(([k, v]) => [k, v.files, v.bytes / 1024 / 1024])]));
    out.push('');
    out.push(
      table([
        ['measure', 'seconds', 'files', 'docs/s'],
        ['generate tree', gen.generateSeconds, gen.docs.length, null],
        ['pack', packSeconds, gen.docs.length, gen.docs.length / packSeconds],
        [baseline.officeLanes > 1 ? `reference soffice PDF/A (${baseline.officeLanes} instances at once, one batch per application each)` : 'reference soffice PDF/A (one batch per application)', result.baseline.sofficeSeconds, baseline.sofficeFiles, null],
        [`reference gs PDF/A (${baseline.gsParallel} at once, beside soffice)`, result.baseline.gsSeconds, baseline.gsFiles, null],
        ['reference total (wall, both lanes)', baselineSeconds, baseline.sofficeFiles + baseline.gsFiles, (baseline.sofficeFiles + baseline.gsFiles) / baselineSeconds],
        ['reference CPU seconds', baseline.cpuSeconds, null, null],
        ['pipeline receive', receiveSeconds, null, null],
        ...steps.map((s) => [`  step ${s.step}${s.status === 'done' ? '' : ` (${s.status})`}`, s.seconds, null, null] as (string | number | null)[]),
        ['pipeline total', pipelineSeconds, gen.docs.length, result.pipeline.docsPerSecond],
        ['pipeline CPU seconds', pipelineCpu, null, null],
        ...(result.pipeline.cpuSplit ? [['  of which the ingest process (user / system)', `${result.pipeline.cpuSplit.selfUser.toFixed(1)} / ${result.pipeline.cpuSplit.selfSystem.toFixed(1)}`, null, null], ['  of which its tools', result.pipeline.cpuSplit.children, null, null]] as (string | number | null)[][] : []),
        ...(libreOffice
          ? ([
              ['pipeline before its first LibreOffice conversion', libreOffice.before, null, null],
              ['pipeline LibreOffice, first start to last end', libreOffice.converting, null, null],
              ['pipeline after its last LibreOffice conversion', libreOffice.after, null, null],
            ] as (string | number | null)[][])
          : []),
      ]),
    );
    out.push('');
    if (!corpus) out.push(`images (${images}) and text files (${byKind.txt?.files ?? 0}) have no external reference; the pipeline converts them with pdf-lib.`);
    if (rounds.length > 1) {
      out.push(
        table([
          ['round', 'reference s', 'pipeline s', 'ratio', 'before LO s', 'LO s', 'after LO s', 'serial floor'],
          ...rounds.map((r, i) => [i + 1, r.baselineSeconds, r.pipelineSeconds, r.ratio, r.libreOffice?.before ?? null, r.libreOffice?.converting ?? null, r.libreOffice?.after ?? null, serialFloor(r)]),
        ]),
      );
      out.push(`the figures above are of the round with the median ratio (${rounds.length} rounds, reference and pipeline alternating)`);
    }
    out.push(`ratio pipeline / reference, wall: ${result.ratio === null ? '—' : result.ratio.toFixed(2)} (goal ≤ ${GOAL_RATIO}); CPU: ${result.cpuRatio === null ? '—' : result.cpuRatio.toFixed(2)}; convert step / reference: ${result.convertStepRatio === null ? '—' : result.convertStepRatio.toFixed(2)}`);
    if (result.serialFloorRatio !== null) out.push(`serial floor (reference + the pipeline's work before and after LibreOffice) / reference: ${result.serialFloorRatio.toFixed(2)}: the ratio if LibreOffice ran as fast in the pipeline as alone`);
    out.push(`statuses: ${Object.entries(result.pipeline.statuses).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    for (const p of result.pipeline.problems) out.push(`  ${p.slice(0, 240)}`);
    for (const f of [...baseline.failures, ...gen.problems]) out.push(`  ! ${f}`);
    process.stdout.write(out.join('\n') + '\n');
  } finally {
    if (flags.keep) log(`kept ${root}`);
    else await rm(root, { recursive: true, force: true });
  }
}

await main();
