// ISO 19005-1 6.2 (graphics), 6.4 (transparency) and the content-stream parts of 6.1.12 and
// 6.3: walks the pages, their content streams and everything those streams use (colour spaces,
// XObjects, ExtGStates, patterns, shadings, fonts), the way a renderer would reach them.
import { CosDict, CosName, CosStream, Lexer, nameOf, type CosObject, type LexIssue } from './cos';
import type { PdfDocument } from './document';
import type { Findings } from './findings';
import { filterNames } from './structure';

export interface FontUse {
  dict: CosDict;
  /** Text rendering modes the font was shown with. */
  modes: Set<number>;
  codes: Set<number>;
  /** Two-byte codes, for composite fonts with Identity CMaps. */
  codes2: Set<number>;
  /** The shown strings themselves, up to MAX_FONT_STRING_BYTES, for CMaps with other code lengths. */
  strings: Uint8Array[];
  stringBytes: number;
  where: string;
}

export interface GraphicsContext {
  doc: PdfDocument;
  out: Findings;
  /** Colour space of the PDF/A-1 OutputIntent profile ('RGB ', 'CMYK', 'GRAY'), or null. */
  outputCS: string | null;
  fonts: Map<CosDict, FontUse>;
  visited: Set<object>;
  separations: Map<string, string>;
  budget: { ops: number };
}

const OPERATORS = new Set(
  (
    'b B b* B* BDC BI BMC BT BX c cm CS cs d d0 d1 Do DP EI EMC ET EX f F f* G g gs h i ID j J K k l m M MP n q Q re RG rg ri s S SC sc SCN scn sh T* Tc Td TD Tf TJ Tj TL Tm Tr Ts Tw Tz v w W W* y \' "'
  ).split(' '),
);
const INTENTS = new Set(['RelativeColorimetric', 'AbsoluteColorimetric', 'Perceptual', 'Saturation']);
const MAX_OPS = 5_000_000;
const MAX_FONT_STRING_BYTES = 1 << 20;

export function readIccHeader(doc: PdfDocument, s: CosStream): { deviceClass: string; colorSpace: string; version: number } | null {
  const data = doc.decode(s);
  if (!data || data.length < 128) return null;
  const str = (a: number, b: number) => Buffer.from(data.subarray(a, b)).toString('latin1');
  return { deviceClass: str(12, 16), colorSpace: str(16, 20), version: data[8]! + (data[9]! >> 4) / 10 };
}

/** 6.2.2: the PDF/A-1 OutputIntent(s); returns the colour space of its profile. */
export function checkOutputIntents(doc: PdfDocument, out: Findings): string | null {
  const catalog = doc.catalog;
  const intents = doc.array(catalog?.get('OutputIntents')) ?? [];
  let outputCS: string | null = null;
  let profileRef: string | null = null;
  for (const item of intents) {
    const oi = doc.dict(item);
    if (!oi) continue;
    const destRaw = oi.get('DestOutputProfile');
    if (destRaw !== undefined) {
      const id = destRaw instanceof Object && 'num' in destRaw ? `${(destRaw as { num: number }).num}` : 'direct';
      if (profileRef !== null && profileRef !== id) out.fail('6-2-2-t02', 'OutputIntents');
      profileRef ??= id;
    }
    if (doc.name(oi.get('S')) !== 'GTS_PDFA1') continue;
    const dest = doc.stream(destRaw);
    // ISO 19005-1 6.2.2 defines a PDF/A-1 OutputIntent as one with a valid DestOutputProfile:
    // without it the entry is simply not one (as in veraPDF's profile), and any device colour
    // then fails 6.2.3.3 below.
    if (!dest) continue;
    const h = readIccHeader(doc, dest);
    if (
      !h ||
      !(h.deviceClass === 'prtr' || h.deviceClass === 'mntr') ||
      !(h.colorSpace === 'RGB ' || h.colorSpace === 'CMYK' || h.colorSpace === 'GRAY') ||
      h.version >= 3
    ) {
      out.fail('6-2-2-t01', 'DestOutputProfile', h ? `${h.deviceClass}/${h.colorSpace}/v${h.version}` : undefined);
    }
    if (h && outputCS === null) outputCS = h.colorSpace;
  }
  return outputCS;
}

export function checkPages(ctx: GraphicsContext): void {
  const { doc } = ctx;
  const root = doc.dict(doc.catalog?.get('Pages'));
  if (!root) return;
  const stack: { node: CosDict; res: CosObject | undefined; depth: number }[] = [{ node: root, res: undefined, depth: 0 }];
  const seen = new Set<CosDict>();
  let pageNo = 0;
  while (stack.length > 0) {
    const { node, res, depth } = stack.pop()!;
    if (seen.has(node) || depth > 64) continue;
    seen.add(node);
    doc.checkDeadline();
    const resources = node.get('Resources') ?? res;
    const kids = doc.array(node.get('Kids'));
    if (kids && doc.name(node.get('Type')) !== 'Page') {
      for (let i = kids.length - 1; i >= 0; i--) {
        const kid = doc.dict(kids[i]);
        if (kid) stack.push({ node: kid, res: resources, depth: depth + 1 });
      }
      continue;
    }
    pageNo++;
    const where = `page ${pageNo}`;
    checkGroup(ctx, node.get('Group'), where);
    const contents = doc.resolve(node.get('Contents'));
    const parts = Array.isArray(contents) ? contents.map((c) => doc.stream(c)) : [doc.stream(contents)];
    const chunks: Uint8Array[] = [];
    for (const s of parts) {
      if (!s) continue;
      const data = doc.decode(s);
      if (data) chunks.push(data, Uint8Array.of(10));
    }
    if (chunks.length) runContent(ctx, Buffer.concat(chunks), doc.dict(resources), where, 0);
    for (const a of doc.array(node.get('Annots')) ?? []) {
      const annot = doc.dict(a);
      const ap = doc.dict(annot?.get('AP'));
      if (!ap) continue;
      for (const key of ['N', 'R', 'D']) {
        const n = doc.resolve(ap.get(key));
        if (n instanceof CosStream) checkForm(ctx, n, doc.dict(resources), `${where} annotation appearance`, 1);
        else if (n instanceof CosDict) for (const v of n.map.values()) {
          const s = doc.stream(v);
          if (s) checkForm(ctx, s, doc.dict(resources), `${where} annotation appearance`, 1);
        }
      }
    }
  }
}

function checkGroup(ctx: GraphicsContext, g: CosObject | undefined, where: string): void {
  const group = ctx.doc.dict(g);
  if (group && ctx.doc.name(group.get('S')) === 'Transparency') ctx.out.fail('6-4-t03', where);
}

/** Uses of DeviceRGB/CMYK/Gray: allowed only with a matching PDF/A-1 OutputIntent. */
function useDevice(ctx: GraphicsContext, kind: 'RGB' | 'CMYK' | 'GRAY', where: string, res: CosDict | undefined): void {
  // A DefaultRGB/DefaultCMYK/DefaultGray resource remaps the device space to a calibrated one.
  const defaults = ctx.doc.dict(res?.get('ColorSpace'));
  if (defaults?.has(kind === 'GRAY' ? 'DefaultGray' : `Default${kind}`)) return;
  if (kind === 'RGB' && ctx.outputCS !== 'RGB ') ctx.out.fail('6-2-3-t02', where);
  if (kind === 'CMYK' && ctx.outputCS !== 'CMYK') ctx.out.fail('6-2-3-t03', where);
  if (kind === 'GRAY' && ctx.outputCS === null) ctx.out.fail('6-2-3-t04', where);
  // No separate 6.2.2 failure for a missing OutputIntent: 6.2.2 only defines the OutputIntent,
  // the requirement to have one for device colour is 6.2.3.3's (reported just above).
}

export function checkColorSpace(ctx: GraphicsContext, cs: CosObject | undefined, res: CosDict | undefined, where: string, depth = 0): void {
  const { doc } = ctx;
  if (depth > 8) return;
  const r = doc.resolve(cs);
  if (r instanceof CosName) {
    switch (r.name) {
      case 'DeviceRGB':
      case 'RGB':
        return useDevice(ctx, 'RGB', where, res);
      case 'DeviceCMYK':
      case 'CMYK':
        return useDevice(ctx, 'CMYK', where, res);
      case 'DeviceGray':
      case 'G':
        return useDevice(ctx, 'GRAY', where, res);
      case 'Pattern':
      case 'CalRGB':
      case 'CalGray':
      case 'Lab':
        return;
      default: {
        const named = doc.dict(res?.get('ColorSpace'))?.get(r.name);
        if (named !== undefined) checkColorSpace(ctx, named, res, where, depth + 1);
        return;
      }
    }
  }
  if (!Array.isArray(r) || r.length === 0) return;
  const family = doc.name(r[0]);
  if (ctx.visited.has(r) && family !== 'Indexed') return;
  ctx.visited.add(r);
  switch (family) {
    case 'ICCBased': {
      const s = doc.stream(r[1]);
      if (!s) return;
      const h = readIccHeader(doc, s);
      if (
        !h ||
        !['prtr', 'mntr', 'scnr', 'spac'].includes(h.deviceClass) ||
        !['RGB ', 'CMYK', 'GRAY', 'Lab ', 'LAB '].includes(h.colorSpace) ||
        h.version >= 3
      ) {
        ctx.out.fail('6-2-3-t01', where, h ? `${h.deviceClass}/${h.colorSpace}/v${h.version}` : undefined);
      }
      const n = doc.num(s.dict.get('N'));
      const csName = h?.colorSpace;
      if (
        h &&
        !(
          (n === 1 && csName === 'GRAY') ||
          (n === 3 && (csName === 'RGB ' || csName === 'Lab ' || csName === 'LAB ')) ||
          (n === 4 && csName === 'CMYK')
        )
      ) {
        ctx.out.fail('6-2-3-t05', where, `N=${n ?? '?'} ${csName}`);
      }
      return;
    }
    case 'Indexed':
    case 'I':
      return checkColorSpace(ctx, r[1], res, where, depth + 1);
    case 'Pattern':
      if (r[1] !== undefined) checkColorSpace(ctx, r[1], res, where, depth + 1);
      return;
    case 'Separation': {
      const name = doc.name(r[1]) ?? '';
      const signature = describe(doc, r[2]) + '|' + describe(doc, r[3]);
      const known = ctx.separations.get(name);
      if (known !== undefined && known !== signature) ctx.out.fail('6-2-3-4-t01', where, name);
      else ctx.separations.set(name, signature);
      return checkColorSpace(ctx, r[2], res, where, depth + 1);
    }
    case 'DeviceN': {
      const names = doc.array(r[1]) ?? [];
      if (names.length > 8) ctx.out.fail('6-1-12-t09', where, String(names.length));
      return checkColorSpace(ctx, r[2], res, where, depth + 1);
    }
    default:
      return checkColorSpace(ctx, r[0], res, where, depth + 1);
  }
}

/** A stable text form of an object, used to compare Separation definitions. */
function describe(doc: PdfDocument, o: CosObject | undefined, depth = 0): string {
  if (depth > 6) return '…';
  if (o && typeof o === 'object' && 'num' in o && 'gen' in o) return `${(o as { num: number }).num}R`;
  const r = doc.resolve(o);
  if (r instanceof CosName) return '/' + r.name;
  if (Array.isArray(r)) return '[' + r.map((x) => describe(doc, x, depth + 1)).join(' ') + ']';
  if (r instanceof CosDict || r instanceof CosStream) {
    const d = r instanceof CosStream ? r.dict : r;
    return '<<' + [...d.map.entries()].map(([k, v]) => `/${k} ${describe(doc, v, depth + 1)}`).join(' ') + '>>';
  }
  return String(r && typeof r === 'object' ? 'obj' : r);
}

function checkExtGState(ctx: GraphicsContext, gs: CosDict, where: string): void {
  const { doc, out } = ctx;
  if (ctx.visited.has(gs)) return;
  ctx.visited.add(gs);
  if (gs.has('TR')) out.fail('6-2-8-t01', where);
  const tr2 = gs.get('TR2');
  if (tr2 !== undefined && doc.name(tr2) !== 'Default') out.fail('6-2-8-t02', where);
  const ri = gs.get('RI');
  if (ri !== undefined && !INTENTS.has(doc.name(ri) ?? '')) out.fail('6-2-9-t01', where, doc.name(ri));
  const smask = gs.get('SMask');
  if (smask !== undefined && doc.name(smask) !== 'None') out.fail('6-4-t01', where);
  const bm = gs.get('BM');
  if (bm !== undefined) {
    const r = doc.resolve(bm);
    const names = Array.isArray(r) ? r.map((x) => doc.name(x)) : [nameOf(r)];
    if (!names.every((n) => n === 'Normal' || n === 'Compatible')) out.fail('6-4-t04', where);
  }
  const CA = doc.num(gs.get('CA'));
  if (gs.has('CA') && (CA === undefined || Math.abs(CA - 1) > 1e-6)) out.fail('6-4-t05', where);
  const ca = doc.num(gs.get('ca'));
  if (gs.has('ca') && (ca === undefined || Math.abs(ca - 1) > 1e-6)) out.fail('6-4-t06', where);
  const font = doc.array(gs.get('Font'));
  if (font) {
    const f = doc.dict(font[0]);
    if (f) recordFont(ctx, f, 0, where);
  }
}

function recordFont(ctx: GraphicsContext, font: CosDict, mode: number, where: string, strings: Uint8Array[] = []): void {
  let use = ctx.fonts.get(font);
  if (!use) {
    use = { dict: font, modes: new Set(), codes: new Set(), codes2: new Set(), strings: [], stringBytes: 0, where };
    ctx.fonts.set(font, use);
  }
  use.modes.add(mode);
  for (const s of strings) {
    if (use.codes.size < 256) for (const c of s) use.codes.add(c);
    if (use.codes2.size < 65536) for (let i = 0; i + 1 < s.length; i += 2) use.codes2.add((s[i]! << 8) | s[i + 1]!);
    if (use.stringBytes + s.length <= MAX_FONT_STRING_BYTES) {
      use.strings.push(s);
      use.stringBytes += s.length;
    }
  }
}

function checkXObject(ctx: GraphicsContext, x: CosStream, res: CosDict | undefined, where: string, depth: number): void {
  const { doc, out } = ctx;
  const d = x.dict;
  const subtype = doc.name(d.get('Subtype'));
  if (d.has('OPI')) out.fail(subtype === 'Form' ? '6-2-5-t02' : '6-2-4-t02', where);
  if (d.has('SMask')) out.fail('6-4-t02', where);
  if (subtype === 'PS') out.fail('6-2-7-t01', where);
  if (subtype === 'Image') {
    if (ctx.visited.has(x)) return;
    ctx.visited.add(x);
    if (d.has('Alternates')) out.fail('6-2-4-t01', where);
    if (doc.resolve(d.get('Interpolate')) === true) out.fail('6-2-4-t03', where);
    const intent = d.get('Intent');
    if (intent !== undefined && !INTENTS.has(doc.name(intent) ?? '')) out.fail('6-2-9-t01', where, doc.name(intent));
    if (filterNames(doc, d.get('Filter')).includes('JPXDecode')) out.fail('6-2-4-jpx', where);
    const bpc = doc.num(d.get('BitsPerComponent'));
    const isMask = doc.resolve(d.get('ImageMask')) === true;
    if (bpc !== undefined && (isMask ? bpc !== 1 : ![1, 2, 4, 8].includes(bpc))) out.fail(isMask ? '6-2-4-t05' : '6-2-4-t04', where, String(bpc));
    if (doc.resolve(d.get('ImageMask')) !== true && d.has('ColorSpace')) checkColorSpace(ctx, d.get('ColorSpace'), res, where);
    const smask = doc.stream(d.get('SMask'));
    if (smask) checkXObject(ctx, smask, res, where, depth + 1);
  } else if (subtype === 'Form') checkForm(ctx, x, res, where, depth);
}

function checkForm(ctx: GraphicsContext, form: CosStream, parentRes: CosDict | undefined, where: string, depth: number): void {
  const { doc, out } = ctx;
  if (ctx.visited.has(form) || depth > 24) return;
  ctx.visited.add(form);
  const d = form.dict;
  if (doc.name(d.get('Subtype2')) === 'PS' || d.has('PS')) out.fail('6-2-5-t01', where);
  if (d.has('Ref')) out.fail('6-2-6-t01', where);
  if (d.has('OPI')) out.fail('6-2-5-t02', where);
  if (d.has('SMask')) out.fail('6-4-t02', where);
  checkGroup(ctx, d.get('Group'), where);
  const data = doc.decode(form);
  if (data) runContent(ctx, data, doc.dict(d.get('Resources')) ?? parentRes, where, depth + 1);
}

function checkPattern(ctx: GraphicsContext, p: CosObject | undefined, res: CosDict | undefined, where: string, depth: number): void {
  const { doc } = ctx;
  const pat = doc.resolve(p);
  if (pat instanceof CosStream) {
    if (ctx.visited.has(pat) || depth > 24) return;
    ctx.visited.add(pat);
    const data = doc.decode(pat);
    if (data) runContent(ctx, data, doc.dict(pat.dict.get('Resources')) ?? res, where, depth + 1);
  } else if (pat instanceof CosDict) {
    const sh = doc.dict(pat.get('Shading'));
    if (sh) checkColorSpace(ctx, sh.get('ColorSpace'), res, where);
    const gs = doc.dict(pat.get('ExtGState'));
    if (gs) checkExtGState(ctx, gs, where);
  }
}

const COLOUR_OPS = new Set(['rg', 'RG', 'g', 'G', 'k', 'K', 'cs', 'CS', 'sc', 'SC', 'scn', 'SCN']);
const PAINT = new Set(['S', 's', 'f', 'F', 'f*', 'B', 'B*', 'b', 'b*', 'Tj', 'TJ', "'", '"']);

/** Interprets one content stream: operators, nesting, resources used. */
export function runContent(ctx: GraphicsContext, data: Uint8Array, res: CosDict | undefined, where: string, depth: number, inType3Glyph = false): void {
  const { doc, out } = ctx;
  const issues: LexIssue[] = [];
  const lex = new Lexer(data, issues, doc.deadline);
  const operands: CosObject[] = [];
  let qDepth = 0;
  let mode = 0;
  let font: CosDict | undefined;
  // The initial colour space is DeviceGray; painting with it is a device-colour use.
  let fillSet = false;
  let strokeSet = false;
  let uncolouredGlyph = false;
  const resDict = (key: string, name: string | undefined) => (name ? doc.resolve(doc.dict(res?.get(key))?.get(name)) : undefined);
  for (;;) {
    if (++ctx.budget.ops > MAX_OPS) return;
    let tok;
    try {
      tok = lex.next();
    } catch (error) {
      if ((error as Error).name === 'DeadlineExceeded') throw error;
      break;
    }
    if (tok.kind === 'eof') break;
    if (tok.kind === 'obj') {
      if (operands.length < 64) operands.push(tok.value);
      continue;
    }
    if (tok.kind === 'close') continue;
    const op = tok.value;
    const last = operands[operands.length - 1];
    if (!OPERATORS.has(op)) out.fail('6-2-10-t01', where, op.slice(0, 32));
    // A d1 glyph (uncoloured Type 3 glyph) takes its colour from the text; colour operators are ignored there.
    if (op === 'd1') uncolouredGlyph = true;
    if (uncolouredGlyph && COLOUR_OPS.has(op)) {
      operands.length = 0;
      continue;
    }
    switch (op) {
      case 'q':
        if (++qDepth > 28) out.fail('6-1-12-t08', where);
        break;
      case 'Q':
        if (qDepth > 0) qDepth--;
        break;
      case 'rg':
      case 'RG':
        useDevice(ctx, 'RGB', where, res);
        if (op === 'rg') fillSet = true;
        else strokeSet = true;
        break;
      case 'k':
      case 'K':
        useDevice(ctx, 'CMYK', where, res);
        if (op === 'k') fillSet = true;
        else strokeSet = true;
        break;
      case 'g':
      case 'G':
        useDevice(ctx, 'GRAY', where, res);
        if (op === 'g') fillSet = true;
        else strokeSet = true;
        break;
      case 'cs':
      case 'CS':
        if (last instanceof CosName) checkColorSpace(ctx, last, res, where);
        if (op === 'cs') fillSet = true;
        else strokeSet = true;
        break;
      case 'scn':
      case 'SCN':
        if (last instanceof CosName) checkPattern(ctx, resDict('Pattern', last.name), res, where, depth);
        break;
      case 'sh': {
        const sh = doc.dict(resDict('Shading', nameOf(last)));
        if (sh) checkColorSpace(ctx, sh.get('ColorSpace'), res, where);
        break;
      }
      case 'gs': {
        const gs = doc.dict(resDict('ExtGState', nameOf(last)));
        if (gs) checkExtGState(ctx, gs, where);
        break;
      }
      case 'ri':
        if (!INTENTS.has(nameOf(last) ?? '')) out.fail('6-2-9-t01', where, nameOf(last));
        break;
      case 'Do': {
        const x = doc.resolve(resDict('XObject', nameOf(last)));
        if (x instanceof CosStream) checkXObject(ctx, x, res, where, depth);
        break;
      }
      case 'Tf': {
        const f = doc.dict(resDict('Font', nameOf(operands[operands.length - 2])));
        font = f;
        break;
      }
      case 'Tr':
        mode = typeof last === 'number' ? last : 0;
        break;
      case 'BI':
        inlineImage(ctx, lex, data, res, where);
        break;
      default:
        break;
    }
    if (PAINT.has(op)) {
      if (font && (op === 'Tj' || op === 'TJ' || op === "'" || op === '"')) {
        const strings: Uint8Array[] = [];
        const collect = (o: CosObject | undefined) => {
          if (o && typeof o === 'object' && 'bytes' in o) strings.push((o as { bytes: Uint8Array }).bytes);
        };
        if (op === 'TJ' && Array.isArray(last)) last.forEach(collect);
        else collect(last);
        recordFont(ctx, font, mode, where, strings);
      }
      const isText = op === 'Tj' || op === 'TJ' || op === "'" || op === '"';
      // Text in rendering mode 3 (invisible) or 7 paints nothing.
      const fills = isText ? [0, 2, 4, 6].includes(mode) : !['S', 's'].includes(op);
      const strokes = isText ? [1, 2, 5, 6].includes(mode) : ['S', 's', 'B', 'B*', 'b', 'b*'].includes(op);
      // Painting before any colour operator uses the initial DeviceGray colour space.
      if (((fills && !fillSet) || (strokes && !strokeSet)) && !inType3Glyph) useDevice(ctx, 'GRAY', where, res);
    }
    operands.length = 0;
  }
  for (const issue of issues) out.fail(issue.rule, `${where} content`, issue.detail);
}

function inlineImage(ctx: GraphicsContext, lex: Lexer, data: Uint8Array, res: CosDict | undefined, where: string): void {
  const { out } = ctx;
  const dict = new CosDict();
  let key: string | null = null;
  for (let guard = 0; guard < 256; guard++) {
    const t = lex.next();
    if (t.kind === 'eof') return;
    if (t.kind === 'op' && t.value === 'ID') break;
    if (t.kind !== 'obj') continue;
    if (key === null && t.value instanceof CosName) key = t.value.name;
    else if (key !== null) {
      dict.map.set(key, t.value);
      key = null;
    }
  }
  // Skip the image data: "EI" delimited by white space.
  let p = lex.pos + 1;
  for (; p < data.length - 1; p++) {
    if (data[p] === 0x45 && data[p + 1] === 0x49 && (p === 0 || isWs(data[p - 1])) && (p + 2 >= data.length || isWs(data[p + 2]))) break;
  }
  lex.pos = Math.min(data.length, p + 2);
  const f = dict.get('F') ?? dict.get('Filter');
  const filters = Array.isArray(f) ? f.map((x) => nameOf(x)) : [nameOf(f)];
  if (filters.some((n) => n === 'LZW' || n === 'LZWDecode')) out.fail('6-1-10-t02', where);
  const interp = dict.get('I') ?? dict.get('Interpolate');
  if (interp === true) out.fail('6-2-4-t03', where);
  const intent = dict.get('Intent');
  if (intent !== undefined && !INTENTS.has(nameOf(intent) ?? '')) out.fail('6-2-9-t01', where);
  const im = dict.get('IM') ?? dict.get('ImageMask');
  const bpc = dict.get('BPC') ?? dict.get('BitsPerComponent');
  if (typeof bpc === 'number' && (im === true ? bpc !== 1 : ![1, 2, 4, 8].includes(bpc))) out.fail(im === true ? '6-2-4-t05' : '6-2-4-t04', where, String(bpc));
  const cs = dict.get('CS') ?? dict.get('ColorSpace');
  if (im !== true && cs !== undefined) checkColorSpace(ctx, cs, res, where);
}

function isWs(c: number | undefined): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9 || c === 12 || c === 0;
}
