// Where an export's files go: a tar written as it is produced (tar-stream; to a file published
// only when complete, or to a stream such as an HTTP response), or a folder. Each payload file
// is hashed on the way through (SHA-256 and SHA-512) for the bag manifests and the checks.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { ConflictError } from '../../common/errors';

export interface WrittenFile {
  path: string;
  size: number;
  sha256: string;
  sha512: string;
}

export interface PackageSink {
  /** Streams `size` bytes into `name`; resolves with the digests of what was written. */
  addStream(name: string, size: number, source: Readable): Promise<WrittenFile>;
  addBytes(name: string, bytes: Uint8Array): Promise<WrittenFile>;
  /** Completes the package (publishes the tar or folder). */
  finish(): Promise<void>;
  /** Removes what was written: a failed export leaves nothing that looks like a package. */
  abort(): Promise<void>;
}

function hasher(): { transform: Transform; digests(): { sha256: string; sha512: string; size: number } } {
  const h256 = createHash('sha256');
  const h512 = createHash('sha512');
  let size = 0;
  const transform = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      h256.update(chunk);
      h512.update(chunk);
      size += chunk.length;
      cb(null, chunk);
    },
  });
  return { transform, digests: () => ({ sha256: h256.digest('hex'), sha512: h512.digest('hex'), size }) };
}

function digestsOf(bytes: Uint8Array): { sha256: string; sha512: string } {
  return { sha256: createHash('sha256').update(bytes).digest('hex'), sha512: createHash('sha512').update(bytes).digest('hex') };
}

/** Refuses an output that exists: an export never overwrites anything. */
async function assertAbsent(target: string): Promise<void> {
  if (await stat(target).catch(() => null)) throw new ConflictError('exchange.output_exists', 'exchange.output_exists', { path: target });
}

/**
 * A tar. With `out` a file path, bytes go to `<out>.partial-<pid>` and are renamed into place by
 * finish(); with a Writable (an HTTP response), they are streamed as produced.
 */
export async function tarSink(out: string | Writable, options: { mtime: Date }): Promise<PackageSink> {
  const pack = tar.pack();
  let tmp: string | null = null;
  let target: Writable;
  if (typeof out === 'string') {
    await assertAbsent(out);
    await mkdir(path.dirname(path.resolve(out)), { recursive: true });
    tmp = `${out}.partial-${process.pid}`;
    target = createWriteStream(tmp, { flags: 'wx' });
  } else {
    target = out;
  }
  const writing = pipeline(pack, target);
  writing.catch(() => {}); // observed in finish/abort
  const mtime = new Date(Math.floor(options.mtime.getTime() / 1000) * 1000);
  const header = (name: string, size: number) => ({ name, size, mode: 0o644, uid: 0, gid: 0, uname: '', gname: '', mtime, type: 'file' as const });
  // tar-stream takes one entry at a time.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => {});
    return run;
  };
  return {
    addStream(name, size, source) {
      return serial(async () => {
        const h = hasher();
        const entry = pack.entry(header(name, size));
        await pipeline(source, h.transform, entry as unknown as Writable);
        const d = h.digests();
        return { path: name, ...d };
      });
    },
    addBytes(name, bytes) {
      return serial(
        () =>
          new Promise<WrittenFile>((resolve, reject) => {
            pack.entry(header(name, bytes.length), Buffer.from(bytes), (err) => (err ? reject(err) : resolve({ path: name, size: bytes.length, ...digestsOf(bytes) })));
          }),
      );
    },
    async finish() {
      await queue;
      pack.finalize();
      await writing;
      if (tmp && typeof out === 'string') await rename(tmp, out);
    },
    async abort() {
      pack.destroy();
      await writing.catch(() => {});
      if (tmp) await rm(tmp, { force: true });
    },
  };
}

/** A folder, written under `<out>.partial-<pid>` and renamed into place when complete. */
export async function folderSink(out: string): Promise<PackageSink> {
  await assertAbsent(out);
  const tmp = `${path.resolve(out)}.partial-${process.pid}`;
  await mkdir(tmp, { recursive: true });
  const resolveInside = (name: string) => {
    const target = path.resolve(tmp, name);
    if (!target.startsWith(tmp + path.sep)) throw new Error(`unsafe package path ${name}`);
    return target;
  };
  return {
    async addStream(name, _size, source) {
      const target = resolveInside(name);
      await mkdir(path.dirname(target), { recursive: true });
      const h = hasher();
      await pipeline(source, h.transform, createWriteStream(target, { flags: 'wx' }));
      return { path: name, ...h.digests() };
    },
    async addBytes(name, bytes) {
      const target = resolveInside(name);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, bytes, { flag: 'wx' });
      return { path: name, size: bytes.length, ...digestsOf(bytes) };
    },
    async finish() {
      await rename(tmp, path.resolve(out));
    },
    async abort() {
      await rm(tmp, { recursive: true, force: true });
    },
  };
}

/** A readable of bytes (for generated files streamed through the same path). */
export function bytesStream(bytes: Uint8Array): Readable {
  const s = new PassThrough();
  s.end(Buffer.from(bytes));
  return s;
}
