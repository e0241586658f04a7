// Peak memory of one ingest of a large transfer (issue #3; goal: ≤ 512 MB). Builds a transfer
// of about --gb GB cheaply — large image PDFs (≤ 90 MB each, pages carrying distinct copies of
// one noisy scan), medium JPEG scans, text files — then runs the ingest in a child Node process
// and samples /proc: the Node process's peak (VmHWM, plus its own getrusage maxRSS) and,
// separately, the peak of the tools it starts (soffice, gs, clamscan …), per tool and as the
// largest sum at one sample. Inside the child, RSS is also attributed to the step running and to
// the work in flight (each conversion, PDF/A check, reproducibility check).
//
// The catalog is the embedded PGlite (inside the measured process) by default. With
// --database-url postgres://… (or DATABASE_URL) the same transfer is ingested a second time
// against that server, in a fresh database bench_<random> that is dropped afterwards, and both
// figures are printed (--catalog embedded|server|both chooses; both is the default with a URL).
// For the server run the server's backends for that database are sampled too (their private
// memory, RssAnon: they run in the server, not in the measured process).
// --catalog fresh (or fresh,embedded…: a comma list) ingests into a data folder with no catalog
// yet, as a first `muragat ingest` does: the catalog is created in the measured run (PGlite's
// initdb and the migrations run in a short-lived child process, database/db.ts), whose own peak
// is reported apart; the other embedded run starts on a catalog migrated beforehand.
// Run: node bin/run-ts.js bench/ingest-memory.ts [--gb 2] [--json] [--keep] [--interval-ms 200]
//        [--database-url postgres://user@host:5432/db] [--catalog embedded|server|both|fresh|fresh,embedded,…]
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { PDFDocument } from 'pdf-lib';
import { parseConfig } from '../common/config';
import { openCatalog } from '../database/open';
import { openStorage } from '../storage';
import { packTransfer } from '../ingest/transfer';
import { loadTools, processTransfer, receiveTransfer, type IngestDeps, type IngestTools } from '../ingest';
import {
  TITLES,
  benchEnv,
  freshServerDatabase,
  benchRoot,
  dateFor,
  load,
  makeJpeg,
  parseFlags,
  prose,
  sampleProblems,
  secondsSince,
  statusCounts,
  stepTimings,
  table,
  uniqueJpeg,
  writeDossierJson,
  writeMeta,
  writeTransferJson,
} from './ingest-common';

const MB = 1024 * 1024;
const GOAL_MB = 512;
const BIG_PDF_MAX = 90 * MB;

// ---------------------------------------------------------------------------------------
// Child: the ingest itself, measured from outside.

type CatalogKind = 'embedded' | 'server' | 'fresh';
const CATALOG_LABEL: Record<CatalogKind, string> = { embedded: 'embedded PGlite', server: 'server catalog', fresh: 'embedded, fresh folder' };

/** Catalog and stores of one run under `root`: embedded PGlite in root/data/db, or the server at `url`. */
async function openRunCatalog(root: string, url: string | undefined) {
  // DATABASE_URL from the environment never leaks into the embedded run.
  const config = parseConfig({ ...process.env, ...benchEnv(root), DATABASE_URL: url ?? '' });
  await mkdir(config.trustDir, { recursive: true });
  const catalog = await openCatalog(config);
  const deps: IngestDeps = { db: catalog.db, storage: openStorage(config), config };
  return { catalog, deps };
}

interface Mem {
  rss: number;
  heap: number;
  external: number;
  arrayBuffers: number;
  /** V8 heap reserved (heapUsed is `heap`): what the heap costs in RSS, garbage included. */
  heapTotal: number;
  /** The embedded PGlite's WebAssembly memory (never shrinks), 0 against a server. */
  wasm: number;
}

/** PGlite's WebAssembly memory, when the catalog is embedded (set by the child). */
let wasmBytes: () => number = () => 0;

function vmHwmMB(): number {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'latin1'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

function memNow(): Mem {
  const m = process.memoryUsage();
  return { rss: m.rss / MB, heap: m.heapUsed / MB, external: m.external / MB, arrayBuffers: m.arrayBuffers / MB, heapTotal: m.heapTotal / MB, wasm: wasmBytes() / MB };
}

/** Peak RSS seen while some piece of work was in flight, with the heap/external split at that moment. */
interface Attributed {
  count: number;
  peak: Mem | null;
  /** The item (document) at the peak. */
  at?: string;
}

/**
 * Wraps the tools so that each RSS sample can be attributed to the work in flight: PDF/A checks
 * and reproducibility checks exactly (their start and end), conversions by the interval that
 * ends with a conversion finishing (the converter reports only ends).
 */
function instrument(tools: IngestTools, sizeOf: (file: string) => number) {
  const inFlight = new Map<number, { kind: string; item: string }>();
  /** Work that started or ended since the last sample (a short spike falls between samples). */
  const recent = new Set<string>();
  let nextId = 0;
  const byKind: Record<string, Attributed> = {};
  let convertInterval: Mem | null = null;
  const seen = (kind: string, m: Mem, item: string) => {
    const a = (byKind[kind] ??= { count: 0, peak: null });
    if (!a.peak || m.rss > a.peak.rss) {
      a.peak = m;
      a.at = item;
    }
  };
  const sample = (m: Mem) => {
    for (const { kind, item } of inFlight.values()) seen(kind, m, item);
    if (!convertInterval || m.rss > convertInterval.rss) convertInterval = m;
  };
  const track = async <T>(kind: string, item: string, fn: () => Promise<T>): Promise<T> => {
    const id = nextId++;
    (byKind[kind] ??= { count: 0, peak: null }).count++;
    inFlight.set(id, { kind, item });
    recent.add(kind);
    sample(memNow());
    try {
      return await fn();
    } finally {
      sample(memNow());
      recent.add(kind);
      inFlight.delete(id);
    }
  };
  const sizeLabel = (file: string) => `${(sizeOf(file) / MB).toFixed(1)} MB`;
  const wrapped: IngestTools = {
    ...tools,
    validatePdfA: (input, options) => track(`PDF/A check (${typeof input === 'string' ? sizeClass(sizeOf(input)) : 'memory'})`, options?.file ?? '', () => tools.validatePdfA(input, options)),
    checkReproducibility: (source, format, rendition) => track(`reproducibility check (${sizeClass(sizeOf(rendition))})`, path.basename(source), () => tools.checkReproducibility(source, format, rendition)),
    createConverter: (options) => {
      const converter = tools.createConverter(options);
      return {
        ...converter,
        convertMany: (items, onDone) => {
          convertInterval = memNow();
          return converter.convertMany(items, (i) => {
            const item = items[i];
            if (item && convertInterval) {
              const kind = `conversion of ${item.format.family} (${sizeClass(sizeOf(item.path))})`;
              (byKind[kind] ??= { count: 0, peak: null }).count++;
              seen(kind, convertInterval, `${path.basename(item.path)} ${sizeLabel(item.path)}`);
              recent.add(kind);
            }
            convertInterval = memNow();
            onDone?.(i);
          });
        },
        close: () => converter.close(),
      };
    },
  };
  /** Kinds of work in flight now or since the previous call. */
  const working = () => {
    const out = new Set([...recent, ...[...inFlight.values()].map((w) => w.kind)]);
    recent.clear();
    return [...out].sort();
  };
  return { tools: wrapped, sample, byKind, working };
}

function sizeClass(bytes: number): string {
  const mb = bytes / MB;
  return mb >= 32 ? '≥ 32 MB' : mb >= 1 ? '1–32 MB' : '< 1 MB';
}

async function child(root: string, tar: string, url: string | undefined): Promise<void> {
  const bench = await openRunCatalog(root, url);
  const mod = (bench.catalog.pglite as unknown as { mod?: { HEAPU8?: Uint8Array } } | undefined)?.mod;
  if (mod) wasmBytes = () => mod.HEAPU8?.byteLength ?? 0;
  const sizes = new Map<string, number>();
  const sizeOf = (file: string) => {
    let n = sizes.get(file);
    if (n === undefined) {
      try {
        n = statSync(file).size;
      } catch {
        n = 0;
      }
      sizes.set(file, n);
    }
    return n;
  };
  const probe = instrument(await loadTools(), sizeOf);
  const deps: IngestDeps = { ...bench.deps, tools: probe.tools };
  const idle = memNow();
  // Which step holds the memory: RSS sampled in-process, attributed to the step last reported.
  let current = 'receive';
  const peakByStep: Record<string, number> = {};
  let peak: Mem = idle;
  // The kernel's high-water mark catches what 100 ms samples miss: each rise is recorded with
  // the step and the work in flight since the previous sample.
  const t0hwm = performance.now();
  let hwm = vmHwmMB();
  const hwmRises: { seconds: number; fromMB: number; toMB: number; step: string; work: string[] }[] = [];
  const sample = () => {
    const m = memNow();
    peakByStep[current] = Math.max(peakByStep[current] ?? 0, m.rss);
    if (m.rss > peak.rss) peak = m;
    probe.sample(m);
    const work = probe.working();
    const h = vmHwmMB();
    if (h > hwm) {
      hwmRises.push({ seconds: (performance.now() - t0hwm) / 1000, fromMB: hwm, toMB: h, step: current, work });
      hwm = h;
    }
  };
  const timer = setInterval(sample, 100);
  // Steps report progress late (unpack at its end, convert after the first file), so the
  // running step is read from ingest_steps; progress events only mark the receive phase.
  let polling = false;
  const poll = setInterval(() => {
    if (polling) return;
    polling = true;
    void deps.db
      .selectFrom('ingest_steps')
      .select('step')
      .where('status', '=', 'running')
      .executeTakeFirst()
      .then((row) => {
        if (row && row.step !== current) {
          sample();
          current = row.step;
        }
      })
      .catch(() => {})
      .finally(() => (polling = false));
  }, 250);
  const onProgress = (p: { step: string }) => {
    if (p.step === 'receive') current = 'receive';
  };
  const t0 = performance.now();
  const transferId = await receiveTransfer(deps, { tarPath: tar, onProgress });
  const receiveSeconds = secondsSince(t0);
  const report = await processTransfer(deps, transferId, { onProgress });
  const seconds = secondsSince(t0);
  clearInterval(timer);
  clearInterval(poll);
  sample();
  const steps = (await stepTimings(deps, transferId)).map((s) => ({ ...s, peakRssMB: peakByStep[s.step] ?? null }));
  await bench.catalog.close();
  const out = {
    seconds,
    idleRssMB: idle.rss,
    idle,
    peakSample: peak,
    receiveSeconds,
    receivePeakRssMB: peakByStep.receive ?? null,
    steps,
    inFlight: probe.byKind,
    // The rises of 8 MB or more, and the one that set the final mark.
    hwmRises: hwmRises.filter((r, i) => r.toMB - r.fromMB >= 8 || i === hwmRises.length - 1),
    statuses: statusCounts(report),
    problems: sampleProblems(report),
    maxRssMB: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`\n@@RESULT ${JSON.stringify(out)}\n`);
}

// ---------------------------------------------------------------------------------------
// Parent: build the transfer, run the child, sample memory.

interface ProcInfo {
  pid: number;
  ppid: number;
  comm: string;
}

function procTable(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const s = readFileSync(`/proc/${name}/stat`, 'latin1');
      const close = s.lastIndexOf(')');
      const comm = s.slice(s.indexOf('(') + 1, close);
      const ppid = Number(s.slice(close + 2).split(' ')[1]);
      out.push({ pid: Number(name), ppid, comm });
    } catch {
      // Exited between listing and reading.
    }
  }
  return out;
}

function memKB(pid: number): { hwm: number; rss: number; anon: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'latin1');
    const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(s)?.[1] ?? 0);
    return { hwm: field('VmHWM'), rss: field('VmRSS'), anon: field('RssAnon') };
  } catch {
    return null;
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1');
  } catch {
    return '';
  }
}

function descendants(root: number, procs: ProcInfo[]): ProcInfo[] {
  const children = new Map<number, ProcInfo[]>();
  for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const out: ProcInfo[] = [];
  const stack = [root];
  while (stack.length) {
    for (const c of children.get(stack.pop()!) ?? []) {
      out.push(c);
      stack.push(c.pid);
    }
  }
  return out;
}

/** A child still running the parent's command line is a fork caught before its exec. */
const FORK_LABEL = 'fork before exec (shares the Node process pages; not summed)';
/** The short-lived child that creates a fresh embedded catalog (database/pglite-init-child.ts). */
const CATALOG_INIT_LABEL = 'node: catalog creation (template copy or initdb, and migrations; ends before the ingest)';

interface Sampled {
  nodePeakMB: number;
  toolsPeakByName: Record<string, number>;
  toolsPeakSumMB: number;
  nodePlusToolsPeakMB: number;
  /** The whole process tree (Node + every descendant) at one sample: while a fresh catalog is created, and after. */
  treeCreationPeakMB: number;
  treeIngestPeakMB: number;
  samples: number;
  toolProcessesSeen: number;
  /** Server run: the database's backends (private memory, RssAnon), largest sum at one sample. */
  backendsPeakAnonMB: number | null;
  backendsPeakRssMB: number | null;
  backendsSeen: number;
}

async function runChild(
  root: string,
  tar: string,
  intervalMs: number,
  server: { url: string; admin: string; database: string } | null,
): Promise<{ sampled: Sampled; result: Record<string, unknown> | null; code: number | null; stderr: string }> {
  const self = fileURLToPath(import.meta.url);
  const runTs = path.join(path.dirname(self), '..', 'bin', 'run-ts.js');
  const args = [runTs, self, '--child', root, tar, ...(server ? [server.url] : [])];
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-20_000)));
  const sampled: Sampled = {
    nodePeakMB: 0,
    toolsPeakByName: {},
    toolsPeakSumMB: 0,
    nodePlusToolsPeakMB: 0,
    treeCreationPeakMB: 0,
    treeIngestPeakMB: 0,
    samples: 0,
    toolProcessesSeen: 0,
    backendsPeakAnonMB: server ? 0 : null,
    backendsPeakRssMB: server ? 0 : null,
    backendsSeen: 0,
  };
  const seen = new Set<number>();
  // The server's backends for the bench database, refreshed once a second.
  let backends: number[] = [];
  const backendSeen = new Set<number>();
  let admin: pg.Client | null = null;
  let backendPoll: NodeJS.Timeout | null = null;
  if (server) {
    admin = new pg.Client({ connectionString: server.admin });
    await admin.connect();
    const refresh = () =>
      admin!
        .query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [server.database])
        .then((r) => {
          backends = r.rows.map((x) => x.pid);
          for (const b of backends) backendSeen.add(b);
        })
        .catch(() => {});
    backendPoll = setInterval(refresh, 1000);
  }
  const ownCmd = cmdline(proc.pid ?? 0);
  const sample = () => {
    const pid = proc.pid;
    if (!pid) return;
    const own = memKB(pid);
    if (!own) return;
    sampled.samples++;
    sampled.nodePeakMB = Math.max(sampled.nodePeakMB, own.hwm / 1024);
    let sum = 0;
    let creating = false;
    for (const d of descendants(pid, procTable())) {
      const m = memKB(d.pid);
      if (!m) continue;
      if (!seen.has(d.pid)) {
        seen.add(d.pid);
        sampled.toolProcessesSeen++;
      }
      const cmd = d.comm === 'node' ? cmdline(d.pid) : '';
      const forked = d.comm === 'node' && cmd === ownCmd;
      const name = forked ? FORK_LABEL : cmd.includes('pglite-init-child') ? CATALOG_INIT_LABEL : d.comm;
      if (name === CATALOG_INIT_LABEL) creating = true;
      if (!forked) sum += m.rss;
      sampled.toolsPeakByName[name] = Math.max(sampled.toolsPeakByName[name] ?? 0, (forked ? m.rss : m.hwm) / 1024);
    }
    sampled.toolsPeakSumMB = Math.max(sampled.toolsPeakSumMB, sum / 1024);
    sampled.nodePlusToolsPeakMB = Math.max(sampled.nodePlusToolsPeakMB, (own.rss + sum) / 1024);
    if (creating) sampled.treeCreationPeakMB = Math.max(sampled.treeCreationPeakMB, (own.rss + sum) / 1024);
    else sampled.treeIngestPeakMB = Math.max(sampled.treeIngestPeakMB, (own.rss + sum) / 1024);
    if (server) {
      let anon = 0;
      let rss = 0;
      for (const b of backends) {
        const m = memKB(b);
        if (!m) continue;
        anon += m.anon;
        rss += m.rss;
      }
      sampled.backendsPeakAnonMB = Math.max(sampled.backendsPeakAnonMB ?? 0, anon / 1024);
      sampled.backendsPeakRssMB = Math.max(sampled.backendsPeakRssMB ?? 0, rss / 1024);
    }
  };
  const timer = setInterval(sample, intervalMs);
  const code = await new Promise<number | null>((resolve) => proc.on('exit', resolve));
  clearInterval(timer);
  if (backendPoll) clearInterval(backendPoll);
  sampled.backendsSeen = backendSeen.size;
  await admin?.end();
  const line = stdout.split('\n').find((l) => l.startsWith('@@RESULT '));
  return { sampled, result: line ? (JSON.parse(line.slice(9)) as Record<string, unknown>) : null, code, stderr };
}

async function build(tree: string, gb: number, textMB: number, log: (s: string) => void): Promise<{ counts: Record<string, { files: number; bytes: number }>; largestMB: number }> {
  const total = gb * 1024 * MB;
  const counts: Record<string, { files: number; bytes: number }> = {};
  const add = (kind: string, bytes: number) => {
    counts[kind] ??= { files: 0, bytes: 0 };
    counts[kind].files++;
    counts[kind].bytes += bytes;
  };
  let largest = 0;
  await writeTransferJson(tree);
  // One noisy A4 scan at 200 dpi: incompressible enough that bytes on disk are bytes to process.
  const scan = makeJpeg(1654, 2339, 7, 85, 60);
  log(`  base scan ${(scan.length / MB).toFixed(2)} MB`);
  let seq = 0;
  const dossier = (i: number) => path.join(tree, `03-${(i % 8) + 1}`);
  for (let d = 0; d < 8; d++) await writeDossierJson(dossier(d), d % 2 ? 'Переписка с организациями' : 'Жеке құрам бойынша бұйрықтар');
  const name = (i: number, ext: string) => {
    const language: 'kk' | 'ru' = i % 2 ? 'ru' : 'kk';
    const title = TITLES[language][i % TITLES[language].length];
    return { file: path.join(dossier(i), `${dateFor(i)} ${title} №${i + 1}.${ext}`), title, language, date: dateFor(i) };
  };

  // 60 %: large PDFs, each at most 90 MB (p.147 allows 95 MB per document).
  const pdfBytes = total * 0.6;
  const pdfCount = Math.max(1, Math.ceil(pdfBytes / BIG_PDF_MAX));
  const pagesPer = Math.max(1, Math.floor(pdfBytes / pdfCount / scan.length));
  for (let p = 0; p < pdfCount; p++) {
    const i = seq++;
    const n = name(i, 'pdf');
    const pdf = await PDFDocument.create({ updateMetadata: false });
    for (let k = 0; k < pagesPer; k++) {
      const img = await pdf.embedJpg(uniqueJpeg(scan, `${i}-${k}`));
      pdf.addPage([595, 842]).drawImage(img, { x: 0, y: 0, width: 595, height: 842 });
    }
    pdf.setTitle(`${n.title} №${i + 1}`);
    pdf.setCreationDate(new Date(`${n.date}T09:00:00Z`));
    pdf.setModificationDate(new Date(`${n.date}T09:00:00Z`));
    const bytes = await pdf.save({ useObjectStreams: false });
    await writeFile(n.file, bytes);
    await writeMeta(n.file, { title: `${n.title} №${i + 1}`, date: n.date, language: n.language, number: String(i + 1) });
    add('pdf (large, scanned pages)', bytes.length);
    largest = Math.max(largest, bytes.length);
    log(`  pdf ${p + 1}/${pdfCount}: ${(bytes.length / MB).toFixed(0)} MB, ${pagesPer} pages`);
  }
  // 30 %: medium JPEG scans.
  const jpegCount = Math.max(1, Math.round((total * 0.3) / scan.length));
  for (let k = 0; k < jpegCount; k++) {
    const i = seq++;
    const n = name(i, 'jpg');
    const bytes = uniqueJpeg(scan, `jpg-${i}`);
    await writeFile(n.file, bytes);
    await writeMeta(n.file, { title: `${n.title} №${i + 1}`, date: n.date, language: n.language, number: String(i + 1) });
    add('jpeg (A4 scan)', bytes.length);
  }
  // 10 %: text files of up to --text-mb each.
  let textLeft = total * 0.1;
  const textSize = Math.min(textMB * MB, Math.max(256 * 1024, textLeft / 4));
  while (textLeft > 0) {
    const i = seq++;
    const n = name(i, 'txt');
    const lines = prose(n.language, 400, i).join('\n') + '\n';
    const reps = Math.max(1, Math.round(Math.min(textSize, textLeft) / Buffer.byteLength(lines)));
    const text = lines.repeat(reps);
    await writeFile(n.file, text);
    const len = Buffer.byteLength(text);
    add('text', len);
    largest = Math.max(largest, len);
    textLeft -= len;
  }
  return { counts, largestMB: largest / MB };
}

interface ChildResult {
  seconds: number;
  idleRssMB: number;
  idle: Mem;
  peakSample: Mem;
  receiveSeconds: number;
  receivePeakRssMB: number | null;
  steps: { step: string; status: string; seconds: number | null; peakRssMB: number | null }[];
  inFlight: Record<string, Attributed>;
  hwmRises: HwmRise[];
  statuses: Record<string, number>;
  problems: string[];
  maxRssMB: number;
}

interface HwmRise {
  seconds: number;
  fromMB: number;
  toMB: number;
  step: string;
  work: string[];
}

/** One ingest of the transfer, in a child process, on the embedded catalog or on the server. */
async function measure(kind: CatalogKind, root: string, tar: string, intervalMs: number, serverUrl: string | undefined, keep: boolean, log: (s: string) => void) {
  const dir = path.join(root, kind);
  await mkdir(dir, { recursive: true });
  const server = kind === 'server' ? await freshServerDatabase(serverUrl!) : null;
  try {
    // Migrate the new catalog here, except in the fresh-folder run: a server ingests into a
    // catalog that already exists, and the fresh run measures a first start on its own.
    if (kind !== 'fresh') {
      const pre = await openRunCatalog(dir, server?.url);
      await pre.catalog.close();
    }
    log(`ingesting on the ${kind === 'server' ? `server (database ${server!.database})` : kind === 'fresh' ? 'embedded PGlite catalog, fresh data folder' : 'embedded PGlite catalog'} in a child process … (load ${load()})`);
    const loadBefore = load();
    const run = await runChild(dir, tar, intervalMs, server);
    const loadAfter = load();
    const r = run.result as ChildResult | null;
    const nodePeakMB = Math.max(run.sampled.nodePeakMB, r?.maxRssMB ?? 0);
    return {
      catalog: kind,
      ...(server ? { database: server.database } : {}),
      ingestSeconds: r?.seconds ?? null,
      childExit: run.code,
      node: {
        peakMB: nodePeakMB,
        idleMB: r?.idleRssMB ?? null,
        sampledVmHWM_MB: run.sampled.nodePeakMB,
        rusageMaxRssMB: r?.maxRssMB ?? null,
        atIdle: r?.idle ?? null,
        atPeakSample: r?.peakSample ?? null,
      },
      tools: { peakByNameMB: run.sampled.toolsPeakByName, peakSumMB: run.sampled.toolsPeakSumMB, processesSeen: run.sampled.toolProcessesSeen },
      nodePlusToolsPeakMB: run.sampled.nodePlusToolsPeakMB,
      processTree: { creationPeakMB: run.sampled.treeCreationPeakMB || null, ingestPeakMB: run.sampled.treeIngestPeakMB },
      serverBackends: server ? { peakPrivateMB: run.sampled.backendsPeakAnonMB, peakRssMB: run.sampled.backendsPeakRssMB, seen: run.sampled.backendsSeen } : null,
      withinGoal: nodePeakMB <= GOAL_MB,
      receivePeakRssMB: r?.receivePeakRssMB ?? null,
      steps: r?.steps ?? [],
      inFlight: r?.inFlight ?? {},
      hwmRises: r?.hwmRises ?? [],
      statuses: r?.statuses ?? {},
      problems: r?.problems ?? [],
      samples: run.sampled.samples,
      load: { before: loadBefore, after: loadAfter },
      ...(r ? {} : { childStderr: run.stderr.slice(-4000) }),
    };
  } finally {
    await server?.drop();
    // The next run needs the disk more than this run's stores do.
    if (!keep) await rm(dir, { recursive: true, force: true });
  }
}

type Run = Awaited<ReturnType<typeof measure>>;

function report(runs: Run[], intervalMs: number): string {
  const out: string[] = [];
  const f = (v: number | null | undefined, digits = 0) => (v === null || v === undefined ? '—' : v.toFixed(digits));
  const head = ['measure', ...runs.map((r) => CATALOG_LABEL[r.catalog])];
  const row = (label: string, pick: (r: Run) => string) => [label, ...runs.map(pick)];
  const stepNames = [...new Set(runs.flatMap((r) => r.steps.map((s) => s.step)))];
  const toolNames = [...new Set(runs.flatMap((r) => Object.keys(r.tools.peakByNameMB)))].sort();
  const kinds = [...new Set(runs.flatMap((r) => Object.keys(r.inFlight)))].sort();
  const mem = (m: Mem | null) => (m ? `${f(m.rss)} (heap ${f(m.heap)} of ${f(m.heapTotal)}, external ${f(m.external)}${m.wasm ? `, of it PGlite ${f(m.wasm)}` : ''})` : '—');
  out.push(
    table([
      head,
      row('ingest (child), s', (r) => f(r.ingestSeconds, 1)),
      row('Node RSS after opening the catalog and loading tools, MB', (r) => mem(r.node.atIdle)),
      row('  receive: peak RSS, MB', (r) => f(r.receivePeakRssMB)),
      ...stepNames.map((name) =>
        row(`  step ${name}: s | peak RSS MB`, (r) => {
          const s = r.steps.find((x) => x.step === name);
          return s ? `${s.seconds === null ? '—' : s.seconds.toFixed(1)} | ${f(s.peakRssMB)}${s.status === 'done' ? '' : ` (${s.status})`}` : '—';
        }),
      ),
      row(`Node process peak RSS, MB (goal ≤ ${GOAL_MB})`, (r) => `${f(r.node.peakMB)} ${r.withinGoal ? 'within' : 'OVER'}`),
      row('  sampled VmHWM | getrusage maxRSS, MB', (r) => `${f(r.node.sampledVmHWM_MB)} | ${f(r.node.rusageMaxRssMB)}`),
      row('  in-process sample at the peak, MB', (r) => mem(r.node.atPeakSample)),
      row('tools: largest sum at one sample, MB', (r) => f(r.tools.peakSumMB)),
      ...toolNames.map((t) => row(`  ${t} peak, MB`, (r) => f(r.tools.peakByNameMB[t]))),
      row('Node + tools at one sample (whole process tree), MB', (r) => f(r.nodePlusToolsPeakMB)),
      row('  while a fresh catalog is created | during the ingest, MB', (r) => `${r.processTree.creationPeakMB === null ? '—' : f(r.processTree.creationPeakMB)} | ${f(r.processTree.ingestPeakMB)}`),
      row('server backends (private RssAnon | RSS), largest sum, MB', (r) => (r.serverBackends ? `${f(r.serverBackends.peakPrivateMB)} | ${f(r.serverBackends.peakRssMB)} (${r.serverBackends.seen} seen)` : '—')),
      row('load average before → after', (r) => `${r.load.before} → ${r.load.after}`),
    ]),
  );
  out.push('');
  out.push('Peak Node RSS while each kind of work was in flight (n = how many; conversions: the interval ending with one, MB):');
  out.push(table([['work in flight', ...head.slice(1)], ...kinds.map((k) => row(`  ${k}`, (r) => {
    const a = r.inFlight[k];
    return a?.peak ? `${f(a.peak.rss)} n=${a.count}` : '—';
  }))]));
  out.push('');
  out.push('Where the kernel high-water mark (VmHWM) rose: step and work in flight since the sample before (largest rises, and the one that set the mark):');
  for (const r of runs) {
    const rises = r.hwmRises;
    const last = rises[rises.length - 1];
    const top = [...rises].sort((a, b) => b.toMB - b.fromMB - (a.toMB - a.fromMB)).slice(0, 5);
    const line = (x: HwmRise) => `${f(x.fromMB)} → ${f(x.toMB)} MB at ${f(x.seconds)} s, step ${x.step}${x.work.length ? `: ${x.work.join(', ')}` : ''}`;
    out.push(`  ${r.catalog}: mark set ${last ? line(last) : '—'}`);
    for (const x of top) if (x !== last) out.push(`    ${line(x)}`);
  }
  for (const r of runs) {
    out.push(`${r.catalog}: ${r.withinGoal ? 'within' : 'OVER'} the ${GOAL_MB} MB goal (Node process${r.catalog === 'server' ? '; the catalog runs in the server' : ', PGlite included'}${r.catalog === 'fresh' ? `; the catalog creation child peaked at ${f(r.tools.peakByNameMB[CATALOG_INIT_LABEL])} MB before the ingest began` : ''}); statuses: ${Object.entries(r.statuses).map(([k, v]) => `${k} ${v}`).join(', ') || '—'}${r.childExit ? `; child exit ${r.childExit}` : ''}`);
    for (const p of r.problems) out.push(`  ${p.slice(0, 240)}`);
    if (r.childStderr) out.push(r.childStderr);
  }
  out.push(`Tool peaks are sampled every ${intervalMs} ms; short-lived tools may be missed.`);
  return out.join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child' && args[1] && args[2]) return child(args[1], args[2], args[3]);
  const flags = parseFlags();
  const gb = flags.num('gb', 2);
  const textMB = flags.num('text-mb', 4);
  const intervalMs = flags.num('interval-ms', 200);
  const serverUrl = flags.str('database-url') ?? (process.env.DATABASE_URL || undefined);
  const which = flags.str('catalog') ?? (serverUrl ? 'both' : 'embedded');
  const kinds: CatalogKind[] = which === 'both' ? ['embedded', 'server'] : (which.split(',') as CatalogKind[]);
  for (const k of kinds) if (!['embedded', 'server', 'fresh'].includes(k)) throw new Error(`--catalog: expected embedded, server, fresh or both (or a comma list), got "${which}"`);
  if (kinds.includes('server') && !serverUrl) throw new Error('--catalog server needs --database-url postgres://… (or DATABASE_URL)');
  if (serverUrl && !/^postgres(ql)?:\/\//.test(serverUrl)) throw new Error(`--database-url: expected postgres://…, got "${serverUrl}"`);
  const log = (s: string) => {
    if (!flags.json) process.stderr.write(s + '\n');
  };
  const root = await benchRoot('memory');
  try {
    const tree = path.join(root, 'tree');
    await mkdir(tree, { recursive: true });
    log(`building a ~${gb} GB transfer in ${tree} … (load ${load()})`);
    const tb = performance.now();
    const built = await build(tree, gb, textMB, log);
    const buildSeconds = secondsSince(tb);
    const tar = path.join(root, 'transfer.tar');
    const tp = performance.now();
    await packTransfer(tree, tar);
    const packSeconds = secondsSince(tp);
    const tarMB = (await stat(tar)).size / MB;
    await rm(tree, { recursive: true, force: true });
    const docs = Object.values(built.counts).reduce((a, c) => a + c.files, 0);

    const runs: Run[] = [];
    for (const kind of kinds) runs.push(await measure(kind, root, tar, intervalMs, serverUrl, flags.keep, log));
    const result = {
      bench: 'ingest-memory',
      gb,
      docs,
      tarMB,
      largestDocumentMB: built.largestMB,
      byKind: Object.fromEntries(Object.entries(built.counts).map(([k, v]) => [k, { files: v.files, MB: v.bytes / MB }])),
      buildSeconds,
      packSeconds,
      goalMB: GOAL_MB,
      intervalMs,
      // The first run's figures at the top level, as before the server run existed.
      ...runs[0]!,
      runs,
    };
    if (flags.json) {
      process.stdout.write(JSON.stringify(result, null, 2) + '\n');
      return;
    }
    const out: string[] = [];
    out.push(`Ingest memory: ${docs} documents, ${tarMB.toFixed(0)} MB tar (largest document ${built.largestMB.toFixed(0)} MB); build ${buildSeconds.toFixed(1)} s, pack ${packSeconds.toFixed(1)} s`);
    out.push(table([['kind', 'files', 'MB'], ...Object.entries(built.counts).map(([k, v]) => [k, v.files, v.bytes / MB])]));
    out.push('');
    out.push(report(runs, intervalMs));
    process.stdout.write(out.join('\n') + '\n');
  } finally {
    if (flags.keep) log(`kept ${root}`);
    else await rm(root, { recursive: true, force: true });
  }
}

await main();
