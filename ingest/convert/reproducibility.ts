// Checks that a rendition is usable: its first page renders, and where the source has text, that
// text is in the rendition: every word, compared as multisets of normalised words so that the
// reordering conversion legitimately causes passes while lost or changed content does not
// (text-compare.ts; Kazakh letters must survive, which catches a font substitution that drops them).
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { sha256File } from '../../common/hash';
import { findTool } from '../../common/process';
import { detectTextEncoding, type FormatId } from '../scan/identify';
import { ZipArchive } from '../scan/zip';
import { problem, type ConversionProblem } from './converter';
import { runTool } from './tool-runner';
import { copyWithoutOutputIntents } from './poppler-input';
import { compareTexts, hasWords, type BrokenWord, type CompareMode, type RenditionText, type TextComparison } from './text-compare';

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

/** Character data of an ODF body, one paragraph a line; `textCellsOnly`: spreadsheet cells with a formula or a value type other than string left out. */
export function odfBodyText(contentXml: string, textCellsOnly: boolean): string {
  let body = contentXml.split(/<office:body>/)[1] ?? '';
  if (textCellsOnly) {
    // Self-closing (empty) cells are not matched: the lookbehind keeps the pattern inside one cell.
    body = body.replace(/<table:table-cell(\s[^>]*)?(?<!\/)>[\s\S]*?<\/table:table-cell>/g, (cell, attrs = '') =>
      /\btable:formula="/.test(attrs as string) || /\boffice:value-type="(?!string")/.test(attrs as string) ? '' : cell);
  }
  return body.replace(/<text:(?:s|tab|line-break)\b[^>]*\/>/g, ' ').replace(/<\/text:(?:p|h)>/g, '\n');
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
      // Everything in the body; notes and frames nest paragraphs in paragraphs. In a spreadsheet
      // only text cells count, as for XLSX: a number, date or formula result is stored with the
      // display of the application and locale that saved it ("0,897597901025655", "#NUM!"), and
      // prints as recalculated and as the cell's width and format allow ("0.897597901").
      return (await zipParts(file, (n) => n === 'content.xml'))
        .map((x) => markupText(odfBodyText(x, format.name === 'ODS'))).join('\n');
    default:
      if (format.family === 'pdf') return pdfText(file);
      return null;
  }
}

async function pdfText(file: string, sha256?: string): Promise<string | null> {
  return (await pdfWords(file, sha256))?.text ?? null;
}

/**
 * A PDF's text as pdftotext gives it, null when pdftotext is missing or fails. Cached by content
 * with the check's own reads, so the search's copy of a rendition checked just before costs no
 * second run (search/extract.ts). `sha256`: the file's hash when the caller has it, so the file is
 * not read again to find it in the cache.
 */
export const renditionText = pdfText;

interface Word { x1: number; y1: number; x2: number; y2: number; text: string }

function decodeHtml(text: string): string {
  return text
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;|&#39;/g, "'")
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(Number.parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, '&');
}

/**
 * Text and word-break candidates from `pdftotext -bbox-layout` (Poppler's reading order, the same
 * words as its plain text, with each word's box): lines of a page one per text line, and for the
 * words a narrow cell may have broken without a hyphen, the pair (head, tail) where the head
 * ends its line segment (the next word on the line, if any, is more than half a line height
 * away: another cell) and the tail starts a segment on the next line below it, beginning between
 * the head's segment start and the head's right edge (same column, any alignment).
 * Fed line by line (`add`), so the markup (about 14 bytes per byte of text) is never held whole:
 * only the text and one page's words are.
 */
export class BboxLayoutReader {
  private readonly lines: string[] = [];
  private readonly breaks: BrokenWord[] = [];
  private segments: Word[][] = [];
  private words: Word[] = [];

  add(chunk: string): void {
    for (const m of chunk.matchAll(/<page\b|<\/page>|<\/line>|<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">([^<]*)<\/word>/g)) {
      if (m[0] === '</line>') this.endLine();
      else if (m[0] === '<page' || m[0] === '</page>') this.endPage();
      else this.words.push({ x1: Number(m[1]), y1: Number(m[2]), x2: Number(m[3]), y2: Number(m[4]), text: decodeHtml(m[5]!) });
    }
  }

  finish(): RenditionText {
    this.endPage();
    return { text: this.lines.join('\n'), breaks: this.breaks };
  }

  private endLine(): void {
    const words = this.words;
    this.words = [];
    if (!words.length) return;
    this.lines.push(words.map((w) => w.text).join(' '));
    // Segments: runs of words on one line with ordinary spaces between them.
    let current: Word[] = [words[0]!];
    for (let i = 1; i < words.length; i++) {
      const prev = words[i - 1]!;
      const w = words[i]!;
      if (w.x1 - prev.x2 > 0.5 * (prev.y2 - prev.y1) || Math.abs(w.y1 - prev.y1) > 0.5 * (prev.y2 - prev.y1)) {
        this.segments.push(current);
        current = [];
      }
      current.push(w);
    }
    this.segments.push(current);
  }

  private endPage(): void {
    this.endLine();
    const segments = this.segments;
    this.segments = [];
    if (!segments.length) return;
    this.lines.push('');
    const starts = segments.map((seg) => seg[0]!).sort((x, y) => x.y1 - y.y1);
    for (const seg of segments) {
      const head = seg[seg.length - 1]!;
      const h = head.y2 - head.y1;
      if (!(h > 0)) continue;
      // The next line: its top below the head's middle, at most most of a line below its bottom.
      const top = head.y1 + 0.5 * h;
      const bottom = head.y2 + 0.8 * h;
      let lo = 0;
      let hi = starts.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (starts[mid]!.y1 <= top) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo; i < starts.length && starts[i]!.y1 <= bottom; i++) {
        const tail = starts[i]!;
        if (tail.x1 >= seg[0]!.x1 - 0.5 * h && tail.x1 <= head.x2) this.breaks.push({ head: ownCopy(head.text), tail: ownCopy(tail.text) });
      }
    }
  }
}

/**
 * A word cut from a line is a V8 "sliced string" that keeps the whole chunk it came from alive
 * (readline's lines are slices of the 64 kB chunks read); the few words a rendition's text keeps
 * for long (its broken-word pairs, cached across documents) are copied, so they hold only their
 * own bytes. Found with a heap snapshot of a transfer's ingest: 13,000 kept words held about
 * 240 MB of chunks, most of its heap.
 */
function ownCopy(word: string): string {
  return Buffer.from(word, 'utf8').toString('utf8');
}

/** `BboxLayoutReader` over a whole string (tests, small inputs). */
export function parseBboxLayout(html: string): RenditionText {
  const reader = new BboxLayoutReader();
  for (const line of html.split('\n')) reader.add(line);
  return reader.finish();
}

// PDF text by content hash: a PDF original's text is needed for every route tried on it, and a
// rendition with the original's bytes (kept-pdfa) has the same text; pdftotext reads a file once.
// Bounded by total characters so a run of large documents does not hold them all.
const TEXT_CACHE_CHARS = 8 * 1024 * 1024;
const textCache = new Map<string, Promise<RenditionText | null>>();
const textCacheSizes = new Map<string, number>();
let textCacheChars = 0;

function remember(hash: string, text: RenditionText | null): void {
  const size = (text?.text.length ?? 0) + (text?.breaks?.length ?? 0) * 16;
  textCacheSizes.set(hash, size);
  textCacheChars += size;
  for (const [k] of textCache) {
    if (textCacheChars <= TEXT_CACHE_CHARS || k === hash) break;
    textCache.delete(k);
    textCacheChars -= textCacheSizes.get(k) ?? 0;
    textCacheSizes.delete(k);
  }
}

/** pdftotext runs over a PDF so far (tests and benches count them). */
export let pdfTextRuns = 0;

async function pdfWords(file: string, sha256?: string): Promise<RenditionText | null> {
  const hash = sha256 ?? (await sha256File(file)).sha256;
  const cached = textCache.get(hash);
  if (cached) {
    textCache.delete(hash); // most recently used last
    textCache.set(hash, cached);
    return cached;
  }
  const made = (async (): Promise<RenditionText | null> => {
    const bin = await findTool('pdftotext');
    if (!bin) return null;
    pdfTextRuns += 1;
    // Written to a file and read back line by line: the word-box markup is many times the text,
    // and through the tool runner's stdout it would be held whole, twice (helper and here).
    const dir = await mkdtemp(path.join(tmpdir(), 'muragat-text-'));
    try {
      const out = path.join(dir, 'words.html');
      // Read without the OutputIntent's colour transforms, most of Poppler's time (poppler-input.ts).
      const lean = path.join(dir, 'input.pdf');
      const input = (await copyWithoutOutputIntents(file, lean).catch(() => false)) ? lean : file;
      const r = await runTool(bin, ['-bbox-layout', '-enc', 'UTF-8', input, out], { timeoutMs: 120_000 });
      if (r.code !== 0 || r.timedOut) return null;
      const reader = new BboxLayoutReader();
      for await (const line of createInterface({ input: createReadStream(out, { encoding: 'utf8' }), crlfDelay: Infinity })) reader.add(line);
      return reader.finish();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  })();
  textCache.set(hash, made);
  made.then((t) => remember(hash, t), () => textCache.delete(hash));
  return made;
}

const countUnreadable = (text: string): number => text.split('\uFFFD').length - 1;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Renders the first page and says whether that worked. Poppler interprets the whole page
 * (content stream, fonts, images) whatever the resolution, so a coarse 12 dpi raster is as good
 * a proof as a fine one and several times cheaper; with -singlefile and no output root the PNG
 * comes back on stdout, so no temporary folder is made.
 */
async function rendersFirstPage(pdftoppm: string, renditionPath: string): Promise<boolean> {
  // Interpreting the page proves it renders; the OutputIntent's colour transforms only cost time
  // (poppler-input.ts). A large file (scans) is rendered as it is rather than copied.
  const dir = await mkdtemp(path.join(tmpdir(), 'muragat-render-'));
  try {
    const lean = path.join(dir, 'input.pdf');
    const small = ((await stat(renditionPath).catch(() => null))?.size ?? Infinity) <= RENDER_COPY_MAX_BYTES;
    const input = small && (await copyWithoutOutputIntents(renditionPath, lean).catch(() => false)) ? lean : renditionPath;
    const r = await runTool(pdftoppm, ['-f', '1', '-l', '1', '-r', String(RENDER_DPI), '-singlefile', '-png', input], { timeoutMs: 120_000, maxOutputBytes: 64 * 1024 * 1024 });
    return r.code === 0 && !r.timedOut && r.stdout.length > PNG_SIGNATURE.length && r.stdout.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Above this a rendition is rendered without the copy: one page's colour transforms cost less than copying it. */
const RENDER_COPY_MAX_BYTES = 16 * 1024 * 1024;

const RENDER_DPI = 12;

export interface ReproducibilityOptions {
  /** The rendition is page images: its text is not compared. */
  imageRendition?: boolean;
  /**
   * Default true: when the text is not reproduced the first page is still rendered, so the report
   * says whether the rendition shows at all. A converter trying one more route after a failed one
   * needs only the verdict; rendering a rasterised page costs seconds.
   */
  renderWhenTextDiffers?: boolean;
}

/** What a check keeps of a report: the verdict and its reasons, not the word comparison. */
export type ReproducibilityVerdict = Pick<ReproducibilityReport, 'ok' | 'renders' | 'textMatches' | 'problems' | 'imageRendition'>;

export interface ReproducibilityReport {
  ok: boolean;
  /** Whether the first page renders; null when it was not rendered because the text already decided. */
  renders: boolean | null;
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

/**
 * The text decides first: a rendition whose text Poppler extracted (interpreting every page's
 * content stream and fonts) and found to carry the source's text is taken to render, so the first
 * page is rendered only when the text cannot decide: no source text (images, empty documents), a
 * page-image rendition, a text mismatch (the report then says whether it renders at all) or no
 * text extracted.
 */
export async function checkReproducibility(sourcePath: string, format: FormatId, renditionPath: string, options: ReproducibilityOptions = {}): Promise<ReproducibilityReport> {
  const problems: ConversionProblem[] = [];
  const pdftoppm = await findTool('pdftoppm');
  // Unreadable source text: nothing to compare, the render check still stands.
  const source = options.imageRendition || format.family === 'image' ? null : await sourceText(sourcePath, format).catch(() => null);
  let textMatches: boolean | null = null;
  let comparison: TextComparison | undefined;
  if (source && hasWords(source)) {
    const rendition = await pdfWords(renditionPath);
    if (rendition === null) {
      problems.push(problem('repro_tool_missing', { tool: 'pdftotext (poppler-utils)' }));
    } else {
      comparison = compareTexts(source, rendition, compareMode(format));
      textMatches = comparison.ok;
      if (!comparison.ok) problems.push(mismatchProblem(comparison));
      // PDF to PDF: both texts come from the same extractor, so characters it cannot name (U+FFFD)
      // that only the rendition has were readable before conversion and are not now (Ghostscript
      // re-encoding a font without its Unicode map: mathematical letters, symbols). Single
      // letters are not words to the comparison, so this is where such a loss shows.
      const unreadable = format.family === 'pdf' ? countUnreadable(rendition.text) - countUnreadable(source) : 0;
      if (comparison.ok && unreadable > 0) {
        textMatches = false;
        problems.push(problem('repro_unreadable_characters', { count: unreadable }));
      }
    }
  }
  let renders: boolean | null = textMatches === true;
  if (textMatches === false && options.renderWhenTextDiffers === false) {
    // The text has decided (not reproduced); whether it renders is not asked for.
    renders = null;
  } else if (!renders) {
    renders = pdftoppm ? await rendersFirstPage(pdftoppm, renditionPath) : false;
    if (!pdftoppm) problems.unshift(problem('repro_tool_missing', { tool: 'pdftoppm (poppler-utils)' }));
    else if (!renders) problems.unshift(problem('repro_not_rendered'));
  }
  return { ok: renders === true && textMatches !== false, renders, textMatches, problems, ...(comparison ? { comparison } : {}), ...(options.imageRendition ? { imageRendition: true } : {}) };
}
