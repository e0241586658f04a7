// Where a PDF's bytes come from. The checks need byte-level facts from the whole file, but most of
// a large scan is image data that no rule reads: only its position matters. So a file is read in
// two passes. The first streams it through a small window and records every keyword the loader
// searches for (object headers, xref, trailer, stream/endstream, %%EOF), exactly as the searches
// over the whole file would find them. The second reads into a file-sized buffer everything except
// long keyword-free stretches ("holes", in practice image payloads): those pages of the buffer are
// never written, so they cost no memory. A hole is read in when anything asks for its bytes — a
// stream's data, a slice, a byte — and when the lexer may have run into one (a damaged object),
// the loader reads that hole too and parses the file again; so the result is always the same as
// with the whole file in memory.
import { closeSync, openSync, readSync } from 'node:fs';
import { isWhite } from './cos';

export interface ObjectHeader {
  num: number;
  gen: number;
  /** Offset of the object number. */
  at: number;
  /** Offset just after "obj". */
  bodyAt: number;
  /** The header text "N G obj" as found. */
  header: string;
}

/** The keyword positions the loader uses, in file order. */
export interface ScanIndex {
  /** Matches of /(\d{1,10})[ws]+(\d{1,5})[ws]+obj/g whose number starts a token and whose "obj" ends one. */
  headers: ObjectHeader[];
  /** Ends of the matches of /(?:^|[\r\n])[ \t]*xref[ \t]*(?:\r\n|\r|\n)/g (where a table's subsections start). */
  xrefTables: number[];
  /** Every "xref" (as /xref/g finds them; "startxref" included). */
  xrefWords: number[];
  trailers: number[];
  streams: number[];
  endstreams: number[];
  /** The last "%%EOF", or -1. */
  lastEof: number;
}

/** Whitespace bytes of the object-header pattern ([\0\t\n\f\r ]). */
function isHeaderWs(c: number | undefined): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9 || c === 0 || c === 12;
}
function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}
function isDelim(c: number): boolean {
  return c === 0x3c || c === 0x5b || c === 0x2f || c === 0x28 || c === 0x25;
}

type ByteAt = (pos: number) => number | undefined;

/**
 * Start of the match of /(\d{1,10})[ws]+(\d{1,5})[ws]+obj/ that ends with the "obj" at `o`, no
 * earlier than `from` (the regex's lastIndex), or -1. Digits and whitespace are disjoint and
 * neither is "o", so the match is fixed by walking back: whitespace, 1–5 digits, whitespace,
 * then the digit run, of which the regex's leftmost match keeps the last (at most) ten.
 */
export function objHeaderStart(b: Uint8Array | ByteAt, o: number, from: number): number {
  const at: ByteAt = typeof b === 'function' ? b : (p) => b[p];
  let p = o - 1;
  while (p >= from && isHeaderWs(at(p))) p--;
  if (p === o - 1) return -1;
  const genEnd = p;
  while (p >= from && isDigit(at(p))) p--;
  const genDigits = genEnd - p;
  if (genDigits < 1 || genDigits > 5) return -1;
  const wsEnd = p;
  while (p >= from && isHeaderWs(at(p))) p--;
  if (p === wsEnd) return -1;
  const numEnd = p;
  while (p >= from && isDigit(at(p))) p--;
  const numDigits = numEnd - p;
  if (numDigits < 1) return -1;
  return numDigits > 10 ? numEnd - 9 : p + 1;
}

/**
 * End of the match of /(?:^|[\r\n])[ \t]*xref[ \t]*(?:\r\n|\r|\n)/ whose "xref" is at `x`, starting
 * no earlier than `from` (the regex's lastIndex), or -1.
 */
export function xrefKeywordEnd(b: Uint8Array | ByteAt, x: number, from: number): number {
  const at: ByteAt = typeof b === 'function' ? b : (p) => b[p];
  let p = x - 1;
  while (p >= from && (at(p) === 32 || at(p) === 9)) p--;
  const startsLine = p >= from ? at(p) === 10 || at(p) === 13 : from === 0;
  if (!startsLine) return -1;
  let e = x + 4;
  while (at(e) === 32 || at(e) === 9) e++;
  if (at(e) === 13 && at(e + 1) === 10) return e + 2;
  if (at(e) === 13 || at(e) === 10) return e + 1;
  return -1;
}

const WORDS = ['obj', 'xref', 'trailer', 'stream', 'endstream', '%%EOF'] as const;
const OVERLAP = 16; // longer than any keyword
const WINDOW = 4 * 1024 * 1024;

/**
 * Reads the file window by window (the whole buffer is one window when it is in memory); bytes
 * outside the current and previous windows, which only a long backward walk needs, are read
 * one by one.
 */
class Windows {
  cur: Buffer;
  curBase = 0;
  curLen = 0;
  prev: Buffer;
  prevBase = 0;
  prevLen = 0;
  private one = Buffer.alloc(1);

  constructor(
    readonly size: number,
    readonly fd: number | null,
    whole?: Buffer,
  ) {
    if (whole) {
      this.cur = whole;
      this.curLen = whole.length;
      this.prev = Buffer.alloc(0);
    } else {
      this.cur = Buffer.allocUnsafe(Math.min(size, WINDOW) + OVERLAP);
      this.prev = Buffer.allocUnsafe(Math.min(size, WINDOW) + OVERLAP);
    }
  }

  /** Loads the window starting at `base` (file mode); returns false past the end. */
  advance(base: number): boolean {
    if (base >= this.size) return false;
    if (this.fd === null) return base === 0;
    [this.prev, this.cur] = [this.cur, this.prev];
    this.prevBase = this.curBase;
    this.prevLen = this.curLen;
    this.curBase = base;
    this.curLen = readFully(this.fd, this.cur, 0, Math.min(this.cur.length, this.size - base), base);
    return true;
  }

  at = (pos: number): number | undefined => {
    if (pos < 0 || pos >= this.size) return undefined;
    if (pos >= this.curBase && pos < this.curBase + this.curLen) return this.cur[pos - this.curBase];
    if (pos >= this.prevBase && pos < this.prevBase + this.prevLen) return this.prev[pos - this.prevBase];
    if (this.fd === null) return undefined;
    readFully(this.fd, this.one, 0, 1, pos);
    return this.one[0];
  };

  latin1(s: number, e: number): string {
    if (s >= this.curBase && e <= this.curBase + this.curLen) return this.cur.toString('latin1', s - this.curBase, e - this.curBase);
    let out = '';
    for (let p = s; p < e; p++) out += String.fromCharCode(this.at(p) ?? 0);
    return out;
  }
}

function readFully(fd: number, buf: Buffer, offset: number, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, offset + done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/** One pass over the file: every keyword occurrence and the two regex emulations. */
function scan(w: Windows): ScanIndex {
  const index: ScanIndex = { headers: [], xrefTables: [], xrefWords: [], trailers: [], streams: [], endstreams: [], lastEof: -1 };
  let objLast = 0;
  let xrefLast = 0;
  for (let base = 0; w.advance(base); base += WINDOW) {
    const limit = w.fd === null ? w.size : base + WINDOW; // occurrences starting before this
    const buf = w.cur.subarray(0, w.curLen);
    for (const word of WORDS) {
      for (let i = buf.indexOf(word, 0, 'latin1'); i >= 0; i = buf.indexOf(word, i + word.length, 'latin1')) {
        const pos = w.curBase + i;
        if (pos >= limit) break;
        switch (word) {
          case 'obj': {
            if (pos < objLast) break;
            const at = objHeaderStart(w.at, pos, objLast);
            if (at < 0) break;
            const bodyAt = pos + 3;
            objLast = bodyAt;
            // The number must start a token (not the tail of "12345"), "obj" must end one.
            if (isDigit(w.at(at - 1))) break;
            const after = w.at(bodyAt);
            if (after !== undefined && !isWhite(after) && !isDelim(after)) break;
            const header = w.latin1(at, bodyAt);
            const parts = /^(\d+)[\0\t\n\f\r ]+(\d+)/.exec(header)!;
            index.headers.push({ num: Number(parts[1]), gen: Number(parts[2]), at, bodyAt, header });
            break;
          }
          case 'xref': {
            index.xrefWords.push(pos);
            if (pos < xrefLast) break;
            const end = xrefKeywordEnd(w.at, pos, xrefLast);
            if (end >= 0) {
              index.xrefTables.push(end);
              xrefLast = end;
            }
            break;
          }
          case 'trailer':
            index.trailers.push(pos);
            break;
          case 'stream':
            index.streams.push(pos);
            break;
          case 'endstream':
            index.endstreams.push(pos);
            break;
          case '%%EOF':
            index.lastEof = pos;
            break;
        }
      }
    }
  }
  return index;
}

/** Below this a keyword-free stretch is simply read. */
export const HOLE_LIMITS = { minBytes: 1024 * 1024, margin: 1024 };

interface Hole {
  start: number;
  end: number;
  loaded: boolean;
}

export class PdfSource {
  private holes: Hole[] = [];
  private pending = new Set<Hole>();

  private constructor(
    /** The file's bytes; unloaded holes read as zeros. */
    readonly raw: Buffer,
    readonly index: ScanIndex,
    private readonly path: string | null,
  ) {}

  /** Bytes already in memory. */
  static fromBytes(bytes: Uint8Array): PdfSource {
    const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return new PdfSource(buf, scan(new Windows(buf.length, null, buf)), null);
  }

  /** A file, read in two passes (see the top of this file). */
  static fromFile(file: string, size: number, limits = HOLE_LIMITS): PdfSource {
    const fd = openSync(file, 'r');
    try {
      const index = scan(new Windows(size, fd));
      const raw = Buffer.alloc(size); // zero pages, committed only where written
      const source = new PdfSource(raw, index, file);
      source.holes = findHoles(index, size, limits);
      let p = 0;
      for (const h of [...source.holes, { start: size, end: size, loaded: false }]) {
        if (h.start > p) readFully(fd, raw, p, h.start - p, p);
        p = h.end;
      }
      return source;
    } finally {
      closeSync(fd);
    }
  }

  get length(): number {
    return this.raw.length;
  }

  /** Bytes of the file not read into memory (yet). */
  get unreadBytes(): number {
    return this.holes.reduce((n, h) => n + (h.loaded ? 0 : h.end - h.start), 0);
  }

  /** Bytes [s, e) are about to be read: loads the holes they overlap. */
  ensure(s: number, e: number): void {
    if (!this.holes.length) return;
    for (const h of this.overlapping(s, e)) this.load(h);
  }

  /**
   * The lexer read bytes [s, e) directly: if that ran into a hole, the hole is loaded before the
   * next parse and this returns true (the result of this parse must be discarded).
   */
  touched(s: number, e: number): boolean {
    if (!this.holes.length) return false;
    let any = false;
    for (const h of this.overlapping(s, e)) {
      this.pending.add(h);
      any = true;
    }
    return any;
  }

  /** Loads the holes the lexer ran into; true when the file must be parsed again. */
  loadTouched(): boolean {
    if (!this.pending.size) return false;
    for (const h of this.pending) this.load(h);
    this.pending.clear();
    return true;
  }

  private overlapping(s: number, e: number): Hole[] {
    const out: Hole[] = [];
    // Holes are sorted and disjoint: binary search the first that ends after s.
    let lo = 0;
    let hi = this.holes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.holes[mid]!.end <= s) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.holes.length && this.holes[i]!.start < e; i++) if (!this.holes[i]!.loaded) out.push(this.holes[i]!);
    return out;
  }

  private load(h: Hole): void {
    if (h.loaded) return;
    const fd = openSync(this.path!, 'r');
    try {
      readFully(fd, this.raw, h.start, h.end - h.start, h.start);
    } finally {
      closeSync(fd);
    }
    h.loaded = true;
  }
}

/** Long stretches between keywords, less a margin on each side; never the first 4 KB. */
function findHoles(index: ScanIndex, size: number, limits: { minBytes: number; margin: number }): Hole[] {
  const marks: [number, number][] = [[0, Math.min(size, 4096)]];
  for (const h of index.headers) marks.push([h.at, h.bodyAt]);
  for (const x of index.xrefWords) marks.push([x, x + 4]);
  for (const t of index.trailers) marks.push([t, t + 7]);
  for (const s of index.streams) marks.push([s, s + 6]);
  for (const e of index.endstreams) marks.push([e, e + 9]);
  if (index.lastEof >= 0) marks.push([index.lastEof, size]);
  marks.push([size, size]);
  marks.sort((a, b) => a[0] - b[0]);
  const holes: Hole[] = [];
  let reach = 0;
  for (const [s, e] of marks) {
    const start = reach + limits.margin;
    const end = s - limits.margin;
    if (end - start >= limits.minBytes) holes.push({ start, end, loaded: false });
    reach = Math.max(reach, e);
  }
  return holes;
}

/** First position ≥ from in a sorted list, or -1. */
export function firstAtOrAfter(sorted: number[], from: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < from) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length ? sorted[lo]! : -1;
}
