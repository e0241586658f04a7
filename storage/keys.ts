// Content keys of sealed dossiers (docs/destruction.md). A key is 32 random bytes kept as
// `<root>/keys/<keyId>.key` in the key area of every filesystem storage location: apart from
// the objects (`objects/`) and records (`records/`), never read by `muragat backup`, never
// named in the database (the catalog keeps only a check value, an HMAC of the key id, so a
// damaged or substituted key file is recognised without storing the key). Destroying a key
// overwrites and unlinks every copy and leaves a tombstone `<keyId>.destroyed.json` in each
// area, so a database restored from an older backup learns that the dossier was destroyed.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { link, mkdir, open, readdir, readFile, unlink, writeFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { ConflictError, SystemError, ValidationError } from '../common/errors';
import { FsObjectStore } from './fs-object-store';
import type { ObjectStore } from './object-store';

export const CONTENT_KEY_BYTES = 32;
const KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface KeyArea {
  /** The storage location the area belongs to. */
  location: string;
  dir: string;
}

export interface KeyTombstone {
  keyId: string;
  destroyedAt: string;
  destructionActId: string;
  /** What the catalog keeps of the destroyed dossier (destruction/), carried here for restores. */
  record?: unknown;
}

/** The key areas of a storage: one per filesystem location (primary first). */
export function keyAreasOf(storage: { primary: ObjectStore; replicas: ObjectStore[] }): KeyArea[] {
  return [storage.primary, ...storage.replicas].flatMap((s) => (s instanceof FsObjectStore ? [{ location: s.location, dir: path.join(s.root, 'keys') }] : []));
}

/** The key area of a folder that is not a configured location (a copy handed to a restore). */
export function keyAreaAt(dir: string): KeyArea {
  return { location: `file:${dir}`, dir };
}

function assertKeyId(keyId: string): void {
  if (!KEY_ID.test(keyId)) throw new ValidationError('storage.invalid_key_id', 'storage.invalid_key_id', { value: String(keyId).slice(0, 80) });
}

/** What the catalog stores to recognise the right key: HMAC-SHA256(key, key id). */
export function keyCheckOf(key: Uint8Array, keyId: string): string {
  return createHmac('sha256', key).update(`muragat.content-key-check/1:${keyId}`).digest('hex');
}

function matches(key: Uint8Array, keyId: string, check: string): boolean {
  const a = Buffer.from(keyCheckOf(key, keyId), 'hex');
  const b = Buffer.from(check, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // some filesystems refuse fsync on directories
  } finally {
    await handle.close();
  }
}

/** Writes a key copy write-once (temp, fsync, link): an existing different key is a conflict. */
async function writeKeyCopy(area: KeyArea, keyId: string, key: Uint8Array): Promise<'written' | 'present'> {
  await mkdir(area.dir, { recursive: true, mode: 0o700 });
  const final = path.join(area.dir, `${keyId}.key`);
  const existing = await readFile(final).catch(() => null);
  if (existing) {
    if (Buffer.compare(existing, Buffer.from(key)) === 0) return 'present';
    throw new ConflictError('storage.key_conflict', 'storage.key_conflict', { keyId, location: area.location });
  }
  const temp = path.join(area.dir, `.${keyId}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o400);
  try {
    await handle.write(key);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temp, final);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return writeKeyCopy(area, keyId, key);
  } finally {
    await unlink(temp).catch(() => {});
  }
  await fsyncDir(area.dir);
  return 'written';
}

/** A new content key, written to every key area; returns its check value. */
export async function createContentKey(areas: KeyArea[], keyId: string): Promise<{ key: Buffer; check: string }> {
  assertKeyId(keyId);
  if (!areas.length) throw new SystemError('storage.no_key_area', 'storage.no_key_area', {});
  const key = randomBytes(CONTENT_KEY_BYTES);
  for (const area of areas) {
    if (await readTombstone(area, keyId)) throw new ConflictError('storage.key_destroyed', 'storage.key_destroyed', { keyId });
  }
  await Promise.all(areas.map((a) => writeKeyCopy(a, keyId, key)));
  return { key, check: keyCheckOf(key, keyId) };
}

async function readTombstone(area: KeyArea, keyId: string): Promise<KeyTombstone | null> {
  const bytes = await readFile(path.join(area.dir, `${keyId}.destroyed.json`)).catch(() => null);
  if (!bytes) return null;
  try {
    return JSON.parse(bytes.toString('utf8')) as KeyTombstone;
  } catch {
    // An unreadable tombstone still means destroyed: its presence is the fact.
    return { keyId, destroyedAt: '', destructionActId: '' };
  }
}

/** The destruction tombstone of a key in any area, or null. */
export async function keyTombstone(areas: KeyArea[], keyId: string): Promise<KeyTombstone | null> {
  assertKeyId(keyId);
  for (const area of areas) {
    const t = await readTombstone(area, keyId);
    if (t) return t;
  }
  return null;
}

export type KeyLookup =
  | { state: 'ok'; key: Buffer; copies: { location: string; state: 'sound' | 'missing' | 'damaged' }[] }
  | { state: 'destroyed'; tombstone: KeyTombstone }
  | { state: 'missing'; copies: { location: string; state: 'missing' | 'damaged' }[] };

/**
 * The key from the first area holding a copy that matches the catalog's check value. A
 * tombstone in any area wins over a copy elsewhere: a key once destroyed is never used again.
 */
export async function loadContentKey(areas: KeyArea[], keyId: string, check: string): Promise<KeyLookup> {
  assertKeyId(keyId);
  const tombstone = await keyTombstone(areas, keyId);
  if (tombstone) return { state: 'destroyed', tombstone };
  const copies: { location: string; state: 'sound' | 'missing' | 'damaged' }[] = [];
  let found: Buffer | null = null;
  for (const area of areas) {
    const bytes = await readFile(path.join(area.dir, `${keyId}.key`)).catch(() => null);
    if (!bytes) copies.push({ location: area.location, state: 'missing' });
    else if (bytes.length !== CONTENT_KEY_BYTES || !matches(bytes, keyId, check)) copies.push({ location: area.location, state: 'damaged' });
    else {
      copies.push({ location: area.location, state: 'sound' });
      found ??= bytes;
    }
  }
  if (found) return { state: 'ok', key: found, copies };
  return { state: 'missing', copies: copies as { location: string; state: 'missing' | 'damaged' }[] };
}

/**
 * The key from the first area holding a 32-byte copy, without the catalog's check value (reads
 * from the store alone; a wrong key is refused by the envelope's GCM tag). Throws when destroyed
 * or absent.
 */
export async function readKeyFromAreas(areas: KeyArea[], keyId: string): Promise<Buffer> {
  const tombstone = await keyTombstone(areas, keyId);
  if (tombstone) throw new ConflictError('storage.key_destroyed', 'storage.key_destroyed', { keyId });
  for (const area of areas) {
    const bytes = await readFile(path.join(area.dir, `${keyId}.key`)).catch(() => null);
    if (bytes?.length === CONTENT_KEY_BYTES) return bytes;
  }
  throw new SystemError('storage.key_missing', 'storage.key_missing', { keyId });
}

/** Writes a sound key to the areas that miss it (a damaged copy is set aside first). */
export async function repairContentKey(areas: KeyArea[], keyId: string, key: Buffer): Promise<string[]> {
  const repaired: string[] = [];
  for (const area of areas) {
    const file = path.join(area.dir, `${keyId}.key`);
    const bytes = await readFile(file).catch(() => null);
    if (bytes && Buffer.compare(bytes, key) === 0) continue;
    if (bytes) await rename(file, `${file}.damaged-${Date.now()}`);
    await writeKeyCopy(area, keyId, key);
    repaired.push(area.location);
  }
  return repaired;
}

/**
 * Destroys a key in every area: each copy is overwritten with zeros, flushed and unlinked, then
 * a tombstone is written. Returns per area whether a copy was there. An area that cannot be
 * reached fails the whole call, so the caller never records a destruction that did not happen
 * everywhere (it can be run again: destroying an absent key only writes the tombstone).
 */
export async function destroyContentKey(areas: KeyArea[], tombstone: KeyTombstone): Promise<{ location: string; hadCopy: boolean }[]> {
  assertKeyId(tombstone.keyId);
  const out: { location: string; hadCopy: boolean }[] = [];
  for (const area of areas) {
    const hadCopy = await removeKeyCopy(area, tombstone.keyId);
    const stone = path.join(area.dir, `${tombstone.keyId}.destroyed.json`);
    if (!(await readTombstone(area, tombstone.keyId))) await writeFile(stone, JSON.stringify(tombstone, null, 1), { mode: 0o444 });
    await fsyncDir(area.dir);
    out.push({ location: area.location, hadCopy });
  }
  return out;
}

/** Overwrites and deletes one area's copy of a key (and its set-aside damaged copies); whether there was one. */
async function removeKeyCopy(area: KeyArea, keyId: string): Promise<boolean> {
  await mkdir(area.dir, { recursive: true, mode: 0o700 });
  const file = path.join(area.dir, `${keyId}.key`);
  let hadCopy = false;
  const handle = await open(file, 'r+').catch(async (error: NodeJS.ErrnoException) => {
    if (error.code === 'EACCES') {
      // Key copies are written read-only; make this one writable to overwrite it.
      const { chmod } = await import('node:fs/promises');
      await chmod(file, 0o600);
      return open(file, 'r+');
    }
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (handle) {
    hadCopy = true;
    try {
      await handle.write(Buffer.alloc(CONTENT_KEY_BYTES), 0, CONTENT_KEY_BYTES, 0);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await unlink(file);
  }
  // Set-aside damaged copies are key material too.
  for (const name of await readdir(area.dir)) {
    if (name.startsWith(`${keyId}.key.damaged-`)) await unlink(path.join(area.dir, name));
  }
  return hadCopy;
}

/** Why a key was given up without destroying its dossier: its content is stored in clear now. */
export interface KeyRelease {
  keyId: string;
  releasedAt: string;
  dossierId: string;
  /** The AIP manifest that names the clear objects. */
  manifest: string;
  /** The commission's decision that moved the dossier to permanent keeping. */
  decision: string | null;
}

/**
 * Records that a key's dossier was re-stored in clear (moved to permanent keeping): a release
 * record (`<keyId>.released.json`) beside the key, never a tombstone. The key itself is kept:
 * backups made before the release hold that dossier only sealed, and a restore of one opens it
 * with this key (a permanent record must stay readable from every backup); nothing can destroy
 * a permanent dossier, so a kept key opens nothing that should be gone.
 */
export async function releaseContentKey(areas: KeyArea[], release: KeyRelease): Promise<{ location: string; hadCopy: boolean }[]> {
  assertKeyId(release.keyId);
  const out: { location: string; hadCopy: boolean }[] = [];
  for (const area of areas) {
    const hadCopy = (await readFile(path.join(area.dir, `${release.keyId}.key`)).catch(() => null)) !== null;
    const note = path.join(area.dir, `${release.keyId}.released.json`);
    if (!(await readFile(note).catch(() => null))) await writeFile(note, JSON.stringify(release, null, 1), { mode: 0o444 });
    await fsyncDir(area.dir);
    out.push({ location: area.location, hadCopy });
  }
  return out;
}

/** Key ids and tombstones present in one area (for copying a key store into a restored system). */
export async function listKeyArea(area: KeyArea): Promise<{ keys: string[]; tombstones: string[] }> {
  const names = await readdir(area.dir).catch(() => [] as string[]);
  return {
    keys: names.filter((n) => n.endsWith('.key')).map((n) => n.slice(0, -4)).filter((id) => KEY_ID.test(id)).sort(),
    tombstones: names.filter((n) => n.endsWith('.destroyed.json')).map((n) => n.slice(0, -'.destroyed.json'.length)).filter((id) => KEY_ID.test(id)).sort(),
  };
}

/** Copies the keys and tombstones of `from` into `to` (tombstoned keys are not copied). */
export async function copyKeyArea(from: KeyArea, to: KeyArea): Promise<{ keys: number; tombstones: number }> {
  const { keys, tombstones } = await listKeyArea(from);
  const dead = new Set(tombstones);
  await mkdir(to.dir, { recursive: true, mode: 0o700 });
  for (const id of tombstones) {
    const target = path.join(to.dir, `${id}.destroyed.json`);
    if (!(await readFile(target).catch(() => null))) await writeFile(target, await readFile(path.join(from.dir, `${id}.destroyed.json`)), { mode: 0o444 });
  }
  let copied = 0;
  for (const id of keys) {
    if (dead.has(id)) continue;
    await writeKeyCopy(to, id, await readFile(path.join(from.dir, `${id}.key`)));
    copied += 1;
  }
  return { keys: copied, tombstones: tombstones.length };
}
