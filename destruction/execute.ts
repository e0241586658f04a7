// Execution of an approved destruction act (p.186-1, docs/destruction.md "Execution"). Only an
// act the organisation head approved, only by a user other than its author, never while a
// dossier on it is held, and only with the act's number typed as the confirmation. Per dossier:
// its content key is destroyed in every key area (with a tombstone carrying the catalog record),
// its envelopes are deleted from every storage location, its clear content objects (dossiers
// stored before sealing existed) are deleted unless another live dossier holds the same bytes,
// and its catalog record is kept in destroyed_dossiers. Then a certificate of destruction as
// PDF/A-1 in kk and ru, signed by the system key (Ed25519 over a canonical statement), and the
// act's destruction mark (appraisal/ markActExecuted). Every step is an audit event. Each step is
// idempotent: an execution interrupted half-way is finished by running it again.
import { sign } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../database/database';
import { ConflictError, ForbiddenError, ValidationError } from '../common/errors';
import { canonicalJson } from '../common/hash';
import { recordAudit, type Actor } from '../audit/audit.service';
import { loadSystemKey } from '../audit/audit-anchor';
import { heldDossiers, loadActForExecution, markActExecuted } from '../appraisal';
import type { Storage } from '../storage';
import { destroyContentKey, keyAreasOf } from '../storage/keys';
import { putEverywhere, readManifest, isContentObject, SEALING_MAP_PATH } from '../ingest/aip';
import { dossierDates } from '../ingest';
import { renderCertificate, type CertificateModel } from './certificate';

export const DESTRUCTION_METHOD = 'crypto-erasure';

export interface ExecuteDeps {
  db: Kysely<Database>;
  storage: Storage;
  /** Folder of the system key (systemKeyDir(config)). */
  keyDir: string;
  now?: () => Date;
}

export interface DestroyedDossierReport {
  dossierId: string;
  index: string;
  heading: string;
  keyDestroyed: { location: string; hadCopy: boolean }[];
  objectsDeleted: number;
  /** Clear objects kept because another live dossier holds the same bytes. */
  sharedKept: string[];
}

export interface ExecutionReport {
  actId: string;
  actNumber: string;
  executedAt: string;
  method: string;
  dossiers: DestroyedDossierReport[];
  certificate: { id: string; pdfSha256: { kk: string; ru: string }; statementSha256: string; systemKeyId: string };
}

function finalControlOf(d: { metadata: unknown; aip_manifest_sha256: string; inventory_sha256: string; integrity_sha256: string }) {
  const m = (d.metadata ?? {}) as { integrity?: { lastControlCharacteristic?: string | null }; documentCount?: number; fileCount?: number; sizeBytes?: number };
  return {
    lastControlCharacteristic: m.integrity?.lastControlCharacteristic ?? null,
    internalInventorySha256: d.inventory_sha256,
    integrityStatementSha256: d.integrity_sha256,
    aipManifestSha256: d.aip_manifest_sha256,
    documentCount: m.documentCount ?? null,
    fileCount: m.fileCount ?? null,
    sizeBytes: m.sizeBytes ?? null,
  };
}

/** Checks everything that can refuse an execution, before anything is touched. */
export async function checkExecution(db: Kysely<Database>, actor: Actor, actId: string, confirm?: string) {
  const act = await loadActForExecution(db, actId);
  if (act.status !== 'approved') throw new ConflictError('destruction.act_not_approved', 'destruction.act_not_approved', { number: act.number, status: act.status });
  if (!actor.userId || actor.userId === act.authorId || actor.username === act.authorId) {
    throw new ForbiddenError('destruction.executor_is_author', 'destruction.executor_is_author', { number: act.number, user: actor.username });
  }
  const held = await heldDossiers(db, act.rows.map((r) => r.dossierId));
  const first = act.rows.find((r) => held.has(r.dossierId));
  if (first) throw new ConflictError('destruction.dossier_held', 'destruction.dossier_held', { index: first.index, reason: held.get(first.dossierId)!.reason, number: act.number });
  if (confirm !== undefined && confirm.trim() !== act.number) {
    throw new ValidationError('destruction.confirmation_mismatch', 'destruction.confirmation_mismatch', { number: act.number });
  }
  return act;
}

export async function executeAct(deps: ExecuteDeps, actor: Actor, actId: string, input: { confirm: string; method?: string }): Promise<ExecutionReport> {
  const act = await checkExecution(deps.db, actor, actId, input.confirm);
  const now = (deps.now ?? (() => new Date()))();
  const executedAt = now.toISOString();
  const method = input.method?.trim() || DESTRUCTION_METHOD;
  const executor = await deps.db.selectFrom('users').select(['id', 'username', 'full_name', 'position']).where('id', '=', actor.userId!).executeTakeFirstOrThrow();
  await recordAudit(deps.db, { actor, action: 'destruction.start', objectType: 'destruction_act', objectId: actId, details: { number: act.number, dossiers: act.rows.length, method } });
  const areas = keyAreasOf(deps.storage);
  const stores = [deps.storage.primary, ...deps.storage.replicas];
  const reports: DestroyedDossierReport[] = [];
  const records: CertificateModel['dossiers'] = [];
  const destroyedIds = new Set(act.rows.map((r) => r.dossierId));
  for (const row of act.rows) {
    const d = await deps.db.selectFrom('dossiers').selectAll().where('id', '=', row.dossierId).executeTakeFirstOrThrow();
    const meta = (d.metadata ?? {}) as { retention?: unknown };
    const dates = dossierDates(d);
    const finalControl = finalControlOf(d);
    const record = {
      act_id: actId,
      act_number: act.number,
      case_index: d.case_index,
      volume: d.volume,
      heading: d.title,
      year: dates.year,
      department: dates.department,
      start_date: dates.startDate,
      end_date: dates.endDate,
      retention: meta.retention ?? null,
      method,
      destroyed_at: executedAt,
      executed_by: executor.id,
      executed_by_name: executor.full_name,
      final_control: finalControl,
      certificate_id: null,
    };
    records.push({ index: d.case_index, volume: d.volume, heading: d.title, startDate: record.start_date, endDate: record.end_date, retention: meta.retention ?? null, finalControl });
    const already = await deps.db.selectFrom('destroyed_dossiers').select('dossier_id').where('dossier_id', '=', d.id).executeTakeFirst();
    if (already) {
      reports.push({ dossierId: d.id, index: d.case_index, heading: d.title, keyDestroyed: [], objectsDeleted: 0, sharedKept: [] });
      continue;
    }
    // 1. The key, everywhere: from here on no copy of the envelopes, wherever it is, opens.
    const key = await deps.db.selectFrom('content_keys').select(['key_id']).where('dossier_id', '=', d.id).executeTakeFirst();
    const keyDestroyed = key ? await destroyContentKey(areas, { keyId: key.key_id, destroyedAt: executedAt, destructionActId: actId, record: { ...record, dossier_id: d.id } }) : [];
    if (key) await recordAudit(deps.db, { actor, action: 'destruction.key_destroy', objectType: 'dossier', objectId: d.id, details: { act: act.number, keyId: key.key_id, areas: keyDestroyed } });
    // 2. The envelopes, and clear content objects no other live dossier holds.
    const sealed = key ? await deps.db.selectFrom('sealed_objects').select('sealed_sha256').where('key_id', '=', key.key_id).execute() : [];
    const toDelete = new Set(sealed.map((s) => s.sealed_sha256));
    const sharedKept: string[] = [];
    const manifest = await readManifest(deps.storage, d.aip_manifest_sha256).catch(() => null);
    const sealedPlain = key ? new Set((await deps.db.selectFrom('sealed_objects').select('plain_sha256').where('key_id', '=', key.key_id).execute()).map((r) => r.plain_sha256)) : new Set<string>();
    for (const f of manifest?.files ?? []) {
      if (f.path === SEALING_MAP_PATH || !isContentObject(f.path, f.role) || sealedPlain.has(f.sha256)) continue;
      // A clear object (stored before sealing, or of a dossier once permanent): deleted unless
      // another dossier that is not being destroyed holds the same bytes.
      const shared = await deps.db
        .selectFrom('documents as doc')
        .innerJoin('dossier_documents as dd', 'dd.document_id', 'doc.id')
        .select('dd.dossier_id')
        .where((eb) => eb.or([eb('doc.sha256', '=', f.sha256), eb('doc.rendition_sha256', '=', f.sha256)]))
        .where('dd.dossier_id', 'not in', [...destroyedIds])
        .where(({ not, exists, selectFrom }) => not(exists(selectFrom('destroyed_dossiers as x').select('x.dossier_id').whereRef('x.dossier_id', '=', 'dd.dossier_id'))))
        .executeTakeFirst();
      if (shared) sharedKept.push(f.sha256);
      else toDelete.add(f.sha256);
    }
    for (const sha of toDelete) for (const store of stores) await store.destroy(sha, { destructionActId: actId });
    // 3. The catalog record, the tombstones for repair, the key's end.
    await deps.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('destroyed_dossiers')
        .values({ ...record, dossier_id: d.id, retention: JSON.stringify(record.retention), final_control: JSON.stringify(finalControl) })
        .onConflict((oc) => oc.column('dossier_id').doNothing())
        .execute();
      for (const sha of toDelete) {
        await trx.insertInto('destroyed_objects').values({ sha256: sha, dossier_id: d.id, act_id: actId }).onConflict((oc) => oc.column('sha256').doNothing()).execute();
      }
      if (key) await trx.updateTable('content_keys').set({ destroyed_at: executedAt, destruction_act_id: actId }).where('key_id', '=', key.key_id).execute();
      await recordAudit(trx, {
        actor,
        action: 'dossier.destroy',
        objectType: 'dossier',
        objectId: d.id,
        details: { act: act.number, index: d.case_index, heading: d.title, method, objects: toDelete.size, sharedKept: sharedKept.length, locations: stores.map((s) => s.location) },
      });
    });
    reports.push({ dossierId: d.id, index: d.case_index, heading: d.title, keyDestroyed, objectsDeleted: toDelete.size, sharedKept });
  }
  // 4. The certificate, signed by the system.
  const model: CertificateModel = {
    actNumber: act.number,
    fondsNumber: act.fondsNumber,
    executedAt,
    method,
    executor: { name: executor.full_name, position: executor.position ?? '', username: executor.username },
    dossiers: records,
  };
  const pdfs = { kk: await renderCertificate(model, 'kk', now), ru: await renderCertificate(model, 'ru', now) };
  const storedKk = await putEverywhere(deps.storage, { bytes: pdfs.kk });
  const storedRu = await putEverywhere(deps.storage, { bytes: pdfs.ru });
  const statement = Buffer.from(
    canonicalJson({ type: 'muragat.destruction-certificate/1', act: { id: actId, number: act.number }, executedAt, method, executor: model.executor, dossiers: records, renditions: { kk: storedKk.sha256, ru: storedRu.sha256 } }),
    'utf8',
  );
  const storedStatement = await putEverywhere(deps.storage, { bytes: statement });
  const key = (await loadSystemKey(deps.keyDir, { create: true }))!;
  const signature = sign(null, statement, key.privateKey).toString('base64');
  const certificate = await deps.db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('destruction_certificates').select('id').where('act_id', '=', actId).executeTakeFirst();
    const cert =
      existing ??
      (await trx
        .insertInto('destruction_certificates')
        .values({ act_id: actId, act_number: act.number, executed_by: executor.id, executed_at: executedAt, method, pdf_sha256: storedKk.sha256, statement_sha256: storedStatement.sha256, system_signature: signature, system_key_id: key.keyId })
        .returning('id')
        .executeTakeFirstOrThrow());
    await trx.updateTable('destroyed_dossiers').set({ certificate_id: cert.id }).where('act_id', '=', actId).execute();
    await recordAudit(trx, { actor, action: 'destruction.certificate', objectType: 'destruction_act', objectId: actId, details: { number: act.number, certificate: cert.id, pdf: { kk: storedKk.sha256, ru: storedRu.sha256 }, statement: storedStatement.sha256, systemKeyId: key.keyId } });
    // 5. The act's destruction mark (B), in the same transaction as the certificate.
    await markActExecuted(trx, actId, { executedBy: executor.id, executedAt, method, certificateId: cert.id });
    await recordAudit(trx, { actor, action: 'destruction.execute', objectType: 'destruction_act', objectId: actId, details: { number: act.number, dossiers: reports.map((r) => r.index), certificate: cert.id } });
    return cert;
  });
  return {
    actId,
    actNumber: act.number,
    executedAt,
    method,
    dossiers: reports,
    certificate: { id: certificate.id, pdfSha256: { kk: storedKk.sha256, ru: storedRu.sha256 }, statementSha256: storedStatement.sha256, systemKeyId: key.keyId },
  };
}
