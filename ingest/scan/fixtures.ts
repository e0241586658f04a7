// Test-input builders shared by the scan and convert tests: every sample is generated at test
// time so no binary fixture of unknown origin lives in the repository.
import { zipSync, strToU8 } from 'fflate';

/** Minimal Compound File (v3, 512-byte sectors) holding the given streams (each ≥ 4096 bytes). */
export function buildCfb(streams: { name: string; data: Uint8Array }[]): Buffer {
  const S = 512;
  const padded = streams.map((s) => {
    const data = s.data.length >= 4096 ? Buffer.from(s.data) : Buffer.concat([Buffer.from(s.data), Buffer.alloc(4096 - s.data.length)]);
    return { name: s.name, data, sectors: Math.ceil(data.length / S) };
  });
  const dirEntries = 1 + padded.length;
  const dirSectors = Math.ceil((dirEntries * 128) / S);
  const dataSectors = padded.reduce((n, s) => n + s.sectors, 0);
  // One FAT sector maps 128 sectors; enough for test-sized files.
  const fatSectors = 1;
  if (fatSectors + dirSectors + dataSectors > 128) throw new Error('buildCfb: streams too large for one FAT sector');
  const fat = new Uint32Array(128).fill(0xffffffff);
  fat[0] = 0xfffffffd; // FAT sector itself
  let next = 1;
  const chain = (count: number): number => {
    const start = next;
    for (let i = 0; i < count; i++) fat[next + i] = i === count - 1 ? 0xfffffffe : next + i + 1;
    next += count;
    return start;
  };
  const dirStart = chain(dirSectors);
  const starts = padded.map((s) => chain(s.sectors));

  const header = Buffer.alloc(S);
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(header, 0);
  header.writeUInt16LE(0x3e, 24);
  header.writeUInt16LE(3, 26);
  header.writeUInt16LE(0xfffe, 28);
  header.writeUInt16LE(9, 30);
  header.writeUInt16LE(6, 32);
  header.writeUInt32LE(fatSectors, 44);
  header.writeUInt32LE(dirStart, 48);
  header.writeUInt32LE(4096, 56);
  header.writeUInt32LE(0xfffffffe, 60);
  header.writeUInt32LE(0xfffffffe, 68);
  for (let i = 0; i < 109; i++) header.writeUInt32LE(i === 0 ? 0 : 0xffffffff, 76 + i * 4);

  const dir = Buffer.alloc(dirSectors * S);
  const writeEntry = (i: number, name: string, type: number, start: number, size: number, child = 0xffffffff, right = 0xffffffff) => {
    const p = i * 128;
    dir.write(name, p, 'utf16le');
    dir.writeUInt16LE((name.length + 1) * 2, p + 64);
    dir[p + 66] = type;
    dir[p + 67] = 1;
    dir.writeUInt32LE(0xffffffff, p + 68);
    dir.writeUInt32LE(right, p + 72);
    dir.writeUInt32LE(child, p + 76);
    dir.writeUInt32LE(start, p + 116);
    dir.writeUInt32LE(size, p + 120);
  };
  writeEntry(0, 'Root Entry', 5, 0xfffffffe, 0, padded.length ? 1 : 0xffffffff);
  padded.forEach((s, i) => writeEntry(i + 1, s.name, 2, starts[i]!, s.data.length, 0xffffffff, i + 2 <= padded.length ? i + 2 : 0xffffffff));

  const fatBuf = Buffer.alloc(S);
  fat.forEach((v, i) => fatBuf.writeUInt32LE(v, i * 4));
  const body = padded.map((s) => Buffer.concat([s.data, Buffer.alloc(s.sectors * S - s.data.length)]));
  return Buffer.concat([header, fatBuf, dir, ...body]);
}

/** A Word 97 binary skeleton (FIB magic, optional fEncrypted flag). */
export function buildDoc(encrypted = false): Buffer {
  const word = Buffer.alloc(4096);
  word.writeUInt16LE(0xa5ec, 0);
  word.writeUInt16LE(0x00c1, 2);
  word.writeUInt16LE(encrypted ? 0x0100 : 0, 0x0a);
  return buildCfb([{ name: 'WordDocument', data: word }, { name: '1Table', data: Buffer.alloc(4096) }]);
}

export function buildXls(encrypted = false): Buffer {
  const wb = Buffer.alloc(4096);
  let p = 0;
  wb.writeUInt16LE(0x0809, p); wb.writeUInt16LE(16, p + 2); p += 4 + 16; // BOF
  if (encrypted) { wb.writeUInt16LE(0x002f, p); wb.writeUInt16LE(2, p + 2); p += 6; } // FILEPASS
  wb.writeUInt16LE(0x000a, p); // EOF
  return buildCfb([{ name: 'Workbook', data: wb }]);
}

/** OOXML package as written by Office: [Content_Types].xml decides the kind. */
export function buildOoxml(kind: 'docx' | 'xlsx' | 'pptx', text = 'Сәлем әлем'): Uint8Array {
  const main = {
    docx: ['word/document.xml', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml'],
    xlsx: ['xl/workbook.xml', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml'],
    pptx: ['ppt/presentation.xml', 'application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml'],
  }[kind];
  const types = `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/${main[0]}" ContentType="${main[1]}"/></Types>`;
  return zipSync({
    '[Content_Types].xml': strToU8(types),
    '_rels/.rels': strToU8(`<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="${main[0]}"/></Relationships>`),
    [main[0]!]: strToU8(`<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>${text}</w:t></w:r></w:p></w:body></w:document>`),
  });
}

/** ODF package: a stored `mimetype` first, then the manifest (optionally declaring encryption). */
export function buildOdt(encrypted = false): Uint8Array {
  const manifest = `<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">${encrypted ? '<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="AAAA"><manifest:algorithm manifest:algorithm-name="Blowfish CFB" manifest:initialisation-vector="AAAA"/></manifest:encryption-data>' : ''}</manifest:file-entry></manifest:manifest>`;
  return zipSync({
    mimetype: [strToU8('application/vnd.oasis.opendocument.text'), { level: 0 }],
    'META-INF/manifest.xml': strToU8(manifest),
    'content.xml': strToU8('<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>'),
  });
}

/** Sets the "encrypted" general-purpose flag on every entry (local and central headers). */
export function markZipEncrypted(zip: Uint8Array): Buffer {
  const buf = Buffer.from(zip);
  for (let i = 0; i + 4 <= buf.length; i++) {
    const sig = buf.readUInt32LE(i);
    if (sig === 0x04034b50) buf.writeUInt16LE(buf.readUInt16LE(i + 6) | 1, i + 6);
    else if (sig === 0x02014b50) buf.writeUInt16LE(buf.readUInt16LE(i + 8) | 1, i + 8);
  }
  return buf;
}

/** The EICAR anti-virus test string (harmless by design; every engine detects it). */
export const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';

function crc32(data: Uint8Array): number {
  let c = ~0;
  for (const b of data) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

/** RAR 4 archive with stored (uncompressed) files — enough for bsdtar to list and extract. */
export function buildRar4(files: { name: string; data: Uint8Array }[]): Buffer {
  const block = (type: number, flags: number, body: Buffer) => {
    const rest = Buffer.alloc(5 + body.length);
    rest[0] = type;
    rest.writeUInt16LE(flags, 1);
    rest.writeUInt16LE(7 + body.length, 3);
    body.copy(rest, 5);
    const crc = Buffer.alloc(2);
    crc.writeUInt16LE(crc32(rest) & 0xffff, 0);
    return Buffer.concat([crc, rest]);
  };
  const parts = [Buffer.from('Rar!\x1a\x07\x00', 'latin1'), block(0x73, 0, Buffer.alloc(6))];
  for (const f of files) {
    const name = Buffer.from(f.name, 'utf8');
    const h = Buffer.alloc(25 + name.length);
    h.writeUInt32LE(f.data.length, 0); // packed size
    h.writeUInt32LE(f.data.length, 4); // unpacked size
    h[8] = 3; // host OS: Unix
    h.writeUInt32LE(crc32(f.data), 9);
    h.writeUInt32LE(0x5a3c0000, 13); // DOS time, 2025
    h[17] = 20; // version needed
    h[18] = 0x30; // method: store
    h.writeUInt16LE(name.length, 19);
    h.writeUInt32LE(0o100644 << 0, 21);
    name.copy(h, 25);
    parts.push(block(0x74, 0x8000, h), Buffer.from(f.data));
  }
  parts.push(block(0x7b, 0x4000, Buffer.alloc(0)));
  return Buffer.concat(parts);
}
