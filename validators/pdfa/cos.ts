// A small, tolerant PDF object (COS) lexer and parser. PDF/A checks need byte-level facts that
// general PDF libraries normalise away (hex-string digits, number kinds, keyword spacing, the
// exact bytes around `stream`), and the parser must survive hostile input: every loop is
// bounded by the input length, nesting depth is capped, and a deadline is checked regularly.

export class CosName {
  constructor(readonly name: string) {}
}

export class CosString {
  constructor(
    readonly bytes: Uint8Array,
    readonly hex: boolean,
  ) {}
  /** PDF text string: UTF-16BE with BOM, else PDFDocEncoding (approximated by Latin-1). */
  text(): string {
    const b = this.bytes;
    if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) {
      let s = '';
      for (let i = 2; i + 1 < b.length; i += 2) s += String.fromCharCode((b[i]! << 8) | b[i + 1]!);
      return s;
    }
    if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return Buffer.from(b.subarray(3)).toString('utf8');
    return Buffer.from(b).toString('latin1');
  }
}

export class CosRef {
  constructor(
    readonly num: number,
    readonly gen: number,
  ) {}
}

export class CosDict {
  readonly map = new Map<string, CosObject>();
  get(key: string): CosObject | undefined {
    return this.map.get(key);
  }
  has(key: string): boolean {
    return this.map.has(key);
  }
}

export class CosStream {
  private bytes: Uint8Array;
  private load: (() => void) | undefined;
  /**
   * `data`: the raw data bytes, a view into the file. For a file read lazily (source.ts),
   * `load` reads them in before the first use.
   */
  constructor(
    readonly dict: CosDict,
    data: Uint8Array,
    readonly objNum: number,
    load?: () => void,
  ) {
    this.bytes = data;
    this.load = load;
  }
  get data(): Uint8Array {
    if (this.load) {
      this.load();
      this.load = undefined;
    }
    return this.bytes;
  }
}

export type CosObject = null | boolean | number | CosName | CosString | CosRef | CosObject[] | CosDict | CosStream;

export class DeadlineExceeded extends Error {
  constructor() {
    super('validation time limit exceeded');
    this.name = 'DeadlineExceeded';
  }
}

/** A rule broken at the lexical level: reported by the caller under `clause`/`rule`. */
export interface LexIssue {
  rule: string;
  offset: number;
  detail?: string;
}

const WS = new Uint8Array(256);
for (const c of [0, 9, 10, 12, 13, 32]) WS[c] = 1;
const DELIM = new Uint8Array(256);
for (const c of '()<>[]{}/%') DELIM[c.charCodeAt(0)] = 1;

export function isWhite(c: number | undefined): boolean {
  return c !== undefined && WS[c] === 1;
}
export function isDelimiter(c: number | undefined): boolean {
  return c !== undefined && DELIM[c] === 1;
}
function isRegular(c: number | undefined): boolean {
  return c !== undefined && WS[c] !== 1 && DELIM[c] !== 1;
}

const MAX_DEPTH = 64;
const MAX_STRING = 8 * 1024 * 1024;

export type Token =
  | { kind: 'obj'; value: CosObject }
  | { kind: 'op'; value: string }
  | { kind: 'eof' }
  | { kind: 'close'; value: ']' | '>>' | '}' | ')' };

export class Lexer {
  pos: number;
  /** The furthest position reached so far (bytes up to maxPos + 2 may have been read). */
  maxPos: number;
  private ticks = 0;
  constructor(
    readonly buf: Uint8Array,
    readonly issues: LexIssue[],
    readonly deadline: number,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
    this.maxPos = start;
  }

  tick(): void {
    if ((++this.ticks & 0x3ff) === 0 && Date.now() > this.deadline) throw new DeadlineExceeded();
  }

  skipWs(): void {
    const b = this.buf;
    while (this.pos < this.end) {
      const c = b[this.pos]!;
      if (WS[c] === 1) this.pos++;
      else if (c === 0x25 /* % */) {
        while (this.pos < this.end && b[this.pos] !== 10 && b[this.pos] !== 13) this.pos++;
      } else break;
    }
    if (this.pos > this.maxPos) this.maxPos = this.pos;
  }

  private issue(rule: string, offset: number, detail?: string): void {
    // A pathological file can break a rule millions of times; a few locations are enough.
    if (this.issues.length < 2000) this.issues.push({ rule, offset, detail });
  }

  /** Next token; composite objects are parsed whole. */
  next(depth = 0): Token {
    const tok = this.token(depth);
    if (this.pos > this.maxPos) this.maxPos = this.pos;
    return tok;
  }

  private token(depth: number): Token {
    this.tick();
    this.skipWs();
    const b = this.buf;
    if (this.pos >= this.end) return { kind: 'eof' };
    const start = this.pos;
    const c = b[this.pos]!;
    if (c === 0x2f /* / */) return { kind: 'obj', value: this.readName() };
    if (c === 0x28 /* ( */) return { kind: 'obj', value: this.readLiteral() };
    if (c === 0x3c /* < */) {
      if (b[this.pos + 1] === 0x3c) {
        this.pos += 2;
        return { kind: 'obj', value: this.readDict(depth, start) };
      }
      return { kind: 'obj', value: this.readHex() };
    }
    if (c === 0x3e /* > */) {
      this.pos += b[this.pos + 1] === 0x3e ? 2 : 1;
      return { kind: 'close', value: '>>' };
    }
    if (c === 0x5b /* [ */) {
      this.pos++;
      return { kind: 'obj', value: this.readArray(depth, start) };
    }
    if (c === 0x5d) {
      this.pos++;
      return { kind: 'close', value: ']' };
    }
    if (c === 0x7b || c === 0x7d || c === 0x29) {
      this.pos++;
      return c === 0x7b ? { kind: 'op', value: '{' } : { kind: 'close', value: c === 0x7d ? '}' : ')' };
    }
    // Regular characters: number or keyword.
    let e = this.pos;
    while (e < this.end && isRegular(b[e])) e++;
    if (e === this.pos) {
      this.pos++;
      return { kind: 'op', value: String.fromCharCode(c) };
    }
    const at = this.pos;
    this.pos = e;
    const n = this.numberAt(b, at, e, start);
    if (n !== undefined) return { kind: 'obj', value: n };
    const word = keyword(b, at, e);
    if (word === 'true') return { kind: 'obj', value: true };
    if (word === 'false') return { kind: 'obj', value: false };
    if (word === 'null') return { kind: 'obj', value: null };
    return { kind: 'op', value: word };
  }

  /**
   * The number a regular-character run spells (`[+-]? digits [. digits]` or `[+-]? . digits`), or
   * undefined when it is not one. Read from the bytes: content streams are mostly numbers, and a
   * string per number (then a regular expression and Number()) was most of the checker's garbage.
   * Up to 15 significant digits the value is the integer of the digits divided by a power of ten,
   * both exact in a double, so the quotient is the correctly rounded value, as Number() gives.
   */
  private numberAt(b: Uint8Array, s: number, e: number, at: number): number | undefined {
    let i = s;
    let negative = false;
    if (b[i] === 0x2b || b[i] === 0x2d) {
      negative = b[i] === 0x2d;
      i++;
    }
    let digits = 0;
    let fraction = -1; // digits after the point; -1: no point
    let mantissa = 0;
    for (; i < e; i++) {
      const c = b[i]!;
      if (c >= 0x30 && c <= 0x39) {
        mantissa = mantissa * 10 + (c - 0x30);
        digits++;
        if (fraction >= 0) fraction++;
      } else if (c === 0x2e && fraction < 0) fraction = 0;
      else return undefined;
    }
    if (digits === 0) return undefined;
    const real = fraction >= 0;
    let v: number;
    if (digits <= 15 && fraction <= 22) v = real ? mantissa / 10 ** fraction : mantissa;
    else v = Number(latin1(b, s, e));
    if (negative) v = -v;
    if (real) {
      if (Math.abs(v) > 32767) this.issue('6-1-12-t02', at, latin1(b, s, e));
      else if (v !== 0 && Math.abs(v) < 1.175e-38) this.issue('6-1-12-small-real', at, latin1(b, s, e));
    } else if (v > 2147483647 || v < -2147483648) this.issue('6-1-12-t01', at, latin1(b, s, e));
    return Number.isFinite(v) ? v : 0;
  }

  private readName(): CosName {
    const b = this.buf;
    const at = this.pos;
    this.pos++;
    // Most names have no #xx escapes: read them straight from the bytes.
    let e = this.pos;
    while (e < this.end && isRegular(b[e]) && b[e] !== 0x23) e++;
    if (e >= this.end || !isRegular(b[e])) {
      if (e - this.pos > 127) this.issue('6-1-12-t04', at, String(e - this.pos));
      const name = keyword(b, this.pos, e);
      this.pos = e;
      return new CosName(name);
    }
    const bytes: number[] = [];
    while (this.pos < this.end && isRegular(b[this.pos])) {
      const c = b[this.pos]!;
      if (c === 0x23 /* # */ && isHexDigit(b[this.pos + 1]) && isHexDigit(b[this.pos + 2])) {
        bytes.push(parseInt(latin1(b, this.pos + 1, this.pos + 3), 16));
        this.pos += 3;
      } else {
        bytes.push(c);
        this.pos++;
      }
    }
    if (bytes.length > 127) this.issue('6-1-12-t04', at, String(bytes.length));
    return new CosName(Buffer.from(bytes).toString('latin1'));
  }

  private readLiteral(): CosString {
    const b = this.buf;
    const at = this.pos;
    this.pos++;
    const out: number[] = [];
    let nest = 1;
    while (this.pos < this.end && out.length < MAX_STRING) {
      const c = b[this.pos++]!;
      if (c === 0x5c /* \ */) {
        const d = b[this.pos++];
        if (d === undefined) break;
        if (d === 0x6e) out.push(10);
        else if (d === 0x72) out.push(13);
        else if (d === 0x74) out.push(9);
        else if (d === 0x62) out.push(8);
        else if (d === 0x66) out.push(12);
        else if (d === 0x0d) {
          if (b[this.pos] === 0x0a) this.pos++;
        } else if (d === 0x0a) {
          /* line continuation */
        } else if (d >= 0x30 && d <= 0x37) {
          let v = d - 0x30;
          for (let k = 0; k < 2 && b[this.pos]! >= 0x30 && b[this.pos]! <= 0x37; k++) v = v * 8 + (b[this.pos++]! - 0x30);
          out.push(v & 0xff);
        } else out.push(d);
      } else if (c === 0x28) {
        nest++;
        out.push(c);
      } else if (c === 0x29) {
        if (--nest === 0) break;
        out.push(c);
      } else out.push(c);
    }
    if (out.length > 65535) this.issue('6-1-12-t03', at, String(out.length));
    return new CosString(Uint8Array.from(out), false);
  }

  private readHex(): CosString {
    const b = this.buf;
    const at = this.pos;
    this.pos++;
    const digits: number[] = [];
    let bad = false;
    while (this.pos < this.end) {
      const c = b[this.pos++]!;
      if (c === 0x3e) break;
      if (WS[c] === 1) continue;
      if (isHexDigit(c)) digits.push(hexVal(c));
      else bad = true;
    }
    if (bad) this.issue('6-1-6-t02', at);
    if (digits.length % 2 === 1) {
      this.issue('6-1-6-t01', at);
      digits.push(0);
    }
    const out = new Uint8Array(digits.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = (digits[2 * i]! << 4) | digits[2 * i + 1]!;
    if (out.length > 65535) this.issue('6-1-12-t03', at, String(out.length));
    return new CosString(out, true);
  }

  private readArray(depth: number, at: number): CosObject[] {
    const items: CosObject[] = [];
    if (depth > MAX_DEPTH) throw new SyntaxError('nesting too deep');
    for (;;) {
      const save = this.pos;
      const tok = this.next(depth + 1);
      if (tok.kind === 'eof') break;
      if (tok.kind === 'close') {
        if (tok.value === ']') break;
        continue; // stray closer: tolerate
      }
      if (tok.kind === 'op') {
        if (tok.value === 'R') {
          const gen = items.pop();
          const num = items.pop();
          if (typeof num === 'number' && typeof gen === 'number') items.push(new CosRef(num, gen));
          continue;
        }
        if (tok.value === 'obj' || tok.value === 'endobj' || tok.value === 'stream') {
          this.pos = save; // damaged file: stop at the next object boundary
          break;
        }
        continue;
      }
      items.push(tok.value);
    }
    if (items.length > 8191) this.issue('6-1-12-t05', at, String(items.length));
    return items;
  }

  private readDict(depth: number, at: number): CosDict {
    const dict = new CosDict();
    if (depth > MAX_DEPTH) throw new SyntaxError('nesting too deep');
    const items: CosObject[] = [];
    for (;;) {
      const save = this.pos;
      const tok = this.next(depth + 1);
      if (tok.kind === 'eof') break;
      if (tok.kind === 'close') {
        if (tok.value === '>>') break;
        continue;
      }
      if (tok.kind === 'op') {
        if (tok.value === 'R' && items.length >= 2) {
          const gen = items[items.length - 1];
          const num = items[items.length - 2];
          if (typeof num === 'number' && typeof gen === 'number') {
            items.length -= 2;
            items.push(new CosRef(num, gen));
          }
          continue;
        }
        if (tok.value === 'obj' || tok.value === 'endobj' || tok.value === 'stream' || tok.value === 'endstream') {
          this.pos = save;
          break;
        }
        continue;
      }
      items.push(tok.value);
    }
    // Pair keys with values; a value missing before the next name is skipped rather than
    // shifting every later pair.
    for (let i = 0; i < items.length; ) {
      const k = items[i];
      if (!(k instanceof CosName)) {
        i++;
        continue;
      }
      const v = items[i + 1];
      if (v === undefined) break;
      dict.map.set(k.name, v);
      i += 2;
    }
    if (dict.map.size > 4095) this.issue('6-1-12-t06', at, String(dict.map.size));
    return dict;
  }
}

export function isHexDigit(c: number | undefined): boolean {
  return c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));
}
function hexVal(c: number): number {
  return c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x61 + 10;
}
export function latin1(b: Uint8Array, s: number, e: number): string {
  const end = Math.min(e, b.length);
  // A short run is read here: a Buffer view per token cost more than the token.
  if (end - s <= 24) return keyword(b, s, end);
  return Buffer.from(b.buffer, b.byteOffset + s, Math.max(0, end - s)).toString('latin1');
}

/** Short keywords and names repeat (operators, /Type, /Font): one string each, found by their bytes. */
const KEYWORDS = new Map<number, string>();
const KEYWORD_LIMIT = 4096;

/** A run of bytes as a latin1 string; runs of up to 6 bytes are shared from KEYWORDS. */
function keyword(b: Uint8Array, s: number, e: number): string {
  const n = e - s;
  if (n <= 0) return '';
  if (n > 6) return charsOf(b, s, e);
  // Six bytes and the length fit in a double's 53-bit integer exactly.
  let key = n;
  for (let i = s; i < e; i++) key = key * 256 + b[i]!;
  let word = KEYWORDS.get(key);
  if (word === undefined) {
    word = charsOf(b, s, e);
    if (KEYWORDS.size < KEYWORD_LIMIT) KEYWORDS.set(key, word);
  }
  return word;
}

function charsOf(b: Uint8Array, s: number, e: number): string {
  return String.fromCharCode.apply(null, b.subarray(s, e) as unknown as number[]);
}

// --- Small typed accessors used by the rules -------------------------------------------------

export function nameOf(o: CosObject | undefined): string | undefined {
  return o instanceof CosName ? o.name : undefined;
}
export function numOf(o: CosObject | undefined): number | undefined {
  return typeof o === 'number' ? o : undefined;
}
export function dictOf(o: CosObject | undefined): CosDict | undefined {
  if (o instanceof CosDict) return o;
  if (o instanceof CosStream) return o.dict;
  return undefined;
}
