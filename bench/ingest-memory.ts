// Peak memory of one ingest of a large transfer (issue #3; goal: ≤ 512 MB). Builds a transfer
// of about --gb GB cheaply — large image PDFs (≤ 90 MB each, pages carrying distinct copies of
// one noisy scan), medium JPEG scans, text files — then runs the ingest in a child Node process
// on an embedded PGlite catalog and samples /proc: the Node process's peak (VmHWM, plus its own
// getrusage maxRSS) and, separately, the peak of the tools it starts (soffice, gs, clamscan …),
// per tool and as the largest sum at one sample.
// Run: node bin/run-ts.js bench/ingest-memory.ts [--gb 2] [--json] [--keep] [--interval-ms 200]
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PDFDocument } from 'pdf-lib';
import { packTransfer } from '../ingest/transfer';
import { loadTools, processTransfer, receiveTransfer } from '../ingest';
import {
  TITLES,
  benchRoot,
  dateFor,
  load,
  makeJpeg,
  openBenchCatalog,
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

async function child(root: string, tar: string): Promise<void> {
  const bench = await openBenchCatalog(root);
  const deps = { ...bench.deps, tools: await loadTools() };
  const idleRssMB = process.memoryUsage().rss / MB;
  // Which step holds the memory: RSS sampled in-process, attributed to the step last reported.
  let current = 'receive';
  const peakByStep: Record<string, number> = {};
  const sample = () => {
    const mb = process.memoryUsage().rss / MB;
    peakByStep[current] = Math.max(peakByStep[current] ?? 0, mb);
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
  const out = { seconds, idleRssMB, receiveSeconds, receivePeakRssMB: peakByStep.receive ?? null, steps, statuses: statusCounts(report), problems: sampleProblems(report), maxRssMB: process.resourceUsage().maxRSS / 1024 };
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

function memKB(pid: number): { hwm: number; rss: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'latin1');
    const hwm = /VmHWM:\s+(\d+)/.exec(s);
    const rss = /VmRSS:\s+(\d+)/.exec(s);
    return { hwm: hwm ? Number(hwm[1]) : 0, rss: rss ? Number(rss[1]) : 0 };
  } catch {
    return null;
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

interface Sampled {
  nodePeakMB: number;
  toolsPeakByName: Record<string, number>;
  toolsPeakSumMB: number;
  nodePlusToolsPeakMB: number;
  samples: number;
  toolProcessesSeen: number;
}

async function runChild(root: string, tar: string, intervalMs: number): Promise<{ sampled: Sampled; result: Record<string, unknown> | null; code: number | null; stderr: string }> {
  const self = fileURLToPath(import.meta.url);
  const runTs = path.join(path.dirname(self), '..', 'bin', 'run-ts.js');
  const proc = spawn(process.execPath, [runTs, self, '--child', root, tar], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-20_000)));
  const sampled: Sampled = { nodePeakMB: 0, toolsPeakByName: {}, toolsPeakSumMB: 0, nodePlusToolsPeakMB: 0, samples: 0, toolProcessesSeen: 0 };
  const seen = new Set<number>();
  const sample = () => {
    const pid = proc.pid;
    if (!pid) return;
    const own = memKB(pid);
    if (!own) return;
    sampled.samples++;
    sampled.nodePeakMB = Math.max(sampled.nodePeakMB, own.hwm / 1024);
    let sum = 0;
    for (const d of descendants(pid, procTable())) {
      const m = memKB(d.pid);
      if (!m) continue;
      if (!seen.has(d.pid)) {
        seen.add(d.pid);
        sampled.toolProcessesSeen++;
      }
      sum += m.rss;
      sampled.toolsPeakByName[d.comm] = Math.max(sampled.toolsPeakByName[d.comm] ?? 0, m.hwm / 1024);
    }
    sampled.toolsPeakSumMB = Math.max(sampled.toolsPeakSumMB, sum / 1024);
    sampled.nodePlusToolsPeakMB = Math.max(sampled.nodePlusToolsPeakMB, (own.rss + sum) / 1024);
  };
  const timer = setInterval(sample, intervalMs);
  const code = await new Promise<number | null>((resolve) => proc.on('exit', resolve));
  clearInterval(timer);
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

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child' && args[1] && args[2]) return child(args[1], args[2]);
  const flags = parseFlags();
  const gb = flags.num('gb', 2);
  const textMB = flags.num('text-mb', 4);
  const intervalMs = flags.num('interval-ms', 200);
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

    // Migrate the new catalog here: a server ingests into a catalog that already exists, and a
    // first migration of an embedded PGlite peaks far higher than opening one (≈ 850 vs 390 MB).
    const pre = await openBenchCatalog(root);
    await pre.catalog.close();
    log(`ingesting ${docs} documents (${tarMB.toFixed(0)} MB) in a child process … (load ${load()})`);
    const loadBefore = load();
    const run = await runChild(root, tar, intervalMs);
    const loadAfter = load();
    const r = run.result as { seconds: number; idleRssMB: number; receiveSeconds: number; receivePeakRssMB: number | null; steps: { step: string; status: string; seconds: number | null; peakRssMB: number | null }[]; statuses: Record<string, number>; problems: string[]; maxRssMB: number } | null;
    const nodePeakMB = Math.max(run.sampled.nodePeakMB, r?.maxRssMB ?? 0);
    const result = {
      bench: 'ingest-memory',
      gb,
      docs,
      tarMB,
      largestDocumentMB: built.largestMB,
      byKind: Object.fromEntries(Object.entries(built.counts).map(([k, v]) => [k, { files: v.files, MB: v.bytes / MB }])),
      buildSeconds,
      packSeconds,
      ingestSeconds: r?.seconds ?? null,
      childExit: run.code,
      node: { peakMB: nodePeakMB, idleMB: r?.idleRssMB ?? null, sampledVmHWM_MB: run.sampled.nodePeakMB, rusageMaxRssMB: r?.maxRssMB ?? null },
      tools: { peakByNameMB: run.sampled.toolsPeakByName, peakSumMB: run.sampled.toolsPeakSumMB, processesSeen: run.sampled.toolProcessesSeen },
      nodePlusToolsPeakMB: run.sampled.nodePlusToolsPeakMB,
      goalMB: GOAL_MB,
      withinGoal: nodePeakMB <= GOAL_MB,
      steps: r?.steps ?? [],
      statuses: r?.statuses ?? {},
      problems: r?.problems ?? [],
      samples: run.sampled.samples,
      intervalMs,
      load: { before: loadBefore, after: loadAfter },
      ...(r ? {} : { childStderr: run.stderr.slice(-4000) }),
    };
    if (flags.json) {
      process.stdout.write(JSON.stringify(result, null, 2) + '\n');
      return;
    }
    const out: string[] = [];
    out.push(`Ingest memory: ${docs} documents, ${tarMB.toFixed(0)} MB tar (largest document ${built.largestMB.toFixed(0)} MB), load average ${loadBefore} → ${loadAfter}`);
    out.push(table([['kind', 'files', 'MB'], ...Object.entries(built.counts).map(([k, v]) => [k, v.files, v.bytes / MB])]));
    out.push('');
    out.push(
      table([
        ['measure', 'value'],
        ['build tree, s', buildSeconds],
        ['pack, s', packSeconds],
        ['ingest (child), s', r?.seconds ?? null],
        ['  RSS after opening the catalog and loading tools, MB', r?.idleRssMB ?? null],
        ['  receive: peak RSS MB', r?.receivePeakRssMB ?? null],
        ...(r?.steps ?? []).map((s) => [`  step ${s.step}${s.status === 'done' ? '' : ` (${s.status})`}: s | peak RSS MB`, `${s.seconds === null ? '—' : s.seconds.toFixed(1)} | ${s.peakRssMB === null ? '—' : s.peakRssMB.toFixed(0)}`] as (string | number | null)[]),
        [`Node process peak RSS, MB (goal ≤ ${GOAL_MB})`, nodePeakMB],
        ['  sampled VmHWM, MB', run.sampled.nodePeakMB],
        ['  getrusage maxRSS, MB', r?.maxRssMB ?? null],
        ['tools: largest sum at one sample, MB', run.sampled.toolsPeakSumMB],
        ...Object.entries(run.sampled.toolsPeakByName).map(([k, v]) => [`  ${k} peak, MB`, v] as (string | number | null)[]),
        ['Node + tools at one sample, MB', run.sampled.nodePlusToolsPeakMB],
      ]),
    );
    out.push(`${nodePeakMB <= GOAL_MB ? 'within' : 'OVER'} the ${GOAL_MB} MB goal (Node process, PGlite included); tool peaks are sampled every ${intervalMs} ms, short-lived tools may be missed.`);
    out.push(`statuses: ${Object.entries(result.statuses).map(([k, v]) => `${k} ${v}`).join(', ') || '—'}${run.code ? `; child exit ${run.code}` : ''}`);
    for (const p of result.problems) out.push(`  ${p.slice(0, 240)}`);
    if (!r) out.push(run.stderr.slice(-4000));
    process.stdout.write(out.join('\n') + '\n');
  } finally {
    if (flags.keep) log(`kept ${root}`);
    else await rm(root, { recursive: true, force: true });
  }
}

await main();
