// Builds small PDF files byte by byte for the rule tests: a minimal conforming PDF/A-1b
// document whose parts can be replaced one at a time to break exactly one rule.

const enc = (s: string) => Buffer.from(s, 'latin1');

/** A stream object body with a correct Length. */
export function stream(dict: string, data: string | Uint8Array, options: { length?: number; eol?: string } = {}): Buffer {
  const bytes = typeof data === 'string' ? enc(data) : Buffer.from(data);
  const eol = options.eol ?? '\n';
  return Buffer.concat([enc(`<< ${dict} /Length ${options.length ?? bytes.length} >>\nstream${eol}`), bytes, enc('\nendstream')]);
}

export interface RawPdf {
  header?: string;
  objects: (string | Buffer)[];
  trailer: string;
  afterEof?: string;
  /** Object numbers to list as free in the xref table. */
  free?: number[];
}

export function buildPdf(spec: RawPdf): Buffer {
  const parts: Buffer[] = [enc(spec.header ?? '%PDF-1.4\n%\xE2\xE3\xCF\xD3\n')];
  let offset = parts[0]!.length;
  const offsets: number[] = [];
  spec.objects.forEach((body, i) => {
    offsets.push(offset);
    const chunk = Buffer.concat([enc(`${i + 1} 0 obj\n`), typeof body === 'string' ? enc(body) : body, enc('\nendobj\n')]);
    parts.push(chunk);
    offset += chunk.length;
  });
  const xrefAt = offset;
  let xref = `xref\n0 ${spec.objects.length + 1}\n0000000000 65535 f \n`;
  offsets.forEach((o, i) => {
    const free = spec.free?.includes(i + 1);
    xref += `${String(free ? 0 : o).padStart(10, '0')} ${free ? '00001 f' : '00000 n'} \n`;
  });
  parts.push(enc(`${xref}trailer\n<< /Size ${spec.objects.length + 1} ${spec.trailer} >>\nstartxref\n${xrefAt}\n%%EOF\n${spec.afterEof ?? ''}`));
  return Buffer.concat(parts);
}

/** An ICC profile header (v2.1) that the checks read: class and colour space. */
export function iccProfile(deviceClass = 'mntr', colorSpace = 'RGB ', major = 2): Buffer {
  const b = Buffer.alloc(132);
  b.writeUInt32BE(132, 0);
  b.write('none', 4, 'latin1');
  b[8] = major;
  b[9] = 0x10;
  b.write(deviceClass, 12, 'latin1');
  b.write(colorSpace, 16, 'latin1');
  b.write('XYZ ', 20, 'latin1');
  b.write('acsp', 36, 'latin1');
  return b;
}

export const PDFAID = '<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" pdfaid:part="1" pdfaid:conformance="B"/>';
export const DC_TITLE =
  '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title><rdf:Alt><rdf:li xml:lang="x-default">Test</rdf:li></rdf:Alt></dc:title></rdf:Description>';

export function xmp(descriptions = PDFAID + DC_TITLE, header = '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>'): string {
  return (
    `${header}\n<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` +
    `${descriptions}</rdf:RDF></x:xmpmeta>\n<?xpacket end="w"?>`
  );
}

export interface PdfaOptions {
  content?: string;
  resources?: string;
  pageExtra?: string;
  catalogExtra?: string;
  /** Replaces the XMP packet (UTF-8). */
  xmp?: string;
  /** Replaces the XMP packet with raw bytes (other encodings). */
  xmpBytes?: Buffer;
  metadataDict?: string;
  info?: string;
  outputIntent?: string | null;
  icc?: Buffer;
  /** Objects appended as 9, 10, … */
  extra?: (string | Buffer)[];
  trailer?: string;
  header?: string;
  afterEof?: string;
  free?: number[];
}

/**
 * A minimal conforming PDF/A-1b file: catalog 1, pages 2, page 3, content 4, metadata 5,
 * output intent 6, ICC profile 7, info 8; extra objects from 9.
 */
export function pdfa(o: PdfaOptions = {}): Buffer {
  const objects: (string | Buffer)[] = [
    `<< /Type /Catalog /Pages 2 0 R /Metadata 5 0 R${o.outputIntent === null ? '' : ' /OutputIntents [6 0 R]'} ${o.catalogExtra ?? ''} >>`,
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Resources << ${o.resources ?? ''} >> ${o.pageExtra ?? ''} >>`,
    stream('', o.content ?? '0 0 1 rg 10 10 50 50 re f'),
    stream(o.metadataDict ?? '/Type /Metadata /Subtype /XML', o.xmpBytes ?? Buffer.from(o.xmp ?? xmp(), 'utf8')),
    o.outputIntent ?? '<< /Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier (sRGB) /DestOutputProfile 7 0 R >>',
    stream('/N 3', o.icc ?? iccProfile()),
    o.info ?? '<< /Title (Test) >>',
    ...(o.extra ?? []),
  ];
  return buildPdf({
    header: o.header,
    objects,
    trailer: o.trailer ?? '/Root 1 0 R /Info 8 0 R /ID [<0123456789ABCDEF0123456789ABCDEF> <0123456789ABCDEF0123456789ABCDEF>]',
    afterEof: o.afterEof,
    free: o.free,
  });
}

/**
 * A TrueType program of `numGlyphs` glyphs, each with (dummy) outline data and an advance width
 * of one em: the tables the font checks read (head, maxp, hhea, hmtx, loca, glyf).
 */
export function trueTypeProgram(numGlyphs: number, unitsPerEm = 1000): Buffer {
  const glyphBytes = 12;
  const head = Buffer.alloc(54);
  head.writeUInt32BE(0x00010000, 0);
  head.writeUInt32BE(0x5f0f3cf5, 12);
  head.writeUInt16BE(unitsPerEm, 18);
  head.writeInt16BE(0, 50); // short loca offsets
  const maxp = Buffer.alloc(6);
  maxp.writeUInt32BE(0x00005000, 0);
  maxp.writeUInt16BE(numGlyphs, 4);
  const hhea = Buffer.alloc(36);
  hhea.writeUInt32BE(0x00010000, 0);
  hhea.writeUInt16BE(numGlyphs, 34);
  const hmtx = Buffer.alloc(numGlyphs * 4);
  for (let g = 0; g < numGlyphs; g++) hmtx.writeUInt16BE(unitsPerEm, g * 4);
  const loca = Buffer.alloc((numGlyphs + 1) * 2);
  for (let g = 0; g <= numGlyphs; g++) loca.writeUInt16BE((g * glyphBytes) / 2, g * 2);
  const glyf = Buffer.alloc(numGlyphs * glyphBytes);
  const tables: [string, Buffer][] = [
    ['glyf', glyf],
    ['head', head],
    ['hhea', hhea],
    ['hmtx', hmtx],
    ['loca', loca],
    ['maxp', maxp],
  ];
  const dir = Buffer.alloc(12 + tables.length * 16);
  dir.writeUInt32BE(0x00010000, 0);
  dir.writeUInt16BE(tables.length, 4);
  let offset = dir.length;
  const bodies: Buffer[] = [];
  tables.forEach(([tag, data], i) => {
    dir.write(tag, 12 + i * 16, 'latin1');
    dir.writeUInt32BE(offset, 12 + i * 16 + 8);
    dir.writeUInt32BE(data.length, 12 + i * 16 + 12);
    const padded = Buffer.concat([data, Buffer.alloc((4 - (data.length % 4)) % 4)]);
    bodies.push(padded);
    offset += padded.length;
  });
  return Buffer.concat([dir, ...bodies]);
}

/** A CFF INDEX with 4-byte offsets (the same size whatever the contents). */
function cffIndex(items: Buffer[]): Buffer {
  if (items.length === 0) return Buffer.from([0, 0]);
  const head = Buffer.alloc(3 + (items.length + 1) * 4);
  head.writeUInt16BE(items.length, 0);
  head[2] = 4;
  let off = 1;
  items.forEach((it, i) => {
    head.writeUInt32BE(off, 3 + i * 4);
    off += it.length;
  });
  head.writeUInt32BE(off, 3 + items.length * 4);
  return Buffer.concat([head, ...items]);
}

/** A CFF DICT integer operand in its fixed five-byte form, so offsets can be filled in later. */
function cffInt5(v: number): Buffer {
  const b = Buffer.alloc(5);
  b[0] = 29;
  b.writeInt32BE(v, 1);
  return b;
}

/**
 * A CID-keyed CFF (FontFile3 /CIDFontType0C) whose charset holds `cids` (glyph 0, .notdef, is
 * CID 0 and is added), with empty charstrings: enough for the CIDSet checks.
 */
export function cidKeyedCff(cids: number[]): Buffer {
  const header = Buffer.from([1, 0, 4, 4]);
  const names = cffIndex([Buffer.from('Test', 'latin1')]);
  const strings = cffIndex([Buffer.from('Adobe', 'latin1'), Buffer.from('Identity', 'latin1')]);
  const globalSubrs = cffIndex([]);
  const nGlyphs = cids.length + 1;
  const charStrings = cffIndex(Array.from({ length: nGlyphs }, () => Buffer.from([14]))); // endchar
  const charset = Buffer.alloc(1 + cids.length * 2);
  cids.forEach((c, i) => charset.writeUInt16BE(c, 1 + i * 2));
  // Top DICT: ROS (SIDs 391, 392, supplement 0), charset, CharStrings; fixed-size operands.
  const topFor = (charsetOff: number, charStringsOff: number) =>
    Buffer.concat([cffInt5(391), cffInt5(392), cffInt5(0), Buffer.from([12, 30]), cffInt5(charsetOff), Buffer.from([15]), cffInt5(charStringsOff), Buffer.from([17])]);
  const topLength = cffIndex([topFor(0, 0)]).length;
  const charsetOff = header.length + names.length + topLength + strings.length + globalSubrs.length;
  const charStringsOff = charsetOff + charset.length;
  const top = cffIndex([topFor(charsetOff, charStringsOff)]);
  return Buffer.concat([header, names, top, strings, globalSubrs, charset, charStrings]);
}

/**
 * A name-keyed CFF (FontFile3 /Type1C) defining .notdef and `glyphs` (standard names or its
 * own strings), with empty charstrings: enough for the CharSet checks.
 */
export function nameKeyedCff(glyphs: string[]): Buffer {
  const standard = ['space', 'A', 'B', 'C']; // SIDs 1, 34, 35, 36
  const sidOf = (name: string, own: string[]) => {
    const std = [1, 34, 35, 36][standard.indexOf(name)];
    if (std !== undefined) return std;
    if (!own.includes(name)) own.push(name);
    return 391 + own.indexOf(name);
  };
  const own: string[] = [];
  const sids = glyphs.map((g) => sidOf(g, own));
  const header = Buffer.from([1, 0, 4, 4]);
  const names = cffIndex([Buffer.from('Test', 'latin1')]);
  const strings = cffIndex(own.map((n) => Buffer.from(n, 'latin1')));
  const globalSubrs = cffIndex([]);
  const charStrings = cffIndex(Array.from({ length: glyphs.length + 1 }, () => Buffer.from([14]))); // endchar
  const charset = Buffer.alloc(1 + sids.length * 2);
  sids.forEach((sid, i) => charset.writeUInt16BE(sid, 1 + i * 2));
  const topFor = (charsetOff: number, charStringsOff: number) => Buffer.concat([cffInt5(charsetOff), Buffer.from([15]), cffInt5(charStringsOff), Buffer.from([17])]);
  const topLength = cffIndex([topFor(0, 0)]).length;
  const charsetOff = header.length + names.length + topLength + strings.length + globalSubrs.length;
  const top = cffIndex([topFor(charsetOff, charsetOff + charset.length)]);
  return Buffer.concat([header, names, top, strings, globalSubrs, charset, charStrings]);
}

/** CIDSet bytes with the given CIDs set (bit 0x80 of byte 0 is CID 0). */
export function cidSetBits(cids: number[]): Buffer {
  const b = Buffer.alloc(Math.max(1, Math.ceil((Math.max(0, ...cids) + 1) / 8)));
  for (const c of cids) b[c >> 3]! |= 0x80 >> (c & 7);
  return b;
}
