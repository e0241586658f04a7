// Minimal, bounds-checked CFF reader: glyph count and the charset (glyph id → CID for
// CID-keyed fonts, → string id otherwise), enough to check CIDSet completeness (6.3.5), and
// the glyph names of a name-keyed font, to check a Type 1 (Type1C) subset's CharSet (6.3.5).
import { CFF_STANDARD_STRINGS } from './cff-strings';

export interface CffInfo {
  cidKeyed: boolean;
  nGlyphs: number;
  /** charset[gid] = CID (CID-keyed) or SID; charset[0] is .notdef (0). */
  charset: number[];
  /** Name-keyed fonts with a charset of their own or ISOAdobe's: glyph names by glyph id. */
  glyphNames?: string[];
  /**
   * Name-keyed fonts with the default FontMatrix: advance widths (1000 units per em) by glyph
   * id, undefined where the charstring does not say before calling a subroutine.
   */
  glyphWidths?: (number | undefined)[];
}

export function readCff(data: Uint8Array): CffInfo | null {
  try {
    return parse(data);
  } catch {
    return null;
  }
}

function parse(d: Uint8Array): CffInfo | null {
  const at = (i: number) => {
    if (i < 0 || i >= d.length) throw new RangeError('CFF out of bounds');
    return d[i]!;
  };
  const u16 = (i: number) => (at(i) << 8) | at(i + 1);
  const offset = (i: number, size: number) => {
    let v = 0;
    for (let k = 0; k < size; k++) v = v * 256 + at(i + k);
    return v;
  };
  /** Returns [items as [start,end) ranges, position after the INDEX]. */
  const index = (pos: number): [[number, number][], number] => {
    const count = u16(pos);
    if (count === 0) return [[], pos + 2];
    const offSize = at(pos + 2);
    if (offSize < 1 || offSize > 4 || count > 65535) throw new RangeError('bad INDEX');
    const base = pos + 3 + (count + 1) * offSize - 1;
    const items: [number, number][] = [];
    for (let i = 0; i < count; i++) items.push([base + offset(pos + 3 + i * offSize, offSize), base + offset(pos + 3 + (i + 1) * offSize, offSize)]);
    return [items, base + offset(pos + 3 + count * offSize, offSize)];
  };
  const hdrSize = at(2);
  const [, afterName] = index(hdrSize);
  const [topDicts, afterTop] = index(afterName);
  const top = topDicts[0];
  if (!top) return null;
  const dict = readDict(d, top[0], top[1]);
  const charStringsOff = dict.get(17)?.[0];
  if (charStringsOff === undefined) return null;
  const nGlyphs = u16(charStringsOff);
  const cidKeyed = dict.has(1230); // ROS
  const charsetOff = dict.get(15)?.[0] ?? 0;
  const charset = [0];
  if (charsetOff > 2) {
    const format = at(charsetOff);
    let p = charsetOff + 1;
    if (format === 0) {
      for (let g = 1; g < nGlyphs; g++, p += 2) charset.push(u16(p));
    } else if (format === 1 || format === 2) {
      while (charset.length < nGlyphs) {
        const first = u16(p);
        const left = format === 1 ? at(p + 2) : u16(p + 2);
        p += format === 1 ? 3 : 4;
        for (let k = 0; k <= left && charset.length < nGlyphs; k++) charset.push(first + k);
      }
    } else return null;
  } else {
    // Predefined charsets (ISOAdobe and friends) map glyph id to the same SID.
    for (let g = 1; g < nGlyphs; g++) charset.push(g);
  }
  const info: CffInfo = { cidKeyed, nGlyphs, charset };
  // The Expert charsets (1, 2) do not map glyph ids to string ids one to one: no names then.
  if (!cidKeyed && charsetOff !== 1 && charsetOff !== 2) {
    const [strings] = index(afterTop);
    const name = (sid: number): string => {
      if (sid < CFF_STANDARD_STRINGS.length) return CFF_STANDARD_STRINGS[sid]!;
      const item = strings[sid - CFF_STANDARD_STRINGS.length];
      if (!item) throw new RangeError('bad string id');
      return Buffer.from(d.subarray(item[0], item[1])).toString('latin1');
    };
    info.glyphNames = charset.map(name);
    // A FontMatrix other than the default would scale the widths; such fonts are not measured.
    if (!dict.has(1207)) {
      const priv = dict.get(18);
      const pd = priv && priv.length >= 2 ? readDict(d, priv[1]!, priv[1]! + priv[0]!) : new Map<number, number[]>();
      const defaultWidth = pd.get(20)?.[0] ?? 0;
      const nominalWidth = pd.get(21)?.[0] ?? 0;
      const [charStrings] = index(charStringsOff);
      info.glyphWidths = charStrings.map(([start, end]) => charStringWidth(d, start, end, defaultWidth, nominalWidth));
    }
  }
  return info;
}

/**
 * The advance width of a Type 2 charstring: an extra first operand before the first
 * stack-clearing operator (hstem…, moveto, endchar) is the width less nominalWidthX; without it
 * the width is defaultWidthX (Adobe TN 5177, 3.1).
 */
function charStringWidth(d: Uint8Array, start: number, end: number, defaultWidth: number, nominalWidth: number): number | undefined {
  let count = 0;
  let first = 0;
  let p = start;
  const push = (v: number) => {
    if (count === 0) first = v;
    count++;
  };
  while (p < end && p < d.length) {
    const b = d[p]!;
    if (b === 28) {
      push(((d[p + 1]! << 24) >> 16) | d[p + 2]!);
      p += 3;
    } else if (b >= 32 && b <= 246) {
      push(b - 139);
      p++;
    } else if (b >= 247 && b <= 250) {
      push((b - 247) * 256 + d[p + 1]! + 108);
      p += 2;
    } else if (b >= 251 && b <= 254) {
      push(-(b - 251) * 256 - d[p + 1]! - 108);
      p += 2;
    } else if (b === 255) {
      push(((d[p + 1]! << 24) | (d[p + 2]! << 16) | (d[p + 3]! << 8) | d[p + 4]!) / 65536);
      p += 5;
    } else {
      const withWidth = (has: boolean) => (has ? nominalWidth + first : defaultWidth);
      switch (b) {
        case 1: // hstem
        case 3: // vstem
        case 18: // hstemhm
        case 23: // vstemhm
        case 19: // hintmask
        case 20: // cntrmask
          return withWidth(count % 2 === 1);
        case 21: // rmoveto
          return withWidth(count > 2);
        case 4: // vmoveto
        case 22: // hmoveto
          return withWidth(count > 1);
        case 14: // endchar (4 operands: seac without width)
          return withWidth(count === 1 || count === 5);
        default:
          return undefined; // a subroutine or another operator first: not known here
      }
    }
  }
  return undefined;
}

/** DICT operators (12 x → 1200 + x) with their operands. */
function readDict(d: Uint8Array, start: number, end: number): Map<number, number[]> {
  const out = new Map<number, number[]>();
  let operands: number[] = [];
  let p = start;
  while (p < end && p < d.length) {
    const b = d[p]!;
    if (b <= 21) {
      let op = b;
      p++;
      if (b === 12) op = 1200 + (d[p++] ?? 0);
      out.set(op, operands);
      operands = [];
    } else if (b === 28) {
      operands.push(((d[p + 1]! << 24) >> 16) | d[p + 2]!);
      p += 3;
    } else if (b === 29) {
      operands.push((d[p + 1]! << 24) | (d[p + 2]! << 16) | (d[p + 3]! << 8) | d[p + 4]!);
      p += 5;
    } else if (b === 30) {
      p++;
      while (p < end) {
        const n = d[p++]!;
        if ((n & 0x0f) === 0x0f || (n >> 4) === 0x0f) break;
      }
      operands.push(0);
    } else if (b >= 32 && b <= 246) {
      operands.push(b - 139);
      p++;
    } else if (b >= 247 && b <= 250) {
      operands.push((b - 247) * 256 + d[p + 1]! + 108);
      p += 2;
    } else if (b >= 251 && b <= 254) {
      operands.push(-(b - 251) * 256 - d[p + 1]! - 108);
      p += 2;
    } else p++;
  }
  return out;
}
