// LibreOffice conversion in batches. Starting soffice costs seconds, so one invocation converts
// every file of an application family. A crash or timeout kills the whole batch, so files without
// a good output are retried one by one: the bad file is isolated and the others still convert.
import { mkdir, mkdtemp, open, readdir, rename, copyFile, rm, stat, symlink } from 'node:fs/promises';
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { findTool, ToolMissingError, type RunResult } from '../../common/process';
import { runTool } from './tool-runner';
import type { FormatId } from '../scan/identify';

export type OfficeFamily = 'writer' | 'calc' | 'impress';

const FAMILY: Record<string, OfficeFamily> = {
  DOC: 'writer', DOCX: 'writer', ODT: 'writer', RTF: 'writer',
  XLS: 'calc', XLSX: 'calc', ODS: 'calc',
  PPT: 'impress', PPTX: 'impress', ODP: 'impress',
};

/** Extension LibreOffice's type detection expects for each format (the original name may lie). */
const EXT: Record<string, string> = {
  DOC: 'doc', DOCX: 'docx', ODT: 'odt', RTF: 'rtf', XLS: 'xls', XLSX: 'xlsx', ODS: 'ods', PPT: 'ppt', PPTX: 'pptx', ODP: 'odp',
};

export function officeFamily(format: FormatId): OfficeFamily | null {
  return FAMILY[format.name] ?? null;
}

/** `--convert-to` argument: PDF/A-1 via the family's export filter (SelectPdfVersion 1 = PDF/A-1b). */
export function pdfaFilter(family: OfficeFamily): string {
  return `pdf:${family}_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"1"}}`;
}

/**
 * Batch sizes. A soffice start costs about a second of CPU, so a batch is as large as an input
 * budget allows (BATCH_BYTES of originals, at most BATCH_MAX_FILES files: bounds how much one
 * hanging file can delay the others). Files go smallest first. A batch's files are reported one
 * by one while it runs (runBatch), so no small first batch is needed for the checks to start early.
 */
const BATCH_BYTES = 12 * 1024 * 1024;
const BATCH_MAX_FILES = 50;
/** Extra time a batch gets per additional file (typical office files take 1–3 s each). */
const PER_EXTRA_FILE_MS = 30_000;

export interface OfficeJob { key: number; path: string; format: FormatId; outPath: string; /** Size of the original, for batch budgets (read when absent). */ size?: number }
export type OfficeOutcome =
  | { ok: true }
  | { ok: false; code: 'timeout' | 'crashed' | 'conversion_failed' | 'corrupt_input' | 'tool_missing'; detail: string };

/** A PDF is taken as complete only with its header and a final %%EOF (a killed writer leaves neither). */
export async function looksLikeCompletePdf(file: string): Promise<boolean> {
  let fh;
  try {
    fh = await open(file, 'r');
    const { size } = await fh.stat();
    if (size < 64) return false;
    const head = Buffer.alloc(8);
    await fh.read(head, 0, 8, 0);
    const tailLen = Math.min(1024, size);
    const tail = Buffer.alloc(tailLen);
    await fh.read(tail, 0, tailLen, size - tailLen);
    return head.toString('latin1').startsWith('%PDF-') && tail.toString('latin1').includes('%%EOF');
  } catch {
    return false;
  } finally {
    await fh?.close();
  }
}

/** Calls `onChange` when a file is made or removed in `dir`; undefined where the platform has no such events. */
function tryWatch(dir: string, onChange: () => void): FSWatcher | undefined {
  try {
    const watcher = watch(dir, { persistent: false }, (event) => {
      if (event === 'rename') onChange(); // made or removed; not the writes into the temporary file
    });
    watcher.on('error', () => watcher.close());
    return watcher;
  } catch {
    return undefined;
  }
}

async function place(from: string, to: string): Promise<void> {
  await mkdir(path.dirname(to), { recursive: true });
  try {
    await rename(from, to);
  } catch {
    await copyFile(from, to); // different filesystem
  }
}

function firstLines(text: string, n = 3): string {
  return text.split('\n').map((l) => l.trim()).filter((l) => l && !/javaldx|^convert /.test(l)).slice(0, n).join(' | ').slice(0, 500);
}

/**
 * A family's files split among `lanes` soffice instances: largest first, each onto the lane with
 * the fewest bytes so far, so no lane is left with most of the work. Bytes are a rough measure of
 * a file's conversion time, but the largest files, which decide when the last lane ends, are
 * spread first.
 */
export function laneShares<T extends { size: number }>(jobs: T[], lanes: number): T[][] {
  const shares = Array.from({ length: Math.max(1, Math.min(lanes, jobs.length)) }, () => ({ bytes: 0, jobs: [] as T[] }));
  for (const j of [...jobs].sort((a, b) => b.size - a.size)) {
    const least = shares.reduce((m, x) => (x.bytes < m.bytes ? x : m));
    least.jobs.push(j);
    least.bytes += j.size;
  }
  return shares.map((s) => s.jobs);
}

/**
 * The order soffice converts a family's files in: smallest first (see convert), except the largest,
 * which goes before the last quarter of the files. Whatever comes out last is checked after the
 * batch ends, and the largest file's checks are the longest (a 180-page rendition: 1.7 s of PDF/A
 * and text check after 7 s of conversion); the files after it are converted while it is checked.
 */
export function conversionOrder<T extends { size: number }>(jobs: T[]): T[] {
  const order = [...jobs].sort((a, b) => a.size - b.size);
  if (order.length < 4) return order;
  const largest = order.pop()!;
  order.splice(order.length - Math.floor((order.length + 1) / 4), 0, largest);
  return order;
}

/** Splits one family's jobs into batches by the budgets above, in input order. */
export function batches(jobs: (OfficeJob & { size: number })[]): OfficeJob[][] {
  const out: OfficeJob[][] = [];
  let current: OfficeJob[] = [];
  let bytes = 0;
  for (const j of jobs) {
    if (current.length && (current.length >= BATCH_MAX_FILES || bytes + j.size > BATCH_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(j);
    bytes += j.size;
  }
  if (current.length) out.push(current);
  return out;
}

/** soffice runs on one profile, one at a time: a profile cannot be used by two instances at once. */
class SofficeLane {
  private readonly waiting: (() => void)[] = [];
  private busy = false;

  constructor(readonly profileDir: string) {}

  /** Runs `fn` when this lane's soffice is free, in the order asked. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push(() => {
        this.busy = true;
        fn().then(resolve, reject).finally(() => {
          this.busy = false;
          this.next();
        });
      });
      this.next();
    });
  }

  private next(): void {
    if (!this.busy) this.waiting.shift()?.();
  }
}

export class OfficeConverter {
  /** The PDF/A batches, one after another on each lane. */
  private readonly batchLanes: SofficeLane[];
  /**
   * The single-file ordinary exports a failing document's next route needs, on a profile of their
   * own beside the batches: behind a batch of 50 files such an export (and the routes after it)
   * would wait for the whole batch and then trail it, on the critical path of the transfer.
   */
  private readonly exportLane: SofficeLane;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly workDir: string, private readonly timeoutMs: number, lanes = 1) {
    this.batchLanes = Array.from({ length: lanes }, (_, i) => new SofficeLane(path.join(workDir, i ? `lo-profile-${i + 1}` : 'lo-profile')));
    this.exportLane = new SofficeLane(path.join(workDir, 'lo-profile-export'));
  }

  /**
   * Converts `jobs` in batches on the batch lane, or (`plainPdf`: LibreOffice's ordinary export,
   * a fallback route) on the export lane, which runs beside the batches. `onSettled` hears each
   * job's final outcome as soon as it is known — a file's PDF once soffice has written it (see
   * runBatch), the others when the batch (and any retry) is over — so callers check the first
   * renditions while soffice converts the rest.
   */
  convert(jobs: OfficeJob[], onSettled?: (key: number, outcome: OfficeOutcome) => void, options: { plainPdf?: boolean } = {}): Promise<Map<number, OfficeOutcome>> {
    const run = this.convertAll(jobs, onSettled ?? (() => {}), !!options.plainPdf);
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run)).catch(() => undefined);
    return run;
  }

  private async convertAll(jobs: OfficeJob[], onSettled: (key: number, outcome: OfficeOutcome) => void, plainPdf: boolean): Promise<Map<number, OfficeOutcome>> {
    const results = new Map<number, OfficeOutcome>();
    const settle = (key: number, outcome: OfficeOutcome) => {
      results.set(key, outcome);
      onSettled(key, outcome);
    };
    const bin = await findTool('soffice');
    if (!bin) {
      for (const j of jobs) settle(j.key, { ok: false, code: 'tool_missing', detail: new ToolMissingError('soffice').message });
      return results;
    }
    const byFamily = new Map<OfficeFamily, (OfficeJob & { size: number })[]>();
    for (const j of jobs) {
      const family = officeFamily(j.format);
      if (!family) throw new Error(`not an office format: ${j.format.name}`);
      const size = j.size ?? (await stat(j.path).then((st) => st.size, () => 0));
      byFamily.set(family, [...(byFamily.get(family) ?? []), { ...j, size }]);
    }
    const chunks: [OfficeFamily, OfficeJob[], SofficeLane][] = [];
    // Each lane gets its share of a family's files (laneShares), in conversionOrder: smallest first,
    // so the many quick ones are checked (and a failing one's next route made) while soffice converts
    // the few long ones — largest first, a real transfer's 180-page document held back every file
    // for 8 s and then ~45 checks and a fallback route trailed the batch (bench:ingest-mixed
    // --realworld) — with the largest before the last quarter.
    const lanes = plainPdf ? [this.exportLane] : this.batchLanes;
    for (const [family, all] of byFamily) {
      laneShares(all, lanes.length).forEach((share, i) => {
        for (const group of batches(conversionOrder(share))) chunks.push([family, group, lanes[i]!]);
      });
    }
    // Every batch queued now, in order, on its lane.
    const settled = await Promise.allSettled(chunks.map(([family, group, lane]) => lane.run(async () => {
      // Files out of the batch while it still runs are settled then: their checks overlap the rest of the batch.
      const first = await this.runBatch(bin, lane.profileDir, family, group, plainPdf, (key) => settle(key, { ok: true }));
      // A file soffice could not load in a batch that ended normally fails the same way alone:
      // it is not retried (a second soffice start for nothing). Any other file without output is.
      const unloadable = (o: OfficeOutcome | undefined) => !!o && !o.ok && o.code === 'corrupt_input';
      const retry = group.filter((j) => !first.get(j.key)?.ok && !unloadable(first.get(j.key)));
      for (const j of group) if (unloadable(first.get(j.key))) settle(j.key, first.get(j.key)!);
      for (const j of group) if (first.get(j.key)?.ok && !results.has(j.key)) settle(j.key, { ok: true });
      if (group.length === 1 || !retry.length) {
        for (const j of retry) settle(j.key, first.get(j.key)!);
        return;
      }
      // Isolate: every file that did not come out of the batch gets its own soffice run.
      for (const j of retry) settle(j.key, (await this.runBatch(bin, lane.profileDir, family, [j], plainPdf)).get(j.key)!);
    })));
    for (const s of settled) if (s.status === 'rejected') throw s.reason;
    return results;
  }

  /** `plainPdf`: LibreOffice's ordinary PDF export instead of its PDF/A-1 one (a fallback route: PDF/A-1 export flattens transparency, text included, into images). */
  private async runBatch(bin: string, profileDir: string, family: OfficeFamily, jobs: OfficeJob[], plainPdf: boolean, onDone?: (key: number) => void): Promise<Map<number, OfficeOutcome>> {
    await mkdir(this.workDir, { recursive: true });
    const dir = await mkdtemp(path.join(this.workDir, 'lo-batch-'));
    const inDir = path.join(dir, 'in');
    const outDir = path.join(dir, 'out');
    await mkdir(inDir);
    await mkdir(outDir);
    const results = new Map<number, OfficeOutcome>();
    try {
      // Staged under neutral names: avoids clashes between equal base names and keeps odd
      // characters of transferred file names away from soffice's command line.
      const staged = await Promise.all(
        jobs.map(async (j, i) => {
          const name = `f${i}.${EXT[j.format.name] ?? 'bin'}`;
          const target = path.join(inDir, name);
          try {
            await symlink(path.resolve(j.path), target);
          } catch {
            await copyFile(j.path, target);
          }
          return { job: j, input: target, output: path.join(outDir, `f${i}.pdf`) };
        }),
      );
      // One file's full budget plus a modest allowance per further file: a hang is noticed after
      // that, not after n full budgets, and the retry below still gives each file its full budget.
      const batchTimeout = this.timeoutMs + Math.min(PER_EXTRA_FILE_MS, this.timeoutMs) * (jobs.length - 1);
      // soffice exports each file beside a lock file (`.~lock.<name>#`), into a temporary file that
      // it copies to the output's name at the end, and removes the lock only after that copy: a PDF
      // under its own name with no lock beside it is finished. Those are placed and reported while
      // the batch goes on (a file soffice could not load has no PDF and waits for the batch's end).
      const placed = new Set<number>();
      const locked = (output: string) => stat(path.join(outDir, `.~lock.${path.basename(output)}#`)).then(() => true, () => false);
      const takeFinished = async () => {
        const names = new Set(await readdir(outDir).catch(() => [] as string[]));
        for (const [i, s] of staged.entries()) {
          if (placed.has(i) || !names.has(path.basename(s.output))) continue;
          // The lock is looked for after the PDF was seen: it is made before the PDF and removed after it.
          if ((await locked(s.output)) || !(await looksLikeCompletePdf(s.output))) continue;
          await place(s.output, s.job.outPath);
          placed.add(i);
          results.set(s.job.key, { ok: true });
          onDone?.(s.job.key);
        }
      };
      let polling: Promise<void> = Promise.resolve();
      let queued = false;
      const look = () => {
        if (queued) return; // one look waiting is enough, however many events came
        queued = true;
        polling = polling.then(() => {
          queued = false;
          return takeFinished();
        }).catch(() => undefined);
      };
      // A file made or removed in the output folder (a PDF, a lock going away) is looked at at
      // once; the timer covers a filesystem without such events.
      const reportEarly = onDone && staged.length > 1;
      const watcher = reportEarly ? tryWatch(outDir, look) : undefined;
      const poller = reportEarly ? setInterval(look, watcher ? 1000 : 250) : undefined;
      let run: RunResult;
      try {
        run = await runTool(
          bin,
          [
            '--headless', '--invisible', '--nologo', '--norestore', '--nolockcheck', '--nodefault', '--nofirststartwizard',
            `-env:UserInstallation=file://${profileDir}`,
            '--convert-to', plainPdf ? `pdf:${family}_pdf_Export` : pdfaFilter(family),
            '--outdir', outDir,
            ...staged.map((s) => s.input),
          ],
          { timeoutMs: batchTimeout, cwd: dir, env: { ...process.env, HOME: process.env.HOME ?? dir } },
        );
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        for (const j of jobs) if (!results.get(j.key)?.ok) results.set(j.key, { ok: false, code: error instanceof ToolMissingError ? 'tool_missing' : 'crashed', detail });
        return results;
      } finally {
        if (poller) clearInterval(poller);
        watcher?.close();
        await polling.catch(() => undefined);
      }
      const log = `${run.stderr}\n${run.stdout.toString('utf8')}`;
      const announced = (input: string) => log.includes(`convert ${path.resolve(input)} ->`);
      for (const [i, s] of staged.entries()) {
        if (placed.has(i)) continue;
        if (await looksLikeCompletePdf(s.output)) {
          await place(s.output, s.job.outPath);
          results.set(s.job.key, { ok: true });
        } else if (run.timedOut) {
          results.set(s.job.key, { ok: false, code: 'timeout', detail: `soffice did not finish within ${Math.round(batchTimeout / 1000)} s` });
        } else if (run.signal || (run.code !== 0 && run.code !== null)) {
          results.set(s.job.key, { ok: false, code: 'crashed', detail: `soffice ended with ${run.signal ?? `exit code ${run.code}`}${firstLines(log) ? `: ${firstLines(log)}` : ''}` });
        } else if (/could not be loaded|general input\/output error|source file could not/i.test(log) && !announced(s.input)) {
          // soffice ended normally and never started exporting this file ("convert <file> -> …"
          // is printed once a file is loaded): this file is the one it could not load.
          results.set(s.job.key, { ok: false, code: 'corrupt_input', detail: firstLines(log) || 'LibreOffice could not load the file' });
        } else {
          const exists = await stat(s.output).then(() => true, () => false);
          results.set(s.job.key, { ok: false, code: 'conversion_failed', detail: exists ? 'LibreOffice wrote an incomplete PDF' : firstLines(log) || 'LibreOffice wrote no PDF' });
        }
      }
      return results;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
    for (const lane of [...this.batchLanes, this.exportLane]) await rm(lane.profileDir, { recursive: true, force: true });
  }
}
