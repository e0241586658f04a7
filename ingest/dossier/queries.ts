// Read side of stored e-dossiers for the CLI and the API.
import type { Kysely, Selectable } from 'kysely';
import type { Readable } from 'node:stream';
import type { Database } from '../../database/database';
import type { DossiersTable } from '../tables';
import type { Storage } from '../../storage';
import { ConflictError, NotFoundError } from '../../common/errors';
import { readManifest, type AipManifest } from '../aip';
import { destroyedDossier, dossierContent, dossierGone, type DossierContent } from '../../destruction/content';

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

/**
 * "<index>", "<index>@<year>", "<index>@<year>.v<volume>" or "<index>.v<volume>" (case indexes
 * hold only letters, digits and one hyphen, so the selector cannot be mistaken for one).
 */
const INDEX_SELECTOR = /^([0-9A-Za-z]{1,10}-[0-9]{1,4}[A-Za-z]?)(?:@(\d{4}))?(?:\.v(\d{1,4}))?$/;

/**
 * A dossier by id, or by case index when that names exactly one dossier. The same index is
 * used again every year and a dossier may have several volumes: an index naming several is
 * refused with the choices (never silently the newest); name the year and volume then.
 */
export async function findDossier(db: Kysely<Database>, idOrIndex: string): Promise<DossierRecord> {
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrIndex);
  // The transfer's department comes along: access decisions need it on every request (one query, not two).
  const dossiers = () => db.selectFrom('dossiers').leftJoin('transfers', 'transfers.id', 'dossiers.transfer_id').selectAll('dossiers').select('transfers.department as transfer_department');
  if (isUuid) {
    const row = await dossiers().where('dossiers.id', '=', idOrIndex).executeTakeFirst();
    if (!row) throw new NotFoundError('ingest.dossier_not_found', 'ingest.dossier_not_found', { id: idOrIndex });
    return row;
  }
  const m = INDEX_SELECTOR.exec(idOrIndex);
  if (!m) throw new NotFoundError('ingest.dossier_not_found', 'ingest.dossier_not_found', { id: idOrIndex });
  const rows = await dossiers()
    .where('dossiers.case_index', '=', m[1]!)
    .$if(m[2] !== undefined, (q) => q.where('dossiers.year', '=', Number(m[2])))
    .$if(m[3] !== undefined, (q) => q.where('dossiers.volume', '=', Number(m[3])))
    .orderBy('dossiers.year')
    .orderBy('dossiers.department')
    .orderBy('dossiers.volume')
    .limit(50)
    .execute();
  if (!rows.length) throw new NotFoundError('ingest.dossier_not_found', 'ingest.dossier_not_found', { id: idOrIndex });
  if (rows.length > 1) {
    // Selectors only: ids and departments of dossiers the asker may not reach are not told
    // (GET /api/dossiers?index= lists the reachable ones with their ids).
    const choices = [...new Set(rows.map((r) => `${r.case_index}@${r.year ?? ''}.v${r.volume}`))];
    throw new ConflictError('ingest.dossier_index_ambiguous', 'ingest.dossier_index_ambiguous', { index: idOrIndex, count: rows.length, choices: choices.join(', ') }, { choices });
  }
  return rows[0]!;
}

/** A dossier's catalog row with its transfer's department (findDossier). Readers given one skip reading it again. */
export type DossierRecord = Selectable<DossiersTable> & { transfer_department: string | null };

/** A dossier named by id or case index, or its record already read in this request. */
export type DossierRef = string | DossierRecord;

/** The record a reference names: read when it is an id or case index, as given otherwise. */
export function dossierRecord(db: Kysely<Database>, ref: DossierRef): Promise<DossierRecord> {
  return typeof ref === 'string' ? findDossier(db, ref) : Promise.resolve(ref);
}

/** Every volume kept under a case index (of every department and year), in order. */
export async function listVolumes(db: Kysely<Database>, index: string): Promise<(DossierSummary & { department: string | null; year: number | null })[]> {
  const rows = await db.selectFrom('dossiers').selectAll().where('case_index', '=', index).orderBy('year').orderBy('department').orderBy('volume').execute();
  return rows.map((r) => ({
    id: r.id,
    transferId: r.transfer_id,
    index: r.case_index,
    volume: r.volume,
    department: r.department,
    year: r.year,
    title: r.title,
    status: r.status,
    aipManifestSha256: r.aip_manifest_sha256,
    storedAt: new Date(r.stored_at).toISOString(),
  }));
}

export async function getDossier(deps: { db: Kysely<Database>; storage: Storage }, dossier: DossierRef) {
  const d = await dossierRecord(deps.db, dossier);
  // The catalog's rows read side by side (the dossier page is among the busiest requests). A
  // destroyed dossier answers 410 naming its act; its stored objects are not touched (the
  // manifest is read only after that check: a read of a missing object would ask for a repair).
  const [gone, documents, signatures] = await Promise.all([
    destroyedDossier(deps.db, d.id),
    deps.db
      .selectFrom('dossier_documents as dd')
      .innerJoin('documents as doc', 'doc.id', 'dd.document_id')
      .select(['dd.position', 'dd.document_id', 'dd.aip_path', 'dd.control_characteristic', 'dd.previous', 'dd.metadata', 'doc.status', 'doc.rendition_path', 'doc.source_path', 'doc.problems'])
      .where('dd.dossier_id', '=', d.id)
      .orderBy('dd.position')
      .execute(),
    deps.db.selectFrom('dossier_signatures').select(['kind', 'signer', 'cms_sha256', 'verdict', 'created_at']).where('dossier_id', '=', d.id).execute(),
  ]);
  if (gone) throw dossierGone(d.case_index, gone);
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

/**
 * Opens one file of a dossier's AIP by its path (original, rendition, inventory…). `read`: what
 * the caller has read already of this dossier (its content, which answered 410 if destroyed, and
 * its manifest).
 */
export async function openAipFile(
  deps: { db: Kysely<Database>; storage: Storage },
  dossier: DossierRef,
  aipPath: string,
  read: { content?: DossierContent; manifest?: AipManifest } = {},
): Promise<{ stream: Readable; size: number; name: string; sha256: string }> {
  const d = await dossierRecord(deps.db, dossier);
  const content = read.content ?? (await dossierContent(deps, d));
  const entry = (read.manifest ?? (await readManifest(deps.storage, d.aip_manifest_sha256))).files.find((f) => f.path === aipPath);
  if (!entry) throw new NotFoundError('ingest.aip_file_not_found', 'ingest.aip_file_not_found', { path: aipPath });
  // Verified read: the bytes are proven to hash to entry.sha256 (from a replica if need be) before
  // anything is sent, so the ETag callers set from sha256 is the verified hash. A sealed object's
  // envelope is verified the same way and unsealed on the way out (GCM tag and plaintext digest
  // checked before the stream ends).
  const object = await content.open(entry.sha256);
  return { stream: object.stream, size: object.size, name: aipPath.split('/').pop() ?? 'file', sha256: object.sha256 };
}
