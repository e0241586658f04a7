// Rendition to PDF/A-1b, choosing the route by identified format (never by extension):
// office → LibreOffice (batched), PDF → Ghostscript, images and text → pdf-lib, PDF/A-1 → kept.
// The original is only ever read; every failure comes back as a problem code with a reason.
import { readFile, writeFile, mkdir, mkdtemp, copyFile, rm, rename, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { t } from '../../common/i18n';
import { findTool } from '../../common/process';
import type { FormatId } from '../scan/identify';
import { detectTextEncoding } from '../scan/identify';
import { OfficeConverter, officeFamily, type OfficeOutcome } from './office';
import { ghostscriptToPdfA, pageCount, type GsOutcome } from './ghostscript';
import { inspectPdf, extractEmbeddedFiles, preparePdf, type PdfInspection } from './pdf-prepare';
import { pdfToPageImagesPdfA } from './page-images';
import { checkReproducibility, type ReproducibilityVerdict } from './reproducibility';
import { validatePdfA, type PdfaFailure } from '../../validators/pdfa/index';
import { imageToPdfA, ImageDecodeError } from './images';
import { textToPdfA } from './layout';
import { MissingResourceError } from './pdfa-writer';
import { runTool } from './tool-runner';
import { ZipArchive } from '../scan/zip';
import { CHECK_BUDGET_BYTES, CHECK_CONCURRENCY, TEXT_CONVERT_BYTES_PER_BYTE, checkWeightOf, createLimiter, pdfaAndText } from '../pipeline/pool';

export interface ConversionProblem { code: string; message: string }
export interface ConversionResult {
  ok: boolean;
  output?: string;
  method: 'libreoffice' | 'ghostscript' | 'pdf-lib' | 'kept-pdfa';
  tool: { name: string; version: string };
  problems: ConversionProblem[];
  /** The route that made the rendition (or the last one tried), e.g. 'ghostscript-prepared', 'page-images'. */
  route?: string;
  /** Routes tried before `route`, each with why it was not kept. */
  attempts?: { route: string; problems: ConversionProblem[] }[];
  /** Active content found in the original (JavaScript, launch actions, embedded files…); the rendition has none. */
  activeContent?: ActiveContent[];
  /** Files embedded in a PDF original, extracted to be kept as separate originals. */
  extractedFiles?: ExtractedFile[];
  /** The rendition is page images (no text layer): the text check was not applicable. */
  imageRendition?: boolean;
  /** Validation and reproducibility of the kept rendition, when the converter checked it to choose a route. */
  checks?: RenditionChecks;
}
export type ConversionMethod = ConversionResult['method'];
export interface ActiveContent {
  kind: 'javascript' | 'launch-action' | 'embedded-file' | 'form' | 'action';
  count: number;
  /** Names where known: embedded file names, launched programs, action types (at most 10). */
  names: string[];
}
export interface ExtractedFile { name: string; path: string; size: number }
export interface RenditionChecks {
  pdfa: { compliant: boolean; engine: string; failures: PdfaFailure[] };
  /** Absent when the rendition is not PDF/A (the text is not compared then). */
  reproducibility?: ReproducibilityVerdict;
}

/** A PDF/A report as a rendition's checks keep it: the verdict, the engine, the first 20 failures. */
function pdfaVerdict(report: RenditionChecks['pdfa']): RenditionChecks['pdfa'] {
  return { compliant: report.compliant, engine: report.engine, failures: report.failures.slice(0, 20) };
}

/**
 * A rendition's checks: its PDF/A verdict and, when it is PDF/A, its text verdict (pdfaAndText:
 * side by side for a light rendition). The converter's routes and the convert step's own checks
 * both make them here.
 */
export async function checkRendition(weight: number, pdfa: () => Promise<RenditionChecks['pdfa']>, text: () => Promise<ReproducibilityVerdict>): Promise<RenditionChecks> {
  const { report, text: reproducibility } = await pdfaAndText(weight, pdfa, text);
  return reproducibility ? { pdfa: pdfaVerdict(report), reproducibility } : { pdfa: pdfaVerdict(report) };
}
export interface Converter {
  convert(input: { path: string; format: FormatId }, outPath: string): Promise<ConversionResult>;
  /** Office files are converted in batches (one soffice run per application family). */
  convertMany(items: { path: string; format: FormatId; outPath: string }[], onDone?: (i: number, result: ConversionResult) => void): Promise<ConversionResult[]>;
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

/** A package up to this size is read at once for officeXmlWithDtd (at most four at a time, convertMany). */
const WHOLE_PACKAGE_BYTES = 4 * 1024 * 1024;

/**
 * The first XML part of an Office Open XML package that declares a DTD, or null. OPC (ECMA-376
 * part 2) forbids DTD declarations in package parts; the only use of one in such a file is an
 * entity bomb ("billion laughs"), which LibreOffice stops expanding, printing a fraction of the
 * text. Such a file is refused with that reason rather than converted and failed on its text.
 * Only the prolog is read (a DOCTYPE must come before the root element).
 */
export async function officeXmlWithDtd(file: string): Promise<string | null> {
  let zip: ZipArchive;
  try {
    zip = await ZipArchive.open(file, { readWholeUpTo: WHOLE_PACKAGE_BYTES });
  } catch {
    return null; // not readable as ZIP: LibreOffice's load decides
  }
  try {
    for (const entry of zip.entries.filter((e) => /\.(xml|rels)$/i.test(e.name)).slice(0, 1000)) {
      let prolog: string;
      try {
        // Up to the root element's start (a tag not `<?` or `<!`), where any DOCTYPE must be.
        prolog = prologOf((await zip.head(entry, (h) => prologOf(h.toString('latin1')).complete)).toString('latin1')).text;
      } catch {
        continue; // a damaged part: LibreOffice's load decides
      }
      if (/<!DOCTYPE/i.test(prolog)) return entry.name;
    }
    return null;
  } finally {
    await zip.close();
  }
}

/** An XML text's prolog (before the root element) and whether the root element was seen. */
function prologOf(head: string): { text: string; complete: boolean } {
  const root = head.search(/<(?![?!])/);
  return root < 0 ? { text: head, complete: false } : { text: head.slice(0, root), complete: true };
}

type PdfRoute = 'kept-pdfa' | 'ghostscript' | 'ghostscript-prepared' | 'ghostscript-legacy' | 'page-images';

const passed = (c: RenditionChecks): boolean => c.pdfa.compliant && !!c.reproducibility?.ok;

/** Why a checked rendition was not kept, as problems (the first PDF/A failure, or the text check's). */
function checkProblems(c: RenditionChecks): ConversionProblem[] {
  if (!c.pdfa.compliant) {
    const f = c.pdfa.failures[0];
    return [problem('rendition_not_pdfa', { failures: c.pdfa.failures.length, first: f ? `${f.clause} ${f.message}` : '' })];
  }
  return c.reproducibility?.problems.length ? c.reproducibility.problems : [problem('rendition_not_reproducible')];
}

function gsProblem(r: Exclude<GsOutcome, { ok: true }>, timeoutMs: number): ConversionProblem {
  return r.code === 'timeout' ? problem('timeout', { tool: 'Ghostscript', seconds: Math.round(timeoutMs / 1000) })
    : r.code === 'tool_missing' ? problem('tool_missing', { tool: 'gs (Ghostscript)' })
    : r.code === 'resource_missing' ? problem('resource_missing', { detail: r.detail })
    : r.code === 'crashed' ? problem('crashed', { tool: 'Ghostscript', detail: r.detail })
    : problem('conversion_failed', { tool: 'Ghostscript', detail: r.detail });
}

/** A pool of `width` tasks at once, started in arrival order. */
function limiter(width: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  const pump = () => {
    while (active < width && queue.length) {
      active += 1;
      queue.shift()!();
    }
  };
  return (fn) => new Promise((resolve, reject) => {
    queue.push(() => void fn().then(resolve, reject).finally(() => {
      active -= 1;
      pump();
    }));
    pump();
  });
}

export interface ConverterOptions {
  workDir: string;
  timeoutMs?: number;
  concurrency?: number;
  /**
   * Validate (PDF/A-1b) and check (reproducibility) each rendition here, trying the next route
   * when one fails, and return the checks of the kept rendition in `checks`. Default true; with
   * false each format has one route and the caller checks.
   */
  verify?: boolean;
  /**
   * Where the checks run: a pool bounded by count and by the bytes of the documents being checked
   * (pipeline/pool.ts createLimiter). The convert step passes the pool its own checks use, so the
   * converter's checks and the step's share one memory budget; default: a pool of this converter.
   */
  checkSlot?: CheckSlot;
  /** LibreOffice instances converting at once (config officeLanes); default 1. */
  officeLanes?: number;
}

/** Runs a check of `weight` bytes (the larger of source and rendition) when the budget allows. */
export type CheckSlot = <T>(weight: number, fn: () => Promise<T>) => Promise<T>;

async function checkWeight(source: string, format: FormatId, rendition: string): Promise<number> {
  const [s, r] = await Promise.all([source, rendition].map(async (f) => (await stat(f).catch(() => null))?.size ?? 0));
  return checkWeightOf(format.family, s!, r!);
}

export function createConverter(options: ConverterOptions): Converter {
  const timeoutMs = options.timeoutMs ?? 180_000;
  const verifyRenditions = options.verify ?? true;
  // Ghostscript processes at once; LibreOffice and pdf-lib run beside them.
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? availableParallelism()));
  const office = new OfficeConverter(options.workDir, timeoutMs, options.officeLanes ?? 1);
  const routesDir = path.join(options.workDir, 'routes');

  async function failEarly(format: FormatId, file?: string): Promise<ConversionResult | null> {
    const refusal = await earlyRefusal(format, file);
    if (!refusal) return null;
    // The tool's version only for a refusal: `soffice --version` starts LibreOffice (≈ 0.2 s),
    // which must not stand between a transfer and its first conversion.
    const method = officeFamily(format) ? 'libreoffice' : format.family === 'pdf' ? 'ghostscript' : 'pdf-lib';
    const tool = method === 'libreoffice'
      ? { name: 'LibreOffice', version: await versionOf('soffice') }
      : method === 'ghostscript' ? { name: 'Ghostscript', version: await versionOf('gs') } : { name: 'pdf-lib', version: PDF_LIB_VERSION };
    return { ok: false, method, tool, problems: [refusal] };
  }

  /** Why a file is refused before any conversion is tried, or null. */
  async function earlyRefusal(format: FormatId, file?: string): Promise<ConversionProblem | null> {
    if (format.encrypted) return problem('encrypted');
    if (format.problems.includes('empty_file')) return problem('corrupt_input', { detail: 'the file is empty' });
    const supported = !!officeFamily(format) || format.family === 'pdf' || format.family === 'text' || ['JPEG', 'PNG', 'TIFF', 'GIF'].includes(format.name);
    if (!supported) return problem('unsupported_format', { format: format.name });
    if (['DOCX', 'XLSX', 'PPTX'].includes(format.name) && file) {
      const part = await officeXmlWithDtd(file);
      if (part) return problem('unsafe_xml', { part });
    }
    return null;
  }

  // The checks hold a rendition (PDF/A) or a source's text in memory: several large documents
  // checked at once by the Ghostscript lane, the LibreOffice finishing and the pipeline's own
  // checks is what took a transfer's memory past its bound, so every check takes a slot.
  const checkSlot: CheckSlot = options.checkSlot ?? createLimiter(CHECK_CONCURRENCY, CHECK_BUDGET_BYTES);

  /**
   * `options.verdictOnly`: the checks of a further route, whose report is only its verdict (the
   * report of a document no route passes shows the first rendition's checks), so a rendition
   * that lost the text is not rendered as well.
   */
  async function verify(source: string, format: FormatId, file: string, options: { imageRendition?: boolean; verdictOnly?: boolean } = {}): Promise<RenditionChecks> {
    const weight = await checkWeight(source, format, file);
    return checkSlot(weight, () =>
      checkRendition(
        weight,
        () => validatePdfA(file, { file: path.basename(source) }),
        () => checkReproducibility(source, format, file, { imageRendition: options.imageRendition, renderWhenTextDiffers: !options.verdictOnly }),
      ),
    );
  }

  /**
   * PDF originals: active content is listed and embedded files extracted first; then routes are
   * tried in order until one gives a rendition that is PDF/A-1b and reproduces the original:
   * the original itself when it claims PDF/A-1 (kept-pdfa), Ghostscript on the original or on a
   * prepared copy (actions, JavaScript and embedded files removed, forms flattened), Ghostscript's
   * legacy interpreter, and last page images. When none passes, the first rendition made is kept
   * with its checks, so the pipeline reports why.
   */
  async function convertPdf(input: { path: string; format: FormatId }, outPath: string): Promise<ConversionResult> {
    const { format } = input;
    const gsTool = { name: 'Ghostscript', version: await versionOf('gs') };
    const inspection: PdfInspection | null = await inspectPdf(input.path, { timeoutMs }).catch(() => null);
    const extra: Pick<ConversionResult, 'activeContent' | 'extractedFiles'> = {};
    if (inspection?.activeContent.length) extra.activeContent = inspection.activeContent;
    if (inspection?.embedded.size) {
      const files = await extractEmbeddedFiles(input.path, inspection, `${outPath}.embedded`, timeoutMs).catch(() => []);
      if (files.length) extra.extractedFiles = files;
    }
    const claimsPdfA = /^PDF\/A-1[ab]$/.test(format.name);
    const needsPreparation = !!inspection?.needsPreparation;
    const routes: PdfRoute[] = [];
    if (claimsPdfA && !needsPreparation) routes.push('kept-pdfa');
    if (needsPreparation) routes.push('ghostscript-prepared');
    else routes.push('ghostscript');
    if (verifyRenditions) {
      if (!needsPreparation && inspection) routes.push('ghostscript-prepared');
      routes.push('ghostscript-legacy', 'page-images');
    }

    await mkdir(routesDir, { recursive: true });
    const work = path.join(routesDir, `${path.basename(outPath)}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
    await mkdir(work, { recursive: true });
    let prepared: string | null | undefined; // undefined: not tried yet; null: preparation failed
    let prepareProblem: ConversionProblem | null = null;
    const preparedInput = async (): Promise<string | null> => {
      if (prepared !== undefined) return prepared;
      if (!inspection) {
        prepareProblem = problem('prepare_failed', { detail: 'qpdf could not read the file' });
        return (prepared = null);
      }
      const target = path.join(work, 'prepared.pdf');
      const r = await preparePdf(input.path, inspection, target, { timeoutMs });
      if (!r.ok) prepareProblem = problem('prepare_failed', { detail: r.detail });
      return (prepared = r.ok ? target : null);
    };

    const attempts: { route: string; problems: ConversionProblem[] }[] = [];
    let firstMade: { route: PdfRoute; file: string; checks?: RenditionChecks; method: ConversionMethod } | null = null;
    try {
      for (const route of routes) {
        const file = path.join(work, `${route}.pdf`);
        let made: { ok: true; method: ConversionMethod } | { ok: false; problems: ConversionProblem[] };
        if (route === 'kept-pdfa') {
          // Already claims PDF/A-1: the original bytes, if the checks confirm the claim.
          await copyFile(input.path, file);
          made = { ok: true, method: 'kept-pdfa' };
        } else if (route === 'page-images') {
          const r = await pdfToPageImagesPdfA(input.path, file, { workDir: work, timeoutMs, title: title(input.path), pages: await pageCount(input.path) });
          made = r.ok ? { ok: true, method: 'pdf-lib' } : { ok: false, problems: [r.code === 'tool_missing' ? problem('tool_missing', { tool: r.detail }) : r.code === 'timeout' ? problem('timeout', { tool: 'pdftoppm', seconds: Math.round(timeoutMs / 1000) }) : problem('conversion_failed', { tool: 'pdftoppm', detail: r.detail })] };
        } else {
          const source = route === 'ghostscript-prepared' ? await preparedInput() : route === 'ghostscript-legacy' && needsPreparation ? await preparedInput() : input.path;
          if (!source) {
            attempts.push({ route, problems: [prepareProblem ?? problem('prepare_failed', { detail: 'unknown' })] });
            continue;
          }
          const r = await ghostscriptToPdfA(source, file, { workDir: options.workDir, timeoutMs, legacyInterpreter: route === 'ghostscript-legacy' });
          made = r.ok ? { ok: true, method: 'ghostscript' } : { ok: false, problems: [gsProblem(r, timeoutMs)] };
        }
        if (!made.ok) {
          attempts.push({ route, problems: made.problems });
          continue;
        }
        const imageRendition = route === 'page-images';
        if (!verifyRenditions) {
          await rename(file, outPath);
          return { ok: true, output: outPath, method: made.method, tool: made.method === 'ghostscript' ? gsTool : made.method === 'kept-pdfa' ? { name: 'Muragat', version: 'copy' } : { name: 'pdf-lib', version: PDF_LIB_VERSION }, problems: [], route, ...(attempts.length ? { attempts } : {}), ...extra };
        }
        const checks = await verify(input.path, format, file, { imageRendition, verdictOnly: firstMade !== null });
        if (passed(checks)) {
          await rename(file, outPath);
          const tool = made.method === 'ghostscript' ? gsTool : made.method === 'kept-pdfa' ? { name: 'Muragat', version: 'copy' } : { name: 'pdf-lib', version: PDF_LIB_VERSION };
          return { ok: true, output: outPath, method: made.method, tool, problems: [], route, checks, ...(attempts.length ? { attempts } : {}), ...(imageRendition ? { imageRendition } : {}), ...extra };
        }
        attempts.push({ route, problems: checkProblems(checks) });
        // The first rendition made is what the report explains when no route passes; it is never
        // a page-image one (those pass whenever they render).
        if (!firstMade) firstMade = { route, file: path.join(work, `first-${route}.pdf`), checks, method: made.method };
        if (firstMade.route === route) await rename(file, firstMade.file);
      }
      if (firstMade) {
        await rename(firstMade.file, outPath);
        const tool = firstMade.method === 'ghostscript' ? gsTool : firstMade.method === 'kept-pdfa' ? { name: 'Muragat', version: 'copy' } : { name: 'pdf-lib', version: PDF_LIB_VERSION };
        return { ok: true, output: outPath, method: firstMade.method, tool, problems: [], route: firstMade.route, checks: firstMade.checks, attempts, ...extra };
      }
      const last = attempts[attempts.length - 1];
      return { ok: false, method: 'ghostscript', tool: gsTool, problems: attempts[0]?.problems ?? [], route: last?.route ?? 'ghostscript', attempts, ...extra };
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  async function convertSingle(input: { path: string; format: FormatId }, outPath: string): Promise<ConversionResult> {
    const { format } = input;
    const early = await failEarly(format, input.path);
    if (early) return early;
    await mkdir(path.dirname(outPath), { recursive: true });
    if (format.family === 'pdf') return convertPdf(input, outPath);

    const tool = { name: 'pdf-lib', version: PDF_LIB_VERSION };
    let result: ConversionResult;
    try {
      const data = await readFile(input.path);
      let pdf: Uint8Array;
      if (format.family === 'text') {
        const encoding = format.version === 'windows-1251' || format.version === 'UTF-8' ? format.version : detectTextEncoding(data, true);
        if (!encoding) return { ok: false, method: 'pdf-lib', tool, problems: [problem('text_decode_failed')], route: 'pdf-lib' };
        // Its heap cost counts in the checks' budget: a large text is not converted beside large checks.
        pdf = await checkSlot(data.length * TEXT_CONVERT_BYTES_PER_BYTE, () => textToPdfA(new TextDecoder(encoding).decode(data), { title: title(input.path) }));
      } else {
        pdf = await imageToPdfA(format.name as 'JPEG' | 'PNG' | 'TIFF' | 'GIF', data, { title: title(input.path) });
      }
      const partial = `${outPath}.partial`;
      await writeFile(partial, pdf);
      await rename(partial, outPath);
      result = { ok: true, output: outPath, method: 'pdf-lib', tool, problems: [], route: 'pdf-lib' };
    } catch (error) {
      if (error instanceof ImageDecodeError) return { ok: false, method: 'pdf-lib', tool, problems: [problem('image_decode_failed', { detail: error.message })], route: 'pdf-lib' };
      if (error instanceof MissingResourceError) return { ok: false, method: 'pdf-lib', tool, problems: [problem('resource_missing', { detail: error.message })], route: 'pdf-lib' };
      return { ok: false, method: 'pdf-lib', tool, problems: [problem('conversion_failed', { tool: 'pdf-lib', detail: error instanceof Error ? error.message : String(error) })], route: 'pdf-lib' };
    }
    if (verifyRenditions) result.checks = await verify(input.path, format, outPath);
    return result;
  }

  /**
   * After LibreOffice's PDF/A-1 export, the checks and, when they fail, further routes:
   * - not PDF/A-1b (e.g. Info and XMP metadata LibreOffice writes inconsistently): Ghostscript's
   *   PDF/A rewrite of that PDF (libreoffice-ghostscript);
   * - text not reproduced: LibreOffice's ordinary PDF export (its PDF/A-1 export flattens
   *   transparent content, text included, into images) rewritten by Ghostscript
   *   (libreoffice-plain-ghostscript); and when that loses the text as well, page images of the
   *   ordinary export, but only if that export itself reproduces the source's text: the page
   *   images then show a rendering known to be faithful (recorded as an image rendition).
   * A source LibreOffice cannot read at all has no further route.
   */
  async function finishOffice(item: { path: string; format: FormatId; outPath: string }, tool: { name: string; version: string }): Promise<ConversionResult> {
    const base: ConversionResult = { ok: true, output: item.outPath, method: 'libreoffice', tool, problems: [], route: 'libreoffice' };
    if (!verifyRenditions) return base;
    const checks = await verify(item.path, item.format, item.outPath);
    if (passed(checks)) return { ...base, checks };
    const attempts: { route: string; problems: ConversionProblem[] }[] = [{ route: 'libreoffice', problems: checkProblems(checks) }];
    const gsTool = { name: 'LibreOffice + Ghostscript', version: `${tool.version}; ${await versionOf('gs')}` };
    await mkdir(routesDir, { recursive: true });
    const work = await mkdtemp(path.join(routesDir, 'office-'));
    try {
      const tryGs = async (route: string, input: string): Promise<ConversionResult | null> => {
        const file = path.join(work, `${route}.pdf`);
        const r = await ghostscriptToPdfA(input, file, { workDir: options.workDir, timeoutMs });
        if (!r.ok) {
          attempts.push({ route, problems: [gsProblem(r, timeoutMs)] });
          return null;
        }
        const again = await verify(item.path, item.format, file, { verdictOnly: true });
        if (!passed(again)) {
          attempts.push({ route, problems: checkProblems(again) });
          return null;
        }
        await rename(file, item.outPath);
        return { ...base, tool: gsTool, route, checks: again, attempts: [...attempts] };
      };
      if (!checks.pdfa.compliant) {
        const r = await tryGs('libreoffice-ghostscript', item.outPath);
        if (r) return r;
      }
      if (checks.pdfa.compliant && checks.reproducibility?.textMatches !== false) return { ...base, checks, attempts };
      // The ordinary export, one file in its own soffice run.
      const plain = path.join(work, 'plain.pdf');
      const outcome = (await office.convert([{ key: 0, path: item.path, format: item.format, outPath: plain }], undefined, { plainPdf: true })).get(0);
      if (!outcome?.ok) {
        attempts.push({ route: 'libreoffice-plain-ghostscript', problems: [outcome ? officeProblem(outcome, timeoutMs) : problem('no_output', { tool: 'LibreOffice' })] });
        return { ...base, checks, attempts };
      }
      // The last route, page images of the ordinary export, is made beside the Ghostscript one
      // rather than after it: it is only a little work, and when Ghostscript's rewrite loses the
      // text as well (it rasterises the same transparent content) it is ready at once instead of
      // trailing it. Ghostscript's rendition, with its text, is preferred when it passes.
      const images = path.join(work, 'page-images.pdf');
      const pageImages = (async (): Promise<{ ok: true; checks: RenditionChecks } | { ok: false; problems: ConversionProblem[] }> => {
        const plainText = await checkSlot(await checkWeight(item.path, item.format, plain), () => checkReproducibility(item.path, item.format, plain));
        if (!plainText.ok) return { ok: false, problems: plainText.problems.length ? plainText.problems : [problem('rendition_not_reproducible')] };
        const r = await pdfToPageImagesPdfA(plain, images, { workDir: work, timeoutMs, title: title(item.path), pages: await pageCount(plain) });
        if (!r.ok) return { ok: false, problems: [problem('conversion_failed', { tool: 'pdftoppm', detail: r.detail })] };
        const imageChecks = await verify(item.path, item.format, images, { imageRendition: true });
        return passed(imageChecks) ? { ok: true, checks: imageChecks } : { ok: false, problems: checkProblems(imageChecks) };
      })();
      void pageImages.catch(() => undefined); // awaited below; not an unhandled rejection while Ghostscript runs
      const viaGs = await tryGs('libreoffice-plain-ghostscript', plain);
      if (viaGs) {
        await pageImages.catch(() => undefined); // its files are in `work`, removed below
        return viaGs;
      }
      const byImages = await pageImages;
      if (!byImages.ok) {
        attempts.push({ route: 'page-images', problems: byImages.problems });
        return { ...base, checks, attempts };
      }
      await rename(images, item.outPath);
      return { ...base, tool: { name: 'LibreOffice + pdftoppm + pdf-lib', version: `${tool.version}; ${PDF_LIB_VERSION}` }, route: 'page-images', checks: byImages.checks, attempts, imageRendition: true };
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  async function convertMany(items: { path: string; format: FormatId; outPath: string }[], onDone?: (i: number, result: ConversionResult) => void): Promise<ConversionResult[]> {
    const results: ConversionResult[] = new Array(items.length);
    const done = (i: number) => onDone?.(i, results[i]!);
    const officeJobs: { key: number; path: string; format: FormatId; outPath: string }[] = [];
    const gsJobs: number[] = [];
    const pdfLibJobs: number[] = [];
    // The early refusals read inside office packages (officeXmlWithDtd): a few files at once, so
    // the LibreOffice batch, which needs the whole list, starts sooner.
    const early4 = limiter(4);
    const earlies = await Promise.all(items.map((item) => early4(() => failEarly(item.format, item.path))));
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      const early = earlies[i];
      if (early) {
        results[i] = early;
        done(i);
      } else if (officeFamily(item.format)) {
        await mkdir(path.dirname(item.outPath), { recursive: true });
        officeJobs.push({ key: i, ...item });
      } else if (item.format.family === 'pdf') gsJobs.push(i);
      else pdfLibJobs.push(i);
    }
    // Three lanes side by side: the LibreOffice batches (one soffice at a time), Ghostscript
    // (`concurrency` processes: each gs is single-threaded) and pdf-lib (in this process, one at
    // a time: it is CPU work on this thread, more at once would only hold more images in memory).
    // LibreOffice's renditions are checked (and, if need be, rewritten by Ghostscript) as they
    // come, `concurrency` at a time. Results keep their input order; onDone reports each item
    // when it is finished.
    const finishing = limiter(concurrency);
    const officeFinished: Promise<void>[] = [];
    const officeDone = (async () => {
      if (!officeJobs.length) return;
      // Asked beside the batch, not before it (see failEarly); the results wait for it.
      const tool = versionOf('soffice').then((version) => ({ name: 'LibreOffice', version }));
      const byKey = new Map(officeJobs.map((j) => [j.key, j]));
      await office.convert(officeJobs, (key, o) => {
        if (!o.ok) {
          officeFinished.push(tool.then((t) => {
            results[key] = { ok: false, method: 'libreoffice', tool: t, problems: [officeProblem(o, timeoutMs)], route: 'libreoffice' };
            done(key);
          }));
          return;
        }
        officeFinished.push(tool.then((t) => finishing(() => finishOffice(byKey.get(key)!, t))).then((r) => {
          results[key] = r;
          done(key);
        }));
      });
      await settleAll(officeFinished);
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
          done(i);
        }
      };
      await settleAll(Array.from({ length: Math.max(1, Math.min(width, queue.length)) }, worker));
    };
    // Largest PDFs first (longest first keeps the pool's last task short); input order otherwise.
    const sizes = new Map<number, number>();
    await Promise.all(gsJobs.map(async (i) => sizes.set(i, (await stat(items[i]!.path).catch(() => null))?.size ?? 0)));
    gsJobs.sort((a, b) => sizes.get(b)! - sizes.get(a)! || a - b);
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
      await rm(routesDir, { recursive: true, force: true });
    },
  };
}
