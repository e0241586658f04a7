// Unpacking of ZIP and RAR documents found inside a transfer. Same rules as for the transfer tar:
// nothing may land outside destDir, no links, and no "bombs" (entry count, total size, per-entry
// size and compression ratio are bounded, and sizes are enforced on the bytes actually written).
// On any refusal everything already written is removed; the archive itself is never touched.
import { createWriteStream } from 'node:fs';
import { lstat, mkdir, open, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import path from 'node:path';
import { ValidationError } from '../../common/errors';
import { runProcess, ToolMissingError } from '../../common/process';
import { ZipArchive, ZipFormatError } from '../scan/zip';

export interface ContainerLimits { maxEntries: number; maxTotalBytes: number; maxEntryBytes: number; maxRatio: number }

export const DEFAULT_CONTAINER_LIMITS: ContainerLimits = {
  maxEntries: 10_000,
  maxTotalBytes: 8 * 1024 ** 3,
  maxEntryBytes: 4 * 1024 ** 3,
  maxRatio: 200,
};
// Small entries (a page of repeated characters) compress extremely well and are harmless.
const RATIO_FLOOR_BYTES = 1024 * 1024;

function reject(code: string, file: string, params: Record<string, string | number> = {}): never {
  throw new ValidationError(code, `convert.container_${code}`, { file, ...params }, { file, ...params });
}

/** Normalised relative entry path, or null when the name could escape destDir. */
export function safeEntryPath(name: string): string | null {
  const unified = name.replace(/\\/g, '/'); // archives made on Windows may use backslashes
  if (!unified || unified.includes('\0') || unified.startsWith('/') || /^[A-Za-z]:/.test(unified)) return null;
  const parts = unified.split('/').filter((p) => p !== '' && p !== '.');
  if (!parts.length || parts.some((p) => p === '..')) return null;
  return parts.join('/');
}

async function exists(p: string): Promise<boolean> {
  return lstat(p).then(() => true, () => false);
}

class Undo {
  private readonly created: string[] = [];
  add(p: string): void { this.created.push(p); }
  async run(): Promise<void> {
    for (const p of this.created.reverse()) {
      await rm(p, { force: true }).catch(() => undefined);
      await rmdir(p).catch(() => undefined);
    }
  }
}

async function mkdirs(root: string, rel: string, undo: Undo): Promise<void> {
  let cur = root;
  for (const part of rel.split('/').filter(Boolean)) {
    cur = path.join(cur, part);
    if (!(await exists(cur))) {
      await mkdir(cur);
      undo.add(cur);
    } else if (!(await lstat(cur)).isDirectory()) {
      throw new Error(`${cur} exists and is not a folder`);
    }
  }
}

async function expandZip(file: string, destDir: string, limits: ContainerLimits): Promise<{ path: string; name: string }[]> {
  const label = path.basename(file);
  let zip: ZipArchive;
  try {
    zip = await ZipArchive.open(file);
  } catch (error) {
    reject('damaged', label, { detail: (error as Error).message });
  }
  const undo = new Undo();
  try {
    const entries = zip.entries;
    if (entries.length > limits.maxEntries) reject('too_many_entries', label, { count: entries.length, max: limits.maxEntries });
    if (entries.some((e) => e.encrypted)) reject('encrypted', label);
    // Check every entry before writing any, so a refusal leaves nothing behind.
    let declared = 0;
    const seen = new Set<string>();
    for (const e of entries) {
      const rel = safeEntryPath(e.name);
      if (!rel) reject('unsafe_path', label, { entry: e.name });
      if (e.isSymlink) reject('link', label, { entry: e.name });
      const key = rel.toLowerCase();
      if (!e.isDirectory && seen.has(key)) reject('damaged', label, { detail: `entry "${e.name}" appears twice` });
      seen.add(key);
      if (e.uncompressedSize > limits.maxEntryBytes) reject('bomb', label, { detail: `"${e.name}" declares ${e.uncompressedSize} bytes, limit ${limits.maxEntryBytes}` });
      if (e.uncompressedSize > RATIO_FLOOR_BYTES && e.uncompressedSize / Math.max(1, e.compressedSize) > limits.maxRatio) {
        reject('bomb', label, { detail: `"${e.name}" expands ${Math.round(e.uncompressedSize / Math.max(1, e.compressedSize))}:1, limit ${limits.maxRatio}:1` });
      }
      declared += e.uncompressedSize;
      if (declared > limits.maxTotalBytes) reject('bomb', label, { detail: `more than ${limits.maxTotalBytes} bytes in total` });
    }
    await mkdir(destDir, { recursive: true });
    const out: { path: string; name: string }[] = [];
    let written = 0;
    for (const e of entries) {
      const rel = safeEntryPath(e.name)!;
      const target = path.join(destDir, rel);
      if (e.isDirectory) {
        await mkdirs(destDir, rel, undo);
        continue;
      }
      await mkdirs(destDir, path.dirname(rel) === '.' ? '' : path.dirname(rel), undo);
      // Declared sizes can lie: the stream stops at the declared size (and the limits).
      const limit = Math.min(e.uncompressedSize, limits.maxEntryBytes, limits.maxTotalBytes - written);
      const handle = await open(target, 'wx'); // never overwrite what is already there
      undo.add(target);
      let bytes = 0;
      try {
        const source = await zip.stream(e, limit);
        source.on('data', (c: Buffer) => { bytes += c.length; });
        await pipeline(source, createWriteStream('', { fd: handle.fd, autoClose: false }));
      } finally {
        await handle.close();
      }
      if (bytes !== e.uncompressedSize) reject('damaged', label, { detail: `"${e.name}" holds ${bytes} bytes, ${e.uncompressedSize} declared` });
      written += bytes;
      out.push({ path: target, name: rel });
    }
    return out;
  } catch (error) {
    await undo.run();
    if (error instanceof ValidationError) throw error;
    if (error instanceof ZipFormatError) {
      if (/expands beyond/.test(error.message)) reject('bomb', label, { detail: error.message });
      reject('damaged', label, { detail: error.message });
    }
    reject('damaged', label, { detail: error instanceof Error ? error.message : String(error) });
  } finally {
    await zip.close();
  }
}

/** bsdtar -tv line: mode links owner group size month day time|year name */
const LISTING = /^(\S)\S*\s+\d+\s+\S+\s+\S+\s+(\d+)\s+\S+\s+\d+\s+\S+\s(.*)$/;

async function walk(dir: string, base = ''): Promise<{ rel: string; size: number; link: boolean }[]> {
  const out: { rel: string; size: number; link: boolean }[] = [];
  for (const d of await readdir(dir, { withFileTypes: true })) {
    const rel = base ? `${base}/${d.name}` : d.name;
    const full = path.join(dir, d.name);
    if (d.isSymbolicLink()) out.push({ rel, size: 0, link: true });
    else if (d.isDirectory()) out.push(...(await walk(full, rel)));
    else out.push({ rel, size: (await lstat(full)).size, link: !d.isFile() });
  }
  return out;
}

async function expandRar(file: string, destDir: string, limits: ContainerLimits): Promise<{ path: string; name: string }[]> {
  const label = path.basename(file);
  const run = async (args: string[], cwd?: string) => {
    try {
      return await runProcess('bsdtar', args, { timeoutMs: 30 * 60_000, cwd, maxOutputBytes: 64 * 1024 * 1024 });
    } catch (error) {
      if (error instanceof ToolMissingError) reject('rar_unsupported', label);
      throw error;
    }
  };
  const encryptedMessage = /encrypt|password/i;
  const list = await run(['-tvf', file]);
  if (list.code !== 0) {
    if (encryptedMessage.test(list.stderr)) reject('encrypted', label);
    reject('damaged', label, { detail: list.stderr.trim().split('\n')[0] ?? `bsdtar exit code ${list.code}` });
  }
  const lines = list.stdout.toString('utf8').split('\n').filter(Boolean);
  if (lines.length > limits.maxEntries) reject('too_many_entries', label, { count: lines.length, max: limits.maxEntries });
  let total = 0;
  for (const line of lines) {
    const m = LISTING.exec(line);
    if (!m) reject('damaged', label, { detail: `unreadable listing line "${line.slice(0, 200)}"` });
    const [, type, size, name] = m;
    if (type === 'l' || type === 'h' || / (->|link to) /.test(name!)) reject('link', label, { entry: name! });
    if (!safeEntryPath(name!)) reject('unsafe_path', label, { entry: name! });
    if (Number(size) > limits.maxEntryBytes) reject('bomb', label, { detail: `"${name}" declares ${size} bytes, limit ${limits.maxEntryBytes}` });
    total += Number(size);
    if (total > limits.maxTotalBytes) reject('bomb', label, { detail: `more than ${limits.maxTotalBytes} bytes in total` });
  }
  // Extract into a fresh folder first: bsdtar refuses ".." and absolute paths by default, and the
  // result is verified (links, sizes) before anything is moved into place.
  await mkdir(destDir, { recursive: true });
  const stage = path.join(destDir, `.muragat-unrar-${process.pid}-${Date.now()}`);
  await mkdir(stage);
  try {
    const x = await run(['-xf', file, '--no-same-owner', '--no-same-permissions', '-C', stage]);
    if (x.code !== 0) {
      if (encryptedMessage.test(x.stderr)) reject('encrypted', label);
      reject('damaged', label, { detail: x.stderr.trim().split('\n')[0] ?? `bsdtar exit code ${x.code}` });
    }
    const files = await walk(stage);
    const link = files.find((f) => f.link);
    if (link) reject('link', label, { entry: link.rel });
    if (files.reduce((s, f) => s + f.size, 0) > limits.maxTotalBytes) reject('bomb', label, { detail: `more than ${limits.maxTotalBytes} bytes in total` });
    const out: { path: string; name: string }[] = [];
    const undo = new Undo();
    try {
      for (const f of files) {
        const target = path.join(destDir, f.rel);
        await mkdirs(destDir, path.dirname(f.rel) === '.' ? '' : path.dirname(f.rel), undo);
        if (await exists(target)) reject('damaged', label, { detail: `"${f.rel}" already exists in the destination` });
        await rename(path.join(stage, f.rel), target);
        undo.add(target);
        out.push({ path: target, name: f.rel });
      }
    } catch (error) {
      await undo.run();
      throw error;
    }
    return out;
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

/** Unpacks a ZIP or RAR into destDir; ValidationError (code encrypted, unsafe_path, link, bomb, …) on refusal. */
export async function expandContainer(file: string, destDir: string, limits: Partial<ContainerLimits> = {}): Promise<{ entries: { path: string; name: string }[] }> {
  const all = { ...DEFAULT_CONTAINER_LIMITS, ...limits };
  const fh = await open(file, 'r');
  const head = Buffer.alloc(8);
  try {
    await fh.read(head, 0, 8, 0);
  } finally {
    await fh.close();
  }
  if (head.readUInt32LE(0) === 0x04034b50 || head.readUInt32LE(0) === 0x06054b50) return { entries: await expandZip(file, destDir, all) };
  if (head.subarray(0, 6).toString('latin1') === 'Rar!\x1a\x07') return { entries: await expandRar(file, destDir, all) };
  reject('not_archive', path.basename(file));
}
