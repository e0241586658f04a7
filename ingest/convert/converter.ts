// Rendition to PDF/A-1b, choosing the route by identified format (never by extension):
// office → LibreOffice (batched), PDF → Ghostscript, images and text → pdf-lib, PDF/A-1 → kept.
// The original is only ever read; every failure comes back as a problem code with a reason.
import { readFile, writeFile, mkdir, copyFile, rm, rename } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { t } from '../../common/i18n';
import { findTool } from '../../common/process';
import type { FormatId } from '../scan/identify';
import { detectTextEncoding } from '../scan/identify';
import { OfficeConverter, officeFamily, type OfficeOutcome } from './office';
import { ghostscriptToPdfA } from './ghostscript';
import { imageToPdfA, ImageDecodeError } from './images';
import { textToPdfA } from './layout';
import { MissingResourceError } from './pdfa-writer';
import { runTool } from './tool-runner';

export interface ConversionProblem { code: string; message: string }
export interface ConversionResult {
  ok: boolean;
  output?: string;
  method: 'libreoffice' | 'ghostscript' | 'pdf-lib' | 'kept-pdfa';
  tool: { name: string; version: string };
  problems: ConversionProblem[];
}
export interface Converter {
  convert(input: { path: string; format: FormatId }, outPath: string): Promise<ConversionResult>;
  /** Office files are converted in batches (one soffice run per application family). */
  convertMany(items: { path: string; format: FormatId; outPath: string }[], onDone?: (i: number) => void): Promise<ConversionResult[]>;
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);
const PDF_LIB_VERSION: string = (require('pdf-lib/package.json') as { version: string }).version;

/** Problem with an English message from the convert catalog (the code is what the UI translates). */
export function problem(code: string, params: Record<string, string | number> = {}): ConversionProblem {
  const key = code.startsWith('repro_') ? `convert.${code}` : `convert.problem_${code}`;
  return { code, message: t('en', key, params) };
}

const versionCache = new Map<string, Promise<string>>();
/** Version line of the tool actually in use (cached per resolved binary). */
async function versionOf(tool: 'soffice' | 'gs'): Promise<string> {
  const bin = await findTool(tool);
  if (!bin) return 'not installed';
  let v = versionCache.get(bin);
  if (!v) {
    v = runTool(bin, ['--version'], { timeoutMs: 60_000 }).then(
      (r) => {
        const line = (r.stdout.toString('utf8') || r.stderr).split('\n').map((l) => l.trim()).find((l) => l && !/javaldx/.test(l));
        return line?.replace(/^LibreOffice\s+/, '') ?? 'unknown';
      },
      () => 'unknown',
    );
    versionCache.set(bin, v);
  }
  return v;
}

function officeProblem(outcome: Exclude<OfficeOutcome, { ok: true }>, timeoutMs: number): ConversionProblem {
  const tool = 'LibreOffice';
  switch (outcome.code) {
    case 'timeout': return problem('timeout', { tool, seconds: Math.round(timeoutMs / 1000) });
    case 'crashed': return problem('crashed', { tool, detail: outcome.detail });
    case 'corrupt_input': return problem('corrupt_input', { detail: outcome.detail });
    case 'tool_missing': return problem('tool_missing', { tool: 'soffice (LibreOffice)' });
    default: return problem('conversion_failed', { tool, detail: outcome.detail });
  }
}

/** Waits for every promise, then throws the first rejection (if any). */
async function settleAll(all: Promise<unknown>[]): Promise<void> {
  const settled = await Promise.allSettled(all);
  for (const s of settled) if (s.status === 'rejected') throw s.reason;
}

function title(file: string): string {
  return path.basename(file).replace(/\.[^.]+$/, '') || path.basename(file);
}

export function createConverter(options: { workDir: string; timeoutMs?: number; concurrency?: number }): Converter {
  const timeoutMs = options.timeoutMs ?? 180_000;
  // Ghostscript processes at once; LibreOffice and pdf-lib run beside them.
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? availableParallelism()));
  const office = new OfficeConverter(options.workDir, timeoutMs);

  async function failEarly(format: FormatId): Promise<ConversionResult | null> {
    const method = officeFamily(format) ? 'libreoffice' : format.family === 'pdf' ? 'ghostscript' : 'pdf-lib';
    const tool = method === 'libreoffice'
      ? { name: 'LibreOffice', version: await versionOf('soffice') }
      : method === 'ghostscript' ? { name: 'Ghostscript', version: await versionOf('gs') } : { name: 'pdf-lib', version: PDF_LIB_VERSION };
    if (format.encrypted) return { ok: false, method, tool, problems: [problem('encrypted')] };
    if (format.problems.includes('empty_file')) return { ok: false, method, tool, problems: [problem('corrupt_input', { detail: 'the file is empty' })] };
    const supported = !!officeFamily(format) || format.family === 'pdf' || format.family === 'text' || ['JPEG', 'PNG', 'TIFF', 'GIF'].includes(format.name);
    if (!supported) return { ok: false, method, tool, problems: [problem('unsupported_format', { format: format.name })] };
    return null;
  }

  async function convertSingle(input: { path: string; format: FormatId }, outPath: string): Promise<ConversionResult> {
    const { format } = input;
    const early = await failEarly(format);
    if (early) return early;
    await mkdir(path.dirname(outPath), { recursive: true });

    if (format.family === 'pdf') {
      if (/^PDF\/A-1[ab]$/.test(format.name)) {
        // Already claims PDF/A-1: keep the original bytes; the pipeline validates the claim.
        await copyFile(input.path, outPath);
        return { ok: true, output: outPath, method: 'kept-pdfa', tool: { name: 'Muragat', version: 'copy' }, problems: [] };
      }
      const tool = { name: 'Ghostscript', version: await versionOf('gs') };
      const r = await ghostscriptToPdfA(input.path, outPath, { workDir: options.workDir, timeoutMs });
      if (r.ok) return { ok: true, output: outPath, method: 'ghostscript', tool, problems: [] };
      const p = r.code === 'timeout' ? problem('timeout', { tool: 'Ghostscript', seconds: Math.round(timeoutMs / 1000) })
        : r.code === 'tool_missing' ? problem('tool_missing', { tool: 'gs (Ghostscript)' })
        : r.code === 'resource_missing' ? problem('resource_missing', { detail: r.detail })
        : r.code === 'crashed' ? problem('crashed', { tool: 'Ghostscript', detail: r.detail })
        : problem('conversion_failed', { tool: 'Ghostscript', detail: r.detail });
      return { ok: false, method: 'ghostscript', tool, problems: [p] };
    }

    const tool = { name: 'pdf-lib', version: PDF_LIB_VERSION };
    try {
      const data = await readFile(input.path);
      let pdf: Uint8Array;
      if (format.family === 'text') {
        const encoding = format.version === 'windows-1251' || format.version === 'UTF-8' ? format.version : detectTextEncoding(data, true);
        if (!encoding) return { ok: false, method: 'pdf-lib', tool, problems: [problem('text_decode_failed')] };
        pdf = await textToPdfA(new TextDecoder(encoding).decode(data), { title: title(input.path) });
      } else {
        pdf = await imageToPdfA(format.name as 'JPEG' | 'PNG' | 'TIFF' | 'GIF', data, { title: title(input.path) });
      }
      const partial = `${outPath}.partial`;
      await writeFile(partial, pdf);
      await rename(partial, outPath);
      return { ok: true, output: outPath, method: 'pdf-lib', tool, problems: [] };
    } catch (error) {
      if (error instanceof ImageDecodeError) return { ok: false, method: 'pdf-lib', tool, problems: [problem('image_decode_failed', { detail: error.message })] };
      if (error instanceof MissingResourceError) return { ok: false, method: 'pdf-lib', tool, problems: [problem('resource_missing', { detail: error.message })] };
      return { ok: false, method: 'pdf-lib', tool, problems: [problem('conversion_failed', { tool: 'pdf-lib', detail: error instanceof Error ? error.message : String(error) })] };
    }
  }

  async function convertMany(items: { path: string; format: FormatId; outPath: string }[], onDone?: (i: number) => void): Promise<ConversionResult[]> {
    const results: ConversionResult[] = new Array(items.length);
    const officeJobs: { key: number; path: string; format: FormatId; outPath: string }[] = [];
    const gsJobs: number[] = [];
    const pdfLibJobs: number[] = [];
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      const early = await failEarly(item.format);
      if (early) {
        results[i] = early;
        onDone?.(i);
      } else if (officeFamily(item.format)) {
        await mkdir(path.dirname(item.outPath), { recursive: true });
        officeJobs.push({ key: i, ...item });
      } else if (item.format.family === 'pdf') gsJobs.push(i);
      else pdfLibJobs.push(i);
    }
    // Three lanes side by side: the LibreOffice batches (one soffice at a time), Ghostscript
    // (`concurrency` processes: each gs is single-threaded) and pdf-lib (in this process, one at
    // a time: it is CPU work on this thread, more at once would only hold more images in memory).
    // Results keep their input order; onDone reports each item when it is finished.
    const officeDone = (async () => {
      if (!officeJobs.length) return;
      const tool = { name: 'LibreOffice', version: await versionOf('soffice') };
      const byKey = new Map(officeJobs.map((j) => [j.key, j]));
      await office.convert(officeJobs, (key, o) => {
        results[key] = o.ok
          ? { ok: true, output: byKey.get(key)!.outPath, method: 'libreoffice', tool, problems: [] }
          : { ok: false, method: 'libreoffice', tool, problems: [officeProblem(o, timeoutMs)] };
        onDone?.(key);
      });
    })();
    let failed = false;
    const lane = async (queue: number[], width: number) => {
      let next = 0;
      const worker = async () => {
        while (!failed && next < queue.length) {
          const i = queue[next++]!;
          try {
            results[i] = await convertSingle(items[i]!, items[i]!.outPath);
          } catch (error) {
            failed = true; // a system fault (disk, tool runner): stop taking new work
            throw error;
          }
          onDone?.(i);
        }
      };
      await settleAll(Array.from({ length: Math.max(1, Math.min(width, queue.length)) }, worker));
    };
    // Nothing is left running when one lane fails; the first failure is then thrown.
    await settleAll([officeDone, lane(gsJobs, concurrency), lane(pdfLibJobs, 1)]);
    return results;
  }

  return {
    async convert(input, outPath) {
      if (officeFamily(input.format)) return (await convertMany([{ ...input, outPath }]))[0]!;
      return convertSingle(input, outPath);
    },
    convertMany,
    async close() {
      await office.close();
      await rm(path.join(options.workDir, 'gs-def'), { recursive: true, force: true });
    },
  };
}
