// Embedded CMap streams (PDF 1.4, 5.6.4): the codespace ranges that split a string into codes
// and the cidrange / cidchar mappings from codes to CIDs. Enough to know which CIDs a text
// string of a Type 0 font selects (6.3.5: CIDSet). Bounded; never throws.

export interface EmbeddedCMap {
  /** Codespace ranges: byte length and, per byte, the low and high value. */
  codespace: { len: number; lo: number[]; hi: number[] }[];
  /** cidrange entries (cidchar as a range of one), by byte length, sorted by first code. */
  ranges: Map<number, { lo: number; hi: number; cid: number }[]>;
}

const MAX_ENTRIES = 200_000;

function hexBytes(hex: string): number[] {
  const h = hex.length % 2 ? `${hex}0` : hex;
  const out: number[] = [];
  for (let i = 0; i + 1 < h.length && out.length < 4; i += 2) out.push(parseInt(h.slice(i, i + 2), 16));
  return out;
}

const value = (bytes: number[]) => bytes.reduce((v, b) => v * 256 + b, 0);

/** The bodies between `begin` and the next `end` keyword, found in one linear pass. */
function* sections(text: string, begin: string, end: string): Generator<string> {
  let pos = 0;
  for (;;) {
    const a = text.indexOf(begin, pos);
    if (a < 0) return;
    const b = text.indexOf(end, a + begin.length);
    if (b < 0) return;
    yield text.slice(a + begin.length, b);
    pos = b + end.length;
  }
}

/** Largest CID the CMap maps a code to (6.1.12: at most 65535). */
export function maxCid(cmap: EmbeddedCMap): number {
  let max = 0;
  for (const list of cmap.ranges.values()) for (const r of list) max = Math.max(max, r.cid + (r.hi - r.lo));
  return max;
}

export function parseCMap(text: string): EmbeddedCMap {
  const codespace: EmbeddedCMap['codespace'] = [];
  const ranges: EmbeddedCMap['ranges'] = new Map();
  let entries = 0;
  const add = (len: number, lo: number, hi: number, cid: number) => {
    if (++entries > MAX_ENTRIES || !(hi >= lo)) return;
    let list = ranges.get(len);
    if (!list) ranges.set(len, (list = []));
    list.push({ lo, hi, cid });
  };
  for (const body of sections(text, 'begincodespacerange', 'endcodespacerange')) {
    for (const e of body.matchAll(/<([0-9a-fA-F\s]*)>\s*<([0-9a-fA-F\s]*)>/g)) {
      const lo = hexBytes(e[1]!.replace(/\s/g, ''));
      const hi = hexBytes(e[2]!.replace(/\s/g, ''));
      if (lo.length > 0 && lo.length === hi.length && codespace.length < 1000) codespace.push({ len: lo.length, lo, hi });
    }
  }
  for (const body of sections(text, 'begincidchar', 'endcidchar')) {
    for (const e of body.matchAll(/<([0-9a-fA-F]+)>\s*(\d+)/g)) {
      const code = hexBytes(e[1]!);
      add(code.length, value(code), value(code), Number(e[2]));
    }
  }
  for (const body of sections(text, 'begincidrange', 'endcidrange')) {
    for (const e of body.matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(\d+)/g)) {
      const lo = hexBytes(e[1]!);
      const hi = hexBytes(e[2]!);
      if (lo.length === hi.length) add(lo.length, value(lo), value(hi), Number(e[3]));
    }
  }
  for (const list of ranges.values()) list.sort((a, b) => a.lo - b.lo);
  return { codespace, ranges };
}

/** Byte lengths of the codes this CMap reads (2 when it declares no codespace). */
export function codeLengths(cmap: EmbeddedCMap): Set<number> {
  const lens = new Set(cmap.codespace.map((c) => c.len));
  return lens.size ? lens : new Set([2]);
}

/** Splits a shown string into codes (value and byte length) by the codespace ranges. */
export function splitCodes(cmap: EmbeddedCMap, s: Uint8Array, emit: (code: number, len: number) => void): void {
  const lens = [...codeLengths(cmap)].sort((a, b) => a - b);
  const shortest = lens[0]!;
  let i = 0;
  while (i < s.length) {
    let matched = 0;
    for (const c of cmap.codespace) {
      if (i + c.len > s.length) continue;
      let inside = true;
      for (let k = 0; k < c.len && inside; k++) inside = s[i + k]! >= c.lo[k]! && s[i + k]! <= c.hi[k]!;
      if (inside && (matched === 0 || c.len < matched)) matched = c.len;
    }
    const len = matched || (cmap.codespace.length ? shortest : 2);
    if (i + len > s.length) break;
    let code = 0;
    for (let k = 0; k < len; k++) code = code * 256 + s[i + k]!;
    emit(code, len);
    i += len;
  }
}

/** The CID a code maps to, or undefined when the CMap does not map it (it then shows CID 0). */
export function cidOf(cmap: EmbeddedCMap, code: number, len: number): number | undefined {
  const list = cmap.ranges.get(len);
  if (!list) return undefined;
  // Last range starting at or below the code; ranges of one CMap rarely overlap.
  let a = 0;
  let b = list.length - 1;
  let found = -1;
  while (a <= b) {
    const mid = (a + b) >> 1;
    if (list[mid]!.lo <= code) {
      found = mid;
      a = mid + 1;
    } else b = mid - 1;
  }
  for (let i = found; i >= 0 && i > found - 8; i--) {
    const r = list[i]!;
    if (code >= r.lo && code <= r.hi) return r.cid + (code - r.lo);
  }
  return undefined;
}
