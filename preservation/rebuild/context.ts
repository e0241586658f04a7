// The catalog context of an AIP (`catalog-context.json`, clear, role "report"): what the
// catalog knew when the dossier was stored and the AIP's own descriptions do not say — the
// organisation and department rows, the transfer's row and the documents' rows of the
// dossier. Written by the ingest store step beside dossier.json; read by the catalog rebuild
// (docs/rebuild.md). AIPs stored before it existed are rebuilt without it (names and source
// paths from dossier.json and the document metadata instead).
import type { Kysely } from 'kysely';
import type { Database } from '../../database/database';

export const CATALOG_CONTEXT_PATH = 'catalog-context.json';
export const CATALOG_CONTEXT_SCHEMA = 'muragat.catalog-context/1';

export interface CatalogContextDocument {
  id: string;
  dossierIndex: string | null;
  seq: number;
  source: string;
  parent: string | null;
  sha256: string;
  size: number;
  status: string;
  format: unknown;
  problems: unknown;
  malware: unknown;
  signature: unknown;
  renditionSha256: string | null;
  acceptedWithReason: string | null;
  manifestEntry: unknown;
}

export interface CatalogContext {
  schemaVersion: typeof CATALOG_CONTEXT_SCHEMA;
  organisation: { nameKk: string; nameRu: string; shortNameKk: string | null; shortNameRu: string | null; bin: string; fondsNumber: string } | null;
  department: { code: string; nameKk: string; nameRu: string } | null;
  transfer: { id: string; sourceName: string; sourceSha256: string | null; sourceSize: number | null; receivedAt: string; department: string | null; year: number | null };
  documents: CatalogContextDocument[];
}

/** Drops what is large and already in the AIP (the signature evidence has its own files). */
function withoutEvidence(signature: unknown): unknown {
  if (!signature || typeof signature !== 'object') return signature ?? null;
  const { evidence: _evidence, ...rest } = signature as Record<string, unknown>;
  return rest;
}

/** The context of one dossier of a transfer, read from the catalog at store time. */
export async function catalogContextOf(db: Kysely<Database>, transferId: string, departmentCode: string, documentIds: string[]): Promise<CatalogContext> {
  const [organisation, department, transfer, documents] = await Promise.all([
    db.selectFrom('organisation').selectAll().orderBy('created_at').executeTakeFirst(),
    db.selectFrom('departments').selectAll().where('code', '=', departmentCode).executeTakeFirst(),
    db.selectFrom('transfers').select(['id', 'source_name', 'source_sha256', 'source_size', 'received_at', 'department', 'year']).where('id', '=', transferId).executeTakeFirstOrThrow(),
    documentIds.length ? db.selectFrom('documents').selectAll().where('id', 'in', documentIds).orderBy('seq').execute() : Promise.resolve([]),
  ]);
  return {
    schemaVersion: CATALOG_CONTEXT_SCHEMA,
    organisation: organisation
      ? { nameKk: organisation.name_kk, nameRu: organisation.name_ru, shortNameKk: organisation.short_name_kk, shortNameRu: organisation.short_name_ru, bin: organisation.bin, fondsNumber: organisation.fonds_number }
      : null,
    department: department ? { code: department.code, nameKk: department.name_kk, nameRu: department.name_ru } : null,
    transfer: {
      id: transfer.id,
      sourceName: transfer.source_name,
      sourceSha256: transfer.source_sha256,
      sourceSize: transfer.source_size === null ? null : Number(transfer.source_size),
      receivedAt: new Date(transfer.received_at).toISOString(),
      department: transfer.department,
      year: transfer.year,
    },
    documents: documents.map((d) => ({
      id: d.id,
      dossierIndex: d.dossier_index,
      seq: d.seq,
      source: d.source_path,
      parent: d.parent_path,
      sha256: d.sha256,
      size: Number(d.size),
      status: d.status,
      format: d.format ?? null,
      problems: d.problems ?? [],
      malware: d.malware ?? null,
      signature: withoutEvidence(d.signature),
      renditionSha256: d.rendition_sha256,
      acceptedWithReason: d.accepted_with_reason,
      manifestEntry: d.manifest_entry ?? {},
    })),
  };
}
