// Filesystem backend. Layout: <root>/objects/ab/cd/<sha256> (two fan-out levels keep
// directories small at millions of objects); writes go to <root>/tmp/, are fsynced, and are
// published with link(2), which fails if the name exists — so an object is never
// overwritten, concurrent puts of the same bytes store it once, and a crash before the link
// leaves only a temp file that no reader ever sees.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { appendFile, link, mkdir, open, readdir, rename, stat, unlink, readFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { ConflictError, NotFoundError, SystemError, ValidationError } from '../common/errors';
import { RECORD_NAME, SHA256_HEX, type DestructionAuthorisation, type ObjectStore, type ObjectVerification, type StoredObject } from './object-store';

const STALE_TEMP_MS = 24 * 60 * 60 * 1000;

export class FsObjectStore implements ObjectStore {
  readonly location: string;
  private readonly objectsDir: string;
  private readonly tmpDir: string;
  private ready: Promise<void> | undefined;

  constructor(readonly root: string) {
    this.location = `file:${root}`;
    this.objectsDir = path.join(root, 'objects');
    this.tmpDir = path.join(root, 'tmp');
  }

  /** Path of an object's file; the hex digest is the file name. */
  objectPath(sha256: string): string {
    assertDigest(sha256);
    return path.join(this.objectsDir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  private init(): Promise<void> {
    this.ready ??= (async () => {
      await mkdir(this.objectsDir, { recursive: true });
      await mkdir(this.tmpDir, { recursive: true });
      await this.removeStaleTemps();
    })();
    return this.ready;
  }

  /** Temp files of writers that crashed long ago are garbage; recent ones may be in flight. */
  private async removeStaleTemps(): Promise<void> {
    const now = Date.now();
    for (const name of await readdir(this.tmpDir)) {
      const file = path.join(this.tmpDir, name);
      try {
        const s = await stat(file);
        if (now - s.mtimeMs > STALE_TEMP_MS) await unlink(file);
      } catch {
        // raced with another process cleaning up: fine
      }
    }
  }

  async put(data: Readable | Uint8Array, options: { expectedSha256?: string } = {}): Promise<StoredObject> {
    await this.init();
    if (options.expectedSha256 !== undefined) assertDigest(options.expectedSha256);
    const temp = path.join(this.tmpDir, `${process.pid}-${randomBytes(8).toString('hex')}.part`);
    const hash = createHash('sha256');
    let size = 0;
    try {
      // One handle from creation to fsync: write, flush to disk, make read-only, close.
      const handle = await open(temp, 'wx', 0o600);
      try {
        if (data instanceof Uint8Array) {
          hash.update(data);
          size = data.byteLength;
          await writeAll(handle, data);
        } else {
          for await (const chunk of data) {
            const buf: Uint8Array = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array);
            hash.update(buf);
            size += buf.byteLength;
            await writeAll(handle, buf);
          }
        }
        await handle.sync();
        await handle.chmod(0o444);
      } finally {
        await handle.close();
      }
      const sha256 = hash.digest('hex');
      if (options.expectedSha256 && options.expectedSha256 !== sha256) {
        throw new ValidationError('storage.digest_mismatch', 'errors.storage_digest_mismatch', {
          expected: options.expectedSha256,
          actual: sha256,
        });
      }
      const final = this.objectPath(sha256);
      await mkdir(path.dirname(final), { recursive: true });
      let created = true;
      try {
        await link(temp, final);
        await fsyncDir(path.dirname(final));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        created = false;
      }
      return { sha256, size, created };
    } catch (error) {
      // A full disk is the operator's to fix, not a defect: say so in words, naming the location
      // (the caller retries; the temp file goes below, so nothing partial stays behind).
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EDQUOT') throw new SystemError('storage.no_space', 'errors.storage_no_space', { location: this.location });
      throw error;
    } finally {
      await unlink(temp).catch(() => {});
    }
  }

  putFile(file: string, options?: { expectedSha256?: string }): Promise<StoredObject> {
    return this.put(createReadStream(file), options);
  }

  get(sha256: string): Readable {
    const file = this.objectPath(sha256);
    const stream: ReadStream = createReadStream(file);
    // Map ENOENT to the domain's NotFoundError so callers need not know about files.
    const out = new Transform({ transform: (chunk, _e, done) => done(null, chunk) });
    stream.on('error', (error: NodeJS.ErrnoException) => {
      out.destroy(error.code === 'ENOENT' ? notFound(sha256) : error);
    });
    return stream.pipe(out);
  }

  async getBytes(sha256: string): Promise<Buffer> {
    try {
      return await readFile(this.objectPath(sha256));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(sha256);
      throw error;
    }
  }

  async exists(sha256: string): Promise<boolean> {
    return (await this.stat(sha256)) !== null;
  }

  async stat(sha256: string): Promise<{ size: number } | null> {
    try {
      const s = await stat(this.objectPath(sha256));
      return { size: s.size };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async *list(): AsyncIterable<string> {
    await this.init();
    for (const a of (await readdir(this.objectsDir)).sort()) {
      const dirA = path.join(this.objectsDir, a);
      for (const b of (await readdir(dirA).catch(() => [] as string[])).sort()) {
        for (const name of (await readdir(path.join(dirA, b)).catch(() => [] as string[])).sort()) {
          if (SHA256_HEX.test(name)) yield name;
        }
      }
    }
  }

  async verify(sha256: string): Promise<ObjectVerification> {
    const hash = createHash('sha256');
    let size = 0;
    try {
      for await (const chunk of createReadStream(this.objectPath(sha256))) {
        hash.update(chunk as Buffer);
        size += (chunk as Buffer).length;
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ok: false, missing: true };
      throw error;
    }
    const actual = hash.digest('hex');
    return { ok: actual === sha256, actual, size };
  }

  async setAsideDamaged(sha256: string): Promise<{ movedTo: string } | null> {
    assertDigest(sha256);
    await this.init();
    const check = await this.verify(sha256);
    if (check.missing) return null;
    if (check.ok) throw new ConflictError('storage.object_sound', 'errors.storage_object_sound', { sha256, location: this.location });
    const damagedDir = path.join(this.root, 'damaged');
    await mkdir(damagedDir, { recursive: true });
    const movedTo = path.join(damagedDir, `${sha256}.${new Date().toISOString().replace(/[:.]/g, '-')}.${check.actual ?? 'unknown'}`);
    await rename(this.objectPath(sha256), movedTo);
    await fsyncDir(path.dirname(this.objectPath(sha256)));
    return { movedTo };
  }

  async putRecord(name: string, bytes: Uint8Array): Promise<void> {
    const file = this.recordPath(name);
    await this.init();
    await mkdir(path.dirname(file), { recursive: true });
    // Same publication as objects: temp file, fsync, link (fails if the name exists).
    const temp = path.join(this.tmpDir, `${process.pid}-${randomBytes(8).toString('hex')}.record`);
    try {
      const handle = await open(temp, 'wx', 0o600);
      try {
        await writeAll(handle, bytes);
        await handle.sync();
        await handle.chmod(0o444);
      } finally {
        await handle.close();
      }
      try {
        await link(temp, file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
          throw new ConflictError('storage.record_exists', 'storage.record_exists', { name, location: this.location });
        }
        throw error;
      }
      await fsyncDir(path.dirname(file));
    } finally {
      await unlink(temp).catch(() => {});
    }
  }

  async listRecords(kind: string): Promise<string[]> {
    const dir = path.dirname(this.recordPath(`${kind}/x`));
    const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [] as string[];
      throw error;
    });
    return names.map((n) => `${kind}/${n}`).filter((n) => RECORD_NAME.test(n)).sort();
  }

  async getRecord(name: string): Promise<Buffer | null> {
    try {
      return await readFile(this.recordPath(name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  private recordPath(name: string): string {
    if (!RECORD_NAME.test(name)) {
      throw new ValidationError('storage.invalid_record_name', 'storage.invalid_record_name', { name: String(name).slice(0, 80) });
    }
    return path.join(this.root, 'records', name);
  }

  async destroy(sha256: string, authorisation: DestructionAuthorisation): Promise<void> {
    if (!authorisation?.destructionActId) {
      throw new ValidationError('storage.destruction_unauthorised', 'errors.storage_destruction_unauthorised', { sha256 });
    }
    await this.init();
    // The destruction register outlives the object: what was destroyed, when, under which act.
    await appendFile(
      path.join(this.root, 'destroyed.jsonl'),
      JSON.stringify({ sha256, destructionActId: authorisation.destructionActId, at: new Date().toISOString() }) + '\n',
    );
    await unlink(this.objectPath(sha256)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }
}

function assertDigest(sha256: string): void {
  if (!SHA256_HEX.test(sha256)) {
    throw new ValidationError('storage.invalid_digest', 'errors.storage_invalid_digest', { value: String(sha256).slice(0, 80) });
  }
}

function notFound(sha256: string): NotFoundError {
  return new NotFoundError('storage.object_not_found', 'errors.storage_object_not_found', { sha256 });
}

async function writeAll(handle: FileHandle, data: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < data.byteLength) {
    const { bytesWritten } = await handle.write(data, offset, data.byteLength - offset);
    offset += bytesWritten;
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // some filesystems refuse fsync on directories; the link itself is already durable there
  } finally {
    await handle.close();
  }
}
