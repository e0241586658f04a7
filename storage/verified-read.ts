// Verified reads: every byte the archive hands out is first proven to hash to the digest it is
// stored under. The stores are tried in order (primary, then each replica); a copy that is
// missing, unreadable or does not hash to its name is skipped and reported to the storage's
// fault listeners (who queue it for repair and write the audit event), and the next sound copy
// is served. When no store holds a sound copy the read fails with storage.no_sound_copy and no
// byte is sent.
//
// A stream's hash is only known at its end, so nothing is streamed before it is verified:
// - objects up to VERIFY_BUFFER_LIMIT are read into memory once, hashed, and served from that
//   buffer (one read, memory bounded by the limit per concurrent download);
// - larger objects are hashed from the file first, then streamed from the file again (two
//   reads; the second mostly comes from the page cache; the first byte waits for one full
//   hash, about 1-2 s per GB). The stream is hashed a second time on the way out and destroyed
//   before its last byte if the file changed in between, so a client never receives a complete
//   body that does not match the ETag.
import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { SystemError } from '../common/errors';
import type { ObjectStore } from './object-store';

/** Objects up to this size are verified in memory and served from the verified buffer. */
export const VERIFY_BUFFER_LIMIT = 8 * 1024 * 1024;

export type CopyFaultState = 'missing' | 'damaged' | 'unreadable';

export interface CopyFault {
  sha256: string;
  location: string;
  state: CopyFaultState;
  /** Digest of the bytes found (damaged copies). */
  actual?: string;
  size?: number;
  error?: string;
  /** The location whose sound copy was served instead, or null when none was. */
  servedFrom: string | null;
}

export interface VerifiedObject {
  sha256: string;
  size: number;
  /** The location whose copy is served. */
  location: string;
  stream: Readable;
  faults: CopyFault[];
}

export interface StorageLike {
  primary: ObjectStore;
  replicas: ObjectStore[];
}

export type CopyFaultListener = (faults: CopyFault[]) => void | Promise<void>;

// Listeners are kept per storage object so two servers in one process (tests) never record
// each other's faults. A command-line process, which opens storage objects where it needs
// them, registers one process-wide listener instead, used for storages without their own.
const listeners = new WeakMap<StorageLike, Set<CopyFaultListener>>();
const processListeners = new Set<CopyFaultListener>();

/** Registers a listener for reads of any storage that has no listener of its own; returns the unsubscribe. */
export function onAnyCopyFault(listener: CopyFaultListener): () => void {
  processListeners.add(listener);
  return () => processListeners.delete(listener);
}

/** Registers who is told about bad copies found by reads of this storage; returns the unsubscribe. */
export function onCopyFault(storage: StorageLike, listener: CopyFaultListener): () => void {
  let set = listeners.get(storage);
  if (!set) listeners.set(storage, (set = new Set()));
  set.add(listener);
  return () => set.delete(listener);
}

async function report(storage: StorageLike, faults: CopyFault[]): Promise<void> {
  if (!faults.length) return;
  const own = listeners.get(storage);
  for (const listener of own?.size ? own : processListeners) {
    try {
      await listener(faults);
    } catch (error) {
      // A failing recorder must not keep a sound copy from being served; the integrity run
      // finds the bad copy again.
      process.emitWarning(`storage fault listener failed: ${(error as Error).message}`);
    }
  }
}

export function noSoundCopy(sha256: string, faults: CopyFault[]): SystemError {
  return new SystemError(
    'storage.no_sound_copy',
    'storage.no_sound_copy',
    { sha256, locations: faults.map((f) => `${f.location} (${f.state})`).join(', ') },
    { sha256, copies: faults.map(({ location, state, actual, error }) => ({ location, state, ...(actual ? { actual } : {}), ...(error ? { error } : {}) })) },
  );
}

function hashOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Re-hashes a stream on its way out; fails it before its end if the bytes changed after verification. */
function guarded(source: Readable, sha256: string, location: string): Readable {
  const hash = createHash('sha256');
  const out = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
    flush(done) {
      const actual = hash.digest('hex');
      done(actual === sha256 ? null : new Error(`object ${sha256} in ${location} changed while it was being read (now ${actual})`));
    },
  });
  source.on('error', (error) => out.destroy(error));
  return source.pipe(out);
}

async function tryStore(store: ObjectStore, sha256: string, bufferLimit: number): Promise<{ ok: true; object: Omit<VerifiedObject, 'faults'> } | { ok: false; fault: Omit<CopyFault, 'servedFrom'> }> {
  const where = { sha256, location: store.location };
  try {
    const stat = await store.stat(sha256);
    if (!stat) return { ok: false, fault: { ...where, state: 'missing' } };
    if (stat.size <= bufferLimit) {
      const bytes = await store.getBytes(sha256);
      const actual = hashOf(bytes);
      if (actual !== sha256) return { ok: false, fault: { ...where, state: 'damaged', actual, size: bytes.byteLength } };
      return { ok: true, object: { ...where, size: bytes.byteLength, stream: Readable.from([bytes], { objectMode: false }) } };
    }
    const check = await store.verify(sha256);
    if (check.missing) return { ok: false, fault: { ...where, state: 'missing' } };
    if (!check.ok) return { ok: false, fault: { ...where, state: 'damaged', ...(check.actual ? { actual: check.actual } : {}), ...(check.size !== undefined ? { size: check.size } : {}) } };
    return { ok: true, object: { ...where, size: check.size ?? stat.size, stream: guarded(store.get(sha256), sha256, store.location) } };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A file removed between stat and read is missing, not unreadable.
    if (code === 'ENOENT' || (error as { status?: number }).status === 404) return { ok: false, fault: { ...where, state: 'missing' } };
    return { ok: false, fault: { ...where, state: 'unreadable', error: (error as Error).message } };
  }
}

/**
 * Opens a stored object for reading, verified against its digest, from the first store that
 * holds a sound copy. Bad copies met on the way are reported to the fault listeners (awaited,
 * so the audit event exists before the bytes go out) unless silent (checks that report bad
 * copies themselves, like `verify`). Throws storage.no_sound_copy (503) when
 * no store holds one.
 */
export async function readVerified(storage: StorageLike, sha256: string, options: { bufferLimit?: number; silent?: boolean } = {}): Promise<VerifiedObject> {
  const bufferLimit = options.bufferLimit ?? VERIFY_BUFFER_LIMIT;
  const faults: Omit<CopyFault, 'servedFrom'>[] = [];
  for (const store of [storage.primary, ...storage.replicas]) {
    const attempt = await tryStore(store, sha256, bufferLimit);
    if (attempt.ok) {
      const reported = faults.map((f) => ({ ...f, servedFrom: store.location }));
      if (!options.silent) await report(storage, reported);
      return { ...attempt.object, faults: reported };
    }
    faults.push(attempt.fault);
  }
  const reported = faults.map((f) => ({ ...f, servedFrom: null }));
  if (!options.silent) await report(storage, reported);
  throw noSoundCopy(sha256, reported);
}

/** The verified bytes of a stored object (for JSON and other small objects read whole). */
export async function readVerifiedBytes(storage: StorageLike, sha256: string, options: { silent?: boolean } = {}): Promise<Buffer> {
  // Whole-object reads are for small objects; buffering up to any size is what the caller asked for.
  const object = await readVerified(storage, sha256, { bufferLimit: Number.MAX_SAFE_INTEGER, ...options });
  const chunks: Buffer[] = [];
  for await (const chunk of object.stream) chunks.push(chunk as Buffer);
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}
