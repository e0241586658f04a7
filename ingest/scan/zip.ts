// Minimal ZIP central-directory reader. Identification needs to look inside OOXML/ODF packages
// without unpacking them, and expansion needs the declared sizes and flags of every entry before
// writing anything, so both read the central directory directly (random access, no full read).
import { open, type FileHandle } from 'node:fs/promises';
import { constants as zlibConstants, createInflateRaw, inflateRawSync } from 'node:zlib';
import { Readable, Transform, type TransformCallback } from 'node:stream';

export interface ZipEntry {
  name: string;
  /** General purpose flags; bit 0 = encrypted, bit 3 = data descriptor, bit 11 = UTF-8 name. */
  flags: number;
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
  externalAttributes: number;
  /** Upper byte of "version made by": 3 = Unix (then externalAttributes carries the mode). */
  madeBy: number;
  isDirectory: boolean;
  isSymlink: boolean;
  encrypted: boolean;
}

export class ZipFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipFormatError';
  }
}

const EOCD = 0x06054b50;
const EOCD64_LOCATOR = 0x07064b50;
const EOCD64 = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** Where an archive's bytes are read from: the file, or all of a small one read at once. */
type Source = FileHandle | Buffer;

async function readAt(source: Source, position: number, length: number): Promise<Buffer> {
  if (Buffer.isBuffer(source)) return source.subarray(Math.min(position, source.length), Math.min(source.length, position + length));
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await source.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buf.subarray(0, done);
}

// CP437 is the legacy ZIP name encoding; only the ASCII half matters for the safety checks
// and for recognising package parts, so non-ASCII legacy names are decoded leniently.
function decodeName(raw: Buffer, utf8: boolean): string {
  if (utf8) return raw.toString('utf8');
  const text = raw.toString('utf8');
  return text.includes('\uFFFD') ? raw.toString('latin1') : text;
}

/** An entry head and stream can read: not encrypted, stored or deflated. */
function assertReadable(entry: ZipEntry): void {
  if (entry.encrypted) throw new ZipFormatError(`"${entry.name}" is encrypted`);
  if (entry.method !== 0 && entry.method !== 8) {
    throw new ZipFormatError(`"${entry.name}" uses unsupported compression method ${entry.method}`);
  }
}

export class ZipArchive {
  private constructor(
    private readonly file: FileHandle,
    private readonly source: Source,
    readonly size: number,
    readonly entries: ZipEntry[],
  ) {}

  /**
   * `readWholeUpTo`: an archive of at most this many bytes is read in one piece and looked at in
   * memory. A look at the heads of every part of a package (officeXmlWithDtd) was otherwise two
   * small reads per part through the thread pool: about 0.1 s for the 52 DOCX of a transfer,
   * all of it before LibreOffice may start.
   */
  static async open(path: string, options: { readWholeUpTo?: number } = {}): Promise<ZipArchive> {
    const fh = await open(path, 'r');
    try {
      const { size } = await fh.stat();
      const source: Source = options.readWholeUpTo !== undefined && size <= options.readWholeUpTo ? await readAt(fh, 0, size) : fh;
      const entries = await readCentralDirectory(source, size);
      return new ZipArchive(fh, source, size, entries);
    } catch (error) {
      await fh.close();
      throw error;
    }
  }

  find(name: string): ZipEntry | undefined {
    return this.entries.find((e) => e.name === name);
  }

  private async dataOffset(entry: ZipEntry): Promise<number> {
    const header = await readAt(this.source, entry.localHeaderOffset, 30);
    if (header.length < 30 || header.readUInt32LE(0) !== LOCAL) {
      throw new ZipFormatError(`local header of "${entry.name}" missing at offset ${entry.localHeaderOffset}`);
    }
    const start = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
    if (start + entry.compressedSize > this.size) {
      throw new ZipFormatError(`data of "${entry.name}" runs past the end of the archive`);
    }
    return start;
  }

  /** Whole content of a small entry (package parts such as [Content_Types].xml). */
  async readSmall(entry: ZipEntry, maxBytes = 4 * 1024 * 1024): Promise<Buffer> {
    if (entry.encrypted) throw new ZipFormatError(`"${entry.name}" is encrypted`);
    if (entry.uncompressedSize > maxBytes || entry.compressedSize > maxBytes) {
      throw new ZipFormatError(`"${entry.name}" is larger than ${maxBytes} bytes`);
    }
    const raw = await readAt(this.source, await this.dataOffset(entry), entry.compressedSize);
    if (entry.method === 0) return raw;
    if (entry.method === 8) return inflateRawSync(raw, { maxOutputLength: maxBytes });
    throw new ZipFormatError(`"${entry.name}" uses unsupported compression method ${entry.method}`);
  }

  /**
   * The start of an entry's content until `enough` says so, the entry ends or `limit` bytes came
   * out. The compressed data is read in growing pieces (1 KB, then 4× more) and each piece is
   * inflated up to where it ends, so a look at an XML prolog costs a kilobyte or two, not an
   * inflated chunk of the whole part; a deflate bomb gives at most 1032 × the piece read.
   */
  async head(entry: ZipEntry, enough: (head: Buffer) => boolean, limit = 64 * 1024): Promise<Buffer> {
    assertReadable(entry);
    const start = await this.dataOffset(entry);
    for (let piece = 1024; ; piece *= 4) {
      const take = Math.min(piece, entry.compressedSize, limit);
      const raw = await readAt(this.source, start, take);
      const out = entry.method === 0 ? raw : inflateRawSync(raw, { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: 1032 * take + 1024 });
      const head = out.subarray(0, limit);
      if (take === entry.compressedSize || take === limit || head.length >= limit || enough(head)) return head;
    }
  }

  /**
   * Streams an entry's content, failing as soon as more than `limit` bytes come out: declared
   * sizes are attacker-controlled, so the limit is enforced on the actual inflated output.
   */
  async stream(entry: ZipEntry, limit: number): Promise<Readable> {
    assertReadable(entry);
    const start = await this.dataOffset(entry);
    const archive = this.source;
    const end = start + entry.compressedSize;
    // An async generator gives back-pressure for free: the next chunk is read only when needed.
    const source = Readable.from(
      (async function* () {
        for (let pos = start; pos < end; ) {
          const buf = await readAt(archive, pos, Math.min(256 * 1024, end - pos));
          if (!buf.length) throw new ZipFormatError(`"${entry.name}" is truncated`);
          pos += buf.length;
          yield buf;
        }
      })(),
      { objectMode: false },
    );
    let produced = 0;
    const guard = new Transform({
      transform(data: Buffer, _enc, cb: TransformCallback) {
        produced += data.length;
        if (produced > limit) cb(new ZipFormatError(`"${entry.name}" expands beyond ${limit} bytes`));
        else cb(null, data);
      },
    });
    const decoded = entry.method === 8 ? source.pipe(createInflateRaw()) : source;
    decoded.on('error', (e) => guard.destroy(e));
    source.on('error', (e) => guard.destroy(e));
    return decoded.pipe(guard);
  }

  close(): Promise<void> {
    return this.file.close();
  }
}

async function readCentralDirectory(source: Source, size: number): Promise<ZipEntry[]> {
  const tailLength = Math.min(size, 22 + 0xffff + 20);
  const tail = await readAt(source, size - tailLength, tailLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipFormatError('end of central directory not found (truncated or not a ZIP)');
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  if ((count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) && eocd >= 20 && tail.readUInt32LE(eocd - 20) === EOCD64_LOCATOR) {
    const eocd64Offset = Number(tail.readBigUInt64LE(eocd - 20 + 8));
    const rec = await readAt(source, eocd64Offset, 56);
    if (rec.length < 56 || rec.readUInt32LE(0) !== EOCD64) throw new ZipFormatError('ZIP64 end record is damaged');
    count = Number(rec.readBigUInt64LE(32));
    cdSize = Number(rec.readBigUInt64LE(40));
    cdOffset = Number(rec.readBigUInt64LE(48));
  }
  if (cdOffset + cdSize > size) throw new ZipFormatError('central directory lies outside the file');
  // A hostile count could make us allocate a lot; each record needs at least 46 bytes.
  if (count * 46 > cdSize) throw new ZipFormatError('central directory entry count does not fit its size');
  const cd = await readAt(source, cdOffset, cdSize);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL) throw new ZipFormatError(`central directory record ${i} is damaged`);
    const madeBy = cd.readUInt16LE(p + 4) >> 8;
    const flags = cd.readUInt16LE(p + 8);
    const method = cd.readUInt16LE(p + 10);
    let compressedSize = cd.readUInt32LE(p + 20);
    let uncompressedSize = cd.readUInt32LE(p + 24);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    const externalAttributes = cd.readUInt32LE(p + 38);
    let localHeaderOffset = cd.readUInt32LE(p + 42);
    const name = decodeName(cd.subarray(p + 46, p + 46 + nameLen), (flags & 0x800) !== 0);
    const extra = cd.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen);
    // ZIP64 extended information: present fields follow in a fixed order.
    for (let e = 0; e + 4 <= extra.length; ) {
      const id = extra.readUInt16LE(e);
      const len = extra.readUInt16LE(e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        if (uncompressedSize === 0xffffffff && q + 8 <= e + 4 + len) { uncompressedSize = Number(extra.readBigUInt64LE(q)); q += 8; }
        if (compressedSize === 0xffffffff && q + 8 <= e + 4 + len) { compressedSize = Number(extra.readBigUInt64LE(q)); q += 8; }
        if (localHeaderOffset === 0xffffffff && q + 8 <= e + 4 + len) { localHeaderOffset = Number(extra.readBigUInt64LE(q)); }
      }
      e += 4 + len;
    }
    const unixMode = madeBy === 3 ? externalAttributes >>> 16 : 0;
    entries.push({
      name,
      flags,
      method,
      compressedSize,
      uncompressedSize,
      localHeaderOffset,
      externalAttributes,
      madeBy,
      isDirectory: name.endsWith('/') || (unixMode & 0o170000) === 0o040000,
      isSymlink: (unixMode & 0o170000) === 0o120000,
      encrypted: (flags & 1) !== 0,
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}
