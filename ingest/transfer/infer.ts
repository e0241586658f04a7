// Inferring document metadata the sender did not supply: title, date, number, language,
// author and pages, from the file name and from the document's own properties. Anything
// inferred is recorded as such so the archivist can confirm it.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { sanitiseText } from '../pipeline/sanitise';
import { strFromU8, unzipSync } from 'fflate';
import { PDFDocument } from 'pdf-lib';

export interface DocumentProperties {
  title?: string;
  date?: string;
  author?: string;
  pages?: number;
  /** Plain text, when the format allows reading it cheaply (txt, docx, odt). */
  text?: string;
}

/** Text beyond this many characters adds nothing to language detection. */
const TEXT_SAMPLE = 200_000;
/** Zip parts larger than this (inflated) are not read: a docx is not worth a zip bomb. */
const MAX_PART_BYTES = 32 * 1024 * 1024;
/** Files larger than this are not parsed for properties (the name still gives a title). */
const MAX_PARSE_BYTES = 100 * 1024 * 1024;

const KAZAKH_LETTERS = /[әғқңөұүһіӘҒҚҢӨҰҮҺІ]/g;
const CYRILLIC_LETTERS = /[\u0400-\u04ff]/g;

/**
 * kk when Kazakh-specific letters (ә ғ қ ң ө ұ ү һ і) make up a noticeable share of the
 * Cyrillic text, ru for other Cyrillic text, null when there is too little Cyrillic to tell.
 * A share, not a mere presence, so a Russian text quoting one Kazakh name stays Russian.
 */
export function detectLanguage(text: string): 'kk' | 'ru' | null {
  const cyrillic = text.match(CYRILLIC_LETTERS)?.length ?? 0;
  if (cyrillic < 20) return null;
  const kazakh = text.match(KAZAKH_LETTERS)?.length ?? 0;
  return kazakh / cyrillic >= 0.01 ? 'kk' : 'ru';
}

function isValidDate(y: number, m: number, d: number): boolean {
  if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function iso(y: number, m: number, d: number): string {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** A date written in a file name: 2025-03-01, 2025.03.01, 20250301, 01.03.2025 or 01-03-2025. */
export function dateFromName(name: string): string | undefined {
  const patterns: [RegExp, (m: RegExpMatchArray) => [number, number, number]][] = [
    [/(?<!\d)(\d{4})[-._](\d{2})[-._](\d{2})(?!\d)/, (m) => [+m[1]!, +m[2]!, +m[3]!]],
    [/(?<!\d)(\d{2})[-._](\d{2})[-._](\d{4})(?!\d)/, (m) => [+m[3]!, +m[2]!, +m[1]!]],
    [/(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)/, (m) => [+m[1]!, +m[2]!, +m[3]!]],
  ];
  for (const [re, pick] of patterns) {
    const m = name.match(re);
    if (!m) continue;
    const [y, mo, d] = pick(m);
    if (isValidDate(y, mo, d)) return iso(y, mo, d);
  }
  return undefined;
}

/** Registration number written as `№12-н` or `No 12-н` in a file name. */
export function numberFromName(name: string): string | undefined {
  const m = name.match(/(?:№|No\.?|N°)\s*([0-9][0-9A-Za-zА-Яа-яӘәҒғҚқҢңӨөҰұҮүҺһІі/-]*)/u);
  return m?.[1]?.replace(/[-/]+$/, '') || undefined;
}

/** A readable title from a file name: no extension, date, number, separators or case index. */
export function titleFromName(fileName: string): string {
  let base = fileName.replace(/\.[^.]+$/, '');
  base = base
    .replace(/(?<!\d)\d{4}[-._]\d{2}[-._]\d{2}(?!\d)|(?<!\d)\d{2}[-._]\d{2}[-._]\d{4}(?!\d)|(?<!\d)\d{8}(?!\d)/g, ' ')
    .replace(/(?:№|No\.?|N°)\s*[0-9][^\s_]*/gu, ' ')
    .replace(/[_]+/g, ' ')
    .replace(/\s-\s|^-+|-+$/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!base) base = fileName.replace(/\.[^.]+$/, '');
  return base.charAt(0).toLocaleUpperCase('kk') + base.slice(1);
}

function xmlText(xml: string, tag: string): string | undefined {
  const m = xml.match(new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`));
  const value = m?.[1] ? decodeXml(m[1].replace(/<[^>]+>/g, '')).trim() : undefined;
  return value || undefined;
}

function decodeXml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#x([0-9a-fA-F]+);/g, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, '&');
}

/** Text of a WordprocessingML or ODF body: paragraphs become lines, tags vanish. */
function bodyText(xml: string): string {
  return decodeXml(
    xml
      .replace(/<\/(?:w:p|text:p|text:h)>/g, '\n')
      .replace(/<(?:w:tab|text:tab)\/>/g, '\t')
      .replace(/<[^>]+>/g, ''),
  ).slice(0, TEXT_SAMPLE);
}

function readZipParts(bytes: Uint8Array, wanted: string[]): Record<string, string> {
  const parts = unzipSync(bytes, { filter: (f) => wanted.includes(f.name) && f.originalSize <= MAX_PART_BYTES });
  return Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, strFromU8(v)]));
}

function datePart(value: string | undefined): string | undefined {
  const m = value?.match(/^(\d{4})-(\d{2})-(\d{2})/);
  return m && isValidDate(+m[1]!, +m[2]!, +m[3]!) ? m[0] : undefined;
}

function fromDocx(bytes: Uint8Array): DocumentProperties {
  const parts = readZipParts(bytes, ['docProps/core.xml', 'docProps/app.xml', 'word/document.xml']);
  const core = parts['docProps/core.xml'] ?? '';
  const app = parts['docProps/app.xml'] ?? '';
  const pages = Number(xmlText(app, 'Pages'));
  const props: DocumentProperties = {
    title: xmlText(core, 'dc:title'),
    date: datePart(xmlText(core, 'dcterms:created')),
    author: xmlText(core, 'dc:creator'),
    text: parts['word/document.xml'] ? bodyText(parts['word/document.xml']) : undefined,
  };
  if (Number.isInteger(pages) && pages > 0) props.pages = pages;
  return props;
}

function fromOdf(bytes: Uint8Array): DocumentProperties {
  const parts = readZipParts(bytes, ['meta.xml', 'content.xml']);
  const meta = parts['meta.xml'] ?? '';
  const pages = Number(meta.match(/meta:page-count="(\d+)"/)?.[1]);
  const props: DocumentProperties = {
    title: xmlText(meta, 'dc:title'),
    date: datePart(xmlText(meta, 'meta:creation-date')),
    author: xmlText(meta, 'meta:initial-creator') ?? xmlText(meta, 'dc:creator'),
    text: parts['content.xml'] ? bodyText(parts['content.xml']) : undefined,
  };
  if (Number.isInteger(pages) && pages > 0) props.pages = pages;
  return props;
}

async function fromPdf(bytes: Uint8Array): Promise<DocumentProperties> {
  // updateMetadata false: reading must not touch the producer/modification fields.
  const pdf = await PDFDocument.load(bytes, { ignoreEncryption: true, updateMetadata: false, throwOnInvalidObject: false });
  const created = pdf.getCreationDate();
  const props: DocumentProperties = { title: pdf.getTitle()?.trim() || undefined, author: pdf.getAuthor()?.trim() || undefined };
  if (created && !Number.isNaN(created.getTime())) props.date = created.toISOString().slice(0, 10);
  const pages = pdf.getPageCount();
  if (pages > 0) props.pages = pages;
  return props;
}

function fromText(bytes: Uint8Array): DocumentProperties {
  // Strict UTF-8 first; Windows-1251 is what older Russian-language systems wrote.
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, TEXT_SAMPLE * 4));
  } catch {
    text = new TextDecoder('windows-1251').decode(bytes.subarray(0, TEXT_SAMPLE));
  }
  return { text: text.replace(/^\uFEFF/, '').slice(0, TEXT_SAMPLE) };
}

/**
 * Reads what the document says about itself. Never throws: a damaged or unusual file only
 * means nothing is inferred from its content (the reason is returned for the report).
 */
export async function readDocumentProperties(file: string): Promise<{ properties: DocumentProperties; error?: string }> {
  const read = await readRawProperties(file);
  // PDF Info and XMP, office properties: whatever the producer wrote (a NUL ending a title is
  // common) is cleaned before it reaches the manifest, the pack report or the terminal.
  const properties = Object.fromEntries(
    Object.entries(read.properties).map(([k, v]) => [k, typeof v === 'string' ? sanitiseText(v, k === 'text' ? TEXT_SAMPLE : MAX_PROPERTY_LENGTH).trim() || undefined : v]),
  ) as DocumentProperties;
  return { properties, ...(read.error ? { error: sanitiseText(read.error, 500) } : {}) };
}

/** Longest property kept (a title, an author); longer ones are cut with a marker. */
const MAX_PROPERTY_LENGTH = 1000;

async function readRawProperties(file: string): Promise<{ properties: DocumentProperties; error?: string }> {
  const ext = path.extname(file).toLowerCase();
  try {
    if ((await stat(file)).size > MAX_PARSE_BYTES) return { properties: {} };
    if (ext === '.txt') return { properties: fromText(await readFile(file)) };
    if (ext === '.docx') return { properties: fromDocx(await readFile(file)) };
    if (ext === '.odt') return { properties: fromOdf(await readFile(file)) };
    if (ext === '.pdf') return { properties: await fromPdf(await readFile(file)) };
    return { properties: {} };
  } catch (error) {
    return { properties: {}, error: (error as Error).message };
  }
}
