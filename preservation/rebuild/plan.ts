// Reading the AIPs found in storage into a plan of catalog rows, and every problem met on the
// way, before anything is written (docs/rebuild.md). The AIP's own descriptions are the
// authority: dossier.json, each document's metadata (with the control-characteristic chain),
// the signatures with dossier.json's signer records, sealing.json with the key areas; the
// catalog context (catalog-context.json) adds what the catalog knew and the AIP does not say.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { canonicalJson } from '../../common/hash';
import { readVerifiedBytes, FsObjectStore, type Storage } from '../../storage';
import { keyAreasOf, keyCheckOf, keyTombstone, readKeyFromAreas } from '../../storage/keys';
import { isContentObject, SEALING_MAP_PATH, type AipManifest, type SealingMap } from '../../ingest/aip';
import type { DocumentMetadata, DossierMetadata } from '../../validators/schemas/types';
import { verifyControlChain } from '../../validators/schemas/control';
import { CATALOG_CONTEXT_PATH, CATALOG_CONTEXT_SCHEMA, type CatalogContext } from './context';
import type { StorageListing } from './scan';
import type { LeftOutDossier, RebuildDeps, RebuildProblem } from './types';
import { problemOf } from './problems';

/** A row of `documents`, as inserted. */
export interface DocumentRow {
  id: string;
  transfer_id: string;
  dossier_index: string | null;
  seq: number;
  source_path: string;
  parent_path: string | null;
  sha256: string;
  size: number;
  format: unknown;
  status: 'pending' | 'accepted' | 'rejected' | 'conversion-failed' | 'expanded';
  problems: unknown;
  malware: unknown;
  signature: unknown;
  rendition_sha256: string | null;
  rendition_path: string | null;
  accepted_with_reason: string | null;
  manifest_entry: unknown;
}

export interface PlannedSignature {
  kind: 'inventory' | 'integrity';
  cmsSha256: string;
  verdict: string;
  signer: Record<string, unknown>;
}

export interface PlannedDossier {
  aipId: string;
  transferId: string;
  index: string;
  volume: number;
  title: string;
  manifestSha256: string;
  inventorySha256: string;
  integritySha256: string;
  metadata: DossierMetadata;
  status: 'stored' | 'awaiting-signature';
  chain: { position: number; documentId: string; aipPath: string; controlCharacteristic: string; previous: string | null; metadata: DocumentMetadata }[];
  documents: DocumentRow[];
  signatures: PlannedSignature[];
  key: { keyId: string; check: string; sealed: { plain: string; sealed: string; plainSize: number; sealedSize: number }[] } | null;
  context: CatalogContext | null;
  storedAt: string;
  lastEventAt: string;
  withLosses: boolean;
}

export interface PlannedTransfer {
  id: string;
  status: 'completed' | 'failed';
  department: string | null;
  year: number | null;
  sourceName: string;
  sourceSha256: string | null;
  sourceSize: number | null;
  receivedAt: string;
  finishedAt: string | null;
  rejectedItemsManifest: string | null;
  documents: DocumentRow[];
}

export interface Plan {
  dossiers: PlannedDossier[];
  transfers: Map<string, PlannedTransfer>;
  organisation: NonNullable<CatalogContext['organisation']> | null;
  departments: Map<string, { code: string; nameKk: string; nameRu: string }>;
  leftOut: LeftOutDossier[];
  problems: RebuildProblem[];
  manifestsFound: number;
}

const SIGNATURE_KIND: Record<string, 'inventory' | 'integrity'> = { 'internal-inventory-signature': 'inventory', 'dossier-signature': 'integrity' };

interface Found {
  sha256: string;
  manifest: AipManifest;
}

function lastEventAt(m: AipManifest): string {
  return m.events.reduce((latest, e) => (e.at > latest ? e.at : latest), m.createdAt);
}

function eventsExtend(longer: AipManifest, shorter: AipManifest): boolean {
  if (shorter.events.length > longer.events.length) return false;
  return canonicalJson(longer.events.slice(0, shorter.events.length)) === canonicalJson(shorter.events);
}

/**
 * The current manifest of an AIP. A manifest is never changed: a signature or an inventory
 * approval stores a new one whose events extend the previous one's, so the head is the one
 * with the most events. Two heads that do not extend each other (an upload that lost a race
 * after storing its manifest) are reported, and the latest is taken.
 */
export function currentManifest(found: Found[]): { head: Found; diverged: Found[] } {
  const sorted = [...found].sort((a, b) => b.manifest.events.length - a.manifest.events.length || (lastEventAt(b.manifest) < lastEventAt(a.manifest) ? -1 : lastEventAt(b.manifest) > lastEventAt(a.manifest) ? 1 : 0) || (a.sha256 < b.sha256 ? -1 : 1));
  const head = sorted[0]!;
  return { head, diverged: sorted.slice(1).filter((f) => !eventsExtend(head.manifest, f.manifest)) };
}

/** What each filesystem location's destruction register (destroyed.jsonl) says was destroyed. */
async function destructionRegister(storage: Storage): Promise<Map<string, { actId: string; at: string }>> {
  const out = new Map<string, { actId: string; at: string }>();
  for (const store of [storage.primary, ...storage.replicas]) {
    if (!(store instanceof FsObjectStore)) continue;
    const text = await readFile(path.join(store.root, 'destroyed.jsonl'), 'utf8').catch(() => '');
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const entry = JSON.parse(line) as { sha256?: string; destructionActId?: string; at?: string };
        if (entry.sha256 && entry.destructionActId) out.set(entry.sha256, { actId: entry.destructionActId, at: entry.at ?? '' });
      } catch {
        // A torn last line of an interrupted append: the object itself tells the rest.
      }
    }
  }
  return out;
}

async function readJson<T>(storage: Storage, sha256: string): Promise<T> {
  return JSON.parse((await readVerifiedBytes(storage, sha256, { silent: true })).toString('utf8')) as T;
}

function reasonOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 300);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

export async function planRebuild(
  deps: RebuildDeps,
  listing: StorageListing,
  onProgress?: (done: number, total: number, item: string) => void,
): Promise<Plan> {
  const { storage } = deps;
  const problems: RebuildProblem[] = [];
  const leftOut: LeftOutDossier[] = [];
  const add = (severity: RebuildProblem['severity'], code: string, params: Record<string, string | number>, where: { aipId?: string; manifest?: string } = {}) =>
    problems.push(problemOf(severity, code, params, where));

  for (const failed of listing.unlisted) add('error', 'rebuild.location_unreadable', { location: failed.location, reason: failed.reason });

  // 1. Every manifest, grouped by AIP.
  const groups = new Map<string, Found[]>();
  let done = 0;
  const total = listing.manifestCandidates.length;
  for (const sha of listing.manifestCandidates) {
    onProgress?.(done++, total, sha);
    let manifest: AipManifest;
    try {
      manifest = await readJson<AipManifest>(storage, sha);
    } catch (error) {
      add('error', 'rebuild.manifest_unreadable', { manifest: sha, reason: reasonOf(error) }, { manifest: sha });
      continue;
    }
    if (manifest?.schemaVersion !== 'muragat.aip/1' || typeof manifest.aipId !== 'string' || !Array.isArray(manifest.files) || !Array.isArray(manifest.events)) {
      add('error', 'rebuild.manifest_unreadable', { manifest: sha, reason: 'not a muragat.aip/1 manifest' }, { manifest: sha });
      continue;
    }
    const list = groups.get(manifest.aipId) ?? [];
    list.push({ sha256: sha, manifest });
    groups.set(manifest.aipId, list);
  }

  const register = await destructionRegister(storage);
  const areas = keyAreasOf(storage);
  const transfers = new Map<string, PlannedTransfer>();
  const departments = new Map<string, { code: string; nameKk: string; nameRu: string; at: string }>();
  let organisation: { value: NonNullable<CatalogContext['organisation']>; at: string } | null = null;
  const dossiers: PlannedDossier[] = [];
  const rejectedGroups: Found[][] = [];
  const seenDocuments = new Set<string>();

  const transferOf = (id: string, fallback: Omit<PlannedTransfer, 'documents' | 'rejectedItemsManifest'>): PlannedTransfer => {
    let t = transfers.get(id);
    if (!t) {
      t = { ...fallback, rejectedItemsManifest: null, documents: [] };
      transfers.set(id, t);
    }
    return t;
  };

  for (const [aipId, found] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (found[0]!.manifest.dossierIndex === 'rejected-items') {
      rejectedGroups.push(found);
      continue;
    }
    const { head, diverged } = currentManifest(found);
    const m = head.manifest;
    const where = { aipId, manifest: head.sha256 };
    for (const other of diverged) add('warning', 'rebuild.manifest_diverged', { dossier: aipId, manifest: head.sha256, other: other.sha256 }, where);
    onProgress?.(done, total, aipId);
    const byPath = new Map(m.files.map((f) => [f.path, f]));
    // aipId = <transfer>/<index>/<volume> (ingest/pipeline/store.ts); an index may hold a slash.
    const parts = aipId.split('/');
    const transferId = parts[0] || m.transferId || '';
    const volume = Number.parseInt(parts.at(-1) ?? '1', 10) || 1;

    // Sealed? Then the key decides whether the dossier still exists.
    const sealingEntry = byPath.get(SEALING_MAP_PATH);
    let sealing: SealingMap | null = null;
    if (sealingEntry) {
      try {
        sealing = await readJson<SealingMap>(storage, sealingEntry.sha256);
      } catch (error) {
        add('error', 'rebuild.sealing_unreadable', { dossier: aipId, reason: reasonOf(error) }, where);
        leftOut.push({ aipId, index: m.dossierIndex, manifest: head.sha256, reason: 'sealing.json unreadable' });
        continue;
      }
      const tombstone = await keyTombstone(areas, sealing.keyId);
      if (tombstone) {
        const record = (tombstone.record ?? {}) as { act_number?: string };
        leftOut.push({ aipId, index: m.dossierIndex, manifest: head.sha256, destroyedBy: { actId: tombstone.destructionActId, ...(record.act_number ? { actNumber: record.act_number } : {}), destroyedAt: tombstone.destroyedAt } });
        continue;
      }
    } else {
      // A clear dossier whose content a destruction act deleted (stored before sealing).
      const destroyed = m.files
        .filter((f) => isContentObject(f.path, f.role) && !listing.holders.has(f.sha256))
        .map((f) => register.get(f.sha256))
        .find((r) => r !== undefined);
      if (destroyed) {
        leftOut.push({ aipId, index: m.dossierIndex, manifest: head.sha256, destroyedBy: { actId: destroyed.actId, destroyedAt: destroyed.at } });
        continue;
      }
    }

    // The descriptions: dossier.json, every document's metadata, the catalog context.
    const dossierEntry = byPath.get('dossier.json');
    let meta: DossierMetadata;
    try {
      if (!dossierEntry) throw new Error('dossier.json is not in the manifest');
      meta = await readJson<DossierMetadata>(storage, dossierEntry.sha256);
    } catch (error) {
      add('error', 'rebuild.dossier_unreadable', { dossier: aipId, reason: reasonOf(error) }, where);
      leftOut.push({ aipId, index: m.dossierIndex, manifest: head.sha256, reason: 'dossier.json unreadable' });
      continue;
    }
    const metas: DocumentMetadata[] = [];
    let unreadable = false;
    for (const e of m.files.filter((f) => f.role === 'document-metadata')) {
      try {
        metas.push(await readJson<DocumentMetadata>(storage, e.sha256));
      } catch (error) {
        unreadable = true;
        add('error', 'rebuild.document_unreadable', { dossier: aipId, path: e.path, reason: reasonOf(error) }, where);
      }
    }
    if (unreadable) {
      leftOut.push({ aipId, index: m.dossierIndex, manifest: head.sha256, reason: 'document metadata unreadable' });
      continue;
    }
    metas.sort((a, b) => a.position - b.position);
    for (const b of verifyControlChain(metas).breaks) add('warning', 'rebuild.chain_broken', { dossier: aipId, position: b.position, reason: b.reason }, where);
    let context: CatalogContext | null = null;
    const contextEntry = byPath.get(CATALOG_CONTEXT_PATH);
    if (contextEntry) {
      try {
        const read = await readJson<CatalogContext>(storage, contextEntry.sha256);
        if (read.schemaVersion === CATALOG_CONTEXT_SCHEMA) context = read;
        else throw new Error(`unknown schema ${String(read.schemaVersion)}`);
      } catch (error) {
        add('warning', 'rebuild.context_unreadable', { dossier: aipId, reason: reasonOf(error) }, where);
      }
    }

    // Every object must be held by some location; a location missing some is named (repair: an integrity run).
    let losses = false;
    const missingIn = new Map<number, number>();
    for (const f of m.files) {
      const stored = sealing?.objects[f.sha256] ?? f.sha256;
      const held = listing.holders.get(stored);
      if (!held) {
        losses = true;
        add('error', 'rebuild.object_missing', { dossier: aipId, path: f.path, sha256: stored }, where);
        continue;
      }
      for (let i = 0; i < listing.stores.length; i++) if (!held.includes(i)) missingIn.set(i, (missingIn.get(i) ?? 0) + 1);
    }
    for (const [i, count] of missingIn) add('warning', 'rebuild.object_missing_in_location', { dossier: aipId, count, location: listing.stores[i]!.location }, where);

    // The content key (never in the catalog: its check value is recomputed from the key areas).
    let key: PlannedDossier['key'] = null;
    if (sealing) {
      let check: string;
      try {
        check = keyCheckOf(await readKeyFromAreas(areas, sealing.keyId), sealing.keyId);
      } catch (error) {
        losses = true;
        add('error', 'rebuild.key_missing', { dossier: aipId, key: sealing.keyId, reason: reasonOf(error) }, where);
        // No key anywhere: a check value no key matches, so verify names the key as missing.
        check = '0'.repeat(64);
      }
      const sizes = new Map(m.files.map((f) => [f.sha256, f.size]));
      const sealed: NonNullable<PlannedDossier['key']>['sealed'] = [];
      for (const [plain, envelope] of Object.entries(sealing.objects)) {
        const holder = listing.holders.get(envelope)?.[0];
        const stat = holder === undefined ? null : await listing.stores[holder]!.stat(envelope).catch(() => null);
        const plainSize = sizes.get(plain) ?? 0;
        // An envelope is its plaintext plus 36 bytes (storage/sealed.ts) when no copy tells its size.
        sealed.push({ plain, sealed: envelope, plainSize, sealedSize: stat?.size ?? plainSize + 36 });
      }
      key = { keyId: sealing.keyId, check, sealed };
    }

    // Signatures: dossier.json names each signer; an older AIP's signature is checked again.
    const signatures: PlannedSignature[] = [];
    const inventorySha256 = m.files.find((f) => f.role === 'internal-inventory')?.sha256 ?? meta.integrity.internalInventorySha256 ?? '';
    const integritySha256 = byPath.get('integrity.json')?.sha256 ?? '';
    for (const entry of m.files.filter((f) => SIGNATURE_KIND[f.role])) {
      const kind = SIGNATURE_KIND[entry.role]!;
      const record = meta.integrity.signatures?.find((r) => r.cmsSha256 === entry.sha256);
      if (record) {
        const s = record.signedBy;
        signatures.push({
          kind,
          cmsSha256: entry.sha256,
          verdict: record.verdict,
          signer: { username: s.username, fullName: s.name, role: s.role, subject: s.subject, issuer: s.issuer, serialNumber: s.serialNumber, ...(s.notBefore ? { notBefore: s.notBefore } : {}), ...(s.notAfter ? { notAfter: s.notAfter } : {}), ...(s.iin ? { iin: s.iin } : {}), ...(s.bin ? { bin: s.bin } : {}), ...(record.signingTime ? { signingTime: record.signingTime } : {}) },
        });
        continue;
      }
      let verdict = 'cannot-verify';
      let signer: Record<string, unknown> = {};
      if (deps.verifySignature && deps.trustDir) {
        try {
          const [cms, content] = await Promise.all([readVerifiedBytes(storage, entry.sha256, { silent: true }), readVerifiedBytes(storage, kind === 'inventory' ? inventorySha256 : integritySha256, { silent: true })]);
          const r = await deps.verifySignature({ signature: cms, content, trustDir: deps.trustDir });
          verdict = r.verdict;
          const first = r.signers[0]?.signer;
          if (first) signer = { subject: first.subject, ...(first.serialNumber ? { serialNumber: first.serialNumber } : {}), ...(first.issuer ? { issuer: first.issuer } : {}) };
        } catch (error) {
          add('warning', 'rebuild.signature_unchecked', { dossier: aipId, path: entry.path, reason: reasonOf(error) }, where);
        }
      }
      signatures.push({ kind, cmsSha256: entry.sha256, verdict, signer });
    }
    const signedKinds = new Set(signatures.filter((s) => s.verdict !== 'invalid').map((s) => s.kind));
    const status = signedKinds.has('inventory') && signedKinds.has('integrity') ? 'stored' : 'awaiting-signature';

    // The chain and the documents' rows.
    const contextDocs = new Map((context?.documents ?? []).map((d) => [d.id, d]));
    const renditionPath = (id: string) => m.files.find((f) => f.role === 'rendition' && f.documentId === id)?.path ?? null;
    const usedSources = new Set<string>();
    const sourceOf = (wanted: string) => {
      let source = wanted;
      for (let n = 2; usedSources.has(source); n++) source = `${wanted} (${n})`;
      usedSources.add(source);
      return source;
    };
    const chain: PlannedDossier['chain'] = [];
    const documents: DocumentRow[] = [];
    for (const dm of metas) {
      const folder = `documents/${pad(dm.position, 3)}`;
      const original = dm.files.find((f) => (f.role ?? 'original') === 'original') ?? dm.files[0];
      const aipPath = m.files.find((f) => f.role === 'original' && f.documentId === dm.identifier && f.path.startsWith(`${folder}/original/`))?.path ?? `${folder}/original/${original?.name ?? ''}`;
      chain.push({ position: dm.position, documentId: dm.identifier, aipPath, controlCharacteristic: dm.controlCharacteristic, previous: dm.previous, metadata: dm });
      // A stored document is accepted with its rendition or kept as conversion-failed (as verify decides).
      const status = dm.rendition ? 'accepted' : 'conversion-failed';
      const c = contextDocs.get(dm.identifier);
      const row: DocumentRow = c
        ? { ...documentRowOf(c, transferId), status, rendition_sha256: dm.rendition?.sha256 ?? null, rendition_path: renditionPath(dm.identifier) }
        : {
            id: dm.identifier,
            transfer_id: transferId,
            dossier_index: dm.dossierIndex,
            seq: dm.position,
            source_path: sourceOf(`${dm.dossierIndex}/${original?.name ?? dm.identifier}`),
            parent_path: null,
            sha256: original?.sha256 ?? '',
            size: original?.size ?? 0,
            format: original ? { name: original.format ?? 'unknown', mime: original.mime ?? 'application/octet-stream' } : null,
            status,
            problems: [],
            malware: null,
            signature: dm.signatures.length
              ? { verdict: dm.signatures[0]!.verdict, signers: dm.signatures.flatMap((s) => (s.signers ?? []).map((x) => x.subject)), files: dm.signatures.map((s) => ({ path: s.name, sha256: s.sha256, size: s.size })) }
              : null,
            rendition_sha256: dm.rendition?.sha256 ?? null,
            rendition_path: renditionPath(dm.identifier),
            accepted_with_reason: null,
            manifest_entry: { title: dm.title, date: dm.date, number: dm.number ?? undefined, language: dm.language },
          };
      if (!seenDocuments.has(row.id)) documents.push(row);
      seenDocuments.add(row.id);
    }
    // The dossier's rejected originals and expanded containers (not in its chain).
    if (context) {
      for (const c of context.documents) {
        if (seenDocuments.has(c.id)) continue;
        seenDocuments.add(c.id);
        documents.push(documentRowOf(c, transferId));
      }
    } else {
      for (const report of m.files.filter((f) => f.role === 'report' && f.documentId && /^(rejected|containers)\/\d+\/problems\.json$/.test(f.path))) {
        const folder = report.path.slice(0, report.path.lastIndexOf('/'));
        const file = m.files.find((f) => f.documentId === report.documentId && f.path.startsWith(`${folder}/`) && (f.role === 'evidence' || f.role === 'original'));
        if (!file || seenDocuments.has(report.documentId!)) continue;
        try {
          const p = await readJson<{ source?: string; status?: string; problems?: unknown }>(storage, report.sha256);
          seenDocuments.add(report.documentId!);
          documents.push(rejectedRow(report.documentId!, transferId, m.dossierIndex, folder, file, p));
        } catch (error) {
          add('warning', 'rebuild.document_unreadable', { dossier: aipId, path: report.path, reason: reasonOf(error) }, where);
        }
      }
    }

    // The transfer, organisation and department as the context (or dossier.json) gives them.
    const receivedAt = context?.transfer.receivedAt ?? m.createdAt;
    const transfer = transferOf(transferId, {
      id: transferId,
      status: 'completed',
      department: context?.transfer.department ?? meta.department.code,
      year: context?.transfer.year ?? meta.year,
      sourceName: context?.transfer.sourceName ?? `${transferId}.tar`,
      sourceSha256: context?.transfer.sourceSha256 ?? null,
      sourceSize: context?.transfer.sourceSize ?? null,
      receivedAt,
      finishedAt: null,
    });
    transfer.status = 'completed';
    const ingestEnd = m.events.filter((e) => e.type.startsWith('ingest.')).reduce((latest, e) => (e.at > latest ? e.at : latest), receivedAt);
    if (!transfer.finishedAt || ingestEnd > transfer.finishedAt) transfer.finishedAt = ingestEnd;
    if (context?.organisation && (!organisation || receivedAt >= organisation.at)) organisation = { value: context.organisation, at: receivedAt };
    const dept = context?.department ?? (meta.department.name ? { code: meta.department.code, nameKk: meta.department.name, nameRu: meta.department.name } : null);
    if (dept) {
      const known = departments.get(dept.code);
      // A department described by a catalog context wins over one named only in dossier.json.
      if (!known || (context?.department && receivedAt >= known.at)) departments.set(dept.code, { ...dept, at: context?.department ? receivedAt : '' });
    } else add('warning', 'rebuild.department_unnamed', { dossier: aipId, code: meta.department.code }, where);

    dossiers.push({
      aipId,
      transferId,
      index: meta.index,
      volume,
      title: meta.title,
      manifestSha256: head.sha256,
      inventorySha256,
      integritySha256,
      metadata: meta,
      status,
      chain,
      documents,
      signatures,
      key,
      context,
      storedAt: receivedAt,
      lastEventAt: lastEventAt(m),
      withLosses: losses,
    });
  }

  // Items of a transfer kept outside any dossier (a refused package, files no dossier named).
  for (const found of rejectedGroups) {
    const transferId = found[0]!.manifest.transferId ?? found[0]!.manifest.aipId.split('/')[0]!;
    const hasDossiers = transfers.has(transferId);
    // A failed transfer kept its package (source/transfer.tar); a completed one the items no dossier named.
    const withTar = (f: Found) => f.manifest.files.some((x) => x.path === 'source/transfer.tar');
    const chosen = [...found].sort((a, b) => Number(withTar(a) === hasDossiers) - Number(withTar(b) === hasDossiers) || (a.sha256 < b.sha256 ? -1 : 1))[0]!;
    for (const f of chosen.manifest.files) {
      if (!listing.holders.has(f.sha256)) add('error', 'rebuild.object_missing', { dossier: chosen.manifest.aipId, path: f.path, sha256: f.sha256 }, { aipId: chosen.manifest.aipId, manifest: chosen.sha256 });
    }
    const transfer = transferOf(transferId, {
      id: transferId,
      status: 'failed',
      department: null,
      year: null,
      sourceName: `${transferId}.tar`,
      sourceSha256: chosen.manifest.files.find((x) => x.path === 'source/transfer.tar')?.sha256 ?? null,
      sourceSize: chosen.manifest.files.find((x) => x.path === 'source/transfer.tar')?.size ?? null,
      receivedAt: chosen.manifest.createdAt,
      finishedAt: null,
    });
    transfer.rejectedItemsManifest = chosen.sha256;
    for (const report of chosen.manifest.files.filter((f) => f.role === 'report' && f.documentId && /^rejected\/\d+\/problems\.json$/.test(f.path))) {
      const folder = report.path.slice(0, report.path.lastIndexOf('/'));
      const file = chosen.manifest.files.find((f) => f.documentId === report.documentId && f.path.startsWith(`${folder}/`) && f.role === 'evidence');
      if (!file || seenDocuments.has(report.documentId!)) continue;
      try {
        const p = await readJson<{ source?: string; problems?: unknown }>(storage, report.sha256);
        seenDocuments.add(report.documentId!);
        transfer.documents.push(rejectedRow(report.documentId!, transferId, null, folder, file, { ...p, status: 'rejected' }));
      } catch (error) {
        add('warning', 'rebuild.document_unreadable', { dossier: chosen.manifest.aipId, path: report.path, reason: reasonOf(error) }, { aipId: chosen.manifest.aipId, manifest: chosen.sha256 });
      }
    }
  }

  if (!organisation && dossiers.length) add('warning', 'rebuild.organisation_unknown', {});
  return {
    dossiers,
    transfers,
    organisation: organisation ? (organisation as { value: NonNullable<CatalogContext['organisation']> }).value : null,
    departments: new Map([...departments].map(([code, d]) => [code, { code: d.code, nameKk: d.nameKk, nameRu: d.nameRu }])),
    leftOut,
    problems,
    manifestsFound: total,
  };
}

function documentRowOf(c: CatalogContext['documents'][number], transferId: string): DocumentRow {
  return {
    id: c.id,
    transfer_id: transferId,
    dossier_index: c.dossierIndex,
    seq: c.seq,
    source_path: c.source,
    parent_path: c.parent,
    sha256: c.sha256,
    size: c.size,
    format: c.format,
    status: c.status as DocumentRow['status'],
    problems: c.problems,
    malware: c.malware,
    signature: c.signature,
    rendition_sha256: c.renditionSha256,
    rendition_path: null,
    accepted_with_reason: c.acceptedWithReason,
    manifest_entry: c.manifestEntry,
  };
}

function rejectedRow(
  id: string,
  transferId: string,
  dossierIndex: string | null,
  folder: string,
  file: { path: string; sha256: string; size: number },
  p: { source?: string; status?: string; problems?: unknown },
): DocumentRow {
  const seq = Number.parseInt(folder.split('/')[1] ?? '0', 10) || 0;
  return {
    id,
    transfer_id: transferId,
    dossier_index: dossierIndex,
    seq,
    source_path: p.source ?? file.path,
    parent_path: null,
    sha256: file.sha256,
    size: file.size,
    format: null,
    status: p.status === 'expanded' ? 'expanded' : 'rejected',
    problems: Array.isArray(p.problems) ? p.problems : [],
    malware: null,
    signature: null,
    rendition_sha256: null,
    rendition_path: null,
    accepted_with_reason: null,
    manifest_entry: {},
  };
}
