// Writing a checked plan into the catalog: one transaction, so a failure (or a kill) leaves
// the catalog as it was; each rebuilt dossier and the rebuild itself are audit events.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../database/database';
import { recordAudit, type Actor } from '../../audit/audit.service';
import { t } from '../../common/i18n';
import { dossierDocumentRow, dossierRow, dossierSignatureRow } from '../../ingest';
import type { DocumentRow, Plan, PlannedDossier } from './plan';

const CHUNK = 500;

function json(value: unknown): string {
  return JSON.stringify(value ?? null);
}

async function insertDocuments(trx: Transaction<Database>, rows: DocumentRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await trx
      .insertInto('documents')
      .values(
        rows.slice(i, i + CHUNK).map((r) => ({
          id: r.id,
          transfer_id: r.transfer_id,
          dossier_index: r.dossier_index,
          seq: r.seq,
          source_path: r.source_path,
          parent_path: r.parent_path,
          sha256: r.sha256,
          size: r.size,
          format: r.format === null || r.format === undefined ? null : json(r.format),
          status: r.status,
          problems: json(r.problems ?? []),
          malware: r.malware === null || r.malware === undefined ? null : json(r.malware),
          signature: r.signature === null || r.signature === undefined ? null : json(r.signature),
          rendition_sha256: r.rendition_sha256,
          rendition_path: r.rendition_path,
          accepted_with_reason: r.accepted_with_reason,
          manifest_entry: json(r.manifest_entry ?? {}),
        })),
      )
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }
}

async function insertDossier(trx: Transaction<Database>, d: PlannedDossier, actor: Actor): Promise<string | null> {
  const row = await trx
    .insertInto('dossiers')
    .values({ ...dossierRow(d.transferId, d), stored_at: d.storedAt, updated_at: d.lastEventAt })
    .onConflict((oc) => oc.columns(['transfer_id', 'case_index', 'volume']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!row) return null;
  await insertDocuments(trx, d.documents);
  if (d.chain.length) {
    await trx
      .insertInto('dossier_documents')
      .values(d.chain.map((c) => dossierDocumentRow(row.id, c)))
      .execute();
  }
  for (const s of d.signatures) {
    await trx.insertInto('dossier_signatures').values(dossierSignatureRow(row.id, s)).onConflict((oc) => oc.columns(['dossier_id', 'kind', 'cms_sha256']).doNothing()).execute();
  }
  if (d.key) {
    await trx.insertInto('content_keys').values({ key_id: d.key.keyId, aip_id: d.aipId, dossier_id: row.id, key_check: d.key.check }).execute();
    for (let i = 0; i < d.key.sealed.length; i += CHUNK) {
      await trx
        .insertInto('sealed_objects')
        .values(d.key.sealed.slice(i, i + CHUNK).map((s) => ({ key_id: d.key!.keyId, plain_sha256: s.plain, sealed_sha256: s.sealed, plain_size: s.plainSize, sealed_size: s.sealedSize })))
        .onConflict((oc) => oc.columns(['key_id', 'plain_sha256']).doNothing())
        .execute();
    }
  }
  await recordAudit(trx, {
    actor,
    action: 'dossier.rebuild',
    objectType: 'dossier',
    objectId: row.id,
    details: { index: d.index, volume: d.volume, aipManifest: d.manifestSha256, documents: d.chain.length, status: d.status, withLosses: d.withLosses },
  });
  return row.id;
}

/** Which AIPs the catalog already holds (rebuild into a catalog that is not empty). */
export async function catalogedAips(db: Kysely<Database>): Promise<{ keys: Set<string>; manifests: Set<string> }> {
  const rows = await db.selectFrom('dossiers').select(['transfer_id', 'case_index', 'volume', 'aip_manifest_sha256']).execute();
  return { keys: new Set(rows.map((r) => `${r.transfer_id}/${r.case_index}/${r.volume}`)), manifests: new Set(rows.map((r) => r.aip_manifest_sha256)) };
}

export async function writePlan(
  db: Kysely<Database>,
  plan: Plan,
  dossiers: PlannedDossier[],
  actor: Actor,
  summary: { locations: string[]; destroyed: number; problems: number; acceptLosses: boolean; lastAnchor: string | null },
  onProgress?: (done: number, total: number, item: string) => void,
): Promise<{ ids: Map<string, string>; organisation: boolean; departments: number; transfers: number; documents: number }> {
  return db.transaction().execute(async (trx) => {
    let organisation = false;
    if (plan.organisation && !(await trx.selectFrom('organisation').select('id').executeTakeFirst())) {
      const o = plan.organisation;
      await trx.insertInto('organisation').values({ name_kk: o.nameKk, name_ru: o.nameRu, short_name_kk: o.shortNameKk, short_name_ru: o.shortNameRu, bin: o.bin, fonds_number: o.fondsNumber }).execute();
      organisation = true;
    }
    let departments = 0;
    for (const d of plan.departments.values()) {
      const r = await trx.insertInto('departments').values({ code: d.code, name_kk: d.nameKk, name_ru: d.nameRu }).onConflict((oc) => oc.column('code').doNothing()).executeTakeFirst();
      departments += Number(r.numInsertedOrUpdatedRows ?? 0);
    }
    const wanted = new Set(dossiers.map((d) => d.transferId));
    let transfers = 0;
    let documents = 0;
    for (const tr of plan.transfers.values()) {
      if (!wanted.has(tr.id) && tr.status === 'completed') continue;
      const failure =
        tr.status === 'failed'
          ? json({ step: 'receive', code: 'rebuild.transfer_failed_before', params: {}, message: t('en', 'rebuild.transfer_failed_before'), at: tr.receivedAt })
          : null;
      const r = await trx
        .insertInto('transfers')
        .values({
          id: tr.id,
          status: tr.status,
          department: tr.department,
          year: tr.year,
          source_name: tr.sourceName,
          source_sha256: tr.sourceSha256,
          source_size: tr.sourceSize,
          received_at: tr.receivedAt,
          finished_at: tr.finishedAt ?? tr.receivedAt,
          actor: json({ username: actor.username, rebuiltFromStorage: true }),
          report: json({ rebuiltFromStorage: true, ...(tr.rejectedItemsManifest ? { rejectedItemsManifest: tr.rejectedItemsManifest } : {}) }),
          failure,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      transfers += Number(r.numInsertedOrUpdatedRows ?? 0);
      await insertDocuments(trx, tr.documents);
      documents += tr.documents.length;
    }
    const ids = new Map<string, string>();
    let done = 0;
    for (const d of dossiers) {
      onProgress?.(done++, dossiers.length, d.aipId);
      const id = await insertDossier(trx, d, actor);
      if (id) {
        ids.set(d.aipId, id);
        documents += d.documents.length;
      }
    }
    onProgress?.(done, dossiers.length, '');
    await recordAudit(trx, {
      actor,
      action: 'catalog.rebuild',
      objectType: 'archive',
      objectId: null,
      details: { dossiers: ids.size, documents, transfers, organisation, locations: summary.locations, destroyed: summary.destroyed, problems: summary.problems, acceptLosses: summary.acceptLosses, lastAnchor: summary.lastAnchor },
    });
    return { ids, organisation, departments, transfers, documents };
  });
}
