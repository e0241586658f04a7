// Read side of stored e-dossiers for the API: filtered list, detail with the control
// characteristic chain checked against the catalog, signature status, and the files of a
// document (original, PDF/A rendition) or of the internal inventory, streamed from the AIP.
import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { Database } from '../../database/database';
import type { Actor } from '../../audit/audit.service';
import { NotFoundError } from '../../common/errors';
import type { Storage } from '../../storage';
import { verifyControlChain } from '../../validators/schemas/control';
import type { DocumentMetadata, DossierMetadata } from '../../validators/schemas/types';
import { dossierRecord, getDossier, openAipFile, type DossierRef } from '../dossier/queries';
import { readManifest } from '../aip';
import { dossierContent } from '../../destruction/content';
import { assessDossiers, type DossierRetentionView } from '../../catalog/retention';
import type { DossierStatus } from '../tables';
import { visibleToResearcher, type ResearcherContext } from '../../access/researcher-filter';

export interface DossierListFilter {
  q?: string;
  index?: string;
  status?: DossierStatus;
  year?: number;
  department?: string;
  transferId?: string;
  limit?: number;
  offset?: number;
  /** A researcher's list: only what the access rules let them see (access/, set by the access service). */
  researcher?: ResearcherContext;
}

/** What a dossier is called by, in the list and in its detail alike. */
export interface DossierIdentity {
  id: string;
  transferId: string;
  index: string;
  volume: number;
  title: string;
  status: DossierStatus;
}

export interface DossierListItem extends DossierIdentity {
  year: number | null;
  department: string | null;
  startDate: string | null;
  endDate: string | null;
  documentCount: number;
  storedAt: string;
  /** Fonds – inventory – case (p.181), once the inventory of permanent dossiers is approved (catalog/inventories). */
  archivalCipher: NonNullable<DossierMetadata['archivalCipher']> | null;
  /** Retention category, ЭПК mark and earliest destruction date (catalog/retention); null when the metadata holds no period. */
  retention: DossierRetentionView | null;
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * A dossier's year, department and dates: the catalog's columns where set, else its metadata.
 * The dossier list shows them; a destruction record keeps them for a dossier that is gone.
 */
export function dossierDates(row: { year: number | null; department: string | null; metadata: unknown }): { year: number | null; department: string | null; startDate: string | null; endDate: string | null } {
  const meta = (row.metadata ?? {}) as Partial<DossierMetadata>;
  return { year: row.year ?? meta.year ?? null, department: row.department ?? meta.department?.code ?? null, startDate: meta.startDate ?? null, endDate: meta.endDate ?? null };
}

export async function searchDossiers(db: Kysely<Database>, filter: DossierListFilter = {}): Promise<{ dossiers: DossierListItem[]; total: number }> {
  let q = db.selectFrom('dossiers').innerJoin('transfers', 'transfers.id', 'dossiers.transfer_id');
  if (filter.q) {
    const like = `%${escapeLike(filter.q.toLowerCase())}%`;
    q = q.where((eb) => eb.or([eb(eb.fn('lower', ['dossiers.title']), 'like', like), eb(eb.fn('lower', ['dossiers.case_index']), 'like', like),
      // The archival cipher ("12-1-5") finds its dossier too.
      eb.exists(eb.selectFrom('archival_ciphers').select('archival_ciphers.dossier_id').whereRef('archival_ciphers.dossier_id', '=', 'dossiers.id').where((sub) => sub(sub.fn('lower', ['archival_ciphers.code']), 'like', like))),
    ]));
  }
  if (filter.index) q = q.where('dossiers.case_index', '=', filter.index);
  if (filter.status) q = q.where('dossiers.status', '=', filter.status);
  if (filter.year !== undefined) q = q.where('transfers.year', '=', filter.year);
  if (filter.department) q = q.where('transfers.department', '=', filter.department);
  if (filter.transferId) q = q.where('dossiers.transfer_id', '=', filter.transferId);
  if (filter.researcher) q = visibleToResearcher(q, filter.researcher);
  const total = Number((await q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirst())?.n ?? 0);
  const rows = await q
    .select(['dossiers.id', 'dossiers.transfer_id', 'dossiers.case_index', 'dossiers.volume', 'dossiers.title', 'dossiers.status', 'dossiers.metadata', 'dossiers.stored_at', 'transfers.year', 'transfers.department'])
    .orderBy('dossiers.stored_at', 'desc')
    .orderBy('dossiers.case_index')
    .orderBy('dossiers.id')
    .limit(Math.min(filter.limit ?? 50, 500))
    .offset(filter.offset ?? 0)
    .execute();
  const retention = await assessDossiers(
    db,
    rows.map((r) => {
      const meta = r.metadata as unknown as Partial<DossierMetadata>;
      return { id: r.id, retention: meta.retention, year: dossierDates(r).year, endDate: meta.endDate ?? null };
    }),
  );
  return {
    total,
    dossiers: rows.map((r) => {
      const meta = r.metadata as unknown as Partial<DossierMetadata>;
      return {
        id: r.id,
        transferId: r.transfer_id,
        index: r.case_index,
        volume: r.volume,
        title: r.title,
        status: r.status,
        ...dossierDates(r),
        documentCount: meta.documentCount ?? 0,
        storedAt: new Date(r.stored_at).toISOString(),
        archivalCipher: meta.archivalCipher ?? null,
        retention: retention.get(r.id) ?? null,
      };
    }),
  };
}

export type SignatureKind = 'inventory' | 'integrity';

export interface DossierDetail extends DossierIdentity {
  awaitingSignature: boolean;
  /** Signature kinds still missing a valid signature. */
  missingSignatures: SignatureKind[];
  /** Fonds – inventory – case (p.181), once given; also in the metadata. */
  archivalCipher: NonNullable<DossierMetadata['archivalCipher']> | null;
  metadata: Record<string, unknown>;
  /** Retention category, ЭПК mark and earliest destruction date (catalog/retention). */
  retention: DossierRetentionView | null;
  aipManifestSha256: string;
  chain: { ok: boolean; breaks: { position: number; identifier: string; reason: string }[] };
  signatures: { kind: string; verdict: string; signer: Record<string, unknown>; cmsSha256: string; at: string }[];
  documents: {
    position: number;
    id: string;
    title: string;
    date: string | null;
    number: string | null;
    language: string | null;
    source: string;
    status: string;
    originalName: string | null;
    hasRendition: boolean;
    controlCharacteristic: string;
    previous: string | null;
    /** This link of the chain: its hash matches its metadata and it points at its predecessor. */
    chainOk: boolean;
    signature: { verdict: string; signers: string[] } | null;
    access: DocumentMetadata['access'] | null;
    metadata: Record<string, unknown>;
  }[];
  inventory: { json: boolean; pdf: boolean };
}

export async function dossierDetail(deps: { db: Kysely<Database>; storage: Storage }, dossier: DossierRef): Promise<DossierDetail> {
  const record = await dossierRecord(deps.db, dossier);
  const meta = record.metadata as Partial<DossierMetadata>;
  // The retention is assessed from the record, beside the rest of the reading.
  const [d, retention] = await Promise.all([
    getDossier(deps, record),
    assessDossiers(deps.db, [{ id: record.id, retention: meta.retention, year: meta.year ?? null, endDate: meta.endDate ?? null }]),
  ]);
  const metas = d.documents.map((doc) => doc.metadata as unknown as DocumentMetadata);
  const chain = verifyControlChain(metas);
  const broken = new Set(chain.breaks.map((b) => b.position));
  const validKinds = new Set(d.signatures.filter((s) => s.verdict === 'valid').map((s) => s.kind));
  const missing = (['inventory', 'integrity'] as const).filter((k) => !validKinds.has(k));
  return {
    id: d.id,
    transferId: d.transferId,
    index: d.index,
    volume: d.volume,
    title: d.title,
    status: d.status,
    awaitingSignature: d.status === 'awaiting-signature',
    missingSignatures: missing,
    archivalCipher: (d.metadata as Partial<DossierMetadata>).archivalCipher ?? null,
    metadata: d.metadata,
    retention: retention.get(d.id) ?? null,
    aipManifestSha256: d.aipManifestSha256,
    chain: { ok: chain.ok, breaks: chain.breaks },
    signatures: d.signatures.map((s) => ({ kind: s.kind, verdict: s.verdict, signer: s.signer, cmsSha256: s.cmsSha256, at: s.at })),
    documents: d.documents.map((doc, i) => {
      const m = metas[i]!;
      const sigs = m.signatures ?? [];
      const verdict = sigs.length === 0 ? null : sigs.every((s) => s.verdict === 'valid') ? 'valid' : sigs.some((s) => s.verdict === 'invalid') ? 'invalid' : 'cannot-verify';
      return {
        position: doc.position,
        id: doc.id,
        title: m.title,
        date: m.date ?? null,
        number: m.number ?? null,
        language: m.language ?? null,
        source: doc.source,
        status: doc.status,
        originalName: m.files?.[0]?.name ?? null,
        hasRendition: !!m.rendition,
        controlCharacteristic: doc.controlCharacteristic,
        previous: doc.previous,
        chainOk: !broken.has(doc.position),
        signature: verdict ? { verdict, signers: sigs.flatMap((s) => (s.signers ?? []).map((x) => x.subject ?? '')).filter(Boolean) } : null,
        access: m.access ?? null,
        metadata: doc.metadata,
      };
    }),
    inventory: {
      json: d.files.some((f) => f.role === 'internal-inventory'),
      pdf: d.files.some((f) => f.role === 'internal-inventory-rendition'),
    },
  };
}

export interface AipFileStream {
  stream: Readable;
  size: number;
  name: string;
  sha256: string;
  mime: string;
}

/**
 * The original (first file) or the PDF/A rendition of the n-th document (1-based) of a dossier.
 * Who may read it is decided before, in one place (access/: the route asks `access.document`).
 */
export async function openDocumentFile(
  deps: { db: Kysely<Database>; storage: Storage },
  actor: Actor,
  dossier: DossierRef,
  position: number,
  which: 'original' | 'rendition',
  now = new Date(),
): Promise<AipFileStream> {
  // The busiest read of the archive: the dossier's record (when the caller has it), the one
  // document's metadata and the manifest, read once — not the whole dossier.
  const { d, content } = await openedDossier(deps, dossier);
  const [doc, manifest] = await Promise.all([
    deps.db.selectFrom('dossier_documents').select('metadata').where('dossier_id', '=', d.id).where('position', '=', position).executeTakeFirst(),
    readManifest(deps.storage, d.aip_manifest_sha256),
  ]);
  if (!doc) throw new NotFoundError('ingest.document_not_in_dossier', 'ingest.document_not_in_dossier', { position, dossier: d.case_index });
  const meta = doc.metadata as unknown as DocumentMetadata;
  const folder = `documents/${String(position).padStart(3, '0')}`;
  const wanted =
    which === 'rendition'
      ? manifest.files.find((f) => f.role === 'rendition' && f.path.startsWith(`${folder}/`))
      : manifest.files.find((f) => f.role === 'original' && f.path.startsWith(`${folder}/`) && (!meta.files?.[0] || f.path.endsWith(`/${meta.files[0].name}`))) ??
        manifest.files.find((f) => f.role === 'original' && f.path.startsWith(`${folder}/`));
  if (!wanted) throw new NotFoundError('ingest.aip_file_not_found', 'ingest.aip_file_not_found', { path: `${folder}/${which}` });
  const file = await openAipFile(deps, d, wanted.path, { content, manifest });
  const mime = which === 'rendition' ? 'application/pdf' : (wanted.mime ?? meta.files?.[0]?.mime ?? 'application/octet-stream');
  return { ...file, mime };
}

/**
 * The internal inventory of a dossier: its JSON (App. 32) or its PDF/A rendition in the asked
 * language (the AIP keeps inventory/internal-inventory-kk.pdf and -ru.pdf; Kazakh otherwise).
 */
export async function openInventory(deps: { db: Kysely<Database>; storage: Storage }, dossier: DossierRef, format: 'json' | 'pdf', language: 'kk' | 'ru' = 'kk'): Promise<AipFileStream> {
  const { d, content } = await openedDossier(deps, dossier);
  const manifest = await readManifest(deps.storage, d.aip_manifest_sha256);
  const role = format === 'json' ? 'internal-inventory' : 'internal-inventory-rendition';
  const entries = manifest.files.filter((f) => f.role === role);
  const entry = entries.find((f) => f.path.endsWith(`-${language}.pdf`)) ?? entries[0];
  if (!entry) throw new NotFoundError('ingest.aip_file_not_found', 'ingest.aip_file_not_found', { path: role });
  const file = await openAipFile(deps, d, entry.path, { content, manifest });
  return { ...file, mime: format === 'json' ? 'application/json' : 'application/pdf' };
}

/** A dossier whose files are about to be read: its record and its content (410 when destroyed, before any stored object is read). */
async function openedDossier(deps: { db: Kysely<Database>; storage: Storage }, dossier: DossierRef) {
  const d = await dossierRecord(deps.db, dossier);
  return { d, content: await dossierContent(deps, d) };
}
