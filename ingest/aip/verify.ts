// Integrity verification of stored e-dossiers: re-hashes every object in the primary store
// and every replica, walks the control-characteristic chain in the AIP and in the catalog,
// checks the internal inventory against the chain and re-verifies the dossier signatures.
// Every failure names the object, document and dossier it concerns.
import type { Kysely } from 'kysely';
import type { Database } from '../../catalog/database';
import type { Storage, ObjectStore } from '../../storage';
import type { DocumentMetadata, InternalInventory, DossierMetadata } from '../../validators/schemas/types';
import { verifyControlChain } from '../../validators/schemas/control';
import { checkInventory } from '../dossier/build';
import { NotFoundError } from '../../common/errors';
import type { AipManifest } from './index';
import type { IngestTools } from '../pipeline/tools';

export interface VerifyFailure {
  kind:
    | 'object-missing'
    | 'object-corrupt'
    | 'manifest-unreadable'
    | 'chain-broken'
    | 'catalog-mismatch'
    | 'inventory-mismatch'
    | 'metadata-mismatch'
    | 'signature-invalid';
  message: string;
  store?: string;
  path?: string;
  sha256?: string;
  document?: { position: number; id?: string; title?: string };
}

export interface DossierVerification {
  id: string;
  index: string;
  title: string;
  ok: boolean;
  objects: number;
  failures: VerifyFailure[];
}

export interface VerifyReport {
  ok: boolean;
  dossiers: DossierVerification[];
  rejectedItems: { transferId: string; ok: boolean; failures: VerifyFailure[] }[];
  objectsChecked: number;
}

export interface VerifyDeps {
  db: Kysely<Database>;
  storage: Storage;
  trustDir: string;
  tools: Pick<IngestTools, 'verifySignature'>;
}

class ObjectChecker {
  private readonly cache = new Map<string, VerifyFailure | null>();
  checked = 0;
  constructor(private readonly stores: ObjectStore[]) {}

  /** Checks one object in every store; results are cached since dossiers share objects rarely but cheaply. */
  async check(sha256: string, size: number, where: { path: string; document?: VerifyFailure['document'] }): Promise<VerifyFailure[]> {
    const failures: VerifyFailure[] = [];
    for (const store of this.stores) {
      const key = `${store.location}\u0000${sha256}`;
      let result = this.cache.get(key);
      if (result === undefined) {
        this.checked += 1;
        const exists = await store.exists(sha256);
        if (!exists) result = { kind: 'object-missing', message: `object ${sha256} is missing from ${store.location}`, store: store.location, sha256, path: where.path };
        else {
          const v = await store.verify(sha256);
          result = v.ok && (size < 0 || v.size === undefined || v.size === size)
            ? null
            : { kind: 'object-corrupt', message: `object ${sha256} in ${store.location} hashes to ${v.actual ?? '?'} (${v.size ?? '?'} bytes)`, store: store.location, sha256, path: where.path };
        }
        this.cache.set(key, result);
      }
      if (result) failures.push({ ...result, path: where.path, ...(where.document ? { document: where.document } : {}) });
    }
    return failures;
  }
}

async function readJson<T>(storage: Storage, sha256: string): Promise<T | null> {
  try {
    return JSON.parse((await storage.primary.getBytes(sha256)).toString('utf8')) as T;
  } catch {
    return null;
  }
}

export async function verifyStoredDossiers(
  deps: VerifyDeps,
  options: { dossierId?: string; onProgress?: (done: number, total: number, item: string) => void } = {},
): Promise<VerifyReport> {
  const checker = new ObjectChecker([deps.storage.primary, ...deps.storage.replicas]);
  let q = deps.db.selectFrom('dossiers').selectAll().orderBy('stored_at').orderBy('case_index');
  // An id column of type uuid cannot be compared with a case index like "03-12" on PostgreSQL.
  if (options.dossierId) {
    const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(options.dossierId);
    q = q.where(isUuid ? 'id' : 'case_index', '=', options.dossierId);
  }
  const dossiers = await q.execute();
  if (options.dossierId && !dossiers.length) throw new NotFoundError('ingest.dossier_not_found', 'ingest.dossier_not_found', { id: options.dossierId });
  const report: VerifyReport = { ok: true, dossiers: [], rejectedItems: [], objectsChecked: 0 };
  let done = 0;
  for (const d of dossiers) {
    options.onProgress?.(done++, dossiers.length, d.case_index);
    const failures: VerifyFailure[] = [];
    failures.push(...(await checker.check(d.aip_manifest_sha256, -1, { path: 'aip-manifest.json' })).filter((f) => f.kind === 'object-missing' || f.kind === 'object-corrupt'));
    const manifest = await readJson<AipManifest>(deps.storage, d.aip_manifest_sha256);
    let objects = 1;
    if (!manifest) {
      failures.push({ kind: 'manifest-unreadable', message: `AIP manifest ${d.aip_manifest_sha256} cannot be read`, sha256: d.aip_manifest_sha256, path: 'aip-manifest.json' });
    } else {
      const byPath = new Map(manifest.files.map((f) => [f.path, f]));
      for (const f of manifest.files) {
        objects += 1;
        failures.push(...(await checker.check(f.sha256, f.size, { path: f.path })));
      }
      // The chain as stored in the AIP.
      const metaEntries = manifest.files.filter((f) => f.role === 'document-metadata').sort((a, b) => (a.path < b.path ? -1 : 1));
      const aipDocs: DocumentMetadata[] = [];
      for (const e of metaEntries) {
        const m = await readJson<DocumentMetadata>(deps.storage, e.sha256);
        if (m) aipDocs.push(m);
        else failures.push({ kind: 'metadata-mismatch', message: `document metadata ${e.path} cannot be read`, path: e.path, sha256: e.sha256 });
      }
      for (const b of verifyControlChain(aipDocs).breaks) {
        const doc = aipDocs[b.position - 1];
        failures.push({ kind: 'chain-broken', message: `AIP chain broken at document ${b.position}: ${b.reason}`, path: `documents/${String(b.position).padStart(3, '0')}/metadata.json`, document: { position: b.position, id: b.identifier, title: doc?.title } });
      }
      // Each metadata names the hashes of its files; they must be the objects the AIP holds.
      for (const m of aipDocs) {
        const folder = `documents/${String(m.position).padStart(3, '0')}`;
        const named = [
          ...m.files.map((f) => ({ path: `${folder}/${f.role === 'attachment' ? 'attachments' : 'original'}/${f.name}`, sha256: f.sha256 })),
          ...(m.rendition ? [{ path: `${folder}/rendition/${m.rendition.name}`, sha256: m.rendition.sha256 }] : []),
          ...m.signatures.map((s) => ({ path: `${folder}/signatures/${s.name}`, sha256: s.sha256 })),
        ];
        for (const n of named) {
          const entry = byPath.get(n.path);
          if (!entry || entry.sha256 !== n.sha256) {
            failures.push({ kind: 'metadata-mismatch', message: `${n.path} is ${entry ? `object ${entry.sha256}` : 'absent'} but the document metadata names ${n.sha256}`, path: n.path, document: { position: m.position, id: m.identifier, title: m.title } });
          }
        }
      }
      // The chain as indexed in the catalog, and its agreement with the AIP.
      const rows = await deps.db.selectFrom('dossier_documents').selectAll().where('dossier_id', '=', d.id).orderBy('position').execute();
      const catalogDocs = rows.map((r) => r.metadata as unknown as DocumentMetadata);
      for (const b of verifyControlChain(catalogDocs).breaks) {
        const doc = catalogDocs[b.position - 1];
        failures.push({ kind: 'chain-broken', message: `catalog chain broken at document ${b.position}: ${b.reason}`, document: { position: b.position, id: b.identifier, title: doc?.title } });
      }
      rows.forEach((r, i) => {
        const meta = catalogDocs[i]!;
        const aip = aipDocs[i];
        if (r.control_characteristic !== meta.controlCharacteristic || r.position !== meta.position || r.document_id !== meta.identifier) {
          failures.push({ kind: 'catalog-mismatch', message: `catalog row ${r.position} disagrees with its own metadata (position ${meta.position}, document ${meta.identifier})`, document: { position: r.position, id: r.document_id, title: meta.title } });
        }
        if (!aip || aip.controlCharacteristic !== r.control_characteristic) {
          failures.push({ kind: 'catalog-mismatch', message: `catalog document ${r.position} ("${meta.title}") is not the AIP's document ${r.position}${aip ? ` ("${aip.title}")` : ''}`, document: { position: r.position, id: r.document_id, title: meta.title } });
        }
      });
      if (aipDocs.length !== rows.length) {
        failures.push({ kind: 'catalog-mismatch', message: `the catalog lists ${rows.length} documents, the AIP holds ${aipDocs.length}` });
      }
      // Internal inventory and dossier metadata against the chain.
      const inventoryEntry = manifest.files.find((f) => f.role === 'internal-inventory');
      const inventory = inventoryEntry ? await readJson<InternalInventory>(deps.storage, inventoryEntry.sha256) : null;
      if (!inventory || inventoryEntry!.sha256 !== d.inventory_sha256) {
        failures.push({ kind: 'inventory-mismatch', message: `the internal inventory is ${inventoryEntry ? inventoryEntry.sha256 : 'absent'}, the catalog names ${d.inventory_sha256}`, path: inventoryEntry?.path });
      } else {
        for (const p of checkInventory(inventory, aipDocs)) failures.push({ kind: 'inventory-mismatch', message: p, path: inventoryEntry!.path });
        for (const p of checkInventory(inventory, catalogDocs)) failures.push({ kind: 'inventory-mismatch', message: `catalog: ${p}`, path: inventoryEntry!.path });
      }
      const dossierEntry = manifest.files.find((f) => f.role === 'dossier-metadata');
      const dossierMeta = dossierEntry ? await readJson<DossierMetadata>(deps.storage, dossierEntry.sha256) : null;
      if (dossierMeta) {
        if (dossierMeta.integrity.internalInventorySha256 !== d.inventory_sha256) {
          failures.push({ kind: 'metadata-mismatch', message: 'dossier.json names another internal inventory', path: 'dossier.json' });
        }
        if (dossierMeta.integrity.lastControlCharacteristic !== (aipDocs.at(-1)?.controlCharacteristic ?? null)) {
          failures.push({ kind: 'metadata-mismatch', message: 'dossier.json names another last control characteristic', path: 'dossier.json' });
        }
      } else {
        failures.push({ kind: 'metadata-mismatch', message: 'dossier.json is absent or unreadable', path: 'dossier.json' });
      }
      // Signatures: each CMS must still verify over the content it signs.
      const sigs = await deps.db.selectFrom('dossier_signatures').selectAll().where('dossier_id', '=', d.id).execute();
      for (const s of sigs) {
        const contentSha = s.kind === 'inventory' ? d.inventory_sha256 : d.integrity_sha256;
        const cmsEntry = manifest.files.find((f) => f.sha256 === s.cms_sha256);
        try {
          const [cms, content] = await Promise.all([deps.storage.primary.getBytes(s.cms_sha256), deps.storage.primary.getBytes(contentSha)]);
          const r = await deps.tools.verifySignature({ signature: cms, content, trustDir: deps.trustDir });
          if (r.verdict === 'invalid') failures.push({ kind: 'signature-invalid', message: `${s.kind} signature: ${r.reason ?? 'invalid'}`, sha256: s.cms_sha256, path: cmsEntry?.path });
        } catch (error) {
          failures.push({ kind: 'signature-invalid', message: `${s.kind} signature cannot be checked: ${error instanceof Error ? error.message : String(error)}`, sha256: s.cms_sha256, path: cmsEntry?.path });
        }
        if (!cmsEntry) failures.push({ kind: 'catalog-mismatch', message: `${s.kind} signature ${s.cms_sha256} is not in the AIP`, sha256: s.cms_sha256 });
      }
    }
    report.dossiers.push({ id: d.id, index: d.case_index, title: d.title, ok: failures.length === 0, objects, failures });
    if (failures.length) report.ok = false;
  }
  if (!options.dossierId) {
    const transfers = await deps.db.selectFrom('transfers').select(['id', 'report']).execute();
    for (const tr of transfers) {
      const sha = (tr.report as { rejectedItemsManifest?: string } | null)?.rejectedItemsManifest;
      if (!sha) continue;
      const failures = await checker.check(sha, -1, { path: 'aip-manifest.json' });
      const manifest = await readJson<AipManifest>(deps.storage, sha);
      for (const f of manifest?.files ?? []) failures.push(...(await checker.check(f.sha256, f.size, { path: f.path })));
      if (!manifest) failures.push({ kind: 'manifest-unreadable', message: `rejected-items manifest ${sha} cannot be read`, sha256: sha });
      report.rejectedItems.push({ transferId: tr.id, ok: failures.length === 0, failures });
      if (failures.length) report.ok = false;
    }
  }
  options.onProgress?.(done, dossiers.length, '');
  report.objectsChecked = checker.checked;
  return report;
}
