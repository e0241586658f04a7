// Fonts of the official forms. The Rules' forms are typeset in Times New Roman in practice;
// Liberation Serif has its metrics and every Kazakh letter (ә ғ қ ң ө ұ ү һ і), and is in the
// image (fonts-liberation2, scripts/setup.mjs, Dockerfile). DejaVu Serif and DejaVu Sans, which
// the rest of the project already embeds, are the fallbacks. A font is used only if it has
// every letter the forms print, so a form never shows a missing glyph in either language.
import { existsSync, readFileSync } from 'node:fs';
import type { PDFDocument, PDFFont } from 'pdf-lib';
import { MissingResourceError, sharedFontkit } from '../ingest/convert/pdfa-writer';

/** Letters both languages need: the Kazakh additions, ё, №, quotes and dashes of the forms. */
export const REQUIRED_CHARACTERS = 'АаӘәБбВвГгҒғДдЕеЁёЖжЗзИиЙйКкҚқЛлМмНнҢңОоӨөПпРрСсТтУуҰұҮүФфХхҺһЦцЧчШшЩщЪъЫыІіЬьЭэЮюЯя№«»–—';

interface FontFamily {
  name: string;
  regular: string;
  bold: string;
}

const FAMILIES: FontFamily[] = [
  {
    name: 'LiberationSerif',
    regular: '/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf',
    bold: '/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf',
  },
  {
    name: 'LiberationSerif',
    regular: '/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf',
    bold: '/usr/share/fonts/truetype/liberation/LiberationSerif-Bold.ttf',
  },
  { name: 'DejaVuSerif', regular: '/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf', bold: '/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf' },
  { name: 'DejaVuSans', regular: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', bold: '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf' },
];

const bytesCache = new Map<string, Uint8Array>();
function fontBytes(file: string): Uint8Array {
  let bytes = bytesCache.get(file);
  if (!bytes) {
    bytes = readFileSync(file);
    bytesCache.set(file, bytes);
  }
  return bytes;
}

function covers(file: string): boolean {
  const font = sharedFontkit.create(fontBytes(file));
  return [...REQUIRED_CHARACTERS].every((ch) => font.hasGlyphForCodePoint(ch.codePointAt(0)!));
}

let chosen: FontFamily | undefined;

/** The first installed family whose regular and bold faces have every letter the forms print. */
export function formFontFamily(): FontFamily {
  if (chosen) return chosen;
  for (const family of FAMILIES) {
    if (existsSync(family.regular) && existsSync(family.bold) && covers(family.regular) && covers(family.bold)) {
      chosen = family;
      return family;
    }
  }
  throw new MissingResourceError(
    'form fonts',
    `no font with Kazakh and Russian letters found (looked for ${FAMILIES.map((f) => f.regular).join(', ')}; install fonts-liberation2 or fonts-dejavu-core)`,
  );
}

/** A font of a form: the embedded font and its advance widths, cached per font file. */
export interface FormFont {
  pdf: PDFFont;
  file: string;
  /** Width of `text` at `size` points. */
  width(text: string, size: number): number;
  /** True when the font has a glyph for the character. */
  has(ch: string): boolean;
}

const advances = new Map<string, Map<string, number>>();
const characterSets = new Map<string, Set<number>>();

function formFont(pdf: PDFFont, file: string): FormFont {
  let widths = advances.get(file);
  if (!widths) advances.set(file, (widths = new Map()));
  let set = characterSets.get(file);
  if (!set) characterSets.set(file, (set = new Set(pdf.getCharacterSet())));
  const cache = widths;
  const charset = set;
  return {
    pdf,
    file,
    // pdf-lib places glyphs by advance width alone (no kerning), so the sum of cached
    // per-character advances is the drawn width; shaping each string again was the slow part.
    width(text: string, size: number): number {
      let total = 0;
      for (const ch of text) {
        let w = cache.get(ch);
        if (w === undefined) {
          w = pdf.widthOfTextAtSize(ch, 1000);
          cache.set(ch, w);
        }
        total += w;
      }
      return (total * size) / 1000;
    },
    has(ch: string): boolean {
      return charset.has(ch.codePointAt(0)!);
    },
  };
}

export interface FormFonts {
  regular: FormFont;
  bold: FormFont;
}

/** Embeds the form family (regular and bold) into `doc` as subsets, for PDF/A-1b (savePdfA adds the CIDSets). */
export async function embedFormFonts(doc: PDFDocument): Promise<FormFonts> {
  const family = formFontFamily();
  doc.registerFontkit(sharedFontkit);
  // Subset tags keep the names unique per document, as PDF 1.4 (5.5.3) expects of subsets.
  const regular = await doc.embedFont(fontBytes(family.regular), { subset: true, customName: `MRGFAA+${family.name}` });
  const bold = await doc.embedFont(fontBytes(family.bold), { subset: true, customName: `MRGFAB+${family.name}-Bold` });
  return { regular: formFont(regular, family.regular), bold: formFont(bold, family.bold) };
}
