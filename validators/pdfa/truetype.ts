// Minimal, bounds-checked TrueType reader for the font checks of 6.3: glyph count, advance
// widths, cmap subtables and which glyphs have outlines. Any damage yields null, never a throw.

export interface TrueTypeInfo {
  unitsPerEm: number;
  numGlyphs: number;
  advance(gid: number): number;
  /** (platform, encoding) → code → glyph id. */
  cmaps: { platform: number; encoding: number; map: Map<number, number> }[];
  /** Whether glyph `gid` has outline data (from loca), or null when unknown. */
  hasOutline(gid: number): boolean | null;
}

export function readTrueType(data: Uint8Array): TrueTypeInfo | null {
  try {
    return parse(data);
  } catch {
    return null;
  }
}

function parse(data: Uint8Array): TrueTypeInfo | null {
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const u16 = (o: number) => v.getUint16(o);
  const u32 = (o: number) => v.getUint32(o);
  if (data.length < 12) return null;
  const numTables = u16(4);
  if (numTables > 200) return null;
  const tables = new Map<string, { off: number; len: number }>();
  for (let i = 0; i < numTables; i++) {
    const rec = 12 + i * 16;
    if (rec + 16 > data.length) return null;
    const tag = String.fromCharCode(data[rec]!, data[rec + 1]!, data[rec + 2]!, data[rec + 3]!);
    const off = u32(rec + 8);
    const len = u32(rec + 12);
    if (off + len > data.length + 3) continue;
    tables.set(tag, { off, len: Math.min(len, data.length - off) });
  }
  const head = tables.get('head');
  const maxp = tables.get('maxp');
  const hhea = tables.get('hhea');
  const hmtx = tables.get('hmtx');
  if (!head || !maxp) return null;
  const unitsPerEm = u16(head.off + 18) || 1000;
  const locFormat = v.getInt16(head.off + 50);
  const numGlyphs = u16(maxp.off + 4);
  const numH = hhea ? u16(hhea.off + 34) : 0;
  const advance = (gid: number): number => {
    if (!hmtx || numH === 0) return 0;
    const i = Math.min(gid, numH - 1);
    const o = hmtx.off + i * 4;
    return o + 2 <= data.length ? u16(o) : 0;
  };
  const cmaps: TrueTypeInfo['cmaps'] = [];
  const cmap = tables.get('cmap');
  if (cmap) {
    const n = Math.min(u16(cmap.off + 2), 64);
    for (let i = 0; i < n; i++) {
      const rec = cmap.off + 4 + i * 8;
      const platform = u16(rec);
      const encoding = u16(rec + 2);
      const sub = cmap.off + u32(rec + 4);
      cmaps.push({ platform, encoding, map: readCmapSubtable(v, sub) });
    }
  }
  const loca = tables.get('loca');
  const hasOutline = (gid: number): boolean | null => {
    if (!loca || gid >= numGlyphs) return null;
    const a = locFormat === 0 ? u16(loca.off + gid * 2) * 2 : u32(loca.off + gid * 4);
    const b = locFormat === 0 ? u16(loca.off + gid * 2 + 2) * 2 : u32(loca.off + gid * 4 + 4);
    return b > a;
  };
  return { unitsPerEm, numGlyphs, advance, cmaps, hasOutline };
}

function readCmapSubtable(v: DataView, off: number): Map<number, number> {
  const map = new Map<number, number>();
  const format = v.getUint16(off);
  if (format === 0) {
    for (let c = 0; c < 256; c++) map.set(c, v.getUint8(off + 6 + c));
  } else if (format === 4) {
    const segX2 = v.getUint16(off + 6);
    const ends = off + 14;
    const starts = ends + segX2 + 2;
    const deltas = starts + segX2;
    const ranges = deltas + segX2;
    for (let s = 0; s < segX2 / 2 && s < 8192; s++) {
      const end = v.getUint16(ends + s * 2);
      const start = v.getUint16(starts + s * 2);
      const delta = v.getInt16(deltas + s * 2);
      const ro = v.getUint16(ranges + s * 2);
      if (end - start > 65535) continue;
      for (let c = start; c <= end && c !== 0xffff; c++) {
        let g: number;
        if (ro === 0) g = (c + delta) & 0xffff;
        else {
          const gi = ranges + s * 2 + ro + (c - start) * 2;
          g = gi + 2 <= v.byteLength ? v.getUint16(gi) : 0;
          if (g !== 0) g = (g + delta) & 0xffff;
        }
        if (g !== 0) map.set(c, g);
      }
    }
  } else if (format === 6) {
    const first = v.getUint16(off + 6);
    const count = v.getUint16(off + 8);
    for (let i = 0; i < count; i++) map.set(first + i, v.getUint16(off + 10 + i * 2));
  }
  return map;
}
