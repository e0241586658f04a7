// Safe, streaming unpacking of a transfer tar (optionally gzip). Everything is decided from
// the tar headers before a byte is written, bytes are hashed as they are read (small entries
// written whole, larger ones streamed), and any refusal removes what was written so far: the
// archive never holds half a transfer.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream, writeFileSync } from 'node:fs';
import { mkdir, open, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { ValidationError } from '../../common/errors';
import { DEFAULT_UNPACK_LIMITS, type UnpackLimits, type UnpackedEntry } from './types';

export type UnsafeReason =
  | 'absolute_path'
  | 'parent_reference'
  | 'link'
  | 'special_file'
  | 'duplicate_name'
  | 'name_conflict'
  | 'control_character'
  | 'bad_name'
  | 'too_many_entries'
  | 'total_size'
  | 'compression_ratio'
  | 'entry_size'
  | 'damaged';

/** Thrown for every refusal: the entry's name (as found, escaped) and why. */
export function unsafeEntry(entry: string, reason: UnsafeReason, detail: Record<string, string | number> = {}): ValidationError {
  return new ValidationError('transfer.unsafe_entry', 'transfer.unsafe_entry', { entry, reason, ...detail }, { entry, reason, ...detail });
}

/** Makes a hostile name printable for messages: control characters become \uXXXX. */
export function printableName(name: string): string {
  return name.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const RATIO_CHECK_AFTER = 1024 * 1024;
/** Entries up to this size are written whole (see unpackTransfer). */
const SMALL_ENTRY_BYTES = 256 * 1024;
const RATIO_WINDOW = 64 * 1024 * 1024;
const MAX_PATH_BYTES = 1024;
const MAX_SEGMENT_BYTES = 255;

/** Key under which two names collide on a case-insensitive or normalising file system. */
export function collisionKey(name: string): string {
  return name.normalize('NFKC').toLocaleLowerCase('en-US').normalize('NFKC');
}

/**
 * Checks one entry name and returns it in NFC with any leading `./` removed, or throws.
 * Exported so the packer applies exactly the same rules to the folder it packs.
 */
export function safeEntryName(raw: string): string {
  const shown = printableName(raw);
  // C0, DEL and C1 controls; also bidi overrides that make a name display as another.
  if (/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(raw)) throw unsafeEntry(shown, 'control_character');
  if (raw.startsWith('/') || raw.startsWith('\\') || /^[A-Za-z]:/.test(raw)) throw unsafeEntry(shown, 'absolute_path');
  if (raw.includes('\\')) throw unsafeEntry(shown, 'bad_name', { detail: 'backslash' });
  let name = raw.normalize('NFC');
  while (name.startsWith('./')) name = name.slice(2);
  if (name.endsWith('/')) name = name.slice(0, -1);
  const segments = name.split('/');
  if (segments.some((s) => s === '..')) throw unsafeEntry(shown, 'parent_reference');
  if (name === '' || name === '.' || segments.some((s) => s === '' || s === '.')) throw unsafeEntry(shown, 'bad_name', { detail: 'empty segment' });
  if (Buffer.byteLength(name) > MAX_PATH_BYTES || segments.some((s) => Buffer.byteLength(s) > MAX_SEGMENT_BYTES)) {
    throw unsafeEntry(shown, 'bad_name', { detail: 'too long' });
  }
  return name;
}

/** Whether the file starts with the gzip magic bytes; shared with access/manifest.ts. */
export async function isGzip(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await handle.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

function counter(onBytes: (n: number) => void, hash?: Hash): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      try {
        onBytes(chunk.length);
        hash?.update(chunk);
        cb(null, chunk);
      } catch (error) {
        cb(error as Error);
      }
    },
  });
}

async function emptyDir(dir: string): Promise<void> {
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    await rm(path.join(dir, name), { recursive: true, force: true });
  }
}

export async function unpackTransfer(
  tarPath: string,
  destDir: string,
  limits: Partial<UnpackLimits> = {},
): Promise<{ entries: UnpackedEntry[] }> {
  const lim: UnpackLimits = { ...DEFAULT_UNPACK_LIMITS, ...limits };
  await mkdir(destDir, { recursive: true });
  if ((await readdir(destDir)).length > 0) {
    // Never mix a transfer into existing files, and never clean up files we did not write.
    throw new ValidationError('transfer.destination_not_empty', 'transfer.destination_not_empty', { dir: destDir });
  }
  const gzip = await isGzip(tarPath);
  let compressed = 0;
  let inflated = 0;
  let windowInflated = 0;
  let windowStart = 0;
  const source = createReadStream(tarPath);
  const extract = tar.extract();
  const fail = (error: Error) => extract.destroy(error);
  let chain: Readable = source.pipe(counter((n) => (compressed += n)));
  source.on('error', fail);
  chain.on('error', fail);
  if (gzip) {
    const gunzip = createGunzip();
    gunzip.on('error', (e) => fail(unsafeEntry('(gzip)', 'damaged', { detail: e.message })));
    chain = chain.pipe(gunzip).pipe(
      counter((n) => {
        inflated += n;
        windowInflated += n;
        // A tar bomb inflates a little input into a lot of output; stop while it is still small.
        if (inflated > RATIO_CHECK_AFTER && inflated / Math.max(compressed, 1) > lim.maxRatio) {
          throw unsafeEntry('(gzip)', 'compression_ratio', { ratio: Math.round(inflated / Math.max(compressed, 1)), max: lim.maxRatio });
        }
        // The same over a sliding window, so honest data first cannot hide a bomb after it.
        if (windowInflated >= RATIO_WINDOW) {
          const windowCompressed = Math.max(compressed - windowStart, 1);
          if (windowInflated / windowCompressed > lim.maxRatio) {
            throw unsafeEntry('(gzip)', 'compression_ratio', { ratio: Math.round(windowInflated / windowCompressed), max: lim.maxRatio });
          }
          windowInflated = 0;
          windowStart = compressed;
        }
      }),
    );
    chain.on('error', fail);
  }
  chain.pipe(extract as unknown as NodeJS.WritableStream);

  const entries: UnpackedEntry[] = [];
  const fileKeys = new Map<string, string>();
  const dirKeys = new Set<string>();
  // Folders already made in destDir (a transfer's files share a few).
  const made = new Set<string>([destDir]);
  let count = 0;
  let total = 0;
  let current: NodeJS.WritableStream & { destroy(): void } | null = null;
  try {
    for await (const entry of extract as unknown as AsyncIterable<Readable & { header: tar.Header }>) {
      const header = entry.header;
      // Listen at once: a truncated tar destroys the entry before a later pipeline could notice.
      const entryFailed = new Promise<never>((_, reject) => entry.once('error', reject));
      entryFailed.catch(() => undefined);
      const rawName = header.name;
      const shown = printableName(rawName);
      count += 1;
      if (count > lim.maxEntries) throw unsafeEntry(shown, 'too_many_entries', { max: lim.maxEntries });
      if (header.type === 'symlink' || header.type === 'link') throw unsafeEntry(shown, 'link', { type: header.type, target: printableName(header.linkname ?? '') });
      if (header.type !== 'file' && header.type !== 'directory' && header.type !== 'contiguous-file') {
        throw unsafeEntry(shown, 'special_file', { type: String(header.type) });
      }
      const name = safeEntryName(rawName);
      const key = collisionKey(name);
      const parents = name.split('/').slice(0, -1).map((_, i, all) => collisionKey(all.slice(0, i + 1).join('/')));
      if (header.type === 'directory') {
        if (fileKeys.has(key)) throw unsafeEntry(shown, 'name_conflict', { other: fileKeys.get(key)! });
        dirKeys.add(key);
        for (const p of parents) dirKeys.add(p);
        await mkdir(path.join(destDir, name), { recursive: true });
        made.add(path.join(destDir, name));
        entry.resume();
        continue;
      }
      if (fileKeys.has(key)) throw unsafeEntry(shown, 'duplicate_name', { other: fileKeys.get(key)! });
      if (dirKeys.has(key)) throw unsafeEntry(shown, 'name_conflict', { other: name });
      const parentFile = parents.find((p) => fileKeys.has(p));
      if (parentFile) throw unsafeEntry(shown, 'name_conflict', { other: fileKeys.get(parentFile)! });
      const size = header.size ?? 0;
      if (size > lim.maxEntryBytes) throw unsafeEntry(shown, 'entry_size', { size, max: lim.maxEntryBytes });
      if (total + size > lim.maxTotalBytes) throw unsafeEntry(shown, 'total_size', { size: total + size, max: lim.maxTotalBytes });
      fileKeys.set(key, name);
      for (const p of parents) dirKeys.add(p);
      const target = path.join(destDir, name);
      const folder = path.dirname(target);
      if (!made.has(folder)) {
        await mkdir(folder, { recursive: true });
        made.add(folder);
      }
      const hash = createHash('sha256');
      let written = 0;
      const counted = (n: number) => {
        written += n;
        if (written > size) throw unsafeEntry(shown, 'entry_size', { size: written, max: size });
      };
      // 'wx': never follow or overwrite something already there; mode 0644 whatever the header says.
      if (size <= SMALL_ENTRY_BYTES) {
        // A small entry is gathered and written in one call on this thread: for most files of a
        // transfer, a thread-pool round per open, write and close cost more than the write itself.
        const chunks: Buffer[] = [];
        await Promise.race([entryFailed, (async () => {
          for await (const chunk of entry as AsyncIterable<Buffer>) {
            counted(chunk.length);
            chunks.push(chunk);
          }
        })()]);
        const bytes = Buffer.concat(chunks, written);
        hash.update(bytes);
        writeFileSync(target, bytes, { flag: 'wx', mode: 0o644 });
      } else {
        const out = createWriteStream(target, { flags: 'wx', mode: 0o644 });
        // pipeline, not pipe: a truncated tar or a refusal must fail every stage, not hang one.
        current = out;
        await Promise.race([entryFailed, pipeline(entry, counter(counted, hash), out)]);
        current = null;
      }
      total += written;
      entries.push({ path: name, size: written, sha256: hash.digest('hex') });
    }
  } catch (error) {
    source.destroy();
    extract.destroy();
    current?.destroy();
    await emptyDir(destDir);
    if (error instanceof ValidationError) throw error;
    throw unsafeEntry('(tar)', 'damaged', { detail: (error as Error).message });
  }
  if (count === 0) {
    throw unsafeEntry('(tar)', 'damaged', { detail: 'no entries' });
  }
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { entries };
}
