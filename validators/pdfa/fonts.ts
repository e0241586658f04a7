// ISO 19005-1 6.3: fonts used for rendering — dictionary conformance (6.3.2), composite fonts
// and CMaps (6.3.3), embedding (6.3.4), subsets (6.3.5), metrics (6.3.6), TrueType encodings
// (6.3.7); plus the CID limit of 6.1.12.
import { CosDict, CosName, CosStream, CosString, Lexer, type CosObject } from './cos';
import { runContent, type FontUse, type GraphicsContext } from './content';
import type { PdfDocument } from './document';
import { readTrueType, type TrueTypeInfo } from './truetype';
import { readCff } from './cff';
import { cidOf, codeLengths, maxCid, parseCMap, splitCodes, type EmbeddedCMap } from './cmap';
import { readType1, winAnsiNames } from './type1';

const SUBTYPES = new Set(['Type1', 'MMType1', 'TrueType', 'Type3', 'Type0', 'CIDFontType0', 'CIDFontType2']);
const STANDARD_14 = new Set([
  'Times-Roman', 'Times-Bold', 'Times-Italic', 'Times-BoldItalic', 'Helvetica', 'Helvetica-Bold', 'Helvetica-Oblique',
  'Helvetica-BoldOblique', 'Courier', 'Courier-Bold', 'Courier-Oblique', 'Courier-BoldOblique', 'Symbol', 'ZapfDingbats',
]);
const SUBSET = /^[A-Z]{6}\+/;

export function checkFonts(ctx: GraphicsContext): void {
  for (const use of ctx.fonts.values()) {
    ctx.doc.checkDeadline();
    checkFont(ctx, use);
  }
}

function checkFont(ctx: GraphicsContext, use: FontUse): void {
  const { doc, out } = ctx;
  const font = use.dict;
  const where = `font ${doc.name(font.get('BaseFont')) ?? ''} (${use.where})`.replace('font  (', 'font (');
  const subtype = doc.name(font.get('Subtype')) ?? '';
  const invisibleOnly = [...use.modes].every((m) => m === 3);
  if (doc.name(font.get('Type')) !== 'Font') out.fail('6-3-2-t01', where);
  if (!SUBTYPES.has(subtype)) out.fail('6-3-2-t02', where, subtype);
  const baseFont = doc.name(font.get('BaseFont'));
  if (subtype !== 'Type3' && baseFont === undefined) out.fail('6-3-2-t03', where);

  if (subtype === 'Type0') return checkType0(ctx, use, font, where, invisibleOnly);

  const descriptor = doc.dict(font.get('FontDescriptor'));
  const program = fontProgram(doc, descriptor);
  const isStandard = STANDARD_14.has(baseFont ?? '') && !program && subtype !== 'Type3';
  const firstChar = doc.num(font.get('FirstChar'));
  const lastChar = doc.num(font.get('LastChar'));
  const widths = doc.array(font.get('Widths'));
  if (!isStandard) {
    if (firstChar === undefined) out.fail('6-3-2-t04', where);
    if (lastChar === undefined) out.fail('6-3-2-t05', where);
    if (!widths || firstChar === undefined || lastChar === undefined || widths.length !== lastChar - firstChar + 1) out.fail('6-3-2-t06', where);
  }
  if (subtype === 'Type3') {
    runGlyphProcs(ctx, font, where);
    return invisibleOnly ? undefined : checkType3(ctx, use, font, where, firstChar, widths);
  }

  if (!program && !invisibleOnly) out.fail('6-3-4-t01', where);
  checkProgramSubtype(ctx, program, where);
  if (!program || !descriptor) return;

  if ((subtype === 'Type1' || subtype === 'MMType1') && SUBSET.test(baseFont ?? '')) {
    const charSet = doc.resolve(descriptor.get('CharSet'));
    if (!(charSet instanceof CosString) || charSet.bytes.length === 0) out.fail('6-3-5-t02', where);
    else checkCharSet(ctx, program, charSet, where, invisibleOnly ? new Set() : usedGlyphNames(ctx, use, font));
  }
  if ((subtype === 'Type1' || subtype === 'MMType1') && program.kind === 'FontFile' && !invisibleOnly) {
    checkType1Glyphs(ctx, use, font, program, firstChar, widths, where);
  }
  if ((subtype === 'Type1' || subtype === 'MMType1') && program.kind === 'FontFile3' && !invisibleOnly && doc.name(program.stream.dict.get('Subtype')) === 'Type1C') {
    checkCffWidths(ctx, use, font, program, firstChar, widths, where);
  }

  if (subtype === 'TrueType') {
    const flags = doc.num(descriptor.get('Flags')) ?? 0;
    const symbolic = (flags & 4) !== 0;
    const enc = doc.resolve(font.get('Encoding'));
    if (!symbolic) {
      const encName = enc instanceof CosName ? enc.name : enc instanceof CosDict ? doc.name(enc.get('BaseEncoding')) : undefined;
      const hasDiff = enc instanceof CosDict && enc.has('Differences');
      if (!(encName === 'MacRomanEncoding' || encName === 'WinAnsiEncoding') || hasDiff) out.fail('6-3-7-t01', where);
    } else if (enc !== undefined && enc !== null) out.fail('6-3-7-t02', where);
    if (program.kind === 'FontFile2') {
      const data = doc.decode(program.stream);
      const tt = data ? readTrueType(data) : null;
      if (tt) {
        if (symbolic && tt.cmaps.length !== 1) out.fail('6-3-7-t03', where, `${tt.cmaps.length} subtables`);
        // Glyphs shown only invisibly (mode 3) are not rendered, so their metrics do not matter.
        if (!invisibleOnly) checkTrueTypeWidths(ctx, use, tt, symbolic, firstChar, widths, where);
      }
    }
  }
}

interface Program {
  kind: 'FontFile' | 'FontFile2' | 'FontFile3';
  stream: CosStream;
}

/** 6.3.2: a FontFile3 program is CFF (Type1C or CIDFontType0C); OpenType is not PDF 1.4. */
function checkProgramSubtype(ctx: GraphicsContext, program: Program | null, where: string): void {
  if (program?.kind !== 'FontFile3') return;
  const st = ctx.doc.name(program.stream.dict.get('Subtype'));
  if (st !== undefined && st !== 'Type1C' && st !== 'CIDFontType0C') ctx.out.fail('6-3-2-t07', where, st);
}

function fontProgram(doc: PdfDocument, descriptor: CosDict | undefined): Program | null {
  if (!descriptor) return null;
  for (const kind of ['FontFile', 'FontFile2', 'FontFile3'] as const) {
    const s = doc.stream(descriptor.get(kind));
    if (s) return { kind, stream: s };
  }
  return null;
}

/** 6.3.6 for Type 1 programs embedded as CFF: the widths of the glyphs shown agree with Widths. */
function checkCffWidths(ctx: GraphicsContext, use: FontUse, font: CosDict, program: Program, firstChar: number | undefined, widths: CosObject[] | undefined, where: string): void {
  if (firstChar === undefined || !widths) return;
  const data = ctx.doc.decode(program.stream);
  const cff = data ? readCff(data) : null;
  if (!cff?.glyphNames || !cff.glyphWidths) return;
  const gidOf = new Map(cff.glyphNames.map((n, gid) => [n, gid] as const));
  const names = codeNames(ctx, font);
  for (const code of use.codes) {
    const name = names.get(code);
    const gid = name === undefined ? undefined : gidOf.get(name);
    if (gid === undefined) continue; // the font's built-in encoding, or a glyph it lacks: not measured here
    const programWidth = cff.glyphWidths[gid];
    const w = ctx.doc.num(widths[code - firstChar]);
    if (programWidth === undefined || w === undefined) continue;
    if (Math.abs(programWidth - w) > 1) {
      ctx.out.fail('6-3-6-t01', where, `glyph ${name}: ${w} ≠ ${Math.round(programWidth)}`);
      return;
    }
  }
}

/** Code → glyph name through the font's Encoding (a standard base encoding and Differences). */
function codeNames(ctx: GraphicsContext, font: CosDict): Map<number, string> {
  const { doc } = ctx;
  const enc = doc.resolve(font.get('Encoding'));
  const encDict = enc instanceof CosDict ? enc : undefined;
  const baseName = enc instanceof CosName ? enc.name : doc.name(encDict?.get('BaseEncoding'));
  const out = baseName === 'WinAnsiEncoding' || baseName === 'StandardEncoding' || baseName === 'MacRomanEncoding' ? new Map(winAnsiNames()) : new Map<number, string>();
  let code = 0;
  for (const d of doc.array(encDict?.get('Differences')) ?? []) {
    const r = doc.resolve(d);
    if (typeof r === 'number') code = r;
    else if (r instanceof CosName) out.set(code++, r.name);
  }
  return out;
}

/** Glyph names the shown codes select through the font's Encoding (base encoding and Differences). */
function usedGlyphNames(ctx: GraphicsContext, use: FontUse, font: CosDict): Set<string> {
  const names = codeNames(ctx, font);
  const out = new Set<string>();
  for (const c of use.codes) {
    const name = names.get(c);
    if (name !== undefined) out.add(name);
  }
  return out;
}

/**
 * 6.3.5: a Type 1 subset's CharSet lists its glyphs. Every glyph used for rendering that the
 * program defines must be listed (veraPDF's PDF/A-1 rule: .notdef too, when a code shows it);
 * for a classic Type 1 program the CharSet must also list exactly the glyphs it defines.
 */
function checkCharSet(ctx: GraphicsContext, program: Program, charSet: CosString, where: string, used: Set<string>): void {
  let glyphs: Set<string>;
  let exact = false;
  if (program.kind === 'FontFile') {
    const data = ctx.doc.decode(program.stream);
    const t1 = data ? readType1(data, ctx.doc.num(program.stream.dict.get('Length1'))) : null;
    if (!t1 || t1.widths.size === 0) return;
    glyphs = new Set(t1.widths.keys());
    exact = true;
  } else if (program.kind === 'FontFile3' && ctx.doc.name(program.stream.dict.get('Subtype')) === 'Type1C') {
    const data = ctx.doc.decode(program.stream);
    const names = data ? readCff(data)?.glyphNames : undefined;
    if (!names || names.length <= 1) return;
    glyphs = new Set(names);
  } else return;
  const listed = new Set(
    Buffer.from(charSet.bytes)
      .toString('latin1')
      .split('/')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  const unlisted = [...used].filter((g) => glyphs.has(g) && !listed.has(g));
  if (unlisted.length > 0) {
    ctx.out.fail('6-3-5-t02', where, unlisted.slice(0, 5).join(' '));
    return;
  }
  if (!exact) return;
  glyphs.delete('.notdef');
  listed.delete('.notdef');
  const missing = [...glyphs].filter((g) => !listed.has(g));
  const extra = [...listed].filter((g) => !glyphs.has(g));
  if (missing.length > 0 || extra.length > 0) ctx.out.fail('6-3-5-t02', where, [...missing, ...extra].slice(0, 5).join(' '));
}

/** 6.3.5 and 6.3.6 for embedded Type 1 programs: used glyphs exist and their widths agree. */
function checkType1Glyphs(ctx: GraphicsContext, use: FontUse, font: CosDict, program: Program, firstChar: number | undefined, widths: CosObject[] | undefined, where: string): void {
  const { doc } = ctx;
  const data = doc.decode(program.stream);
  const t1 = data ? readType1(data, doc.num(program.stream.dict.get('Length1'))) : null;
  if (!t1 || t1.widths.size === 0) return;
  const enc = doc.resolve(font.get('Encoding'));
  const encDict = enc instanceof CosDict ? enc : undefined;
  const baseName = enc instanceof CosName ? enc.name : doc.name(encDict?.get('BaseEncoding'));
  const base = baseName === 'WinAnsiEncoding' || baseName === 'StandardEncoding' || baseName === 'MacRomanEncoding' ? winAnsiNames() : t1.builtinEncoding;
  const differences = new Map<number, string>();
  let code = 0;
  for (const d of doc.array(encDict?.get('Differences')) ?? []) {
    const r = doc.resolve(d);
    if (typeof r === 'number') code = r;
    else if (r instanceof CosName) differences.set(code++, r.name);
  }
  for (const c of use.codes) {
    const name = differences.get(c) ?? base.get(c);
    if (name === undefined || name === '.notdef') continue;
    const programWidth = t1.widths.get(name);
    if (programWidth === undefined) {
      ctx.out.fail('6-3-5-t01', where, `glyph ${name}`);
      continue;
    }
    const w = firstChar !== undefined ? doc.num(widths?.[c - firstChar]) : undefined;
    if (w !== undefined && Number.isFinite(programWidth) && Math.abs(programWidth - w) > 1) {
      ctx.out.fail('6-3-6-t01', where, `glyph ${name}: ${w} ≠ ${Math.round(programWidth)}`);
      return;
    }
  }
}

const WIN_ANSI_HIGH: Record<number, number> = {
  128: 0x20ac, 130: 0x201a, 131: 0x0192, 132: 0x201e, 133: 0x2026, 134: 0x2020, 135: 0x2021, 136: 0x02c6, 137: 0x2030,
  138: 0x0160, 139: 0x2039, 140: 0x0152, 142: 0x017d, 145: 0x2018, 146: 0x2019, 147: 0x201c, 148: 0x201d, 149: 0x2022,
  150: 0x2013, 151: 0x2014, 152: 0x02dc, 153: 0x2122, 154: 0x0161, 155: 0x203a, 156: 0x0153, 158: 0x017e, 159: 0x0178,
};

function checkTrueTypeWidths(
  ctx: GraphicsContext,
  use: FontUse,
  tt: TrueTypeInfo,
  symbolic: boolean,
  firstChar: number | undefined,
  widths: CosObject[] | undefined,
  where: string,
): void {
  if (firstChar === undefined || !widths) return;
  const ms30 = tt.cmaps.find((c) => c.platform === 3 && c.encoding === 0)?.map;
  const ms31 = tt.cmaps.find((c) => c.platform === 3 && c.encoding === 1)?.map;
  const mac = tt.cmaps.find((c) => c.platform === 1 && c.encoding === 0)?.map;
  for (const code of use.codes) {
    const w = ctx.doc.num(widths[code - firstChar]);
    if (w === undefined) continue;
    let gid: number | undefined;
    if (symbolic) gid = ms30?.get(code) ?? ms30?.get(0xf000 + code) ?? mac?.get(code);
    else gid = ms31?.get(code < 128 || code > 159 ? code : (WIN_ANSI_HIGH[code] ?? code)) ?? mac?.get(code);
    if (gid === undefined || gid === 0) continue; // .notdef; its width is the font's business
    if (gid >= tt.numGlyphs) {
      ctx.out.fail('6-3-5-t01', where, `code ${code}`);
      continue;
    }
    const programWidth = (tt.advance(gid) * 1000) / tt.unitsPerEm;
    if (Math.abs(programWidth - w) > 1) {
      ctx.out.fail('6-3-6-t01', where, `code ${code}: ${w} ≠ ${Math.round(programWidth)}`);
      return;
    }
  }
}

/** The glyph procedures of a Type 3 font are content streams like any other (6.2 applies). */
function runGlyphProcs(ctx: GraphicsContext, font: CosDict, where: string): void {
  const { doc } = ctx;
  const procs = doc.dict(font.get('CharProcs'));
  if (!procs || ctx.visited.has(procs)) return;
  ctx.visited.add(procs);
  const res = doc.dict(font.get('Resources'));
  let n = 0;
  for (const v of procs.map.values()) {
    if (++n > 4096) break;
    const s = doc.stream(v);
    const data = s ? doc.decode(s) : null;
    if (data) runContent(ctx, data, res, `${where} glyph`, 1, true);
  }
}

function checkType3(ctx: GraphicsContext, use: FontUse, font: CosDict, where: string, firstChar: number | undefined, widths: CosObject[] | undefined): void {
  const { doc } = ctx;
  const procs = doc.dict(font.get('CharProcs'));
  const enc = doc.dict(font.get('Encoding'));
  const diffs = doc.array(enc?.get('Differences'));
  if (!procs || !diffs || firstChar === undefined || !widths) return;
  const names = new Map<number, string>();
  let code = 0;
  for (const d of diffs) {
    const r = doc.resolve(d);
    if (typeof r === 'number') code = r;
    else if (r instanceof CosName) names.set(code++, r.name);
  }
  const matrix = doc.array(font.get('FontMatrix'))?.map((x) => doc.num(x) ?? 0) ?? [0.001, 0, 0, 0.001, 0, 0];
  for (const c of use.codes) {
    const name = names.get(c);
    const w = doc.num(widths[c - firstChar]);
    if (name === undefined || w === undefined) continue;
    const proc = doc.stream(procs.get(name));
    if (!proc) {
      ctx.out.fail('6-3-5-t01', where, `glyph ${name}`);
      continue;
    }
    const data = doc.decode(proc);
    if (!data) continue;
    const lex = new Lexer(data, [], doc.deadline);
    const operands: number[] = [];
    for (let i = 0; i < 64; i++) {
      const t = lex.next();
      if (t.kind === 'eof') break;
      if (t.kind === 'obj' && typeof t.value === 'number') operands.push(t.value);
      else if (t.kind === 'op') {
        if (t.value === 'd0' || t.value === 'd1') {
          const wx = operands[operands.length - (t.value === 'd0' ? 2 : 6)];
          // Widths are in glyph space too; compare in text space units for a scale-free tolerance.
          if (wx !== undefined && Math.abs((wx - w) * (matrix[0] ?? 0.001)) > 0.001) {
            ctx.out.fail('6-3-6-t01', where, `glyph ${name}: ${w} ≠ ${wx}`);
            return;
          }
        }
        break;
      }
    }
  }
}

function checkType0(ctx: GraphicsContext, use: FontUse, font: CosDict, where: string, invisibleOnly: boolean): void {
  const { doc, out } = ctx;
  const descendants = doc.array(font.get('DescendantFonts'));
  const cid = doc.dict(descendants?.[0]);
  const enc = doc.resolve(font.get('Encoding'));
  let cmapInfo: { registry?: string; ordering?: string } | null = null;
  let cmap: EmbeddedCMap | null = null;
  if (enc instanceof CosName) {
    if (enc.name !== 'Identity-H' && enc.name !== 'Identity-V') out.fail('6-3-3-t03', where, enc.name);
  } else if (enc instanceof CosStream) {
    const info = doc.dict(enc.dict.get('CIDSystemInfo'));
    cmapInfo = { registry: str(doc, info?.get('Registry')), ordering: str(doc, info?.get('Ordering')) };
    const data = doc.decode(enc);
    if (data) {
      const text = Buffer.from(data).toString('latin1');
      const m = /\/WMode\s+(\d+)\s+def/.exec(text);
      const programWMode = m ? Number(m[1]) : 0;
      const dictWMode = doc.num(enc.dict.get('WMode')) ?? 0;
      if (programWMode !== dictWMode) out.fail('6-3-3-t04', where);
      cmap = parseCMap(text);
      if (maxCid(cmap) > 65535) out.fail('6-1-12-t10', where);
    }
  }
  if (!cid) return;
  const cidSubtype = doc.name(cid.get('Subtype'));
  if (doc.name(cid.get('Type')) !== 'Font') out.fail('6-3-2-t01', where);
  if (cidSubtype !== 'CIDFontType0' && cidSubtype !== 'CIDFontType2') out.fail('6-3-2-t02', where, cidSubtype);
  const sys = doc.dict(cid.get('CIDSystemInfo'));
  if (cmapInfo) {
    const registry = str(doc, sys?.get('Registry'));
    const ordering = str(doc, sys?.get('Ordering'));
    if (registry !== cmapInfo.registry || ordering !== cmapInfo.ordering) out.fail('6-3-3-t01', where);
  }
  if (cidSubtype === 'CIDFontType2' && !cid.has('CIDToGIDMap')) out.fail('6-3-3-t02', where);
  const descriptor = doc.dict(cid.get('FontDescriptor'));
  const program = fontProgram(doc, descriptor);
  if (!program) {
    if (!invisibleOnly) out.fail('6-3-4-t01', where);
    return;
  }
  checkProgramSubtype(ctx, program, where);
  const baseName = doc.name(cid.get('BaseFont')) ?? doc.name(font.get('BaseFont')) ?? '';
  if (SUBSET.test(baseName)) checkCidSet(ctx, use, cid, enc, cmap, program, descriptor, where);
  // 6.3.6 for Identity-encoded TrueType CIDFonts: W array versus hmtx.
  if (!invisibleOnly && program.kind === 'FontFile2' && enc instanceof CosName && enc.name.startsWith('Identity') && doc.name(cid.get('CIDToGIDMap')) === 'Identity') {
    const data = doc.decode(program.stream);
    const tt = data ? readTrueType(data) : null;
    if (!tt) return;
    const widths = cidWidths(doc, cid);
    const dw = doc.num(cid.get('DW')) ?? 1000;
    // Identity CMaps: the two-byte code is the CID, and Identity CIDToGIDMap makes it the glyph id.
    for (const cidNum of use.codes2) {
      if (cidNum >= tt.numGlyphs || tt.hasOutline(cidNum) !== true) continue;
      const w = widths.get(cidNum) ?? dw;
      const pw = (tt.advance(cidNum) * 1000) / tt.unitsPerEm;
      if (Math.abs(pw - w) > 1) {
        out.fail('6-3-6-t01', where, `CID ${cidNum}: ${w} ≠ ${Math.round(pw)}`);
        return;
      }
    }
  }
}

/**
 * 6.3.5, as veraPDF checks it for PDF/A-1 (6-3-5-t03, `containsCIDSet && cidSetListsAllGlyphs`):
 * a CIDFont subset has a CIDSet, its program can be read, and every CID the document shows with
 * the font that the program defines, CID 0 (.notdef) excepted, is set in the CIDSet. Program
 * CIDs the document never shows may be left out, and so may CID 0 (Ghostscript's -dPDFA=1 output
 * does so); the two-way "exactly the CIDs of the program" test is PDF/A-2's (6.2.11.4.2).
 * CFF programs define the CIDs of their charset; TrueType programs those whose glyph id, by
 * the CIDToGIDMap (Identity or stream), is below numGlyphs.
 */
function checkCidSet(
  ctx: GraphicsContext,
  use: FontUse,
  cid: CosDict,
  enc: CosObject | undefined,
  cmap: EmbeddedCMap | null,
  program: Program,
  descriptor: CosDict | undefined,
  where: string,
): void {
  const { doc, out } = ctx;
  const cidSet = doc.stream(descriptor?.get('CIDSet'));
  if (!cidSet) return out.fail('6-3-5-t03', where);
  const bits = doc.decode(cidSet);
  if (!bits) return out.fail('6-3-5-t03', where, 'CIDSet unreadable');
  const data = doc.decode(program.stream);
  if (!data) return; // undecodable (or over the decoding budget): nothing to compare with
  let contains: (c: number) => boolean;
  if (program.kind === 'FontFile3') {
    const cff = readCff(data);
    if (!cff) return out.fail('6-3-5-t03', where, 'font program unreadable');
    // A CID-keyed CFF maps CIDs to glyphs by its charset; a name-keyed one (Type1C) defines no CIDs.
    const cids = new Set(cff.cidKeyed ? cff.charset.slice(1) : []);
    contains = (c) => cids.has(c);
  } else if (program.kind === 'FontFile2') {
    const tt = readTrueType(data);
    if (!tt) return out.fail('6-3-5-t03', where, 'font program unreadable');
    const map = doc.stream(cid.get('CIDToGIDMap'));
    if (map) {
      const m = doc.decode(map);
      if (!m) return;
      // Two bytes per CID; a CID the map covers is in the program when its glyph id is below numGlyphs.
      const size = Math.ceil(m.length / 2);
      contains = (c) => c < size && (((m[2 * c] ?? 0) << 8) | (m[2 * c + 1] ?? 0)) < tt.numGlyphs;
    } else contains = (c) => c < tt.numGlyphs; // Identity (also the default)
  } else return;
  const used = usedCids(use, enc, cmap);
  if (!used) return; // a CMap that is neither Identity nor embedded: 6.3.3 reports it
  const isSet = (c: number) => ((bits[c >> 3] ?? 0) & (0x80 >> (c & 7))) !== 0;
  const missing = [...used].filter((c) => c !== 0 && contains(c) && !isSet(c)).sort((a, b) => a - b);
  if (missing.length > 0) out.fail('6-3-5-t03', where, `CID ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`);
}

/** CIDs selected by the strings shown with a Type 0 font, or null when its CMap cannot be read. */
function usedCids(use: FontUse, enc: CosObject | undefined, cmap: EmbeddedCMap | null): Set<number> | null {
  if (enc instanceof CosName) return enc.name === 'Identity-H' || enc.name === 'Identity-V' ? use.codes2 : null;
  if (!cmap) return null;
  const lens = codeLengths(cmap);
  const result = new Set<number>();
  const add = (code: number, len: number) => {
    const c = cidOf(cmap, code, len);
    if (c !== undefined) result.add(c);
  };
  // Single-length codespaces read from the complete code sets; mixed ones from the kept strings.
  if (lens.size === 1 && lens.has(2)) for (const code of use.codes2) add(code, 2);
  else if (lens.size === 1 && lens.has(1)) for (const code of use.codes) add(code, 1);
  else for (const s of use.strings) splitCodes(cmap, s, add);
  return result;
}

function cidWidths(doc: PdfDocument, cid: CosDict): Map<number, number> {
  const result = new Map<number, number>();
  const w = doc.array(cid.get('W')) ?? [];
  for (let i = 0; i < w.length && result.size < 70000; ) {
    const first = doc.num(w[i]);
    const next = doc.resolve(w[i + 1]);
    if (first === undefined) break;
    if (Array.isArray(next)) {
      next.forEach((x, k) => {
        const v = doc.num(x);
        if (v !== undefined) result.set(first + k, v);
      });
      i += 2;
    } else {
      const last = doc.num(next);
      const v = doc.num(w[i + 2]);
      if (last === undefined || v === undefined) break;
      for (let c = first; c <= last && c - first < 70000; c++) result.set(c, v);
      i += 3;
    }
  }
  return result;
}

function str(doc: PdfDocument, o: CosObject | undefined): string | undefined {
  const r = doc.resolve(o);
  return r instanceof CosString ? r.text() : undefined;
}
