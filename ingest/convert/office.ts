// LibreOffice conversion in batches. Starting soffice costs seconds, so one invocation converts
// every file of an application family. A crash or timeout kills the whole batch, so files without
// a good output are retried one by one: the bad file is isolated and the others still convert.
import { mkdir, mkdtemp, open, rename, copyFile, rm, stat, symlink } from 'node:fs/promises';
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

/** Files per soffice run: bounds how much one hanging file can delay the others. */
const BATCH_MAX = 20;
/** Extra time a batch gets per additional file (typical office files take 1–3 s each). */
const PER_EXTRA_FILE_MS = 30_000;

export interface OfficeJob { key: number; path: string; format: FormatId; outPath: string }
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

export class OfficeConverter {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly profileDir: string;

  constructor(private readonly workDir: string, private readonly timeoutMs: number) {
    this.profileDir = path.join(workDir, 'lo-profile');
  }

  /**
   * soffice runs are serialised: one private profile cannot be used by two instances at once.
   * `onSettled` hears each job's final outcome as soon as its batch (and any retry) is over, so
   * callers can go on with the first files while later batches still convert.
   */
  convert(jobs: OfficeJob[], onSettled?: (key: number, outcome: OfficeOutcome) => void, options: { plainPdf?: boolean } = {}): Promise<Map<number, OfficeOutcome>> {
    const run = this.queue.then(() => this.convertAll(jobs, onSettled ?? (() => {}), !!options.plainPdf));
    this.queue = run.catch(() => undefined);
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
    const byFamily = new Map<OfficeFamily, OfficeJob[]>();
    for (const j of jobs) {
      const family = officeFamily(j.format);
      if (!family) throw new Error(`not an office format: ${j.format.name}`);
      byFamily.set(family, [...(byFamily.get(family) ?? []), j]);
    }
    const chunks: [OfficeFamily, OfficeJob[]][] = [];
    for (const [family, all] of byFamily) for (let i = 0; i < all.length; i += BATCH_MAX) chunks.push([family, all.slice(i, i + BATCH_MAX)]);
    for (const [family, group] of chunks) {
      const first = await this.runBatch(bin, family, group, plainPdf);
      const retry = group.filter((j) => !first.get(j.key)?.ok);
      for (const j of group) if (first.get(j.key)?.ok) settle(j.key, { ok: true });
      if (group.length === 1 || !retry.length) {
        for (const j of retry) settle(j.key, first.get(j.key)!);
        continue;
      }
      // Isolate: every file that did not come out of the batch gets its own soffice run.
      for (const j of retry) settle(j.key, (await this.runBatch(bin, family, [j], plainPdf)).get(j.key)!);
    }
    return results;
  }

  /** `plainPdf`: LibreOffice's ordinary PDF export instead of its PDF/A-1 one (a fallback route: PDF/A-1 export flattens transparency, text included, into images). */
  private async runBatch(bin: string, family: OfficeFamily, jobs: OfficeJob[], plainPdf: boolean): Promise<Map<number, OfficeOutcome>> {
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
      let run: RunResult;
      try {
        run = await runTool(
          bin,
          [
            '--headless', '--invisible', '--nologo', '--norestore', '--nolockcheck', '--nodefault', '--nofirststartwizard',
            `-env:UserInstallation=file://${this.profileDir}`,
            '--convert-to', plainPdf ? `pdf:${family}_pdf_Export` : pdfaFilter(family),
            '--outdir', outDir,
            ...staged.map((s) => s.input),
          ],
          { timeoutMs: batchTimeout, cwd: dir, env: { ...process.env, HOME: process.env.HOME ?? dir } },
        );
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        for (const j of jobs) results.set(j.key, { ok: false, code: error instanceof ToolMissingError ? 'tool_missing' : 'crashed', detail });
        return results;
      }
      const log = `${run.stderr}\n${run.stdout.toString('utf8')}`;
      for (const s of staged) {
        if (await looksLikeCompletePdf(s.output)) {
          await place(s.output, s.job.outPath);
          results.set(s.job.key, { ok: true });
        } else if (run.timedOut) {
          results.set(s.job.key, { ok: false, code: 'timeout', detail: `soffice did not finish within ${Math.round(batchTimeout / 1000)} s` });
        } else if (run.signal || (run.code !== 0 && run.code !== null)) {
          results.set(s.job.key, { ok: false, code: 'crashed', detail: `soffice ended with ${run.signal ?? `exit code ${run.code}`}${firstLines(log) ? `: ${firstLines(log)}` : ''}` });
        } else if (/could not be loaded|general input\/output error|source file could not/i.test(log)) {
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
    await this.queue;
    await rm(this.profileDir, { recursive: true, force: true });
  }
}
