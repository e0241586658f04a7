// Format identification by content. The extension supplied by a transferring organisation is
// only compared, never trusted: a renamed executable or a .doc that is really a DOCX must be
// caught here, because conversion and preservation decisions follow from this answer.
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { runProcess } from '../../common/process';
import { CfbFile } from './cfb';
import { ZipArchive } from './zip';

export interface FormatId {
  mime: string;
  /** 'DOCX', 'PDF', 'PDF/A-1b', 'JPEG', … 'unknown' */
  name: string;
  /** Format version (PDF header version, GIF87a/89a, RAR4/5) or text encoding for plain text. */
  version?: string;
  family: 'office' | 'pdf' | 'image' | 'text' | 'container' | 'signature' | 'unknown';
  extensionMatches: boolean;
  encrypted: boolean;
  /** Problem codes (translations: convert.format_<code>). */
  problems: string[];
}

type Partial = Omit<FormatId, 'extensionMatches' | 'encrypted' | 'problems'> & { encrypted?: boolean; problems?: string[] };

const MIME = {
  DOC: 'application/msword',
  DOCX: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  XLS: 'application/vnd.ms-excel',
  XLSX: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  PPT: 'application/vnd.ms-powerpoint',
  PPTX: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  ODT: 'application/vnd.oasis.opendocument.text',
  ODS: 'application/vnd.oasis.opendocument.spreadsheet',
  ODP: 'application/vnd.oasis.opendocument.presentation',
  RTF: 'application/rtf',
  PDF: 'application/pdf',
  JPEG: 'image/jpeg',
  PNG: 'image/png',
  TIFF: 'image/tiff',
  GIF: 'image/gif',
  ZIP: 'application/zip',
  RAR: 'application/vnd.rar',
  TXT: 'text/plain',
  XML: 'application/xml',
  CMS: 'application/pkcs7-signature',
} as const;

/** Extensions accepted for each identified format name. */
const EXTENSIONS: Record<string, string[]> = {
  DOC: ['doc', 'dot'],
  DOCX: ['docx', 'docm', 'dotx'],
  XLS: ['xls', 'xlt'],
  XLSX: ['xlsx', 'xlsm', 'xltx'],
  PPT: ['ppt', 'pps', 'pot'],
  PPTX: ['pptx', 'ppsx', 'pptm'],
  ODT: ['odt', 'ott'],
  ODS: ['ods', 'ots'],
  ODP: ['odp', 'otp'],
  RTF: ['rtf'],
  PDF: ['pdf'],
  JPEG: ['jpg', 'jpeg', 'jpe', 'jfif'],
  PNG: ['png'],
  TIFF: ['tif', 'tiff'],
  GIF: ['gif'],
  ZIP: ['zip'],
  RAR: ['rar'],
  TXT: ['txt', 'text', 'csv', 'log', 'md'],
  XML: ['xml'],
  CMS: ['p7s', 'p7m', 'p7b', 'sig', 'cms', 'sgn'],
};

function extensionOf(name: string): string {
  const base = path.basename(name);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

function matchesExtension(formatName: string, fileName: string): boolean {
  const key = formatName.startsWith('PDF') ? 'PDF' : formatName;
  const allowed = EXTENSIONS[key];
  return !!allowed && allowed.includes(extensionOf(fileName));
}

/** The last `length` bytes of a file (all of it when shorter). */
async function readTail(file: string, size: number, length: number): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const start = Math.max(0, size - length);
    const buf = Buffer.alloc(size - start);
    const { bytesRead } = await fh.read(buf, 0, buf.length, start);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/**
 * A PDF whose `%PDF-` header line is lost (bug1606566.pdf of the PDF.js suite starts with the
 * binary comment line, then `1 0 obj`). Readers (PDF.js, qpdf, Ghostscript) still open such a
 * file from its cross-reference data, so it is a damaged PDF, not text: after an optional BOM,
 * whitespace and `%` comment lines it starts with an indirect object, and it ends with the
 * `startxref` / `%%EOF` of a PDF trailer. Both ends must agree, so text that merely mentions
 * "1 0 obj" is not taken for a PDF.
 */
async function isHeaderlessPdf(file: string, head: Buffer, size: number): Promise<boolean> {
  const start = head.subarray(0, 1024).toString('latin1').replace(/^(?:\xef\xbb\xbf|\xfe\xff|\xff\xfe)/, '');
  if (!/^(?:\s*%[^\r\n]*[\r\n]+)*\s*\d+\s+\d+\s+obj\b/.test(start)) return false;
  const tail = (await readTail(file, size, 1024)).toString('latin1');
  return /startxref\s+\d+\s+%%EOF/.test(tail);
}

async function readHead(file: string, length: number): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/**
 * Calls `visit` with latin1 text of the whole file in overlapping chunks, so markers split by a
 * chunk boundary are still seen; stops early when `visit` returns true.
 */
async function scanText(file: string, visit: (text: string) => boolean): Promise<void> {
  const fh = await open(file, 'r');
  try {
    // Chunks of 4 MB, but no larger than the file: a zero-filled 4 MB buffer for each small PDF
    // of a transfer was most of this step's time, in allocation and the collections it caused.
    const size = Math.max(1, Math.min(4 * 1024 * 1024, (await fh.stat()).size));
    const overlap = 4096;
    const buf = Buffer.allocUnsafe(size);
    let carry = '';
    for (let pos = 0; ; ) {
      const { bytesRead } = await fh.read(buf, 0, size, pos);
      if (!bytesRead) break;
      const text = carry + buf.toString('latin1', 0, bytesRead);
      if (visit(text)) return;
      carry = text.slice(-overlap);
      pos += bytesRead;
    }
  } finally {
    await fh.close();
  }
}

async function identifyPdf(file: string, head: Buffer): Promise<Partial> {
  const headText = head.toString('latin1');
  const version = /%PDF-(\d\.\d)/.exec(headText)?.[1];
  let encrypted = false;
  let part: string | undefined;
  let conformance: string | undefined;
  let hasEof = false;
  await scanText(file, (text) => {
    // /Encrypt in a trailer or cross-reference stream dictionary: a reference or inline dict.
    if (/\/Encrypt\s*(\d+\s+\d+\s+R|<<)/.test(text)) encrypted = true;
    // XMP may use element or attribute form; PDF/A forbids filtering the metadata stream, so a
    // genuine claim is always visible as plain text.
    part ??= /pdfaid:part\s*(?:=\s*["']|>)\s*(\d)/.exec(text)?.[1];
    conformance ??= /pdfaid:conformance\s*(?:=\s*["']|>)\s*([ABUabu])/.exec(text)?.[1]?.toLowerCase();
    if (text.includes('%%EOF')) hasEof = true;
    return false;
  });
  const problems: string[] = [];
  if (!hasEof) problems.push('pdf_truncated');
  if (!version) problems.push('pdf_header_damaged');
  const name = part ? `PDF/A-${part}${conformance ?? ''}` : 'PDF';
  return { mime: MIME.PDF, name, version, family: 'pdf', encrypted, problems };
}

async function identifyZip(file: string): Promise<Partial> {
  let zip: ZipArchive;
  try {
    zip = await ZipArchive.open(file);
  } catch (error) {
    return { mime: MIME.ZIP, name: 'ZIP', family: 'container', problems: ['zip_damaged'] };
  }
  try {
    const anyEncrypted = zip.entries.some((e) => e.encrypted);
    const mimetype = zip.find('mimetype');
    if (mimetype && !mimetype.encrypted) {
      const declared = (await zip.readSmall(mimetype, 1024)).toString('ascii').trim();
      const odf: Record<string, 'ODT' | 'ODS' | 'ODP'> = {
        [MIME.ODT]: 'ODT',
        [MIME.ODS]: 'ODS',
        [MIME.ODP]: 'ODP',
      };
      const name = odf[declared];
      if (name) {
        // ODF encrypts parts individually and records it in the manifest, not in ZIP flags.
        let encrypted = anyEncrypted;
        const manifest = zip.find('META-INF/manifest.xml');
        if (manifest) encrypted ||= (await zip.readSmall(manifest)).toString('utf8').includes('encryption-data');
        return { mime: MIME[name], name, family: 'office', encrypted };
      }
    }
    const types = zip.find('[Content_Types].xml');
    if (types && !types.encrypted) {
      const xml = (await zip.readSmall(types)).toString('utf8');
      const ooxml: [RegExp, 'DOCX' | 'XLSX' | 'PPTX'][] = [
        [/wordprocessingml\.(document|template)\.main|ms-word\.(document|template)\.macroEnabled/i, 'DOCX'],
        [/spreadsheetml\.(sheet|template)\.main|ms-excel\.(sheet|template)\.macroEnabled/i, 'XLSX'],
        [/presentationml\.(presentation|slideshow|template)\.main|ms-powerpoint\.(presentation|slideshow)\.macroEnabled/i, 'PPTX'],
      ];
      for (const [re, name] of ooxml) if (re.test(xml)) return { mime: MIME[name], name, family: 'office', encrypted: anyEncrypted };
    }
    return { mime: MIME.ZIP, name: 'ZIP', family: 'container', encrypted: anyEncrypted };
  } catch {
    return { mime: MIME.ZIP, name: 'ZIP', family: 'container', problems: ['zip_damaged'] };
  } finally {
    await zip.close();
  }
}

async function identifyCfb(file: string, fileName: string): Promise<Partial> {
  let cfb: CfbFile;
  try {
    cfb = await CfbFile.open(file);
  } catch {
    return { mime: 'application/x-ole-storage', name: 'unknown', family: 'unknown', problems: ['ole_damaged'] };
  }
  try {
    // Password-protected OOXML is an OLE2 wrapper around an encrypted package (MS-OFFCRYPTO).
    if (cfb.has('EncryptedPackage') || cfb.has('EncryptionInfo')) {
      // The package type is hidden inside the encryption; the extension is the only hint left.
      const name = extensionGuess(fileName);
      return { mime: MIME[name], name, family: 'office', encrypted: true };
    }
    if (cfb.has('WordDocument')) {
      const fib = await cfb.readStreamStart('WordDocument', 32);
      // FIB base: flags at 0x0A, bit 8 = fEncrypted.
      const encrypted = !!fib && fib.length >= 12 && (fib.readUInt16LE(0x0a) & 0x0100) !== 0;
      return { mime: MIME.DOC, name: 'DOC', family: 'office', encrypted };
    }
    if (cfb.has('Workbook') || cfb.has('Book')) {
      const stream = (await cfb.readStreamStart('Workbook', 8192)) ?? (await cfb.readStreamStart('Book', 8192));
      let encrypted = false;
      // FILEPASS (0x002F) follows BOF in the workbook globals when the file is encrypted.
      if (stream) {
        for (let p = 0, n = 0; p + 4 <= stream.length && n < 64; n++) {
          const type = stream.readUInt16LE(p);
          const len = stream.readUInt16LE(p + 2);
          if (type === 0x002f) { encrypted = true; break; }
          if (type === 0x000a) break; // EOF of globals
          p += 4 + len;
        }
      }
      return { mime: MIME.XLS, name: 'XLS', family: 'office', encrypted };
    }
    if (cfb.has('PowerPoint Document')) {
      return { mime: MIME.PPT, name: 'PPT', family: 'office', encrypted: cfb.has('EncryptedSummary') };
    }
    return { mime: 'application/x-ole-storage', name: 'unknown', family: 'unknown', problems: ['ole_unrecognised'] };
  } finally {
    await cfb.close();
  }
}

const SIGNED_DATA_OID = Buffer.from([0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02]);

/** Decides whether a sample is text: UTF-8 first, then Windows-1251 (common in KZ offices). */
export function detectTextEncoding(sample: Buffer, complete: boolean): 'UTF-8' | 'windows-1251' | null {
  if (!sample.length) return null;
  let controls = 0;
  for (const b of sample) {
    if (b === 0) return null;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1b) controls++;
  }
  if (controls > sample.length / 1000 + 2) return null;
  let body = sample;
  if (!complete) {
    // Do not let a multi-byte sequence cut by the sample end spoil UTF-8 validity.
    let cut = body.length;
    for (let i = 1; i <= 3 && cut - i >= 0; i++) {
      const b = body[cut - i]!;
      if ((b & 0xc0) === 0xc0) { cut -= i; break; }
      if ((b & 0x80) === 0) break;
    }
    body = body.subarray(0, cut);
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(body);
    return 'UTF-8';
  } catch {
    // fall through to the single-byte heuristic
  }
  let high = 0;
  let letters = 0;
  for (const b of sample) {
    if (b >= 0x80) {
      high++;
      if (b >= 0xc0 || b === 0xa8 || b === 0xb8 || [0xaa, 0xba, 0xaf, 0xbf, 0xb2, 0xb3, 0xa5, 0xb4, 0xb9, 0xa0, 0xab, 0xbb, 0x96, 0x97, 0x93, 0x94, 0xb9].includes(b)) letters++;
      if (b === 0x98) return null; // unassigned in Windows-1251
    }
  }
  return high > 0 && letters / high >= 0.8 ? 'windows-1251' : null;
}

async function fileMime(file: string): Promise<string | null> {
  try {
    // `file` is only an aid for naming what we could not identify; absence is not an error.
    const r = await runProcess('file', ['--brief', '--mime-type', '--', file], { timeoutMs: 15_000 });
    return r.code === 0 ? r.stdout.toString('utf8').trim() || null : null;
  } catch {
    return null;
  }
}

async function identifyByContent(file: string, fileName: string, size: number): Promise<Partial> {
  const head = await readHead(file, 64 * 1024);
  const startsWith = (...bytes: number[]) => bytes.every((b, i) => head[i] === b);
  const ascii = head.subarray(0, 1024).toString('latin1');

  // Readers accept the header anywhere in the first 1024 bytes (PDF Reference 1.7, 3.4.1,
  // implementation note 13), after a BOM or other leading bytes a mail or web gateway left.
  if (ascii.includes('%PDF-') || (await isHeaderlessPdf(file, head, size))) return identifyPdf(file, head);
  if (startsWith(0x50, 0x4b, 0x03, 0x04) || startsWith(0x50, 0x4b, 0x05, 0x06) || startsWith(0x50, 0x4b, 0x07, 0x08)) return identifyZip(file);
  if (startsWith(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1)) return identifyCfb(file, fileName);
  if (ascii.startsWith('{\\rtf')) return { mime: MIME.RTF, name: 'RTF', family: 'office' };
  if (startsWith(0xff, 0xd8, 0xff)) return { mime: MIME.JPEG, name: 'JPEG', family: 'image' };
  if (startsWith(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return { mime: MIME.PNG, name: 'PNG', family: 'image' };
  if (startsWith(0x49, 0x49, 0x2a, 0x00) || startsWith(0x4d, 0x4d, 0x00, 0x2a)) return { mime: MIME.TIFF, name: 'TIFF', family: 'image' };
  if (ascii.startsWith('GIF87a') || ascii.startsWith('GIF89a')) return { mime: MIME.GIF, name: 'GIF', version: ascii.slice(3, 6), family: 'image' };
  if (ascii.startsWith('Rar!\x1a\x07\x01\x00')) return { mime: MIME.RAR, name: 'RAR', version: '5', family: 'container' };
  if (ascii.startsWith('Rar!\x1a\x07\x00')) return { mime: MIME.RAR, name: 'RAR', version: '4', family: 'container' };
  if (/^-----BEGIN (PKCS7|CMS)-----/.test(ascii) || (head[0] === 0x30 && head.subarray(0, 32).includes(SIGNED_DATA_OID))) {
    return { mime: MIME.CMS, name: 'CMS', family: 'signature' };
  }
  const encoding = detectTextEncoding(head, size <= head.length);
  if (encoding) {
    const text = head.subarray(0, 512).toString(encoding === 'UTF-8' ? 'utf8' : 'latin1').replace(/^\uFEFF/, '').trimStart();
    if (text.startsWith('<?xml')) return { mime: MIME.XML, name: 'XML', version: encoding, family: 'text' };
    return { mime: MIME.TXT, name: 'TXT', version: encoding, family: 'text' };
  }
  const mime = await fileMime(file);
  return { mime: mime ?? 'application/octet-stream', name: 'unknown', family: 'unknown', problems: ['unrecognised_format'] };
}

/** Identifies a file's format from its bytes; `originalName` (else the path) is only compared. */
export async function identifyFormat(file: string, originalName?: string): Promise<FormatId> {
  const name = originalName ?? file;
  const { size } = await stat(file);
  if (size === 0) {
    return { mime: 'application/x-empty', name: 'unknown', family: 'unknown', extensionMatches: false, encrypted: false, problems: ['empty_file'] };
  }
  const found = await identifyByContent(file, name, size);
  const encrypted = found.encrypted ?? false;
  const problems = [...(found.problems ?? [])];
  if (encrypted) problems.push('encrypted');
  return {
    mime: found.mime,
    name: found.name,
    ...(found.version ? { version: found.version } : {}),
    family: found.family,
    extensionMatches: found.name !== 'unknown' && matchesExtension(found.name, name),
    encrypted,
    problems,
  };
}

function extensionGuess(fileName: string): 'DOCX' | 'XLSX' | 'PPTX' {
  const ext = extensionOf(fileName);
  for (const key of ['DOCX', 'XLSX', 'PPTX'] as const) if (EXTENSIONS[key]!.includes(ext)) return key;
  return 'DOCX';
}
