// PDF/A-1b writing on top of pdf-lib. pdf-lib alone writes PDF 1.7 with no OutputIntent, no XMP,
// no document ID and no CIDSet for subset fonts — each a PDF/A-1 violation — so every document we
// produce (text renditions, image renditions, the internal inventory) is finished here.
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import {
  PDFDocument,
  PDFName,
  PDFDict,
  PDFArray,
  PDFHexString,
  PDFString,
  PDFRawStream,
  type PDFFont,
} from 'pdf-lib';
import fontkit from '@pdf-lib/fontkit';

export const PRODUCER = 'Muragat';

const ICC_CANDIDATES = [
  '/usr/share/color/icc/ghostscript/srgb.icc',
  '/usr/share/color/icc/sRGB.icc',
  '/usr/share/color/icc/colord/sRGB.icc',
];
const FONT_DIRS = ['/usr/share/fonts/truetype/dejavu', '/usr/share/fonts/dejavu', '/usr/local/share/fonts/dejavu'];

export class MissingResourceError extends Error {
  constructor(readonly resource: string, message: string) {
    super(message);
    this.name = 'MissingResourceError';
  }
}

export function findSrgbProfile(): string {
  const found = ICC_CANDIDATES.find((p) => existsSync(p));
  if (!found) throw new MissingResourceError('srgb.icc', `no sRGB ICC profile found (looked in ${ICC_CANDIDATES.join(', ')}; install icc-profiles-free or ghostscript)`);
  return found;
}

export function findFont(file: 'DejaVuSans.ttf' | 'DejaVuSans-Bold.ttf'): string {
  for (const dir of FONT_DIRS) if (existsSync(`${dir}/${file}`)) return `${dir}/${file}`;
  throw new MissingResourceError(file, `font ${file} not found (looked in ${FONT_DIRS.join(', ')}; install fonts-dejavu)`);
}

const fileCache = new Map<string, Promise<Buffer>>();
function cachedRead(path: string): Promise<Buffer> {
  let p = fileCache.get(path);
  if (!p) {
    p = readFile(path);
    fileCache.set(path, p);
  }
  return p;
}

export interface PdfaDocument {
  doc: PDFDocument;
  regular: PDFFont;
  bold: PDFFont;
}

type Fontkit = Parameters<PDFDocument['registerFontkit']>[0];
type FontkitFont = ReturnType<Fontkit['create']>;
const parsedFonts = new WeakMap<Uint8Array, FontkitFont>();

/**
 * fontkit for our own documents. Parsing DejaVu (≈ 700 KB) and decoding its layout tables
 * (GSUB, GPOS) again for every text rendition and inventory was most of their cost, so each font
 * file is parsed once per process and each document gets a light view of it (Object.create)
 * with its own glyph cache. The tables are read-only once decoded and are shared; the glyph
 * objects are not, because a glyph remembers the code points it was first reached by and those
 * become the document's ToUnicode map. The output is byte-for-byte that of a fresh parse
 * (pdfa-writer.test.ts).
 */
export const sharedFontkit: Fontkit = {
  create(data: Uint8Array, postscriptName?: string): FontkitFont {
    if (postscriptName !== undefined) return fontkit.create(data, postscriptName);
    let parsed = parsedFonts.get(data);
    if (!parsed) {
      parsed = fontkit.create(data);
      parsedFonts.set(data, parsed);
    }
    const view = Object.create(parsed) as FontkitFont & { _glyphs: Record<number, unknown> };
    view._glyphs = {};
    return view;
  },
};

/** PDFFont → the font file it was embedded from, for caches valid across documents (layout.ts). */
const fontFiles = new WeakMap<PDFFont, string>();
export function fontFileOf(font: PDFFont): string | undefined {
  return fontFiles.get(font);
}

/** A new, empty document to be finished by savePdfA (no fonts: image renditions need none). */
export async function createPdfaBase(): Promise<PDFDocument> {
  return PDFDocument.create({ updateMetadata: false });
}

/** A new document prepared for PDF/A-1b, with DejaVu Sans (regular and bold) embedded as subsets. */
export async function createPdfaDocument(options: { fontkit?: Fontkit } = {}): Promise<PdfaDocument> {
  const doc = await createPdfaBase();
  doc.registerFontkit(options.fontkit ?? sharedFontkit);
  // Subset tags keep the names unique per document, as PDF 1.4 (5.5.3) expects of subsets.
  const regularFile = findFont('DejaVuSans.ttf');
  const boldFile = findFont('DejaVuSans-Bold.ttf');
  const regular = await doc.embedFont(await cachedRead(regularFile), { subset: true, customName: 'MRGTAA+DejaVuSans' });
  const bold = await doc.embedFont(await cachedRead(boldFile), { subset: true, customName: 'MRGTAB+DejaVuSans-Bold' });
  fontFiles.set(regular, regularFile);
  fontFiles.set(bold, boldFile);
  return { doc, regular, bold };
}

function pdfDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `D:${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
}

function xmpDate(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Replaces characters the font cannot show (they would render as .notdef) and control codes. */
export function printable(font: PDFFont, text: string, cache = new Map<PDFFont, Set<number>>()): string {
  let set = cache.get(font);
  if (!set) {
    set = new Set(font.getCharacterSet());
    cache.set(font, set);
  }
  let out = '';
  for (const ch of text.normalize('NFC')) {
    const cp = ch.codePointAt(0)!;
    if (ch === '\t') out += '    ';
    else if (ch === '\n' || ch === '\r') out += ch; // line structure is the layout's business
    else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) continue;
    else if (set.has(cp)) out += ch;
    else out += '?';
  }
  return out;
}

/**
 * Adds a CIDSet to every embedded CIDFontType2 subset. PDF/A-1 (6.3.5) requires it and pdf-lib
 * does not write one. The subset's glyph count is read from the embedded font program itself, so
 * the set always matches what is actually embedded (CIDs equal GIDs: CIDToGIDMap Identity).
 */
async function addCidSets(doc: PDFDocument): Promise<void> {
  for (const [, obj] of doc.context.enumerateIndirectObjects()) {
    if (!(obj instanceof PDFDict)) continue;
    if (obj.get(PDFName.of('Type')) !== PDFName.of('FontDescriptor') || obj.has(PDFName.of('CIDSet'))) continue;
    const fileRef = obj.get(PDFName.of('FontFile2'));
    if (!fileRef) continue;
    const stream = doc.context.lookup(fileRef);
    if (!(stream instanceof PDFRawStream)) continue;
    const filter = stream.dict.get(PDFName.of('Filter'));
    const bytes = filter === PDFName.of('FlateDecode') ? inflateSync(stream.contents) : Buffer.from(stream.contents);
    const font = fontkit.create(bytes);
    const count = font.numGlyphs;
    const bits = new Uint8Array(Math.ceil(count / 8));
    for (let gid = 0; gid < count; gid++) bits[gid >> 3]! |= 0x80 >> (gid & 7);
    obj.set(PDFName.of('CIDSet'), doc.context.register(doc.context.flateStream(bits)));
  }
}

export interface PdfaMetadata {
  title: string;
  author?: string;
  subject?: string;
  language?: string;
  /** Fixed date for reproducible output; defaults to now. */
  date?: Date;
}

/** Finishes a pdf-lib document as PDF/A-1b and serialises it. */
export async function savePdfA(doc: PDFDocument, meta: PdfaMetadata): Promise<Uint8Array> {
  const date = new Date(Math.floor((meta.date ?? new Date()).getTime() / 1000) * 1000);
  const ctx = doc.context;
  await doc.flush();
  await addCidSets(doc);

  // Info dictionary and XMP carry the same values (6.7.3): Title↔dc:title, Author↔dc:creator,
  // Subject↔dc:description, Producer↔pdf:Producer, Creator↔xmp:CreatorTool, dates↔xmp dates.
  doc.setTitle(meta.title);
  if (meta.author) doc.setAuthor(meta.author);
  if (meta.subject) doc.setSubject(meta.subject);
  doc.setProducer(PRODUCER);
  doc.setCreator(PRODUCER);
  const info = ctx.lookup(ctx.trailerInfo.Info, PDFDict);
  info.set(PDFName.of('CreationDate'), PDFString.of(pdfDate(date)));
  info.set(PDFName.of('ModDate'), PDFString.of(pdfDate(date)));
  if (meta.language) doc.catalog.set(PDFName.of('Lang'), PDFString.of(meta.language));

  const lang = meta.language ?? 'x-default';
  const xmp = `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
   <pdfaid:part>1</pdfaid:part>
   <pdfaid:conformance>B</pdfaid:conformance>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">${xmlEscape(meta.title)}</rdf:li></rdf:Alt></dc:title>${
     meta.author ? `\n   <dc:creator><rdf:Seq><rdf:li>${xmlEscape(meta.author)}</rdf:li></rdf:Seq></dc:creator>` : ''}${
     meta.subject ? `\n   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">${xmlEscape(meta.subject)}</rdf:li></rdf:Alt></dc:description>` : ''}${
     meta.language ? `\n   <dc:language><rdf:Bag><rdf:li>${xmlEscape(lang)}</rdf:li></rdf:Bag></dc:language>` : ''}
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
   <xmp:CreateDate>${xmpDate(date)}</xmp:CreateDate>
   <xmp:ModifyDate>${xmpDate(date)}</xmp:ModifyDate>
   <xmp:MetadataDate>${xmpDate(date)}</xmp:MetadataDate>
   <xmp:CreatorTool>${PRODUCER}</xmp:CreatorTool>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
   <pdf:Producer>${PRODUCER}</pdf:Producer>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`;
  // The metadata stream must stay unfiltered (6.7.2 requires it readable without decoding).
  const metadata = ctx.stream(Buffer.from(xmp, 'utf8'), { Type: 'Metadata', Subtype: 'XML' });
  doc.catalog.set(PDFName.of('Metadata'), ctx.register(metadata));

  const icc = await cachedRead(findSrgbProfile());
  const iccRef = ctx.register(ctx.flateStream(icc, { N: 3 }));
  const intent = ctx.obj({
    Type: 'OutputIntent',
    S: 'GTS_PDFA1',
    OutputConditionIdentifier: PDFString.of('sRGB IEC61966-2.1'),
    Info: PDFString.of('sRGB IEC61966-2.1'),
    RegistryName: PDFString.of('http://www.color.org'),
    DestOutputProfile: iccRef,
  });
  doc.catalog.set(PDFName.of('OutputIntents'), ctx.obj([ctx.register(intent)]));

  // Document ID (6.1.3): derived from content and date so it is stable for identical input.
  const seed = createHash('md5').update(meta.title).update(date.toISOString()).update(String(doc.getPageCount())).digest('hex');
  const id = PDFHexString.of(seed);
  ctx.trailerInfo.ID = PDFArray.withContext(ctx);
  (ctx.trailerInfo.ID as PDFArray).push(id);
  (ctx.trailerInfo.ID as PDFArray).push(id);

  const bytes = await doc.save({ useObjectStreams: false, addDefaultPage: false, updateFieldAppearances: false });
  // pdf-lib's writer hard-codes "%PDF-1.7"; the replacement has the same length, so no offset moves.
  const header = Buffer.from(bytes.subarray(0, 8)).toString('latin1');
  if (header !== '%PDF-1.7') throw new Error(`unexpected pdf-lib header ${JSON.stringify(header)}`);
  bytes.set(Buffer.from('%PDF-1.4', 'latin1'), 0);
  return bytes;
}

export const A4 = { width: 595.28, height: 841.89 } as const;
