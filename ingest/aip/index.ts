// Archival information package: every object of an e-dossier in the content-addressed store,
// described by one aip-manifest.json (path → sha256/size/role). The manifest's own sha256 is
// what the catalog indexes, so the AIP can be rebuilt from the store alone.
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { canonicalJson } from '../../common/hash';
import { ValidationError } from '../../common/errors';
import { readVerified, readVerifiedBytes, type Storage } from '../../storage';
import { keyAreasOf, readKeyFromAreas } from '../../storage/keys';
import { unsealStream } from '../../storage/sealed';
import type { AipFileRole, AipManifest } from '../../validators/schemas/types';

export type AipRole = AipFileRole;
export type AipEntry = AipManifest['files'][number];
export type { AipManifest };

/**
 * Writes to the primary and every replica; re-puts of existing objects are harmless. When the
 * hash is known the stores are written in parallel (they are separate disks in production).
 */
export async function putEverywhere(
  storage: Storage,
  source: { file: string } | { bytes: Uint8Array },
  expectedSha256?: string,
): Promise<{ sha256: string; size: number }> {
  const putOne = (store: Storage['primary'], sha?: string) => {
    const options = sha ? { expectedSha256: sha } : {};
    return 'file' in source ? store.putFile(source.file, options) : store.put(source.bytes, options);
  };
  if (expectedSha256) {
    const [first] = await Promise.all([storage.primary, ...storage.replicas].map((s) => putOne(s, expectedSha256)));
    return { sha256: first!.sha256, size: first!.size };
  }
  const first = await putOne(storage.primary);
  await Promise.all(storage.replicas.map((s) => putOne(s, first.sha256)));
  return { sha256: first.sha256, size: first.size };
}

export function serialiseJson(value: unknown): Uint8Array {
  // Canonical form: the same object always has the same sha256.
  return Buffer.from(canonicalJson(value), 'utf8');
}

/**
 * Seals a dossier's content under its key (destruction/content.ts openContentSealer). The
 * manifest keeps naming the plaintext's digest and size, so control characteristics, metadata
 * and inventories are the same whether a dossier is sealed or not.
 */
export interface AipSealer {
  keyId: string;
  put(source: { file: string } | { bytes: Uint8Array }, expectedSha256?: string): Promise<{ sha256: string; sealedSha256: string; size: number }>;
  /** Makes the objects sealed so far findable (their catalog rows); called before the manifest is stored. */
  recorded(): Promise<void>;
}

/** Path of the clear map of a sealed AIP: which envelope holds which object, under which key. */
export const SEALING_MAP_PATH = 'sealing.json';

export interface SealingMap {
  schemaVersion: 'muragat.sealing/1';
  algorithm: 'AES-256-GCM';
  keyId: string;
  /** plaintext sha256 → envelope sha256 */
  objects: Record<string, string>;
}

/**
 * The objects that are the documents themselves (originals, attachments, signature files,
 * renditions, rejected originals): these are sealed. Descriptions (metadata, inventories,
 * reports, the manifest, dossier signatures) stay clear: they are what the catalog keeps of a
 * destroyed dossier, and verify reads them without a key.
 */
export function isContentObject(aipPath: string, role: AipRole): boolean {
  if (role === 'original' || role === 'attachment' || role === 'rendition') return true;
  if (role === 'signature') return true;
  return role === 'evidence' && (aipPath.startsWith('rejected/') || aipPath.startsWith('containers/'));
}

export class AipBuilder {
  private readonly entries = new Map<string, AipEntry>();
  private readonly sealedObjects = new Map<string, string>();

  constructor(
    private readonly storage: Storage,
    private readonly sealer?: AipSealer,
  ) {}

  private put(aipPath: string, role: AipRole, source: { file: string } | { bytes: Uint8Array }, expectedSha256?: string): Promise<{ sha256: string; size: number }> {
    if (this.sealer && isContentObject(aipPath, role)) {
      const sealer = this.sealer;
      return sealer.put(source, expectedSha256).then((put) => {
        this.sealedObjects.set(put.sha256, put.sealedSha256);
        return put;
      });
    }
    return putEverywhere(this.storage, source, expectedSha256);
  }

  async addFile(aipPath: string, role: AipRole, file: string, expectedSha256?: string, documentId?: string): Promise<AipEntry> {
    const put = await this.put(aipPath, role, { file }, expectedSha256);
    return this.record({ path: aipPath, sha256: put.sha256, size: put.size, role, ...(documentId ? { documentId } : {}) });
  }

  async addBytes(aipPath: string, role: AipRole, bytes: Uint8Array, documentId?: string): Promise<AipEntry> {
    const put = await this.put(aipPath, role, { bytes });
    return this.record({ path: aipPath, sha256: put.sha256, size: put.size, role, ...(documentId ? { documentId } : {}) });
  }

  async addJson(aipPath: string, role: AipRole, value: unknown, documentId?: string): Promise<AipEntry> {
    return this.addBytes(aipPath, role, serialiseJson(value), documentId);
  }

  private record(entry: AipEntry): AipEntry {
    const existing = this.entries.get(entry.path);
    if (existing && existing.sha256 !== entry.sha256) {
      throw new ValidationError('ingest.aip_path_conflict', 'ingest.aip_path_conflict', { path: entry.path });
    }
    this.entries.set(entry.path, entry);
    return entry;
  }

  list(): AipEntry[] {
    return [...this.entries.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** Stores the manifest last: a manifest only ever names objects already written. */
  async seal(header: Omit<AipManifest, 'files' | 'schemaVersion' | 'hashAlgorithm'>): Promise<{ sha256: string; manifest: AipManifest }> {
    if (this.sealer) {
      // The AIP stays readable from the store alone (with the key): the map is clear, the keys are not in it.
      const map: SealingMap = {
        schemaVersion: 'muragat.sealing/1',
        algorithm: 'AES-256-GCM',
        keyId: this.sealer.keyId,
        objects: Object.fromEntries([...this.sealedObjects].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
      };
      await this.addJson(SEALING_MAP_PATH, 'report', map);
      await this.sealer.recorded();
    }
    const manifest: AipManifest = { schemaVersion: 'muragat.aip/1', hashAlgorithm: 'SHA-256', ...header, files: this.list() };
    const put = await putEverywhere(this.storage, { bytes: serialiseJson(manifest) });
    return { sha256: put.sha256, manifest };
  }
}

/** Reads an object of a sealed AIP from the store alone: its envelope, unsealed with the key of the key areas. */
export async function openSealedFromStore(storage: Storage, map: SealingMap, sha256: string): Promise<{ stream: import('node:stream').Readable }> {
  const sealed = map.objects[sha256];
  if (!sealed) return readVerified(storage, sha256);
  const key = await readKeyFromAreas(keyAreasOf(storage), map.keyId);
  const envelope = await readVerified(storage, sealed);
  return { stream: unsealStream(key, map.keyId, sha256, envelope.stream) };
}

export async function readJsonObject<T>(storage: Storage, sha256: string): Promise<T> {
  const bytes = await readVerifiedBytes(storage, sha256);
  return JSON.parse(bytes.toString('utf8')) as T;
}

export async function readManifest(storage: Storage, sha256: string): Promise<AipManifest> {
  return readJsonObject<AipManifest>(storage, sha256);
}

/** Opens an object of the AIP by its plaintext digest (destruction/content.ts for sealed dossiers). */
export type AipObjectReader = (sha256: string) => Promise<{ stream: import('node:stream').Readable }>;

/**
 * Writes the AIP as plain files: `<dir>/<entry.path>` for each entry plus aip-manifest.json.
 * `open` reads a sealed dossier's objects (unsealed); without it objects are read as stored.
 */
export async function exportAip(storage: Storage, manifestSha256: string, outDir: string, open?: AipObjectReader): Promise<{ files: number; bytes: number }> {
  const manifest = await readManifest(storage, manifestSha256);
  if (!open) {
    const mapEntry = manifest.files.find((f) => f.path === SEALING_MAP_PATH);
    if (mapEntry) {
      // A sealed AIP: envelopes are opened with the key from the storage's key areas.
      const map = await readJsonObject<SealingMap>(storage, mapEntry.sha256);
      open = (sha) => openSealedFromStore(storage, map, sha);
    }
  }
  let bytes = 0;
  for (const entry of manifest.files) {
    const target = path.resolve(outDir, entry.path);
    // Paths come from our own manifest, but an export must never escape its folder.
    if (!target.startsWith(path.resolve(outDir) + path.sep)) {
      throw new ValidationError('ingest.aip_unsafe_path', 'ingest.aip_unsafe_path', { path: entry.path });
    }
    await mkdir(path.dirname(target), { recursive: true });
    await pipeline((await (open ?? ((sha: string) => readVerified(storage, sha)))(entry.sha256)).stream, createWriteStream(target));
    bytes += entry.size;
  }
  await writeFile(path.join(outDir, 'aip-manifest.json'), JSON.stringify(manifest, null, 2));
  return { files: manifest.files.length + 1, bytes };
}
