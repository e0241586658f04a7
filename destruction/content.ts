// Reading and writing the content of one dossier, sealed or clear (docs/destruction.md).
// Readers (dossier routes, AIP export, verify, integrity runs, re-validation) ask
// `dossierContent` for a dossier's objects by their plaintext digest, as the AIP manifest
// names them; a sealed object is found through `sealed_objects`, read verified (the envelope is
// an ordinary content-addressed object, from any location that holds a sound copy) and
// unsealed with the dossier's key. A destroyed dossier answers 410 with the act that destroyed
// it. This module knows the database and storage only: ingest imports it without a cycle.
import { tmpdir } from 'node:os';
import path from 'node:path';
import { unlink } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../database/database';
import { AppError, SystemError } from '../common/errors';
import { readVerified, type Storage, type VerifiedObject } from '../storage';
import { createContentKey, keyAreasOf, loadContentKey, repairContentKey, type KeyLookup } from '../storage/keys';
import { sealToFile, sha256Of, unsealBytes, unsealStream } from '../storage/sealed';

/** 410: the dossier existed and was destroyed by an act (p.186-1). */
export class GoneError extends AppError {
  override readonly status = 410;
}

export interface DestroyedRef {
  actNumber: string;
  destroyedAt: string;
}

export async function destroyedDossier(db: Kysely<Database>, dossierId: string): Promise<DestroyedRef | null> {
  const row = await db.selectFrom('destroyed_dossiers').select(['act_number', 'destroyed_at']).where('dossier_id', '=', dossierId).executeTakeFirst();
  return row ? { actNumber: row.act_number, destroyedAt: new Date(row.destroyed_at).toISOString().slice(0, 10) } : null;
}

export function dossierGone(index: string, ref: DestroyedRef): GoneError {
  return new GoneError('destruction.dossier_destroyed', 'destruction.dossier_destroyed', { index, act: ref.actNumber, date: ref.destroyedAt });
}

export interface DossierContent {
  readonly dossierId: string;
  /** The dossier's key id when its content is sealed. */
  readonly keyId: string | null;
  /** The stored object holding this plaintext: the envelope's digest when sealed, else the same. */
  storedSha(plainSha256: string): string;
  isSealed(plainSha256: string): boolean;
  /** A verified read of the plaintext (unsealed on the way out when sealed). */
  open(plainSha256: string, options?: { bufferLimit?: number; silent?: boolean }): Promise<VerifiedObject>;
  bytes(plainSha256: string, options?: { silent?: boolean }): Promise<Buffer>;
  /** The key's copies in every key area (null for a clear dossier). */
  keyState(): Promise<KeyLookup | null>;
}

type Deps = { db: Kysely<Database>; storage: Storage };

/**
 * The content of a dossier. `allowDestroyed` is for the destruction itself (it needs the sealed
 * digests of a dossier being destroyed); every reader leaves it false and gets the 410.
 */
export async function dossierContent(deps: Deps, dossier: string | { id: string; case_index: string }, options: { allowDestroyed?: boolean } = {}): Promise<DossierContent> {
  const dossierId = typeof dossier === 'string' ? dossier : dossier.id;
  // One query for the destruction record and the key: every file a user opens comes this way.
  const found = await deps.db
    .selectFrom('dossiers')
    .leftJoin('destroyed_dossiers as gone', 'gone.dossier_id', 'dossiers.id')
    .leftJoin('content_keys as k', 'k.dossier_id', 'dossiers.id')
    .select(['dossiers.case_index', 'gone.act_number', 'gone.destroyed_at as gone_at', 'k.key_id', 'k.key_check', 'k.destroyed_at'])
    .where('dossiers.id', '=', dossierId)
    .executeTakeFirst();
  if (!options.allowDestroyed && found?.act_number && found.gone_at) {
    throw dossierGone(found.case_index, { actNumber: found.act_number, destroyedAt: new Date(found.gone_at).toISOString().slice(0, 10) });
  }
  // No catalog row yet (the store step seals before it writes the dossier's row): the key alone.
  const key = found
    ? found.key_id
      ? { key_id: found.key_id, key_check: found.key_check!, destroyed_at: found.destroyed_at }
      : undefined
    : await deps.db.selectFrom('content_keys').select(['key_id', 'key_check', 'destroyed_at']).where('dossier_id', '=', dossierId).executeTakeFirst();
  const sealed = new Map<string, { sealed: string; size: number }>();
  if (key) {
    for (const r of await deps.db.selectFrom('sealed_objects').select(['plain_sha256', 'sealed_sha256', 'plain_size']).where('key_id', '=', key.key_id).execute()) {
      sealed.set(r.plain_sha256, { sealed: r.sealed_sha256, size: Number(r.plain_size) });
    }
  }
  let lookup: Promise<KeyLookup> | undefined;
  const keyState = () => (lookup ??= loadContentKey(keyAreasOf(deps.storage), key!.key_id, key!.key_check));
  let loaded: Promise<Buffer> | undefined;
  const keyBytes = () =>
    (loaded ??= (async () => {
      const found = await keyState();
      if (found.state === 'ok') return found.key;
      if (found.state === 'destroyed') {
        throw new GoneError('destruction.key_destroyed', 'destruction.key_destroyed', { dossier: dossierId, date: found.tombstone.destroyedAt.slice(0, 10) });
      }
      throw new SystemError('destruction.key_missing', 'destruction.key_missing', { dossier: dossierId, locations: found.copies.map((c) => `${c.location} (${c.state})`).join(', ') });
    })());
  return {
    dossierId,
    keyId: key?.key_id ?? null,
    storedSha: (sha) => sealed.get(sha)?.sealed ?? sha,
    isSealed: (sha) => sealed.has(sha),
    keyState: async () => (key ? keyState() : null),
    async open(sha, readOptions = {}) {
      const entry = sealed.get(sha);
      if (!entry) return readVerified(deps.storage, sha, readOptions);
      const k = await keyBytes();
      const envelope = await readVerified(deps.storage, entry.sealed, readOptions);
      return { ...envelope, sha256: sha, size: entry.size, stream: unsealStream(k, key!.key_id, sha, envelope.stream) };
    },
    async bytes(sha, readOptions = {}) {
      const entry = sealed.get(sha);
      const object = await readVerified(deps.storage, entry?.sealed ?? sha, { bufferLimit: Number.MAX_SAFE_INTEGER, ...readOptions });
      const chunks: Buffer[] = [];
      for await (const chunk of object.stream) chunks.push(chunk as Buffer);
      const whole = Buffer.concat(chunks);
      return entry ? unsealBytes(await keyBytes(), key!.key_id, sha, whole) : whole;
    },
  };
}

/** The stored object that holds a plaintext: its sealed envelope, or the plaintext itself in clear. */
export interface StoredObject {
  /** The digest the storage locations know the object by (what integrity runs check and repair). */
  sha256: string;
  sealed: boolean;
  /** The content key of the envelope; null in clear. */
  keyId: string | null;
  /** The dossier whose key sealed it (null in clear, or before the store step linked the key). */
  dossierId: string | null;
  /** The stored object's size when the catalog records it (an envelope); null in clear, where it is the plaintext's. */
  size: number | null;
}

/**
 * Which stored object holds the plaintext with this digest (the digest AIP manifests name).
 * The same bytes may be sealed by several dossiers' keys: `dossierId` picks that dossier's
 * envelope; otherwise a live key's envelope comes before a destroyed one's. A plaintext no
 * key sealed is stored in clear under its own digest. Tests and tools ask this instead of
 * reading sealed_objects themselves, so the mapping has one owner.
 */
export async function storedObjectOf(db: Kysely<Database>, plainSha256: string, options: { dossierId?: string } = {}): Promise<StoredObject> {
  let query = db
    .selectFrom('sealed_objects as s')
    .innerJoin('content_keys as k', 'k.key_id', 's.key_id')
    .select(['s.sealed_sha256', 's.sealed_size', 's.key_id', 'k.dossier_id', 'k.destroyed_at'])
    .where('s.plain_sha256', '=', plainSha256);
  if (options.dossierId) query = query.where('k.dossier_id', '=', options.dossierId);
  const rows = await query.orderBy('k.destroyed_at', (ob) => ob.desc().nullsFirst()).orderBy('k.created_at').limit(1).execute();
  const row = rows[0];
  if (!row) return { sha256: plainSha256, sealed: false, keyId: null, dossierId: options.dossierId ?? null, size: null };
  return { sha256: row.sealed_sha256, sealed: true, keyId: row.key_id, dossierId: row.dossier_id, size: Number(row.sealed_size) };
}

/**
 * Writes a sound copy of the dossier's key to the key areas that miss it or hold a damaged one
 * (integrity runs with repair). Never for a destroyed key. Returns the repaired locations.
 */
export async function repairDossierKey(deps: Deps, dossierId: string): Promise<string[]> {
  const key = await deps.db.selectFrom('content_keys').select(['key_id', 'key_check', 'destroyed_at']).where('dossier_id', '=', dossierId).executeTakeFirst();
  if (!key || key.destroyed_at) return [];
  const areas = keyAreasOf(deps.storage);
  const found = await loadContentKey(areas, key.key_id, key.key_check);
  if (found.state !== 'ok' || found.copies.every((c) => c.state === 'sound')) return [];
  return repairContentKey(areas, key.key_id, found.key);
}

/** What the AIP builder needs to seal an object (ingest/aip Sealer). */
export interface ContentSealer {
  keyId: string;
  /** Seals and stores the object in every location; returns the plaintext's digest and size. */
  put(source: { file: string } | { bytes: Uint8Array }, expectedSha256?: string): Promise<{ sha256: string; sealedSha256: string; size: number }>;
  /** Records the objects stored since the last call in `sealed_objects`, in a few statements. */
  recorded(): Promise<void>;
}

/** Rows per INSERT into sealed_objects (5 parameters each, far below PostgreSQL's limit). */
const RECORD_ROWS = 1000;

/**
 * The sealer of one AIP (transfer/index/volume): its key is created once, in every key area,
 * and found again by a re-run of the store step, which then writes the same envelopes.
 */
export async function openContentSealer(
  deps: Deps,
  aipId: string,
  putEverywhere: (storage: Storage, source: { file: string }, expectedSha256?: string) => Promise<{ sha256: string; size: number }>,
): Promise<ContentSealer> {
  const areas = keyAreasOf(deps.storage);
  let row = await deps.db.selectFrom('content_keys').select(['key_id', 'key_check']).where('aip_id', '=', aipId).executeTakeFirst();
  let key: Buffer;
  if (row) {
    const found = await loadContentKey(areas, row.key_id, row.key_check);
    if (found.state !== 'ok') {
      throw new SystemError('destruction.key_missing', 'destruction.key_missing', { dossier: aipId, locations: found.state === 'missing' ? found.copies.map((c) => `${c.location} (${c.state})`).join(', ') : 'destroyed' });
    }
    key = found.key;
  } else {
    const keyId = randomUUID();
    const made = await createContentKey(areas, keyId);
    const inserted = await deps.db
      .insertInto('content_keys')
      .values({ key_id: keyId, aip_id: aipId, key_check: made.check })
      .onConflict((oc) => oc.column('aip_id').doNothing())
      .returning('key_id')
      .executeTakeFirst();
    if (!inserted) return openContentSealer(deps, aipId, putEverywhere); // another run made it first
    row = { key_id: keyId, key_check: made.check };
    key = made.key;
  }
  const keyId = row.key_id;
  const tmpDir = path.join(tmpdir(), 'muragat-seal');
  // Stored envelopes not yet in sealed_objects. The AIP builder records them before it stores the
  // manifest that names them, so no reader ever meets a sealed object the catalog cannot find; one
  // statement for the dossier's objects rather than one per object (PGlite runs on the ingest's thread).
  let unrecorded: { key_id: string; plain_sha256: string; sealed_sha256: string; plain_size: number; sealed_size: number }[] = [];
  return {
    keyId,
    async put(source, expectedSha256) {
      const plainSha = expectedSha256 ?? (await sha256Of(source));
      const envelope = await sealToFile(key, keyId, plainSha, source, tmpDir);
      try {
        const stored = await putEverywhere(deps.storage, { file: envelope.file });
        unrecorded.push({ key_id: keyId, plain_sha256: plainSha, sealed_sha256: stored.sha256, plain_size: envelope.plainSize, sealed_size: stored.size });
        return { sha256: plainSha, sealedSha256: stored.sha256, size: envelope.plainSize };
      } finally {
        await unlink(envelope.file).catch(() => {});
      }
    },
    async recorded() {
      // Every put has finished (the AIP builder seals after them); a failure here fails the store
      // step, whose retry opens a new sealer and seals and records anew.
      for (let i = 0; i < unrecorded.length; i += RECORD_ROWS) {
        await deps.db
          .insertInto('sealed_objects')
          .values(unrecorded.slice(i, i + RECORD_ROWS))
          .onConflict((oc) => oc.columns(['key_id', 'plain_sha256']).doNothing())
          .execute();
      }
      unrecorded = [];
    },
  };
}
