// Checks that a rendition is usable: its first page renders, and where the source has text, that
// text is found in the rendition (a sample of words, so reflowed spreadsheets still match; Kazakh
// letters must survive, which catches a font substitution that drops them).
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
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

export interface ReproducibilityReport {
  ok: boolean;
  renders: boolean;
  textMatches: boolean | null;
  problems: ConversionProblem[];
}

export async function checkReproducibility(sourcePath: string, format: FormatId, renditionPath: string): Promise<ReproducibilityReport> {
  const problems: ConversionProblem[] = [];
  let renders = false;
  const pdftoppm = await findTool('pdftoppm');
  if (!pdftoppm) {
    problems.push(problem('repro_tool_missing', { tool: 'pdftoppm (poppler-utils)' }));
  } else {
    const dir = await mkdtemp(path.join(tmpdir(), 'muragat-render-'));
    try {
      const r = await runTool(pdftoppm, ['-f', '1', '-l', '1', '-r', '50', '-png', renditionPath, path.join(dir, 'page')], { timeoutMs: 120_000 });
      const pngs = (await readdir(dir)).filter((f) => f.endsWith('.png'));
      for (const f of pngs) if ((await stat(path.join(dir, f))).size > 0) renders = true;
      renders &&= r.code === 0;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    if (!renders) problems.push(problem('repro_not_rendered'));
  }

  let textMatches: boolean | null = null;
  let source: string | null = null;
  try {
    source = await sourceText(sourcePath, format);
  } catch {
    source = null; // unreadable source text: nothing to compare, the render check still stands
  }
  const sourceWords = source ? [...new Set(words(source))] : [];
  if (sourceWords.length) {
    const rendition = await pdfText(renditionPath);
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
  }
  return { ok: renders && textMatches !== false, renders, textMatches, problems };
}
