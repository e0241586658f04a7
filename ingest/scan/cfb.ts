// Minimal OLE2 Compound File Binary reader: just enough to list stream names (which tell DOC,
// XLS, PPT and encrypted OOXML apart) and to read the start of a stream (for the Word/Excel
// encryption flags). Whole-file reads are avoided; only header, FAT and the sectors needed.
import { open, type FileHandle } from 'node:fs/promises';

export interface CfbEntry { name: string; type: number; start: number; size: number }

const ENDOFCHAIN = 0xfffffffe;
const FREESECT = 0xffffffff;

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

export class CfbFile {
  private constructor(
    private readonly fh: FileHandle,
    private readonly sectorSize: number,
    private readonly fat: Uint32Array,
    readonly entries: CfbEntry[],
    private readonly miniCutoff: number,
  ) {}

  static async open(path: string): Promise<CfbFile> {
    const fh = await open(path, 'r');
    try {
      const header = await readAt(fh, 0, 512);
      if (header.length < 512) throw new Error('compound file header is truncated');
      const shift = header.readUInt16LE(30);
      if (shift !== 9 && shift !== 12) throw new Error(`compound file has an invalid sector shift ${shift}`);
      const sectorSize = 1 << shift;
      const { size } = await fh.stat();
      const maxSectors = Math.ceil(size / sectorSize);
      const fatSectorCount = header.readUInt32LE(44);
      const firstDir = header.readUInt32LE(48);
      const miniCutoff = header.readUInt32LE(56);
      let difatSector = header.readUInt32LE(68);
      if (fatSectorCount > maxSectors) throw new Error('compound file declares more FAT sectors than it has');
      const fatSectors: number[] = [];
      for (let i = 0; i < 109 && fatSectors.length < fatSectorCount; i++) fatSectors.push(header.readUInt32LE(76 + i * 4));
      // DIFAT chain for large files; bounded by the sector count so a loop cannot spin forever.
      for (let guard = 0; fatSectors.length < fatSectorCount && difatSector < ENDOFCHAIN && guard < maxSectors; guard++) {
        const d = await readAt(fh, (difatSector + 1) * sectorSize, sectorSize);
        const per = sectorSize / 4 - 1;
        for (let i = 0; i < per && fatSectors.length < fatSectorCount; i++) fatSectors.push(d.readUInt32LE(i * 4));
        difatSector = d.readUInt32LE(per * 4);
      }
      const fat = new Uint32Array((fatSectors.length * sectorSize) / 4);
      for (let i = 0; i < fatSectors.length; i++) {
        const s = await readAt(fh, (fatSectors[i]! + 1) * sectorSize, sectorSize);
        for (let j = 0; j + 4 <= s.length; j += 4) fat[(i * sectorSize) / 4 + j / 4] = s.readUInt32LE(j);
      }
      const cfb = new CfbFile(fh, sectorSize, fat, [], miniCutoff);
      const dir = await cfb.readChain(firstDir, 4 * 1024 * 1024);
      for (let p = 0; p + 128 <= dir.length; p += 128) {
        const nameLen = dir.readUInt16LE(p + 64);
        const type = dir[p + 66]!;
        if (type === 0 || nameLen < 2 || nameLen > 64) continue;
        cfb.entries.push({
          name: dir.subarray(p, p + nameLen - 2).toString('utf16le'),
          type,
          start: dir.readUInt32LE(p + 116),
          size: dir.readUInt32LE(p + 120),
        });
      }
      return cfb;
    } catch (error) {
      await fh.close();
      throw error;
    }
  }

  has(name: string): boolean {
    return this.entries.some((e) => e.type === 2 && e.name.toLowerCase() === name.toLowerCase());
  }

  /** Reads up to maxBytes of a FAT chain (streams below the mini cutoff are not supported). */
  async readChain(start: number, maxBytes: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let total = 0;
    const seen = new Set<number>();
    for (let s = start; s !== ENDOFCHAIN && s !== FREESECT && total < maxBytes; s = this.fat[s] ?? ENDOFCHAIN) {
      if (seen.has(s)) throw new Error('compound file has a looping sector chain');
      seen.add(s);
      const buf = await readAt(this.fh, (s + 1) * this.sectorSize, this.sectorSize);
      if (!buf.length) break;
      parts.push(buf);
      total += buf.length;
    }
    return Buffer.concat(parts).subarray(0, maxBytes);
  }

  /** First bytes of a named stream, or null when absent or stored in the mini stream. */
  async readStreamStart(name: string, maxBytes: number): Promise<Buffer | null> {
    const entry = this.entries.find((e) => e.type === 2 && e.name.toLowerCase() === name.toLowerCase());
    if (!entry || entry.size < this.miniCutoff) return null;
    return (await this.readChain(entry.start, Math.min(maxBytes, entry.size)));
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}
