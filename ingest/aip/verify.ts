// Integrity verification of stored e-dossiers: re-hashes every object in the primary store
// and every replica, walks the control-characteristic chain in the AIP and in the catalog,
// checks the internal inventory against the chain and re-verifies the dossier signatures.
// Every failure names the object, document and dossier it concerns.
//
// The catalog is checked against the AIP, not trusted: what the database asserts about a
// dossier (title, index, metadata, status, signatures, documents and their statuses) must be
// what the sealed AIP in storage says, so an edit made directly in the database is named
// (field, database value, AIP value). The AIP's own objects are content-addressed and its
// dossier signatures cover the inventory and integrity statement, so they are the reference.
import type { Kysely } from 'kysely';
import type { Database } from '../../database/database';
import type { Storage, ObjectStore } from '../../storage';
import type { DocumentMetadata, InternalInventory, DossierMetadata } from '../../validators/schemas/types';
import { verifyControlChain } from '../../validators/schemas/control';
import { checkInventory } from '../dossier/build';
import { NotFoundError } from '../../common/errors';
import { canonicalJson } from '../../common/hash';
import { readVerifiedBytes } from '../../storage';
import type { AipManifest } from './index';
import type { IngestTools } from '../pipeline/tools';
import { dossierContent } from '../../destruction/content';

/** The `path` of a failure about a dossier's content key (no object digest: repaired as a key). */
export const CONTENT_KEY_PATH = 'content key';

export interface VerifyFailure {
  kind:
    | 'object-missing'
    | 'object-corrupt'
    | 'manifest-unreadable'
    | 'chain-broken'
    | 'catalog-mismatch'
    | 'inventory-mismatch'
    | 'metadata-mismatch'
    | 'signature-invalid'
    /** Only with an integrity run's --revalidate-pdfa (ingest/integrity/revalidate.ts). */
    | 'rendition-not-pdfa';
  message: string;
  store?: string;
  path?: string;
  sha256?: string;
  document?: { position: number; id?: string; title?: string };
  /** For catalog-mismatch: the field that differs, and its value in the database and in the AIP. */
  field?: string;
  database?: unknown;
  aip?: unknown;
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
  /** Dossiers destroyed by an act (not verified: their content is gone on purpose). */
  destroyed?: number;
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
    // Verified: a damaged primary copy (reported above as object-corrupt) does not hide the
    // replica's sound one from the checks below.
    // Silent: verify names bad copies itself and records nothing.
    return JSON.parse((await readVerifiedBytes(storage, sha256, { silent: true })).toString('utf8')) as T;
  } catch {
    return null;
  }
}


const MAX_FIELD_DIFFERENCES = 20;

function shown(value: unknown): string {
  if (value === undefined) return 'absent';
  const text = typeof value === 'string' ? JSON.stringify(value) : canonicalJson(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** Paths (a.b.c) where two JSON values differ, leaves first; at most `limit`. */
export function jsonDifferences(database: unknown, aip: unknown, prefix: string, limit = MAX_FIELD_DIFFERENCES): { field: string; database: unknown; aip: unknown }[] {
  const out: { field: string; database: unknown; aip: unknown }[] = [];
  const walk = (a: unknown, b: unknown, at: string) => {
    if (out.length >= limit) return;
    const objects = a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b);
    if (objects) {
      const keys = [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])].sort();
      for (const k of keys) walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], Array.isArray(a) ? `${at}[${k}]` : `${at}.${k}`);
      return;
    }
    if (canonicalJson(a ?? null) !== canonicalJson(b ?? null) || (a === undefined) !== (b === undefined)) out.push({ field: at, database: a, aip: b });
  };
  walk(database, aip, prefix);
  return out;
}

function mismatch(field: string, database: unknown, aip: unknown, where: Partial<VerifyFailure> = {}): VerifyFailure {
  return {
    kind: 'catalog-mismatch',
    message: `${field}: the database says ${shown(database)}, the AIP says ${shown(aip)}`,
    field,
    database: database ?? null,
    aip: aip ?? null,
    ...where,
  };
}

type SignatureKind = 'inventory' | 'integrity';
const SIGNATURE_ROLE: Record<string, SignatureKind> = { 'internal-inventory-signature': 'inventory', 'dossier-signature': 'integrity' };

export async function verifyStoredDossiers(
  deps: VerifyDeps,
  options: { dossierId?: string; onProgress?: (done: number, total: number, item: string) => void } = {},
): Promise<VerifyReport> {
  const checker = new ObjectChecker([deps.storage.primary, ...deps.storage.replicas]);
  // Destroyed dossiers are left out: their content is gone on purpose and must never be
  // "repaired" back (docs/destruction.md); their catalog record is in destroyed_dossiers.
  let q = deps.db
    .selectFrom('dossiers')
    .selectAll()
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('destroyed_dossiers as x').select('x.dossier_id').whereRef('x.dossier_id', '=', 'dossiers.id'))))
    .orderBy('stored_at')
    .orderBy('case_index');
  // An id column of type uuid cannot be compared with a case index like "03-12" on PostgreSQL.
  if (options.dossierId) {
    const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(options.dossierId);
    q = q.where(isUuid ? 'id' : 'case_index', '=', options.dossierId);
  }
  const dossiers = await q.execute();
  if (options.dossierId && !dossiers.length) throw new NotFoundError('ingest.dossier_not_found', 'ingest.dossier_not_found', { id: options.dossierId });
  const report: VerifyReport = { ok: true, dossiers: [], rejectedItems: [], objectsChecked: 0 };
  if (!options.dossierId) {
    const gone = await deps.db.selectFrom('destroyed_dossiers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    report.destroyed = Number(gone?.n ?? 0);
  }
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
      // A sealed object is stored as its envelope: every copy of the envelope is checked (and
      // repaired) by its own digest, then opened once with the dossier's key to prove that key
      // and envelope still give the plaintext the manifest names.
      const content = await dossierContent(deps, d.id);
      for (const f of manifest.files) {
        objects += 1;
        const sealed = content.isSealed(f.sha256);
        const found = await checker.check(content.storedSha(f.sha256), sealed ? -1 : f.size, { path: f.path });
        failures.push(...found);
        if (sealed && found.length < deps.storage.replicas.length + 1) {
          try {
            const object = await content.open(f.sha256, { silent: true });
            for await (const chunk of object.stream) void chunk;
          } catch (error) {
            failures.push({ kind: 'object-corrupt', message: `sealed ${f.path} cannot be opened with the dossier's content key: ${error instanceof Error ? error.message : String(error)}`, path: f.path });
          }
        }
      }
      // Every key area must hold a sound copy of the key (repaired by an integrity run).
      const keyState = await content.keyState();
      for (const copy of keyState && keyState.state !== 'destroyed' ? keyState.copies : []) {
        if (copy.state === 'sound') continue;
        failures.push({ kind: copy.state === 'missing' ? 'object-missing' : 'object-corrupt', message: `the content key ${content.keyId} is ${copy.state} in the key area of ${copy.location}`, store: copy.location, path: CONTENT_KEY_PATH });
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
      const statuses = new Map<string, string>();
      if (rows.length) {
        for (const x of await deps.db.selectFrom('documents').select(['id', 'status']).where('id', 'in', rows.map((r) => r.document_id)).execute()) statuses.set(x.id, x.status);
      }
      rows.forEach((r, i) => {
        const meta = catalogDocs[i]!;
        const aip = aipDocs[i];
        const doc = { position: r.position, id: r.document_id, title: aip?.title ?? meta.title };
        if (aip) {
          const at = { path: `documents/${String(r.position).padStart(3, '0')}/metadata.json`, document: doc };
          for (const diff of jsonDifferences(meta, aip, `document ${r.position} metadata`)) failures.push(mismatch(diff.field, diff.database, diff.aip, at));
          // A document of a stored dossier is accepted (with its PDF/A rendition) or kept as
          // conversion-failed (original only); the AIP's metadata says which.
          const aipStatus = aip.rendition ? 'accepted' : 'conversion-failed';
          const status = statuses.get(r.document_id);
          if (status !== aipStatus) failures.push(mismatch(`document ${r.position} status`, status ?? 'absent', aipStatus, at));
        }
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
        // What the catalog asserts about the dossier, against dossier.json of the AIP.
        const at = { path: 'dossier.json' };
        if (d.title !== dossierMeta.title) failures.push(mismatch('dossier title', d.title, dossierMeta.title, at));
        if (d.case_index !== dossierMeta.index) failures.push(mismatch('dossier index', d.case_index, dossierMeta.index, at));
        // Not the volume: duplicated case indexes were renumbered as volumes in the catalog
        // (audited dossier.renumber_volume) while the AIP keeps the volume the sender gave.
        for (const diff of jsonDifferences(d.metadata, dossierMeta, 'dossier metadata')) failures.push(mismatch(diff.field, diff.database, diff.aip, at));
      } else {
        failures.push({ kind: 'metadata-mismatch', message: 'dossier.json is absent or unreadable', path: 'dossier.json' });
      }
      // Signatures: every dossier signature of the AIP must still verify over the content it
      // signs, and the catalog must list exactly those (same signer). The dossier is "stored"
      // only when the AIP holds an inventory and an integrity signature that are not invalid
      // (a verdict of "cannot verify", e.g. an unreachable CRL, is not evidence of forgery).
      const sigs = await deps.db.selectFrom('dossier_signatures').selectAll().where('dossier_id', '=', d.id).execute();
      const aipSignatures = manifest.files.filter((f) => SIGNATURE_ROLE[f.role]);
      const signedKinds = new Set<SignatureKind>();
      for (const entry of aipSignatures) {
        const kind = SIGNATURE_ROLE[entry.role]!;
        const contentSha = kind === 'inventory' ? d.inventory_sha256 : d.integrity_sha256;
        const row = sigs.find((x) => x.cms_sha256 === entry.sha256);
        try {
          const [cms, content] = await Promise.all([readVerifiedBytes(deps.storage, entry.sha256, { silent: true }), readVerifiedBytes(deps.storage, contentSha, { silent: true })]);
          const r = await deps.tools.verifySignature({ signature: cms, content, trustDir: deps.trustDir });
          if (r.verdict === 'invalid') failures.push({ kind: 'signature-invalid', message: `${kind} signature: ${r.reason ?? 'invalid'}`, sha256: entry.sha256, path: entry.path });
          else signedKinds.add(kind);
          const subject = r.signers[0]?.signer.subject;
          const listed = (row?.signer as { subject?: string } | undefined)?.subject;
          if (row && subject && listed !== undefined && listed !== subject) {
            failures.push(mismatch(`${kind} signature signer`, listed, subject, { path: entry.path, sha256: entry.sha256 }));
          }
        } catch (error) {
          failures.push({ kind: 'signature-invalid', message: `${kind} signature cannot be checked: ${error instanceof Error ? error.message : String(error)}`, sha256: entry.sha256, path: entry.path });
        }
        if (!row) failures.push(mismatch(`${kind} signature ${entry.sha256.slice(0, 16)}…`, 'absent', 'present', { path: entry.path, sha256: entry.sha256 }));
        else if (row.kind !== kind) failures.push(mismatch(`signature ${entry.sha256.slice(0, 16)}… kind`, row.kind, kind, { path: entry.path, sha256: entry.sha256 }));
      }
      for (const row of sigs) {
        if (!aipSignatures.some((f) => f.sha256 === row.cms_sha256)) {
          failures.push(mismatch(`${row.kind} signature ${row.cms_sha256.slice(0, 16)}…`, 'present', 'absent', { sha256: row.cms_sha256 }));
        }
      }
      const aipStatus = signedKinds.has('inventory') && signedKinds.has('integrity') ? 'stored' : 'awaiting-signature';
      if (d.status !== aipStatus) failures.push(mismatch('dossier status', d.status, aipStatus, { path: 'aip-manifest.json' }));
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
