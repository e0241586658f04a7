// Loads a PDF for validation: finds every indirect object by scanning the bytes (so damaged or
// hand-edited cross-reference tables do not hide objects), records the byte-level facts the
// 6.1 rules need, and resolves references with bounded depth.
//
// Memory: the keyword searches run once over the bytes (source.ts; no Latin-1 string copy of the
// whole file), stream data stays a view into the file's bytes, and only streams a rule reads
// (content, fonts, ICC profiles, XMP, object streams) are ever decoded. A file opened with
// PdfDocument.fromFile is read without its long image payloads unless something reads them.
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
import { PdfSource, firstAtOrAfter, type ObjectHeader } from './source';

export { objHeaderStart, xrefKeywordEnd } from './source';

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
  readonly source: PdfSource;
  /** The file's bytes; in a lazily read file, holes not yet read are zeros: use byte/slice. */
  private readonly raw: Uint8Array;
  private textCopy: string | undefined;
  private candidates = new Map<number, number[]>();
  private parsing = new Set<number>();
  private decoded = new WeakMap<CosStream, Uint8Array | null>();
  private decodedBytes = 0;

  constructor(
    input: Uint8Array | PdfSource,
    readonly deadline: number,
  ) {
    this.source = input instanceof PdfSource ? input : PdfSource.fromBytes(input);
    this.raw = this.source.raw;
    this.scanObjects();
    this.scanTrailers();
    this.applyXref();
    this.expandObjectStreams();
  }

  /**
   * Opens a file without reading its long keyword-free stretches (image payloads) until
   * something needs them; parses again whenever the lexer ran into one, so the document is the
   * one the whole file would give.
   */
  static fromFile(file: string, size: number, deadline: number): PdfDocument {
    const source = PdfSource.fromFile(file, size);
    for (;;) {
      const doc = new PdfDocument(source, deadline);
      if (!source.loadTouched()) return doc;
      doc.checkDeadline();
    }
  }

  get length(): number {
    return this.raw.length;
  }

  /** The whole file (read in completely first, when it was opened lazily). */
  get bytes(): Uint8Array {
    this.source.ensure(0, this.raw.length);
    return this.raw;
  }

  /**
   * The whole file as a Latin-1 string. Not used by the checks (they use the scan index and
   * byte/slice): building it costs as much memory again as the file, so it is made on demand.
   */
  get text(): string {
    return (this.textCopy ??= latin1(this.bytes, 0, this.raw.length));
  }

  /** Byte at p (undefined outside the file), like bytes[p]. */
  byte(p: number): number | undefined {
    if (p < 0 || p >= this.raw.length) return undefined;
    this.source.ensure(p, p + 1);
    return this.raw[p];
  }

  /** Latin-1 text of bytes [s, e), clamped to the file (like String.prototype.slice on the text). */
  slice(s: number, e: number): string {
    const len = this.raw.length;
    const a = Math.min(Math.max(0, s), len);
    const z = Math.min(Math.max(a, e), len);
    this.source.ensure(a, z);
    return latin1(this.raw, a, z);
  }

  /** Whether the ASCII keyword `word` occurs at `pos` (String.prototype.startsWith on the text). */
  startsWith(word: string, pos: number): boolean {
    const b = this.raw;
    if (pos < 0 || pos + word.length > b.length) return false;
    this.source.ensure(pos, pos + word.length);
    for (let i = 0; i < word.length; i++) if (b[pos + i] !== word.charCodeAt(i)) return false;
    return true;
  }

  /** Offset of the last "%%EOF", or -1. */
  get lastEof(): number {
    return this.source.index.lastEof;
  }

  /** Offsets of every "xref" keyword (including the one in "startxref"). */
  get xrefWords(): readonly number[] {
    return this.source.index.xrefWords;
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
    for (const end of this.source.index.xrefTables) {
      let p = end;
      for (let guard = 0; guard < 10000; guard++) {
        const head = /^[ \t]*(\d+)[ \t]+(\d+)[ \t]*(?:\r\n|\r|\n)/.exec(this.slice(p, p + 48));
        if (!head) break;
        p += head[0].length;
        const start = Number(head[1]);
        const count = Math.min(Number(head[2]), 8388608);
        for (let i = 0; i < count; i++) {
          const e = this.xrefEntry(p);
          if (!e) break;
          this.xref.set(start + i, e);
          p += 20;
          for (let c = this.byte(p); c === 13 || c === 10 || c === 32; c = this.byte(p)) p++;
        }
        if ((guard & 0x3f) === 0) this.checkDeadline();
      }
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

  /**
   * A cross-reference entry at `p` ("nnnnnnnnnn ggggg n"), or undefined when the bytes are not one.
   * Read from the bytes: a file has one per object (64,000 in a 180-page rendition).
   */
  private xrefEntry(p: number): { offset: number; inUse: boolean } | undefined {
    if (p < 0 || p + 18 > this.raw.length) return undefined;
    this.source.ensure(p, p + 18);
    const b = this.raw;
    let offset = 0;
    for (let k = 0; k < 10; k++) {
      const c = b[p + k]!;
      if (c < 0x30 || c > 0x39) return undefined;
      offset = offset * 10 + (c - 0x30);
    }
    if (b[p + 10] !== 0x20) return undefined;
    for (let k = 11; k < 16; k++) if (b[p + k]! < 0x30 || b[p + k]! > 0x39) return undefined;
    if (b[p + 16] !== 0x20) return undefined;
    const kind = b[p + 17];
    if (kind !== 0x6e && kind !== 0x66) return undefined;
    return { offset, inUse: kind === 0x6e };
  }

  checkDeadline(): void {
    if (Date.now() > this.deadline) throw new DeadlineExceeded();
  }

  /** Every "N G obj" header, parsed in file order; later definitions win (incremental updates). */
  private scanObjects(): void {
    const found = this.source.index.headers;
    for (let i = 0; i < found.length; i++) {
      const num = found[i]!.num;
      const list = this.candidates.get(num) ?? [];
      list.push(i);
      this.candidates.set(num, list);
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

  private found: readonly ObjectHeader[] = [];
  private parsedAt = new Map<number, { obj: IndirectObject; end: number }>();

  private parseAt(index: number): { obj: IndirectObject; end: number } | undefined {
    const done = this.parsedAt.get(index);
    if (done) return done;
    if (this.parsing.has(index)) return undefined;
    this.parsing.add(index);
    const f = this.found[index]!;
    const len = this.raw.length;
    const issues: LexIssue[] = [];
    // The lexer reads the bytes directly; what it reached is reported to the source (holes).
    const lex = new Lexer(this.raw, issues, this.deadline, f.bodyAt);
    let segment = f.bodyAt;
    try {
      const headerOk =
        /^\d+[\0\t\n\f\r ]\d+[\0\t\n\f\r ]obj$/.test(f.header) && (f.at === 0 || this.byte(f.at - 1) === 10 || this.byte(f.at - 1) === 13) && isEol(this.byte(f.bodyAt));
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
        if (this.byte(p) === 13 && this.byte(p + 1) === 10) {
          p += 2;
          keywordOk = true;
        } else if (this.byte(p) === 10) {
          p += 1;
          keywordOk = true;
        } else if (this.byte(p) === 13) p += 1;
        const dataStart = p;
        const lenObj = value.get('Length');
        let declared: number | undefined = numOf(lenObj);
        if (lenObj instanceof CosRef) declared = numOf(this.resolveForLength(lenObj));
        let endstreamAt = -1;
        if (declared !== undefined && declared >= 0 && dataStart + declared <= len) {
          let q = dataStart + declared;
          while (q < len && q < dataStart + declared + 4 && isWhite(this.byte(q))) q++;
          if (this.startsWith('endstream', q)) endstreamAt = q;
        }
        let missingEnd = false;
        if (endstreamAt < 0) {
          endstreamAt = firstAtOrAfter(this.source.index.endstreams, dataStart);
          // No endstream at all: keep the data up to the end but do not hide later objects.
          if (endstreamAt < 0) {
            endstreamAt = len;
            missingEnd = true;
          }
        }
        let eol = 0;
        if (this.byte(endstreamAt - 1) === 10) eol = this.byte(endstreamAt - 2) === 13 ? 2 : 1;
        else if (this.byte(endstreamAt - 1) === 13) eol = 1;
        const actual = Math.max(0, endstreamAt - dataStart - eol);
        // A writer may count the CR of a CRLF before endstream as data; that is still an EOL.
        const lengthOk = declared === actual || (eol === 2 && declared === actual + 1);
        const dataEnd = Math.max(dataStart, lengthOk || declared === undefined || declared > endstreamAt - dataStart ? dataStart + actual : dataStart + declared);
        stream = { keywordOk, endKeywordOk: eol > 0, lengthOk, declaredLength: declared, actualLength: actual };
        value = new CosStream(value, this.raw.subarray(dataStart, dataEnd), f.num, () => this.source.ensure(dataStart, dataEnd));
        end = missingEnd ? dataStart : Math.min(len, endstreamAt + 9);
        // The lexer jumps over the data without reading it.
        this.source.touched(segment, lex.maxPos + 3);
        lex.pos = end;
        lex.maxPos = end;
        segment = end;
        lex.skipWs();
      } else lex.pos = save;
      let spacingOk = headerOk;
      lex.skipWs();
      if (this.startsWith('endobj', lex.pos)) {
        const e = lex.pos;
        if (!(this.byte(e - 1) === 10 || this.byte(e - 1) === 13)) spacingOk = false;
        const after = this.byte(e + 6);
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
      this.source.touched(segment, lex.maxPos + 3);
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
    for (const at of this.source.index.trailers) {
      const lex = new Lexer(this.raw, [], this.deadline, at + 7);
      try {
        const tok = lex.next();
        if (tok.kind === 'obj' && tok.value instanceof CosDict) this.trailers.push({ offset: at, dict: tok.value });
      } catch (error) {
        if ((error as Error).name === 'DeadlineExceeded') throw error;
      } finally {
        this.source.touched(at + 7, lex.maxPos + 3);
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

function isEol(c: number | undefined): boolean {
  return c === 10 || c === 13;
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
