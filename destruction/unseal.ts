// Re-storing in clear a dossier the expert commission moved to permanent keeping
// (docs/destruction.md "Moved to permanent keeping"). A dossier stored as destroyable has its
// content sealed under its own key; once an adopted decision with a signed protocol makes it
// permanent, nothing may ever destroy it, so the key has no purpose left and is a risk (lose
// it and the permanent record is lost). In order, so that a failure at any point loses nothing:
//   1. every envelope is opened (read verified, authenticated by AES-GCM) and its plaintext is
//      written as a clear object to every storage location under its own digest (the stores
//      check the digest while writing), then each location's copy is verified;
//   2. a new AIP manifest without the sealing map is stored (the manifest names plaintext digests
//      already, so inventories, statements and control characteristics do not change);
//   3. one transaction moves the catalog to it: the dossier's manifest, the sealed-object rows
//      and the key row go, audited `dossier.unseal` (a concurrent change of the manifest aborts);
//   4. then a release record is written beside the key in every key area (not a tombstone; the
//      key is kept, so a backup made before this, holding the dossier sealed, stays readable)
//      and the envelopes are deleted from every location.
// If 1–3 fail the dossier stays sealed and readable, and the next apply retries it; if 4 is
// interrupted, what remains is an unreferenced envelope, never a lost object.
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../database/database';
import { recordAudit, type Actor } from '../audit/audit.service';
import { ConflictError, SystemError } from '../common/errors';
import { logger } from '../common/logger';
import type { Storage } from '../storage';
import { keyAreasOf, releaseContentKey } from '../storage/keys';
import { putEverywhere, readManifest, serialiseJson, SEALING_MAP_PATH } from '../ingest/aip';
import { dossierContent } from './content';

type Deps = { db: Kysely<Database>; storage: Storage; now?: () => Date };

export interface UnsealReport {
  dossierId: string;
  index: string;
  keyId: string;
  /** Clear objects written and verified in every location. */
  objects: number;
  previousManifest: string;
  manifest: string;
  keyReleased: { location: string; hadCopy: boolean }[];
  envelopesDeleted: number;
}

/**
 * Re-stores one dossier's sealed content in clear (see the header). `decisionId` is the
 * commission-adopted appraisal decision that made it permanent. Null when it holds no live key.
 */
export async function restoreInClear(deps: Deps, actor: Actor, dossierId: string, authority: { decisionId: string | null; protocol?: { number: string; date: string } | null }): Promise<UnsealReport | null> {
  const { db, storage } = deps;
  const d = await db.selectFrom('dossiers').select(['id', 'case_index', 'aip_manifest_sha256']).where('id', '=', dossierId).executeTakeFirstOrThrow();
  const key = await db.selectFrom('content_keys').select(['key_id', 'destroyed_at']).where('dossier_id', '=', dossierId).executeTakeFirst();
  if (!key || key.destroyed_at) return null;
  const sealed = await db.selectFrom('sealed_objects').select(['plain_sha256', 'sealed_sha256']).where('key_id', '=', key.key_id).orderBy('plain_sha256').execute();
  const content = await dossierContent({ db, storage }, dossierId);
  const stores = [storage.primary, ...storage.replicas];

  // 1. Clear objects everywhere, verified.
  const work = await mkdtemp(path.join(tmpdir(), 'muragat-unseal-'));
  try {
    for (const s of sealed) {
      const file = path.join(work, s.plain_sha256);
      await pipeline((await content.open(s.plain_sha256)).stream, createWriteStream(file));
      await putEverywhere(storage, { file }, s.plain_sha256);
      await rm(file, { force: true });
      for (const store of stores) {
        const check = await store.verify(s.plain_sha256);
        if (!check.ok) {
          throw new SystemError('destruction.unseal_copy_bad', 'destruction.unseal_copy_bad', { index: d.case_index, sha256: s.plain_sha256, location: store.location });
        }
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }

  // 2. The AIP without its sealing map.
  const now = (deps.now ?? (() => new Date()))();
  const previous = await readManifest(storage, d.aip_manifest_sha256);
  const detail = authority.protocol ? `moved to permanent keeping (protocol № ${authority.protocol.number}, ${authority.protocol.date}); content re-stored in clear` : 'moved to permanent keeping; content re-stored in clear';
  const manifest = {
    ...previous,
    files: previous.files.filter((f) => f.path !== SEALING_MAP_PATH),
    events: [...previous.events, { at: now.toISOString(), type: 'retention.permanent', outcome: 'success' as const, actor: actor.username, detail }],
  };
  const stored = await putEverywhere(storage, { bytes: serialiseJson(manifest) });

  // 3. The catalog moves to it.
  await db.transaction().execute(async (trx) => {
    const moved = await trx
      .updateTable('dossiers')
      .set({ aip_manifest_sha256: stored.sha256, updated_at: now })
      .where('id', '=', dossierId)
      .where('aip_manifest_sha256', '=', d.aip_manifest_sha256)
      .returning('id')
      .executeTakeFirst();
    if (!moved) throw new ConflictError('destruction.unseal_conflict', 'destruction.unseal_conflict', { index: d.case_index });
    await trx.deleteFrom('sealed_objects').where('key_id', '=', key.key_id).execute();
    await trx.deleteFrom('content_keys').where('key_id', '=', key.key_id).execute();
    await recordAudit(trx, {
      actor,
      action: 'dossier.unseal',
      objectType: 'dossier',
      objectId: dossierId,
      details: {
        index: d.case_index,
        keyId: key.key_id,
        objects: sealed.length,
        previousManifest: d.aip_manifest_sha256,
        manifest: stored.sha256,
        decision: authority.decisionId,
        protocolNumber: authority.protocol?.number ?? null,
        locations: stores.map((s) => s.location),
      },
    });
  });

  // 4. The key and the envelopes go.
  const keyReleased = await releaseContentKey(keyAreasOf(storage), { keyId: key.key_id, releasedAt: now.toISOString(), dossierId, manifest: stored.sha256, decision: authority.decisionId });
  for (const s of sealed) for (const store of stores) await store.destroy(s.sealed_sha256, { destructionActId: `permanent-keeping:${authority.decisionId ?? dossierId}` });
  return { dossierId, index: d.case_index, keyId: key.key_id, objects: sealed.length, previousManifest: d.aip_manifest_sha256, manifest: stored.sha256, keyReleased, envelopesDeleted: sealed.length };
}

/**
 * Every dossier whose retention in force is permanent by a commission's change but whose content
 * is still sealed, re-stored in clear (called after the commission's decisions are applied, so a
 * failed attempt is retried by the next apply). A dossier that fails is logged and left sealed.
 */
export async function restoreKeptInClear(deps: Deps, actor: Actor): Promise<{ restored: UnsealReport[]; failed: { dossierId: string; error: string }[] }> {
  const rows = await sql<{ dossier_id: string; decision_id: string; protocol: unknown }>`
    SELECT k.dossier_id, c.decision_id, c.protocol
    FROM content_keys k
    JOIN LATERAL (
      SELECT decision_id, retention, protocol FROM appraisal_retention_changes
      WHERE dossier_id = k.dossier_id ORDER BY applied_at DESC LIMIT 1
    ) c ON true
    WHERE k.dossier_id IS NOT NULL AND k.destroyed_at IS NULL AND c.retention->>'kind' = 'permanent'
    ORDER BY k.dossier_id`.execute(deps.db);
  const restored: UnsealReport[] = [];
  const failed: { dossierId: string; error: string }[] = [];
  for (const r of rows.rows) {
    const protocol = (typeof r.protocol === 'string' ? JSON.parse(r.protocol) : r.protocol) as { number: string; date: string } | null;
    try {
      const report = await restoreInClear(deps, actor, r.dossier_id, { decisionId: r.decision_id, protocol });
      if (report) restored.push(report);
    } catch (error) {
      logger().error({ dossier: r.dossier_id, err: error }, 'a dossier moved to permanent keeping could not be re-stored in clear; it stays sealed and is retried by the next apply');
      failed.push({ dossierId: r.dossier_id, error: (error as Error).message });
    }
  }
  return { restored, failed };
}
