// Loads a PDF for validation: finds every indirect object by scanning the bytes (so damaged or
// hand-edited cross-reference tables do not hide objects), records the byte-level facts the
// 6.1 rules need, and resolves references with bounded depth.
//
// Memory: the scans search the bytes themselves (no Latin-1 string copy of the whole file), and
// stream data stays a view into the file's bytes; only streams a rule reads (content, fonts,
// ICC profiles, XMP, object streams) are ever decoded, so a 90 MB scan costs about its own size.
import { inflateSync } from 'node:zlib';
import {
  CosDict,
  CosName,
  CosRef,
  CosStream,
  DeadlineExceeded,
  Lexer,
  type CosObject,
  type LexIssue,
  isWhite,
  latin1,
  nameOf,
  numOf,
} from './cos';

export interface IndirectObject {
  num: number;
  gen: number;
  offset: number;
  value: CosObject;
  /** 6.1.8: spacing of "N G obj" / "endobj". */
  spacingOk: boolean;
  stream?: StreamFacts;
  /** Lexical rule breaks inside this object (hex strings, limits). */
  issues: LexIssue[];
}

export interface StreamFacts {
  /** 6.1.7: "stream" followed by CRLF or LF; "endstream" preceded by an EOL. */
  keywordOk: boolean;
  endKeywordOk: boolean;
  lengthOk: boolean;
  declaredLength: number | undefined;
  actualLength: number;
}

export interface Trailer {
  offset: number;
  dict: CosDict;
}

const MAX_DECODED = 64 * 1024 * 1024;
const MAX_DECODED_TOTAL = 384 * 1024 * 1024;

export class PdfDocument {
  readonly objects = new Map<number, IndirectObject>();
  /** Final cross-reference entries (num → in use?) from the classic xref tables, when present. */
  readonly xref = new Map<number, { offset: number; inUse: boolean }>();
  readonly trailers: Trailer[] = [];
  /** The file's bytes as a Buffer view (no copy), for byte searches. */
  readonly buf: Buffer;
  private textCopy: string | undefined;
  private candidates = new Map<number, number[]>();
  private parsing = new Set<number>();
  private decoded = new WeakMap<CosStream, Uint8Array | null>();
  private decodedBytes = 0;

  constructor(
    readonly bytes: Uint8Array,
    readonly deadline: number,
  ) {
    this.buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.scanObjects();
    this.scanTrailers();
    this.applyXref();
    this.expandObjectStreams();
  }

  /**
   * The whole file as a Latin-1 string. Not used by the checks (they search `buf`): building it
   * costs as much memory again as the file, so it is made only if some caller asks for it.
   */
  get text(): string {
    return (this.textCopy ??= latin1(this.bytes, 0, this.bytes.length));
  }

  /** Latin-1 text of bytes [s, e), clamped to the file (like String.prototype.slice on the text). */
  slice(s: number, e: number): string {
    const len = this.bytes.length;
    const a = Math.min(Math.max(0, s), len);
    return latin1(this.bytes, a, Math.min(Math.max(a, e), len));
  }

  /** Whether the ASCII keyword `word` occurs at `pos` (String.prototype.startsWith on the text). */
  startsWith(word: string, pos: number): boolean {
    const b = this.bytes;
    if (pos < 0 || pos + word.length > b.length) return false;
    for (let i = 0; i < word.length; i++) if (b[pos + i] !== word.charCodeAt(i)) return false;
    return true;
  }

  /** Lexical issues of the objects that are part of the document. */
  get issues(): LexIssue[] {
    const all: LexIssue[] = [];
    for (const o of this.objects.values()) all.push(...o.issues);
    return all;
  }

  /**
   * Objects the cross-reference table marks free are not part of the document, and where an
   * object number is defined twice the table says which definition counts.
   */
  private applyXref(): void {
    // Every match of /(?:^|[\r\n])[ \t]*xref[ \t]*(?:\r\n|\r|\n)/g, found by byte search.
    const b = this.bytes;
    const buf = this.buf;
    let lastIndex = 0;
    for (let x = buf.indexOf('xref', 0, 'latin1'); x >= 0; x = buf.indexOf('xref', x + 1, 'latin1')) {
      const end = xrefKeywordEnd(b, x, lastIndex);
      if (end < 0) continue;
      lastIndex = end;
      let p = end;
      for (let guard = 0; guard < 10000; guard++) {
        const head = /^[ \t]*(\d+)[ \t]+(\d+)[ \t]*(?:\r\n|\r|\n)/.exec(this.slice(p, p + 48));
        if (!head) break;
        p += head[0].length;
        const start = Number(head[1]);
        const count = Math.min(Number(head[2]), 8388608);
        for (let i = 0; i < count; i++) {
          const e = /^(\d{10}) (\d{5}) ([nf])/.exec(this.slice(p, p + 20));
          if (!e) break;
          this.xref.set(start + i, { offset: Number(e[1]), inUse: e[3] === 'n' });
          p += 20;
          while (b[p] === 13 || b[p] === 10 || b[p] === 32) p++;
        }
        if ((guard & 0x3f) === 0) this.checkDeadline();
      }
      x = Math.max(x, end - 1);
    }
    if (this.xref.size === 0 || this.trailers.some((t) => nameOf(t.dict.get('Type')) === 'XRef')) return;
    const byOffset = new Map<number, number>();
    this.found.forEach((f, i) => byOffset.set(f.at, i));
    for (const [num, entry] of this.xref) {
      if (!entry.inUse) {
        this.objects.delete(num);
        continue;
      }
      const current = this.objects.get(num);
      if (current && current.offset !== entry.offset) {
        const idx = byOffset.get(entry.offset);
        if (idx !== undefined && this.found[idx]!.num === num) {
          const parsed = this.parseAt(idx);
          if (parsed) this.objects.set(num, parsed.obj);
        }
      }
    }
  }

  checkDeadline(): void {
    if (Date.now() > this.deadline) throw new DeadlineExceeded();
  }

  /** Every "N G obj" header, parsed in file order; later definitions win (incremental updates). */
  private scanObjects(): void {
    const found: { num: number; gen: number; at: number; bodyAt: number; header: string }[] = [];
    const b = this.bytes;
    const buf = this.buf;
    // The matches of /(\d{1,10})[\0\t\n\f\r ]+(\d{1,5})[\0\t\n\f\r ]+obj/g over the file: each
    // ends at an "obj", so they are found from there backwards (see objHeaderStart).
    let lastIndex = 0;
    for (let o = buf.indexOf('obj', 0, 'latin1'); o >= 0; o = buf.indexOf('obj', o + 3, 'latin1')) {
      const at = objHeaderStart(b, o, lastIndex);
      if (at < 0) continue;
      const bodyAt = o + 3;
      lastIndex = bodyAt;
      // The number must start a token (not the tail of "12345").
      const before = b[at - 1];
      if (before !== undefined && before >= 0x30 && before <= 0x39) continue;
      const after = b[bodyAt];
      if (after !== undefined && !isWhite(after) && !isDelim(after)) continue;
      const header = latin1(b, at, bodyAt);
      const parts = /^(\d+)[\0\t\n\f\r ]+(\d+)/.exec(header)!;
      found.push({ num: Number(parts[1]), gen: Number(parts[2]), at, bodyAt, header });
      const list = this.candidates.get(Number(parts[1])) ?? [];
      list.push(found.length - 1);
      this.candidates.set(Number(parts[1]), list);
    }
    this.found = found;
    let skipUntil = 0;
    for (let i = 0; i < found.length; i++) {
      const f = found[i]!;
      if (f.at < skipUntil) continue; // inside a stream parsed earlier
      if ((i & 0xf) === 0) this.checkDeadline();
      const obj = this.parseAt(i);
      if (obj) skipUntil = obj.end;
    }
  }

  private found: { num: number; gen: number; at: number; bodyAt: number; header: string }[] = [];
  private parsedAt = new Map<number, { obj: IndirectObject; end: number }>();

  private parseAt(index: number): { obj: IndirectObject; end: number } | undefined {
    const done = this.parsedAt.get(index);
    if (done) return done;
    if (this.parsing.has(index)) return undefined;
    this.parsing.add(index);
    try {
      const f = this.found[index]!;
      const b = this.bytes;
      const issues: LexIssue[] = [];
      const lex = new Lexer(b, issues, this.deadline, f.bodyAt);
      const headerOk =
        /^\d+[\0\t\n\f\r ]\d+[\0\t\n\f\r ]obj$/.test(f.header) && (f.at === 0 || b[f.at - 1] === 10 || b[f.at - 1] === 13) && isEol(b[f.bodyAt]);
      let value: CosObject = null;
      const tok = lex.next();
      if (tok.kind === 'obj') value = tok.value;
      let stream: StreamFacts | undefined;
      let end = lex.pos;
      // Is "stream" next?
      const save = lex.pos;
      lex.skipWs();
      if (value instanceof CosDict && this.startsWith('stream', lex.pos)) {
        let p = lex.pos + 6;
        let keywordOk = false;
        if (b[p] === 13 && b[p + 1] === 10) {
          p += 2;
          keywordOk = true;
        } else if (b[p] === 10) {
          p += 1;
          keywordOk = true;
        } else if (b[p] === 13) p += 1;
        const dataStart = p;
        const lenObj = value.get('Length');
        let declared: number | undefined = numOf(lenObj);
        if (lenObj instanceof CosRef) declared = numOf(this.resolveForLength(lenObj));
        let endstreamAt = -1;
        if (declared !== undefined && declared >= 0 && dataStart + declared <= b.length) {
          let q = dataStart + declared;
          while (q < b.length && q < dataStart + declared + 4 && isWhite(b[q])) q++;
          if (this.startsWith('endstream', q)) endstreamAt = q;
        }
        let missingEnd = false;
        if (endstreamAt < 0) {
          endstreamAt = this.buf.indexOf('endstream', dataStart, 'latin1');
          // No endstream at all: keep the data up to the end but do not hide later objects.
          if (endstreamAt < 0) {
            endstreamAt = b.length;
            missingEnd = true;
          }
        }
        let eol = 0;
        if (b[endstreamAt - 1] === 10) eol = b[endstreamAt - 2] === 13 ? 2 : 1;
        else if (b[endstreamAt - 1] === 13) eol = 1;
        const actual = Math.max(0, endstreamAt - dataStart - eol);
        // A writer may count the CR of a CRLF before endstream as data; that is still an EOL.
        const lengthOk = declared === actual || (eol === 2 && declared === actual + 1);
        const dataEnd = lengthOk || declared === undefined || declared > endstreamAt - dataStart ? dataStart + actual : dataStart + declared;
        stream = { keywordOk, endKeywordOk: eol > 0, lengthOk, declaredLength: declared, actualLength: actual };
        value = new CosStream(value, b.subarray(dataStart, Math.max(dataStart, dataEnd)), f.num);
        end = missingEnd ? dataStart : Math.min(b.length, endstreamAt + 9);
        lex.pos = end;
        lex.skipWs();
      } else lex.pos = save;
      let spacingOk = headerOk;
      lex.skipWs();
      if (this.startsWith('endobj', lex.pos)) {
        const e = lex.pos;
        if (!(b[e - 1] === 10 || b[e - 1] === 13)) spacingOk = false;
        const after = b[e + 6];
        if (after !== undefined && !isEol(after)) spacingOk = false;
        end = e + 6;
      } else spacingOk = false;
      const obj: IndirectObject = { num: f.num, gen: f.gen, offset: f.at, value, spacingOk, stream, issues };
      const prev = this.objects.get(f.num);
      if (!prev || prev.offset <= f.at) this.objects.set(f.num, obj);
      const result = { obj, end };
      this.parsedAt.set(index, result);
      return result;
    } catch (error) {
      if ((error as Error).name === 'DeadlineExceeded') throw error;
      return undefined; // damaged object: skip it
    } finally {
      this.parsing.delete(index);
    }
  }

  /** Resolves an indirect /Length during the scan, parsing its object ahead if needed. */
  private resolveForLength(ref: CosRef): CosObject {
    const known = this.objects.get(ref.num);
    if (known) return known.value;
    const list = this.candidates.get(ref.num);
    if (!list) return null;
    const r = this.parseAt(list[list.length - 1]!);
    return r ? r.obj.value : null;
  }

  private scanTrailers(): void {
    for (let at = this.buf.indexOf('trailer', 0, 'latin1'); at >= 0; at = this.buf.indexOf('trailer', at + 7, 'latin1')) {
      const lex = new Lexer(this.bytes, [], this.deadline, at + 7);
      try {
        const tok = lex.next();
        if (tok.kind === 'obj' && tok.value instanceof CosDict) this.trailers.push({ offset: at, dict: tok.value });
      } catch (error) {
        if ((error as Error).name === 'DeadlineExceeded') throw error;
      }
    }
    // Cross-reference streams carry the trailer keys themselves.
    for (const o of this.objects.values()) {
      if (o.value instanceof CosStream && nameOf(o.value.dict.get('Type')) === 'XRef') this.trailers.push({ offset: o.offset, dict: o.value.dict });
    }
    this.trailers.sort((a, b) => a.offset - b.offset);
  }

  /** Objects inside object streams (PDF 1.5), so references to them resolve. */
  private expandObjectStreams(): void {
    for (const o of [...this.objects.values()]) {
      if (!(o.value instanceof CosStream) || nameOf(o.value.dict.get('Type')) !== 'ObjStm') continue;
      const data = this.decode(o.value);
      if (!data) continue;
      const n = Math.min(numOf(o.value.dict.get('N')) ?? 0, 100000);
      const first = numOf(o.value.dict.get('First')) ?? 0;
      const lex = new Lexer(data, [], this.deadline);
      const pairs: number[] = [];
      for (let i = 0; i < n * 2; i++) {
        const t = lex.next();
        if (t.kind !== 'obj' || typeof t.value !== 'number') break;
        pairs.push(t.value);
      }
      for (let i = 0; i + 1 < pairs.length; i += 2) {
        const num = pairs[i]!;
        if (this.objects.has(num)) continue;
        const issues: LexIssue[] = [];
        const l = new Lexer(data, issues, this.deadline, first + pairs[i + 1]!);
        try {
          const t = l.next();
          if (t.kind === 'obj') this.objects.set(num, { num, gen: 0, offset: o.offset, value: t.value, spacingOk: true, issues });
        } catch (error) {
          if ((error as Error).name === 'DeadlineExceeded') throw error;
        }
      }
    }
  }

  resolve(o: CosObject | undefined, depth = 0): CosObject | undefined {
    let cur = o;
    for (let i = 0; cur instanceof CosRef && i < 32; i++) cur = this.objects.get(cur.num)?.value ?? null;
    return cur instanceof CosRef ? null : cur;
  }

  /** Resolved dictionary (a stream's dictionary too). */
  dict(o: CosObject | undefined): CosDict | undefined {
    const r = this.resolve(o);
    if (r instanceof CosDict) return r;
    if (r instanceof CosStream) return r.dict;
    return undefined;
  }
  stream(o: CosObject | undefined): CosStream | undefined {
    const r = this.resolve(o);
    return r instanceof CosStream ? r : undefined;
  }
  array(o: CosObject | undefined): CosObject[] | undefined {
    const r = this.resolve(o);
    return Array.isArray(r) ? r : undefined;
  }
  name(o: CosObject | undefined): string | undefined {
    return nameOf(this.resolve(o));
  }
  num(o: CosObject | undefined): number | undefined {
    return numOf(this.resolve(o));
  }

  get lastTrailer(): CosDict | undefined {
    return this.trailers[this.trailers.length - 1]?.dict;
  }
  /** The trailer that names the catalog: the newest one that has Root. */
  get mainTrailer(): CosDict | undefined {
    for (let i = this.trailers.length - 1; i >= 0; i--) if (this.trailers[i]!.dict.has('Root')) return this.trailers[i]!.dict;
    return undefined;
  }
  get catalog(): CosDict | undefined {
    const viaTrailer = this.dict(this.mainTrailer?.get('Root'));
    if (viaTrailer) return viaTrailer;
    // No usable trailer: fall back to the last object typed Catalog.
    let found: CosDict | undefined;
    for (const o of this.objects.values()) {
      const d = o.value instanceof CosDict ? o.value : undefined;
      if (d && nameOf(d.get('Type')) === 'Catalog') found = d;
    }
    return found;
  }
  get info(): CosDict | undefined {
    return this.dict(this.mainTrailer?.get('Info'));
  }

  /** Decoded stream data, or null when a filter is unsupported or the data is damaged. */
  decode(s: CosStream): Uint8Array | null {
    if (this.decoded.has(s)) return this.decoded.get(s)!;
    let data: Uint8Array | null = s.data;
    const f = this.resolve(s.dict.get('Filter'));
    const filters = Array.isArray(f) ? f.map((x) => this.name(x) ?? '') : f instanceof CosName ? [f.name] : [];
    const parmsObj = this.resolve(s.dict.get('DecodeParms'));
    const parms = Array.isArray(parmsObj) ? parmsObj.map((p) => this.dict(p)) : [this.dict(parmsObj)];
    for (let i = 0; i < filters.length && data; i++) data = decodeFilter(filters[i]!, data, parms[i]);
    // A file of many highly compressed streams must not exhaust memory: cap the total.
    if (data && data !== s.data) {
      this.decodedBytes += data.length;
      if (this.decodedBytes > MAX_DECODED_TOTAL) data = null;
    }
    this.decoded.set(s, data);
    return data;
  }

  get isLinearized(): boolean {
    const first = [...this.objects.values()].sort((a, b) => a.offset - b.offset)[0];
    return !!first && first.value instanceof CosDict && first.value.has('Linearized');
  }
}

/** Whitespace bytes of the object-header pattern ([\0\t\n\f\r ]). */
function isHeaderWs(c: number | undefined): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9 || c === 0 || c === 12;
}
function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}

/**
 * Start of the match of /(\d{1,10})[ws]+(\d{1,5})[ws]+obj/ that ends with the "obj" at `o`, no
 * earlier than `from` (the regex's lastIndex), or -1. Digits and whitespace are disjoint and
 * neither is "o", so the match is fixed by walking back: whitespace, 1–5 digits, whitespace,
 * then the digit run, of which the regex's leftmost match keeps the last (at most) ten.
 */
export function objHeaderStart(b: Uint8Array, o: number, from: number): number {
  let p = o - 1;
  while (p >= from && isHeaderWs(b[p])) p--;
  if (p === o - 1) return -1;
  const genEnd = p;
  while (p >= from && isDigit(b[p])) p--;
  const genDigits = genEnd - p;
  if (genDigits < 1 || genDigits > 5) return -1;
  const wsEnd = p;
  while (p >= from && isHeaderWs(b[p])) p--;
  if (p === wsEnd) return -1;
  const numEnd = p;
  while (p >= from && isDigit(b[p])) p--;
  const numDigits = numEnd - p;
  if (numDigits < 1) return -1;
  return numDigits > 10 ? numEnd - 9 : p + 1;
}

/**
 * End of the match of /(?:^|[\r\n])[ \t]*xref[ \t]*(?:\r\n|\r|\n)/ whose "xref" is at `x`, starting
 * no earlier than `from` (the regex's lastIndex), or -1.
 */
export function xrefKeywordEnd(b: Uint8Array, x: number, from: number): number {
  let p = x - 1;
  while (p >= from && (b[p] === 32 || b[p] === 9)) p--;
  const startsLine = p >= from ? b[p] === 10 || b[p] === 13 : from === 0;
  if (!startsLine) return -1;
  let e = x + 4;
  while (b[e] === 32 || b[e] === 9) e++;
  if (b[e] === 13 && b[e + 1] === 10) return e + 2;
  if (b[e] === 13 || b[e] === 10) return e + 1;
  return -1;
}

function isEol(c: number | undefined): boolean {
  return c === 10 || c === 13;
}
function isDelim(c: number): boolean {
  return c === 0x3c || c === 0x5b || c === 0x2f || c === 0x28 || c === 0x25;
}

export function decodeFilter(name: string, data: Uint8Array, parms: CosDict | undefined): Uint8Array | null {
  try {
    switch (name) {
      case 'FlateDecode':
      case 'Fl': {
        let out: Uint8Array;
        try {
          out = inflateSync(data, { maxOutputLength: MAX_DECODED });
        } catch {
          // Many writers leave a truncated or checksum-less zlib stream; take what inflates.
          out = inflateSync(data, { maxOutputLength: MAX_DECODED, finishFlush: 2 /* Z_SYNC_FLUSH */ });
        }
        return applyPredictor(out, parms);
      }
      case 'ASCIIHexDecode':
      case 'AHx': {
        const s = Buffer.from(data).toString('latin1').replace(/>.*$/s, '').replace(/[^0-9a-fA-F]/g, '');
        return Buffer.from(s.length % 2 ? s + '0' : s, 'hex');
      }
      case 'ASCII85Decode':
      case 'A85':
        return ascii85(data);
      case 'RunLengthDecode':
      case 'RL':
        return runLength(data);
      default:
        return null;
    }
  } catch {
    return null;
  }
}

function applyPredictor(data: Uint8Array, parms: CosDict | undefined): Uint8Array {
  const predictor = numOf(parms?.get('Predictor')) ?? 1;
  if (predictor < 10) return data;
  const colors = numOf(parms?.get('Colors')) ?? 1;
  const bpc = numOf(parms?.get('BitsPerComponent')) ?? 8;
  const columns = numOf(parms?.get('Columns')) ?? 1;
  const bpp = Math.max(1, Math.ceil((colors * bpc) / 8));
  const rowLen = Math.ceil((colors * bpc * columns) / 8);
  if (rowLen <= 0 || rowLen > 1 << 20) return data;
  const rows = Math.floor(data.length / (rowLen + 1));
  const out = new Uint8Array(rows * rowLen);
  for (let r = 0; r < rows; r++) {
    const type = data[r * (rowLen + 1)]!;
    for (let i = 0; i < rowLen; i++) {
      const raw = data[r * (rowLen + 1) + 1 + i]!;
      const left = i >= bpp ? out[r * rowLen + i - bpp]! : 0;
      const up = r > 0 ? out[(r - 1) * rowLen + i]! : 0;
      const ul = r > 0 && i >= bpp ? out[(r - 1) * rowLen + i - bpp]! : 0;
      let v = raw;
      if (type === 1) v = raw + left;
      else if (type === 2) v = raw + up;
      else if (type === 3) v = raw + ((left + up) >> 1);
      else if (type === 4) {
        const p = left + up - ul;
        const pa = Math.abs(p - left);
        const pb = Math.abs(p - up);
        const pc = Math.abs(p - ul);
        v = raw + (pa <= pb && pa <= pc ? left : pb <= pc ? up : ul);
      }
      out[r * rowLen + i] = v & 0xff;
    }
  }
  return out;
}

function ascii85(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  let group: number[] = [];
  for (let i = 0; i < data.length && out.length < MAX_DECODED; i++) {
    const c = data[i]!;
    if (c === 0x7e) break; // ~>
    if (isWhite(c)) continue;
    if (c === 0x7a && group.length === 0) {
      out.push(0, 0, 0, 0);
      continue;
    }
    if (c < 0x21 || c > 0x75) continue;
    group.push(c - 0x21);
    if (group.length === 5) {
      let v = 0;
      for (const g of group) v = v * 85 + g;
      out.push((v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
      group = [];
    }
  }
  if (group.length > 1) {
    const n = group.length;
    while (group.length < 5) group.push(84);
    let v = 0;
    for (const g of group) v = v * 85 + g;
    const bytes = [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
    out.push(...bytes.slice(0, n - 1));
  }
  return Uint8Array.from(out);
}

function runLength(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < data.length && out.length < MAX_DECODED; ) {
    const n = data[i++]!;
    if (n === 128) break;
    if (n < 128) {
      for (let k = 0; k <= n && i < data.length; k++) out.push(data[i++]!);
    } else {
      const v = data[i++] ?? 0;
      for (let k = 0; k < 257 - n; k++) out.push(v);
    }
  }
  return Uint8Array.from(out);
}
