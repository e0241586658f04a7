// Checks that a rendition is usable: its first page renders, and where the source has text, that
// text is found in the rendition (a sample of words, so reflowed spreadsheets still match; Kazakh
// letters must survive, which catches a font substitution that drops them).
import { readFile } from 'node:fs/promises';
import { findTool } from '../../common/process';
import { detectTextEncoding, type FormatId } from '../scan/identify';
import { ZipArchive } from '../scan/zip';
import { problem, type ConversionProblem } from './converter';
import { runTool } from './tool-runner';

const SAMPLE = 60;
const THRESHOLD = 0.9;

function words(text: string): string[] {
  return text.normalize('NFC').toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 3);
}

function xmlText(xml: string, elements: RegExp): string {
  const out: string[] = [];
  for (const m of xml.matchAll(elements)) out.push(m[1]!);
  return out.join(' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d))).replace(/&amp;/g, '&');
}

async function zipParts(file: string, match: (name: string) => boolean): Promise<string[]> {
  const zip = await ZipArchive.open(file);
  try {
    const parts: string[] = [];
    for (const e of zip.entries.filter((x) => match(x.name)).slice(0, 200)) parts.push((await zip.readSmall(e, 64 * 1024 * 1024)).toString('utf8'));
    return parts;
  } finally {
    await zip.close();
  }
}

/** Text of the source, or null when its format carries no text we can read without conversion. */
async function sourceText(file: string, format: FormatId): Promise<string | null> {
  switch (format.name) {
    case 'TXT':
    case 'XML': {
      const data = await readFile(file);
      const enc = format.version === 'windows-1251' || format.version === 'UTF-8' ? format.version : detectTextEncoding(data, true);
      return enc ? new TextDecoder(enc).decode(data) : null;
    }
    case 'DOCX':
      return (await zipParts(file, (n) => /^word\/(document|header\d*|footer\d*)\.xml$/.test(n)))
        .map((x) => xmlText(x.replace(/<\/w:p>/g, '\n</w:p>'), /<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>/g)).join('\n');
    case 'XLSX':
      return (await zipParts(file, (n) => n === 'xl/sharedStrings.xml')).map((x) => xmlText(x, /<t(?:\s[^>]*)?>([^<]*)<\/t>/g)).join('\n');
    case 'PPTX':
      return (await zipParts(file, (n) => /^ppt\/slides\/slide\d+\.xml$/.test(n))).map((x) => xmlText(x, /<a:t>([^<]*)<\/a:t>/g)).join('\n');
    case 'ODT':
    case 'ODS':
    case 'ODP':
      return (await zipParts(file, (n) => n === 'content.xml')).map((x) => xmlText(x, /<text:(?:p|h|span)(?:\s[^>]*)?>(.*?)<\/text:(?:p|h)>/gs)).join('\n');
    default:
      if (format.family === 'pdf') return pdfText(file);
      return null;
  }
}

async function pdfText(file: string): Promise<string | null> {
  const bin = await findTool('pdftotext');
  if (!bin) return null;
  const r = await runTool(bin, ['-enc', 'UTF-8', file, '-'], { timeoutMs: 120_000 });
  return r.code === 0 ? r.stdout.toString('utf8') : null;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Renders the first page and says whether that worked. Poppler interprets the whole page
 * (content stream, fonts, images) whatever the resolution, so a coarse 12 dpi raster is as good
 * a proof as a fine one and several times cheaper; with -singlefile and no output root the PNG
 * comes back on stdout, so no temporary folder is made.
 */
async function rendersFirstPage(pdftoppm: string, renditionPath: string): Promise<boolean> {
  const r = await runTool(pdftoppm, ['-f', '1', '-l', '1', '-r', String(RENDER_DPI), '-singlefile', '-png', renditionPath], { timeoutMs: 120_000, maxOutputBytes: 64 * 1024 * 1024 });
  return r.code === 0 && !r.timedOut && r.stdout.length > PNG_SIGNATURE.length && r.stdout.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE);
}

const RENDER_DPI = 12;

type Settled<T> = { value: T } | { error: unknown };
function settled<T>(p: Promise<T>): Promise<Settled<T>> {
  return p.then((value) => ({ value }), (error: unknown) => ({ error }));
}
function unwrap<T>(s: Settled<T>): T {
  if ('error' in s) throw s.error;
  return s.value;
}

export interface ReproducibilityReport {
  ok: boolean;
  renders: boolean;
  textMatches: boolean | null;
  problems: ConversionProblem[];
}

export async function checkReproducibility(sourcePath: string, format: FormatId, renditionPath: string): Promise<ReproducibilityReport> {
  const problems: ConversionProblem[] = [];
  const pdftoppm = await findTool('pdftoppm');
  // The render, the source's text and (for formats that carry text) the rendition's text are
  // independent: they run at once. The rendition's text is only used when the source has some.
  const early = format.family === 'image' ? null : settled(pdfText(renditionPath));
  const [renders, source] = await Promise.all([
    pdftoppm ? rendersFirstPage(pdftoppm, renditionPath) : Promise.resolve(false),
    // Unreadable source text: nothing to compare, the render check still stands.
    sourceText(sourcePath, format).catch(() => null),
  ]);
  if (!pdftoppm) problems.push(problem('repro_tool_missing', { tool: 'pdftoppm (poppler-utils)' }));
  else if (!renders) problems.push(problem('repro_not_rendered'));

  let textMatches: boolean | null = null;
  const sourceWords = source ? [...new Set(words(source))] : [];
  if (sourceWords.length) {
    const rendition = early ? unwrap(await early) : await pdfText(renditionPath);
    if (rendition === null) {
      problems.push(problem('repro_tool_missing', { tool: 'pdftotext (poppler-utils)' }));
    } else {
      const have = new Set(words(rendition));
      // Evenly spaced sample over the document, so the end is checked as well as the start.
      const step = Math.max(1, sourceWords.length / SAMPLE);
      const sample: string[] = [];
      for (let i = 0; i < sourceWords.length && sample.length < SAMPLE; i += step) sample.push(sourceWords[Math.floor(i)]!);
      const matched = sample.filter((w) => have.has(w)).length;
      textMatches = matched / sample.length >= THRESHOLD;
      if (!textMatches) problems.push(problem('repro_text_mismatch', { matched, sampled: sample.length }));
    }
  } else if (early) {
    await early; // not needed after all; leave no tool running behind
  }
  return { ok: renders && textMatches !== false, renders, textMatches, problems };
}
