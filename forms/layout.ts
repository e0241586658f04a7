// Page layout of the official forms: A4 portrait or landscape, text stacks, side-by-side blocks
// (approval in the corner, signature lines), and tables with multi-row headings (colspan and
// rowspan), the column-number row, and rows that continue over pages with the heading and the
// number row repeated. Nothing is ever cut off: every text wraps inside its cell or column, a
// row taller than a page is split between pages by lines, and a word wider than its column is
// broken with a hyphen. Blocks chained with `keepWithNext` (a table's last row, its totals and
// the signatures under it) move to the next page together, so a signature block never stands
// alone on a page without the end of its table.
//
// The layout is computed first (boxes placed on pages), then drawn, so each page can carry
// "page N of M". Drawing writes one content stream per page with raw operators: black DeviceRGB
// only, no transparency, no annotations — what PDF/A-1b allows — and savePdfA finishes the file.
import { PDFName } from 'pdf-lib';
import { createPdfaBase, printable, savePdfA } from '../ingest/convert/pdfa-writer';
import { embedFormFonts, type FormFont, type FormFonts } from './fonts';

export type Align = 'left' | 'center' | 'right';

export const A4_PORTRAIT = { width: 595.28, height: 841.89 } as const;
export const A4_LANDSCAPE = { width: 841.89, height: 595.28 } as const;
/** Margins in points: 20 mm left (binding), 10 mm right, 15 mm top and bottom. */
const MARGIN = { left: 56.7, right: 28.35, top: 42.5, bottom: 42.5 } as const;
const FOOTER = 14;

/** A line of text or a signing line inside a stack (a vertical run of items in one column). */
export type StackItem =
  | { kind: 'text'; text: string; size?: number; bold?: boolean; align?: Align; spaceBefore?: number; spaceAfter?: number }
  /** A line to sign or fill on; `value` is printed on it (a name, a date), `caption` under it, small. */
  | { kind: 'rule'; value?: string; caption?: string; size?: number; align?: Align }
  | { kind: 'space'; height: number };

export interface HeaderCell {
  text: string;
  colSpan?: number;
  rowSpan?: number;
}

export type TableRow =
  | { kind: 'cells'; cells: string[]; bold?: boolean }
  /** A full-width row (a section of the nomenclature or an inventory), bold and centred. */
  | { kind: 'section'; text: string };

export interface TableSpec {
  /** Relative widths and alignment of the leaf columns. */
  columns: { width: number; align?: Align }[];
  /** Heading rows (spans allowed); repeated on every page the table continues on. */
  header: HeaderCell[][];
  /** The column-number row (1, 2, 3 …), repeated with the heading; spans allowed. */
  numbers?: HeaderCell[];
  rows: TableRow[];
  size?: number;
  headerSize?: number;
  /** A small table (App. 26's year-end summary) kept on one page when it fits. */
  keepTogether?: boolean;
}

export type Block =
  /** Text lines at the full width, or inside [x, x + width] given as fractions of the width. */
  | { kind: 'stack'; items: StackItem[]; x?: number; width?: number; keepTogether?: boolean; keepWithNext?: boolean }
  /** Stacks side by side (fractions of the width); one unit that never splits unless taller than a page. */
  | { kind: 'columns'; columns: { width: number; items: StackItem[] }[]; gap?: number; keepWithNext?: boolean }
  | { kind: 'table'; table: TableSpec; keepWithNext?: boolean }
  | { kind: 'space'; height: number };

export interface FormDocumentSpec {
  orientation: 'portrait' | 'landscape';
  blocks: Block[];
  /** PDF metadata. */
  title: string;
  language: 'kk' | 'ru';
  author?: string;
  subject?: string;
  /** Fixed date for reproducible output (tests, stored renditions made twice). */
  date?: Date;
  /** Footer text of page n of m, e.g. (n, m) => `${n} / ${m}`; none when absent. */
  pageLabel?: (page: number, pages: number) => string;
}

// ---- text measuring and wrapping ------------------------------------------------------------

const LETTER = /\p{L}/u;

/**
 * Splits text into lines no wider than `width`. Breaks at spaces; a word wider than the line is
 * broken by characters, with a hyphen between two letters (never for digits or hashes), so no
 * text is ever cut off. Explicit newlines are kept.
 */
export function wrap(font: FormFont, size: number, text: string, width: number): string[] {
  const lines: string[] = [];
  const hyphen = font.width('-', size);
  for (const paragraph of text.split(/\r\n|\r|\n/)) {
    // Runs of spaces collapse: the forms' texts are data, not preformatted text.
    const words = paragraph.split(' ').filter((w) => w !== '');
    if (!words.length) {
      lines.push('');
      continue;
    }
    let line = '';
    const space = font.width(' ', size);
    let lineWidth = 0;
    for (const word of words) {
      const w = font.width(word, size);
      if (line && lineWidth + space + w <= width) {
        line += ` ${word}`;
        lineWidth += space + w;
        continue;
      }
      if (!line && w <= width) {
        line = word;
        lineWidth = w;
        continue;
      }
      if (line) lines.push(line);
      if (w <= width) {
        line = word;
        lineWidth = w;
        continue;
      }
      // Too long for any line: cut by characters, at least one character per line. Words with
      // digits (hashes, numbers, codes) are cut without a hyphen, which would read as part of them.
      const chars = [...word];
      const hyphenate = !/\d/.test(word);
      let piece = '';
      let pieceWidth = 0;
      for (let i = 0; i < chars.length; i++) {
        const ch = chars[i]!;
        const cw = font.width(ch, size);
        const next = chars[i + 1];
        const needsHyphen = hyphenate && next !== undefined && LETTER.test(ch) && LETTER.test(next);
        if (piece && pieceWidth + cw + (needsHyphen ? hyphen : 0) > width) {
          const prev = [...piece].at(-1)!;
          lines.push(hyphenate && LETTER.test(prev) && LETTER.test(ch) ? `${piece}-` : piece);
          piece = '';
          pieceWidth = 0;
        }
        piece += ch;
        pieceWidth += cw;
      }
      line = piece;
      lineWidth = pieceWidth;
    }
    lines.push(line);
  }
  return lines;
}

// ---- boxes and pagination -------------------------------------------------------------------

interface Painter {
  text(text: string, x: number, baseline: number, size: number, font: FormFont): void;
  line(x1: number, y1: number, x2: number, y2: number, width?: number): void;
  rect(x: number, y: number, w: number, h: number): void;
}

/** An unsplittable piece of the flow: drawn with its top at `top`. */
export interface Box {
  height: number;
  draw(p: Painter, top: number): void;
  /** Must stay on the page of the box after it. */
  keepWithNext?: boolean;
  /** The heading to draw first when this box opens a page (a table continuing). */
  repeat?: Box;
  /** Space only: dropped at the top of a page. */
  space?: boolean;
}

export interface Frame {
  left: number;
  width: number;
  top: number;
  bottom: number;
}

interface Ctx {
  fonts: FormFonts;
  frame: Frame;
  clean(font: FormFont, text: string): string;
}

const LINE = 1.22;

function fontOf(ctx: Ctx, bold?: boolean): FormFont {
  return bold ? ctx.fonts.bold : ctx.fonts.regular;
}

function alignX(x: number, width: number, textWidth: number, align: Align | undefined): number {
  if (align === 'center') return x + (width - textWidth) / 2;
  if (align === 'right') return x + width - textWidth;
  return x;
}

/** Lays out a stack in [x, x + width]: one box per line, so long stacks may split between pages. */
function stackLines(ctx: Ctx, items: StackItem[], x: number, width: number): Box[] {
  const boxes: Box[] = [];
  for (const item of items) {
    if (item.kind === 'space') {
      boxes.push({ height: item.height, draw: () => {}, space: true });
      continue;
    }
    if (item.kind === 'text') {
      const size = item.size ?? 11;
      const font = fontOf(ctx, item.bold);
      if (item.spaceBefore) boxes.push({ height: item.spaceBefore, draw: () => {}, space: true });
      for (const line of wrap(font, size, ctx.clean(font, item.text), width)) {
        boxes.push({
          height: size * LINE,
          draw: (p, top) => p.text(line, alignX(x, width, font.width(line, size), item.align), top - size * 0.93, size, font),
        });
      }
      if (item.spaceAfter) boxes.push({ height: item.spaceAfter, draw: () => {}, space: true });
      continue;
    }
    // A signing line: the value sits on it, the caption under it in small type.
    const size = item.size ?? 11;
    const captionSize = Math.max(6.5, size - 3);
    const font = ctx.fonts.regular;
    const values = item.value ? wrap(font, size, ctx.clean(font, item.value), width) : [''];
    const captions = item.caption ? wrap(font, captionSize, ctx.clean(font, item.caption), width) : [];
    values.forEach((value, i) => {
      const last = i === values.length - 1;
      boxes.push({
        height: size * LINE + (last ? 2 : 0),
        draw: (p, top) => {
          if (value) p.text(value, alignX(x, width, font.width(value, size), item.align ?? 'center'), top - size * 0.93, size, font);
          if (last) p.line(x, top - size * LINE + 1, x + width, top - size * LINE + 1, 0.5);
        },
      });
    });
    for (const caption of captions) {
      boxes.push({
        height: captionSize * LINE,
        draw: (p, top) => p.text(caption, alignX(x, width, font.width(caption, captionSize), 'center'), top - captionSize * 0.93, captionSize, font),
      });
    }
  }
  return boxes;
}

function stackHeight(boxes: Box[]): number {
  return boxes.reduce((s, b) => s + b.height, 0);
}

/** Stacks drawn side by side as one box. */
function columnsBox(ctx: Ctx, block: Extract<Block, { kind: 'columns' }>): Box[] {
  const { left, width } = ctx.frame;
  const gap = block.gap ?? 12;
  const total = block.columns.reduce((s, c) => s + c.width, 0) || 1;
  const usable = width - gap * (block.columns.length - 1);
  let x = left;
  const stacks = block.columns.map((c) => {
    const w = (c.width / total) * usable;
    const boxes = stackLines(ctx, c.items, x, w);
    x += w + gap;
    return boxes;
  });
  const height = Math.max(0, ...stacks.map(stackHeight));
  if (height > ctx.frame.top - ctx.frame.bottom) {
    // Taller than a page (very long names or captions): one column after the other, line by line.
    const flat = stacks.flat();
    flat.forEach((b) => (b.keepWithNext = true));
    if (flat.length) flat[flat.length - 1]!.keepWithNext = block.keepWithNext;
    return flat;
  }
  return [
    {
      height,
      keepWithNext: block.keepWithNext,
      draw: (p, top) => {
        for (const boxes of stacks) {
          let y = top;
          for (const b of boxes) {
            b.draw(p, y);
            y -= b.height;
          }
        }
      },
    },
  ];
}

interface PlacedCell {
  lines: string[];
  x: number;
  width: number;
  row: number;
  rowSpan: number;
}

/** The heading (and number row) as one box: a grid with spans, text centred in each cell. */
function headerBox(ctx: Ctx, table: TableSpec, colX: number[], colW: number[]): Box {
  const size = table.headerSize ?? 8.5;
  const pad = 2.5;
  const font = ctx.fonts.bold;
  const rows = table.numbers ? [...table.header, table.numbers] : table.header;
  const occupied: boolean[][] = rows.map(() => colW.map(() => false));
  const cells: PlacedCell[] = [];
  rows.forEach((row, r) => {
    let c = 0;
    for (const cell of row) {
      while (c < colW.length && occupied[r]![c]) c++;
      const colSpan = Math.min(cell.colSpan ?? 1, colW.length - c);
      const rowSpan = Math.min(cell.rowSpan ?? 1, rows.length - r);
      if (colSpan < 1) throw new Error(`table heading row ${r + 1} has more cells than columns`);
      for (let rr = r; rr < r + rowSpan; rr++) for (let cc = c; cc < c + colSpan; cc++) occupied[rr]![cc] = true;
      const width = colW.slice(c, c + colSpan).reduce((s, w) => s + w, 0);
      const isNumber = table.numbers !== undefined && r === rows.length - 1;
      const f = isNumber ? ctx.fonts.regular : font;
      cells.push({ lines: wrap(f, size, ctx.clean(f, cell.text), width - 2 * pad), x: colX[c]!, width, row: r, rowSpan });
      c += colSpan;
    }
  });
  const lineHeight = size * LINE;
  const heights = rows.map(() => lineHeight + 2 * pad);
  for (const cell of cells.filter((x) => x.rowSpan === 1)) heights[cell.row] = Math.max(heights[cell.row]!, cell.lines.length * lineHeight + 2 * pad);
  for (const cell of cells.filter((x) => x.rowSpan > 1)) {
    const need = cell.lines.length * lineHeight + 2 * pad;
    const have = heights.slice(cell.row, cell.row + cell.rowSpan).reduce((s, h) => s + h, 0);
    if (need > have) heights[cell.row + cell.rowSpan - 1]! += need - have;
  }
  const tops = heights.map((_, r) => heights.slice(0, r).reduce((s, h) => s + h, 0));
  const height = heights.reduce((s, h) => s + h, 0);
  const numbersRow = table.numbers ? rows.length - 1 : -1;
  return {
    height,
    draw: (p, top) => {
      for (const cell of cells) {
        const y0 = top - tops[cell.row]!;
        const h = heights.slice(cell.row, cell.row + cell.rowSpan).reduce((s, x) => s + x, 0);
        p.rect(cell.x, y0 - h, cell.width, h);
        const f = cell.row === numbersRow ? ctx.fonts.regular : font;
        let y = y0 - (h - cell.lines.length * lineHeight) / 2;
        for (const line of cell.lines) {
          p.text(line, alignX(cell.x, cell.width, f.width(line, size), 'center'), y - size * 0.93, size, f);
          y -= lineHeight;
        }
      }
    },
  };
}

/** One body row as one box, or as several when taller than what a page holds under the heading. */
function rowBoxes(ctx: Ctx, table: TableSpec, row: TableRow, colX: number[], colW: number[], maxHeight: number): Box[] {
  const size = table.size ?? 9;
  const pad = 2.5;
  const lineHeight = size * LINE;
  const totalWidth = colW.reduce((s, w) => s + w, 0);
  const cells =
    row.kind === 'section'
      ? [{ x: colX[0]!, width: totalWidth, align: 'center' as Align, font: ctx.fonts.bold, lines: wrap(ctx.fonts.bold, size, ctx.clean(ctx.fonts.bold, row.text), totalWidth - 2 * pad) }]
      : colW.map((w, i) => {
          const font = fontOf(ctx, row.bold);
          return { x: colX[i]!, width: w, align: table.columns[i]!.align ?? 'left', font, lines: wrap(font, size, ctx.clean(font, row.cells[i] ?? ''), w - 2 * pad) };
        });
  const lineCount = Math.max(1, ...cells.map((c) => c.lines.length));
  const perBox = Math.max(1, Math.floor((maxHeight - 2 * pad) / lineHeight));
  const boxes: Box[] = [];
  for (let start = 0; start < lineCount; start += perBox) {
    const count = Math.min(perBox, lineCount - start);
    const height = count * lineHeight + 2 * pad;
    boxes.push({
      height,
      draw: (p, top) => {
        for (const cell of cells) {
          p.rect(cell.x, top - height, cell.width, height);
          let y = top - pad;
          for (const line of cell.lines.slice(start, start + count)) {
            p.text(line, alignX(cell.x + pad, cell.width - 2 * pad, cell.font.width(line, size), cell.align), y - size * 0.93, size, cell.font);
            y -= lineHeight;
          }
        }
      },
    });
  }
  // The pieces of a split row follow each other; the row itself may break from the next one.
  boxes.slice(0, -1).forEach((b) => (b.keepWithNext = true));
  return boxes;
}

function tableBoxes(ctx: Ctx, block: Extract<Block, { kind: 'table' }>): Box[] {
  const { table } = block;
  const total = table.columns.reduce((s, c) => s + c.width, 0) || 1;
  const colW = table.columns.map((c) => (c.width / total) * ctx.frame.width);
  const colX = colW.map((_, i) => ctx.frame.left + colW.slice(0, i).reduce((s, w) => s + w, 0));
  const header = headerBox(ctx, table, colX, colW);
  const maxRow = ctx.frame.top - ctx.frame.bottom - header.height;
  if (maxRow < 40) throw new Error('table heading does not leave room for a row on the page');
  // The heading never ends a page: it goes with the first row.
  const boxes: Box[] = [{ ...header, keepWithNext: table.rows.length > 0 || block.keepWithNext }];
  for (const row of table.rows) {
    const pieces = rowBoxes(ctx, table, row, colX, colW, maxRow).map((box) => ({ ...box, repeat: header }));
    // A section heading row never ends a page: it goes with the first row of its section.
    if (row.kind === 'section') pieces[pieces.length - 1]!.keepWithNext = true;
    boxes.push(...pieces);
  }
  if (table.keepTogether) boxes.forEach((b) => (b.keepWithNext = true));
  // The last row carries the table's binding to what follows (totals, signatures).
  boxes[boxes.length - 1]!.keepWithNext = block.keepWithNext;
  return boxes;
}

function blockBoxes(ctx: Ctx, block: Block): Box[] {
  switch (block.kind) {
    case 'space':
      return [{ height: block.height, draw: () => {}, space: true }];
    case 'columns':
      return columnsBox(ctx, block);
    case 'table':
      return tableBoxes(ctx, block);
    case 'stack': {
      const x = ctx.frame.left + (block.x ?? 0) * ctx.frame.width;
      const width = (block.width ?? 1 - (block.x ?? 0)) * ctx.frame.width;
      const boxes = stackLines(ctx, block.items, x, width);
      if (block.keepTogether) boxes.slice(0, -1).forEach((b) => (b.keepWithNext = true));
      if (boxes.length && block.keepWithNext) boxes[boxes.length - 1]!.keepWithNext = true;
      return boxes;
    }
  }
}

/**
 * A space between two chained boxes is part of the chain: a table's last row bound to the
 * signatures under it stays bound across the gap before them.
 */
export function chainSpaces(boxes: Box[]): Box[] {
  for (let i = 1; i < boxes.length; i++) if (boxes[i]!.space && boxes[i - 1]!.keepWithNext) boxes[i]!.keepWithNext = true;
  return boxes;
}

interface Placed {
  box: Box;
  top: number;
}

/** Places boxes on pages: chained boxes (keepWithNext) move together when they fit on a page. */
export function paginate(boxes: Box[], frame: Frame): Placed[][] {
  const pages: Placed[][] = [[]];
  let y = frame.top;
  const full = frame.top - frame.bottom;
  const page = () => pages[pages.length - 1]!;
  const newPage = () => {
    pages.push([]);
    y = frame.top;
  };
  const place = (box: Box) => {
    if (box.space && page().length === 0) return;
    if (page().length === 0 && box.repeat) {
      page().push({ box: box.repeat, top: y });
      y -= box.repeat.height;
    }
    page().push({ box, top: y });
    y -= box.height;
  };
  const needed = (run: Box[], fresh: boolean) => {
    let h = 0;
    run.forEach((b, i) => {
      if (fresh && i === 0 && b.space) return;
      h += b.height;
    });
    if (fresh && run[0]?.repeat) h += run[0].repeat.height;
    return h;
  };
  let i = 0;
  while (i < boxes.length) {
    let j = i;
    while (boxes[j]!.keepWithNext && j + 1 < boxes.length) j++;
    const run = boxes.slice(i, j + 1);
    const empty = page().length === 0;
    if (needed(run, empty) <= y - frame.bottom + 0.01) run.forEach(place);
    else if (!empty && needed(run, true) <= full) {
      newPage();
      run.forEach(place);
    } else {
      // The run is taller than a page: box by box, breaking where needed.
      for (const box of run) {
        const fresh = page().length === 0;
        const h = box.height + (fresh && box.repeat ? box.repeat.height : 0);
        if (!fresh && h > y - frame.bottom + 0.01) {
          newPage();
        }
        place(box);
      }
    }
    i = j + 1;
  }
  return pages.filter((p, n) => p.length > 0 || n === 0);
}

// ---- drawing --------------------------------------------------------------------------------

function num(n: number): string {
  return String(Math.round(n * 100) / 100);
}

/** Renders the spec as PDF/A-1b bytes. */
export async function renderFormPdf(spec: FormDocumentSpec): Promise<Uint8Array> {
  const doc = await createPdfaBase();
  const fonts = await embedFormFonts(doc);
  const size = spec.orientation === 'landscape' ? A4_LANDSCAPE : A4_PORTRAIT;
  const frame: Frame = {
    left: MARGIN.left,
    width: size.width - MARGIN.left - MARGIN.right,
    top: size.height - MARGIN.top,
    bottom: MARGIN.bottom + (spec.pageLabel ? FOOTER : 0),
  };
  const cache = new Map();
  const ctx: Ctx = { fonts, frame, clean: (font, text) => printable(font.pdf, text, cache) };
  const boxes = chainSpaces(spec.blocks.flatMap((b) => blockBoxes(ctx, b)));
  const pages = paginate(boxes, frame);
  pages.forEach((placed, n) => {
    const page = doc.addPage([size.width, size.height]);
    const ops: string[] = ['0 0 0 RG 0 0 0 rg'];
    const keys = new Map<FormFont, PDFName>();
    let lineWidth = -1;
    const painter: Painter = {
      text(text, x, baseline, fontSize, font) {
        if (!text) return;
        let key = keys.get(font);
        if (!key) {
          key = page.node.newFontDictionary(font.pdf.name, font.pdf.ref);
          keys.set(font, key);
        }
        ops.push(`BT ${key.toString()} ${num(fontSize)} Tf ${num(x)} ${num(baseline)} Td ${font.pdf.encodeText(text).toString()} Tj ET`);
      },
      line(x1, y1, x2, y2, width = 0.5) {
        if (width !== lineWidth) ops.push(`${num((lineWidth = width))} w`);
        ops.push(`${num(x1)} ${num(y1)} m ${num(x2)} ${num(y2)} l S`);
      },
      rect(x, y, w, h) {
        if (lineWidth !== 0.5) ops.push(`${num((lineWidth = 0.5))} w`);
        ops.push(`${num(x)} ${num(y)} ${num(w)} ${num(h)} re S`);
      },
    };
    for (const { box, top } of placed) box.draw(painter, top);
    if (spec.pageLabel) {
      const label = ctx.clean(fonts.regular, spec.pageLabel(n + 1, pages.length));
      const s = 8;
      painter.text(label, frame.left + frame.width - fonts.regular.width(label, s), MARGIN.bottom, s, fonts.regular);
    }
    const { context } = doc;
    page.node.addContentStream(context.register(context.flateStream(ops.join('\n'))));
  });
  return savePdfA(doc, { title: spec.title, language: spec.language, author: spec.author, subject: spec.subject, date: spec.date });
}
