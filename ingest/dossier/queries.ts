// Read side of stored e-dossiers for the CLI and the API.
import type { Kysely } from 'kysely';
import type { Readable } from 'node:stream';
import type { Database } from '../../catalog/database';
import { readVerified, type Storage } from '../../storage';
import { NotFoundError } from '../../common/errors';
import { readManifest, type AipManifest } from '../aip';

export interface DossierSummary {
  id: string;
  transferId: string;
  index: string;
  volume: number;
  title: string;
  status: string;
  aipManifestSha256: string;
  storedAt: string;
}

export async function listDossiers(db: Kysely<Database>, filter: { transferId?: string; limit?: number; offset?: number } = {}): Promise<DossierSummary[]> {
  let q = db.selectFrom('dossiers').selectAll().orderBy('stored_at', 'desc').orderBy('case_index');
  if (filter.transferId) q = q.where('transfer_id', '=', filter.transferId);
  const rows = await q.limit(Math.min(filter.limit ?? 100, 1000)).offset(filter.offset ?? 0).execute();
  return rows.map((r) => ({
    id: r.id,
    transferId: r.transfer_id,
    index: r.case_index,
    volume: r.volume,
    title: r.title,
    status: r.status,
    aipManifestSha256: r.aip_manifest_sha256,
    storedAt: new Date(r.stored_at).toISOString(),
  }));
}

export async function findDossier(db: Kysely<Database>, idOrIndex: string) {
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrIndex);
  const row = await db
    .selectFrom('dossiers')
    .selectAll()
    .where(isUuid ? 'id' : 'case_index', '=', idOrIndex)
    .orderBy('stored_at', 'desc')
    .executeTakeFirst();
  if (!row) throw new NotFoundError('ingest.dossier_not_found', 'ingest.dossier_not_found', { id: idOrIndex });
  return row;
}

export async function getDossier(deps: { db: Kysely<Database>; storage: Storage }, idOrIndex: string) {
  const d = await findDossier(deps.db, idOrIndex);
  const documents = await deps.db
    .selectFrom('dossier_documents as dd')
    .innerJoin('documents as doc', 'doc.id', 'dd.document_id')
    .select(['dd.position', 'dd.document_id', 'dd.aip_path', 'dd.control_characteristic', 'dd.previous', 'dd.metadata', 'doc.status', 'doc.rendition_path', 'doc.source_path', 'doc.problems'])
    .where('dd.dossier_id', '=', d.id)
    .orderBy('dd.position')
    .execute();
  const signatures = await deps.db.selectFrom('dossier_signatures').select(['kind', 'signer', 'cms_sha256', 'verdict', 'created_at']).where('dossier_id', '=', d.id).execute();
  const manifest: AipManifest = await readManifest(deps.storage, d.aip_manifest_sha256);
  return {
    id: d.id,
    transferId: d.transfer_id,
    index: d.case_index,
    volume: d.volume,
    title: d.title,
    status: d.status,
    metadata: d.metadata,
    aipManifestSha256: d.aip_manifest_sha256,
    documents: documents.map((x) => ({
      position: x.position,
      id: x.document_id,
      source: x.source_path,
      status: x.status,
      original: x.aip_path,
      rendition: x.rendition_path,
      controlCharacteristic: x.control_characteristic,
      previous: x.previous,
      metadata: x.metadata,
      problems: x.problems,
    })),
    signatures: signatures.map((s) => ({ kind: s.kind, signer: s.signer, cmsSha256: s.cms_sha256, verdict: s.verdict, at: new Date(s.created_at).toISOString() })),
    files: manifest.files,
  };
}

/** Opens one file of a dossier's AIP by its path (original, rendition, inventory…). */
export async function openAipFile(deps: { db: Kysely<Database>; storage: Storage }, idOrIndex: string, aipPath: string): Promise<{ stream: Readable; size: number; name: string; sha256: string }> {
  const d = await findDossier(deps.db, idOrIndex);
  const manifest = await readManifest(deps.storage, d.aip_manifest_sha256);
  const entry = manifest.files.find((f) => f.path === aipPath);
  if (!entry) throw new NotFoundError('ingest.aip_file_not_found', 'ingest.aip_file_not_found', { path: aipPath });
  // Verified read: the bytes are proven to hash to entry.sha256 (from a replica if need be) before
  // anything is sent, so the ETag callers set from sha256 is the verified hash.
  const object = await readVerified(deps.storage, entry.sha256);
  return { stream: object.stream, size: object.size, name: aipPath.split('/').pop() ?? 'file', sha256: object.sha256 };
}
