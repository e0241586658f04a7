// Checks that a rendition is usable: its first page renders, and where the source has text, that
// text is in the rendition: every word, compared as multisets of normalised words so that the
// reordering conversion legitimately causes passes while lost or changed content does not
// (text-compare.ts; Kazakh letters must survive, which catches a font substitution that drops them).
import { readFile } from 'node:fs/promises';
import { findTool } from '../../common/process';
import { detectTextEncoding, type FormatId } from '../scan/identify';
import { ZipArchive } from '../scan/zip';
import { problem, type ConversionProblem } from './converter';
import { runTool } from './tool-runner';
import { compareTexts, tokenise, type CompareMode, type TextComparison } from './text-compare';

function decodeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'")
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(Number.parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, '&');
}

/** Character data of a markup fragment: tags removed, entities decoded. */
function markupText(xml: string): string {
  return decodeXml(xml.replace(/<[^>]+>/g, ''));
}

/** Text of elements matched by `elements` (group 1), tags inside removed; one element a line. */
function xmlText(xml: string, elements: RegExp): string {
  const out: string[] = [];
  for (const m of xml.matchAll(elements)) out.push(m[1]!.replace(/<[^>]+>/g, ''));
  return decodeXml(out.join('\n'));
}

/**
 * Text of a WordprocessingML part as Word lays it out: the runs of a paragraph joined without a
 * space (a word is often split over runs), paragraphs, tabs and breaks as white space. Hidden
 * runs (w:vanish) do not print; the VML fallback of a text box repeats its DrawingML choice and
 * deleted text (w:delText) is not text at all, so neither is counted.
 */
export function wordprocessingText(xml: string): string {
  const body = xml.replace(/<mc:Fallback>[\s\S]*?<\/mc:Fallback>/g, '');
  const out: string[] = [];
  for (const para of body.split(/<\/w:p>/)) {
    let line = '';
    for (const run of para.matchAll(/<w:r(?:\s[^>]*)?>([\s\S]*?)<\/w:r>/g)) {
      const inner = run[1]!;
      if (/<w:vanish\/>|<w:vanish\s+w:val="(?:true|1|on)"\s*\/>/.test(inner.split('</w:rPr>')[0] ?? '') && inner.includes('</w:rPr>')) continue;
      for (const piece of inner.matchAll(/<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>|<w:(tab|br|cr)\b[^>]*\/>/g)) {
        line += piece[1] !== undefined ? decodeXml(piece[1]) : ' ';
      }
    }
    if (line) out.push(line);
  }
  return out.join('\n');
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

async function zipNamed(file: string, match: (name: string) => boolean): Promise<Map<string, string>> {
  const zip = await ZipArchive.open(file);
  try {
    const parts = new Map<string, string>();
    for (const e of zip.entries.filter((x) => match(x.name)).slice(0, 500)) parts.set(e.name, (await zip.readSmall(e, 64 * 1024 * 1024)).toString('utf8'));
    return parts;
  } finally {
    await zip.close();
  }
}

interface CellRange { c1: number; r1: number; c2: number; r2: number }

function columnNumber(letters: string): number {
  let n = 0;
  for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

/** `'Sheet 1'!$A$1:$J$78` (or a single cell) as numbers; null when it is not a cell range. */
function parseRange(text: string): CellRange | null {
  const m = /(?:^|!)\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?$/.exec(text.trim());
  if (!m) return null;
  const c1 = columnNumber(m[1]!);
  const r1 = Number(m[2]);
  return { c1, r1, c2: m[3] ? columnNumber(m[3]) : c1, r2: m[4] ? Number(m[4]) : r1 };
}

const inRange = (r: CellRange, col: number, row: number) => col >= r.c1 && col <= r.c2 && row >= r.r1 && row <= r.r2;

/**
 * Text a workbook prints: the shared strings its visible sheets' cells use, and their inline
 * strings, within the sheet's print area when it has one. Strings no cell uses, cells outside the
 * print area and sheets marked hidden do not print (a shared-string table
 * may hold anything, even an entity bomb no cell refers to).
 */
export function spreadsheetText(parts: Map<string, string>): string {
  const shared: string[] = [];
  for (const m of (parts.get('xl/sharedStrings.xml') ?? '').matchAll(/<si>([\s\S]*?)<\/si>/g)) {
    shared.push(markupText(m[1]!.replace(/<rPh\b[\s\S]*?<\/rPh>/g, '')));
  }
  const rels = new Map<string, string>();
  for (const m of (parts.get('xl/_rels/workbook.xml.rels') ?? '').matchAll(/<Relationship\b[^>]*>/g)) {
    const id = /\bId="([^"]+)"/.exec(m[0])?.[1];
    const target = /\bTarget="([^"]+)"/.exec(m[0])?.[1];
    if (id && target) rels.set(id, target.startsWith('/') ? target.slice(1) : `xl/${target}`);
  }
  const hidden = new Set<string>();
  const workbook = parts.get('xl/workbook.xml') ?? '';
  const sheetOrder: string[] = [];
  for (const m of workbook.matchAll(/<sheet\b[^>]*>/g)) {
    const id = /\br:id="([^"]+)"/.exec(m[0])?.[1];
    sheetOrder.push(id ? rels.get(id) ?? '' : '');
    if (id && /\bstate="(?:hidden|veryHidden)"/.test(m[0]) && rels.has(id)) hidden.add(rels.get(id)!);
  }
  // A print area (per sheet, by its position) limits what prints to its ranges.
  const printAreas = new Map<string, CellRange[]>();
  for (const m of workbook.matchAll(/<definedName\b([^>]*)>([^<]*)<\/definedName>/g)) {
    if (!/\bname="_xlnm\.Print_Area"/.test(m[1]!)) continue;
    const sheet = sheetOrder[Number(/\blocalSheetId="(\d+)"/.exec(m[1]!)?.[1] ?? -1)];
    const ranges = decodeXml(m[2]!).split(',').map(parseRange);
    if (sheet && ranges.every((r): r is CellRange => r !== null)) printAreas.set(sheet, ranges as CellRange[]);
  }
  const out: string[] = [];
  for (const [name, xml] of parts) {
    if (!name.startsWith('xl/worksheets/') || hidden.has(name)) continue;
    const area = printAreas.get(name);
    for (const c of xml.matchAll(/<c\b([^>]*)>([\s\S]*?)<\/c>/g)) {
      const attrs = c[1]!;
      const ref = /\br="([A-Z]+)(\d+)"/.exec(attrs);
      if (area && ref && !area.some((r) => inRange(r, columnNumber(ref[1]!), Number(ref[2])))) continue;
      if (/\bt="s"/.test(attrs)) {
        const v = /<v>(\d+)<\/v>/.exec(c[2]!)?.[1];
        const text = v !== undefined ? shared[Number(v)] : undefined;
        if (text) out.push(text);
      } else if (/\bt="inlineStr"/.test(attrs)) {
        out.push(markupText(c[2]!));
      }
    }
  }
  return out.join('\n');
}

/** Text runs of a PresentationML slide (a:t), one paragraph a line; other character data (style ids, GUIDs) is not text. */
export function slideText(xml: string): string {
  let out = '';
  for (const m of xml.matchAll(/<a:t>([^<]*)<\/a:t>|<\/a:p>|<a:br\b[^>]*\/>/g)) out += m[1] !== undefined ? decodeXml(m[1]) : '\n';
  return out;
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
      // Footnotes and endnotes print (at the page foot, at the end); comments do not. Headers and
      // footers are left out: their page-number fields hold the values Word last computed, not
      // what the rendition's pagination prints, and a section may not use them at all.
      return (await zipParts(file, (n) => /^word\/(document|footnotes|endnotes)\.xml$/.test(n))).map(wordprocessingText).join('\n');
    case 'XLSX':
      return spreadsheetText(await zipNamed(file, (n) => n === 'xl/workbook.xml' || n === 'xl/_rels/workbook.xml.rels' || n === 'xl/sharedStrings.xml' || /^xl\/worksheets\/[^/]+\.xml$/.test(n)));
    case 'PPTX':
      return (await zipParts(file, (n) => /^ppt\/slides\/slide\d+\.xml$/.test(n))).map(slideText).join('\n');
    case 'ODT':
    case 'ODS':
    case 'ODP':
      // Everything in the body; notes and frames nest paragraphs in paragraphs.
      return (await zipParts(file, (n) => n === 'content.xml'))
        .map((x) => markupText((x.split(/<office:body>/)[1] ?? '').replace(/<text:(?:s|tab|line-break)\b[^>]*\/>/g, ' ').replace(/<\/text:(?:p|h)>/g, '\n'))).join('\n');
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
  /** The word comparison behind textMatches (absent when no text was compared). */
  comparison?: TextComparison;
  /** The rendition is page images: its text was not compared. */
  imageRendition?: boolean;
}

/** Spreadsheets and slides legitimately leave text unprinted (hidden sheets, clipped cells, off-slide text). */
function compareMode(format: FormatId): CompareMode {
  return ['XLSX', 'ODS', 'PPTX', 'ODP'].includes(format.name) ? 'layout' : 'strict';
}

function mismatchProblem(c: TextComparison): ConversionProblem {
  const examples = (c.reason === 'numbers' ? c.missingNumbers : c.examples).slice(0, 5).join(', ');
  if (c.reason === 'numbers') return problem('repro_numbers_missing', { count: c.missingNumbers.length, examples });
  if (c.reason === 'passage') return problem('repro_passage_missing', { words: c.longestMissingRun, examples });
  return problem('repro_text_mismatch', { matched: c.sourceWords - c.missingWords, sampled: c.sourceWords, examples });
}

export async function checkReproducibility(sourcePath: string, format: FormatId, renditionPath: string, options: { imageRendition?: boolean } = {}): Promise<ReproducibilityReport> {
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
  let comparison: TextComparison | undefined;
  if (options.imageRendition) {
    // Page images carry no text layer: only the render is checked, and the report says so.
    if (early) await early.catch(() => undefined);
  } else if (source && tokenise(source).length) {
    const rendition = early ? unwrap(await early) : await pdfText(renditionPath);
    if (rendition === null) {
      problems.push(problem('repro_tool_missing', { tool: 'pdftotext (poppler-utils)' }));
    } else {
      comparison = compareTexts(source, rendition, compareMode(format));
      textMatches = comparison.ok;
      if (!comparison.ok) problems.push(mismatchProblem(comparison));
    }
  } else if (early) {
    await early; // not needed after all; leave no tool running behind
  }
  return { ok: renders && textMatches !== false, renders, textMatches, problems, ...(comparison ? { comparison } : {}), ...(options.imageRendition ? { imageRendition: true } : {}) };
}
