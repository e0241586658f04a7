// Page layout for the PDF/A documents Muragat writes itself: plain-text renditions and the
// internal inventory (title, headings, paragraphs, a table that continues over pages with its
// header repeated, signature lines). A4 portrait, DejaVu Sans for Kazakh and Russian.
import { rgb, type PDFFont, type PDFName, type PDFPage } from 'pdf-lib';
import { A4, createPdfaDocument, fontFileOf, printable, savePdfA, type PdfaDocument } from './pdfa-writer';

export type PdfBlock =
  | { kind: 'heading'; text: string; level?: 1 | 2; align?: 'left' | 'center' }
  | { kind: 'paragraph'; text: string; align?: 'left' | 'center' | 'right'; size?: number }
  | { kind: 'table'; columns: { title: string; width: number; align?: 'left' | 'center' | 'right' }[]; rows: string[][] }
  | { kind: 'signatures'; lines: { role: string; name?: string }[] }
  | { kind: 'spacer'; height: number };

export interface PdfaDocumentSpec {
  title: string;
  language: 'kk' | 'ru';
  blocks: PdfBlock[];
  author?: string;
  subject?: string;
  /** Fixed date for reproducible output. */
  date?: Date;
}

const MARGIN = { left: 56.7, right: 42.5, top: 56.7, bottom: 56.7 }; // 20/15/20/20 mm
const BLACK = rgb(0, 0, 0);

const advance = new WeakMap<PDFFont, Map<string, number>>();
/** Advances of the fonts createPdfaDocument embeds, by font file: the same in every document. */
const MAX_CACHED_ADVANCES = 20_000;
const fileAdvance = new Map<string, Map<string, number>>();

function advancesOf(font: PDFFont): Map<string, number> {
  const file = fontFileOf(font);
  let widths = file ? fileAdvance.get(file) : advance.get(font);
  if (!widths) {
    widths = new Map();
    if (file) fileAdvance.set(file, widths);
    else advance.set(font, widths);
  }
  return widths;
}

/**
 * Width of text from cached per-character advances. fontkit shaping per call made wrapping
 * quadratic-slow on long texts; pdf-lib positions glyphs by their advance widths only (no
 * kerning), so the sum is exact, or an overestimate where a ligature forms — safe for wrapping.
 */
export function measure(font: PDFFont, size: number, text: string): number {
  const widths = advancesOf(font);
  let total = 0;
  for (const ch of text) {
    let w = widths.get(ch);
    if (w === undefined) {
      w = font.widthOfTextAtSize(ch, 1000);
      if (widths.size < MAX_CACHED_ADVANCES) widths.set(ch, w);
    }
    total += w;
  }
  return (total * size) / 1000;
}

/** Splits text into lines no wider than `width`, breaking inside words only when one is too long. */
export function wrapText(font: PDFFont, size: number, text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split(/\r\n|\r|\n/)) {
    if (!paragraph.trim()) {
      lines.push('');
      continue;
    }
    let line = '';
    let lineWidth = 0;
    // Words keep their leading spaces, so indentation and spacing survive; linear in the text.
    for (const word of paragraph.split(/(?<=\S)(?= )/)) {
      const wordWidth = measure(font, size, word);
      if (lineWidth + wordWidth <= width) {
        line += word;
        lineWidth += wordWidth;
        continue;
      }
      if (line) lines.push(line.trimEnd());
      const rest = line ? word.trimStart() : word;
      // A word wider than the line is cut character by character (at least one per line).
      line = '';
      lineWidth = 0;
      for (const ch of rest) {
        const w = measure(font, size, ch);
        if (line && lineWidth + w > width) {
          lines.push(line);
          line = '';
          lineWidth = 0;
        }
        line += ch;
        lineWidth += w;
      }
    }
    lines.push(line.trimEnd());
  }
  return lines;
}

/** A number as PDF content writes it: at most three decimals, no exponent. */
function num(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}

class Writer {
  page!: PDFPage;
  y = 0;
  readonly width = A4.width - MARGIN.left - MARGIN.right;
  private readonly cache = new Map<PDFFont, Set<number>>();
  onNewPage?: () => void;
  /**
   * Text of the current page as content-stream operators, written out as one compressed
   * stream when the page is full. page.drawText keeps about ten operator objects per line
   * until the document is saved: a 4 MB text file held some 240 MB that way.
   */
  private pageText: string[] | null = null;
  private fontKeys = new Map<PDFFont, PDFName>();

  constructor(readonly pdf: PdfaDocument, options: { rawText?: boolean } = {}) {
    if (options.rawText) this.pageText = [];
    this.newPage();
  }

  newPage(): void {
    this.flush();
    this.page = this.pdf.doc.addPage([A4.width, A4.height]);
    this.fontKeys = new Map();
    this.y = A4.height - MARGIN.top;
    this.onNewPage?.();
  }

  /** Writes the buffered text of the page (raw-text mode); a no-op otherwise. */
  flush(): void {
    if (!this.pageText?.length) return;
    const { context } = this.pdf.doc;
    this.page.node.addContentStream(context.register(context.flateStream(this.pageText.join('\n'))));
    this.pageText = [];
  }

  ensure(height: number): void {
    if (this.y - height < MARGIN.bottom) this.newPage();
  }

  clean(font: PDFFont, text: string): string {
    return printable(font, text, this.cache);
  }

  text(text: string, x: number, size: number, font: PDFFont): void {
    if (!text) return;
    if (!this.pageText) {
      this.page.drawText(text, { x, y: this.y - size, size, font, color: BLACK });
      return;
    }
    let key = this.fontKeys.get(font);
    if (!key) {
      key = this.page.node.newFontDictionary(font.name, font.ref);
      this.fontKeys.set(font, key);
    }
    // The same operators drawText writes: black DeviceRGB fill, the font, a text position.
    // encodeText also records the glyphs for the embedded subset.
    this.pageText.push(`q BT 0 0 0 rg ${key.toString()} ${num(size)} Tf 1 0 0 1 ${num(x)} ${num(this.y - size)} Tm ${font.encodeText(text).toString()} Tj ET Q`);
  }

  lines(text: string, opts: { size: number; font: PDFFont; align?: 'left' | 'center' | 'right'; x?: number; width?: number }): void {
    const x0 = opts.x ?? MARGIN.left;
    const width = opts.width ?? this.width;
    const lineHeight = opts.size * 1.3;
    for (const line of wrapText(opts.font, opts.size, this.clean(opts.font, text), width)) {
      this.ensure(lineHeight);
      const w = measure(opts.font, opts.size, line);
      const x = opts.align === 'center' ? x0 + (width - w) / 2 : opts.align === 'right' ? x0 + width - w : x0;
      this.text(line, x, opts.size, opts.font);
      this.y -= lineHeight;
    }
  }
}

function drawTable(w: Writer, block: Extract<PdfBlock, { kind: 'table' }>): void {
  const { regular, bold } = w.pdf;
  const size = 9;
  const pad = 3;
  const lineHeight = size * 1.25;
  const total = block.columns.reduce((s, c) => s + c.width, 0) || 1;
  const widths = block.columns.map((c) => (c.width / total) * w.width);

  const rowLayout = (cells: string[], font: PDFFont) => {
    const wrapped = widths.map((cw, i) => wrapText(font, size, w.clean(font, cells[i] ?? ''), cw - 2 * pad));
    const height = Math.max(1, ...wrapped.map((l) => l.length)) * lineHeight + 2 * pad;
    return { wrapped, height };
  };

  const drawRow = (wrapped: string[][], height: number, font: PDFFont) => {
    let x = MARGIN.left;
    const top = w.y;
    for (let i = 0; i < widths.length; i++) {
      const cw = widths[i]!;
      w.page.drawRectangle({ x, y: top - height, width: cw, height, borderColor: BLACK, borderWidth: 0.5 });
      let ly = top - pad;
      for (const line of wrapped[i]!) {
        const tw = measure(font, size, line);
        const align = block.columns[i]!.align ?? 'left';
        const tx = align === 'center' ? x + (cw - tw) / 2 : align === 'right' ? x + cw - pad - tw : x + pad;
        if (line) w.page.drawText(line, { x: tx, y: ly - size, size, font, color: BLACK });
        ly -= lineHeight;
      }
      x += cw;
    }
    w.y -= height;
  };

  const header = rowLayout(block.columns.map((c) => c.title), bold);
  const drawHeader = () => drawRow(header.wrapped, header.height, bold);
  w.ensure(header.height + lineHeight * 2);
  drawHeader();
  for (const row of block.rows) {
    const layout = rowLayout(row, regular);
    const available = A4.height - MARGIN.top - MARGIN.bottom - header.height;
    if (layout.height > available) {
      // A row taller than a page: split its lines across pages rather than overflowing.
      const perPage = Math.max(1, Math.floor((available - 2 * pad) / lineHeight));
      const maxLines = Math.max(...layout.wrapped.map((l) => l.length));
      for (let start = 0; start < maxLines; start += perPage) {
        const part = layout.wrapped.map((l) => l.slice(start, start + perPage));
        const h = Math.max(1, ...part.map((l) => l.length)) * lineHeight + 2 * pad;
        if (w.y - h < MARGIN.bottom) { w.newPage(); drawHeader(); }
        drawRow(part, h, regular);
      }
      continue;
    }
    if (w.y - layout.height < MARGIN.bottom) {
      w.newPage();
      drawHeader(); // repeated so every page of the inventory can be read on its own
    }
    drawRow(layout.wrapped, layout.height, regular);
  }
  w.y -= lineHeight;
}

function drawSignatures(w: Writer, block: Extract<PdfBlock, { kind: 'signatures' }>): void {
  const size = 10;
  for (const line of block.lines) {
    w.ensure(size * 4);
    w.y -= size * 1.5;
    const role = w.clean(w.pdf.regular, line.role);
    const roleLines = wrapText(w.pdf.regular, size, role, w.width * 0.45);
    for (const l of roleLines) {
      w.text(l, MARGIN.left, size, w.pdf.regular);
      w.y -= size * 1.3;
    }
    const lineY = w.y + size * 0.3;
    const x1 = MARGIN.left + w.width * 0.5;
    const x2 = MARGIN.left + w.width * 0.72;
    w.page.drawLine({ start: { x: x1, y: lineY }, end: { x: x2, y: lineY }, thickness: 0.5, color: BLACK });
    if (line.name) {
      const name = w.clean(w.pdf.regular, line.name);
      w.page.drawText(name, { x: x2 + 6, y: lineY + 2, size, font: w.pdf.regular, color: BLACK });
    }
  }
  w.y -= size;
}

/** The internal inventory and other documents Muragat issues, as PDF/A-1b. */
export async function renderPdfA(spec: PdfaDocumentSpec): Promise<Uint8Array> {
  const pdf = await createPdfaDocument();
  const w = new Writer(pdf);
  for (const block of spec.blocks) {
    switch (block.kind) {
      case 'heading': {
        const size = block.level === 2 ? 12 : 14;
        w.ensure(size * 3);
        w.y -= size * 0.5;
        w.lines(block.text, { size, font: pdf.bold, align: block.align ?? (block.level === 2 ? 'left' : 'center') });
        w.y -= size * 0.4;
        break;
      }
      case 'paragraph':
        w.lines(block.text, { size: block.size ?? 11, font: pdf.regular, align: block.align });
        w.y -= 4;
        break;
      case 'table':
        drawTable(w, block);
        break;
      case 'signatures':
        drawSignatures(w, block);
        break;
      case 'spacer':
        w.ensure(block.height);
        w.y -= block.height;
        break;
    }
  }
  return savePdfA(pdf.doc, { title: spec.title, language: spec.language, author: spec.author, subject: spec.subject, date: spec.date });
}

/**
 * The text cut at line breaks into pieces of about 64 KB, so a long file is wrapped and laid
 * out piece by piece instead of holding every wrapped line at once. Lines never span pieces,
 * so the layout is the same as for the whole text.
 */
export function* paragraphGroups(text: string, size = 64 * 1024): Generator<string> {
  let start = 0;
  while (start <= text.length) {
    const nl = text.length - start > size ? text.indexOf('\n', start + size) : -1;
    if (nl < 0) {
      yield text.slice(start);
      return;
    }
    // A CRLF pair stays together: the piece ends before its CR.
    yield text.slice(start, text[nl - 1] === '\r' ? nl - 1 : nl);
    start = nl + 1;
  }
}

/** Plain text on A4 pages, wrapped and paginated, monospace-free so Kazakh letters render. */
export async function textToPdfA(text: string, meta: { title: string; date?: Date }): Promise<Uint8Array> {
  const pdf = await createPdfaDocument();
  const w = new Writer(pdf, { rawText: true });
  for (const part of paragraphGroups(text.replace(/^\uFEFF/, ''))) w.lines(part, { size: 11, font: pdf.regular });
  w.flush();
  return savePdfA(pdf.doc, { title: meta.title, date: meta.date });
}
