// Export of holdings for a state archive (docs/exchange.md): a dossier, a fonds, a year or a
// transfer as E-ARK CSIP/SIP packages (one per dossier), optionally wrapped in a BagIt bag, as
// a tar or a folder. Streamed: each object is read verified from storage (sealed dossiers are
// opened through destruction/content.ts), hashed on its way into the package and never held
// whole in memory. Destroyed dossiers are never exported; researcher rules do not apply (the
// archivist or the admin exports the whole record).
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Writable } from 'node:stream';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../database/database';
import { recordAudit, type Actor } from '../../audit/audit.service';
import { ForbiddenError, NotFoundError, SystemError, ValidationError } from '../../common/errors';
import { readManifest, type AipManifest } from '../../ingest/aip';
import { readVerifiedBytes, type Storage } from '../../storage';
import { destroyedDossier, dossierContent } from '../../destruction/content';
import { MURAGAT_TOOL } from '../../ingest/pipeline/store';
import type { DocumentMetadata, DossierMetadata } from '../../validators/schemas/types';
import { bagTagFiles } from './bagit';
import { AIP_MANIFEST_IN_PACKAGE, areaOf, mimeOf, packagePathOf } from './layout';
import { buildPackageXml, type PackageFile } from './mets';
import { folderSink, tarSink, type PackageSink, type WrittenFile } from './sink';

export type ExportScope =
  | { kind: 'dossier'; dossier: string; year?: number }
  | { kind: 'fonds'; fonds: string }
  | { kind: 'year'; year: number; department?: string }
  | { kind: 'transfer'; transferId: string };

export type ExportFormat = 'csip' | 'bagit';
export type ExportContainer = 'tar' | 'folder';

export interface ExportProgress {
  dossiersDone: number;
  dossiers: number;
  bytesDone: number;
  bytes: number;
  item: string;
}

export interface ExportInput {
  scope: ExportScope;
  format: ExportFormat;
  container: ExportContainer;
  /**
   * A file or folder path that must not exist; or, for a tar, a stream (an HTTP response), or a
   * function giving one, called only once the scope is checked (so a refusal can still be an
   * error answer rather than a broken download).
   */
  out: string | Writable | (() => Writable);
  actor: Actor;
  onProgress?: (p: ExportProgress) => void;
  now?: Date;
}

export interface ExportedPackage {
  objid: string;
  dossierId: string;
  index: string;
  year: number | null;
  files: number;
  bytes: number;
}

export interface ExportReport {
  exportId: string;
  format: ExportFormat;
  container: ExportContainer;
  out: string | null;
  packages: ExportedPackage[];
  /** Dossiers of the scope left out because they were destroyed (p.186-1). */
  destroyed: { dossierId: string; index: string; act: string; date: string }[];
  files: number;
  bytes: number;
}

export interface ExchangeDeps {
  db: Kysely<Database>;
  storage: Storage;
}

const SCHEMA_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'schemas');
export const SCHEMA_FILES = ['mets.xsd', 'xlink.xsd', 'DILCISExtensionMETS.xsd', 'DILCISExtensionSIPMETS.xsd'] as const;

/** Archivist and admin only; the local operator (no account, shell access) may too. */
export function assertMayExchange(actor: Actor): void {
  if (actor.userId === null && actor.roles.length === 0) return;
  if (!actor.roles.some((r) => r === 'archivist' || r === 'admin')) throw new ForbiddenError('exchange.forbidden', 'exchange.forbidden');
}

interface DossierRow {
  id: string;
  case_index: string;
  title: string;
  year: number | null;
  volume: number;
  aip_manifest_sha256: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function selectDossiers(db: Kysely<Database>, scope: ExportScope): Promise<DossierRow[]> {
  let q = db.selectFrom('dossiers').select(['id', 'case_index', 'title', 'year', 'volume', 'aip_manifest_sha256']).orderBy('year').orderBy('case_index').orderBy('volume');
  switch (scope.kind) {
    case 'dossier':
      q = UUID.test(scope.dossier) ? q.where('id', '=', scope.dossier) : q.where('case_index', '=', scope.dossier);
      if (scope.year !== undefined) q = q.where('year', '=', scope.year);
      break;
    case 'fonds':
      q = q.where(sql<string>`metadata->>'fonds'`, '=', scope.fonds);
      break;
    case 'year':
      q = q.where('year', '=', scope.year);
      if (scope.department) q = q.where('department', '=', scope.department);
      break;
    case 'transfer':
      if (!UUID.test(scope.transferId)) throw new ValidationError('exchange.bad_transfer_id', 'exchange.bad_transfer_id', { id: scope.transferId });
      q = q.where('transfer_id', '=', scope.transferId);
      break;
  }
  const rows = await q.execute();
  if (!rows.length) throw new NotFoundError('exchange.nothing_to_export', 'exchange.nothing_to_export', { scope: describeScope(scope) });
  if (scope.kind === 'dossier' && rows.length > 1) {
    throw new ValidationError('exchange.ambiguous_dossier', 'exchange.ambiguous_dossier', { index: scope.dossier, years: [...new Set(rows.map((r) => r.year))].join(', ') });
  }
  return rows;
}

export function describeScope(scope: ExportScope): string {
  switch (scope.kind) {
    case 'dossier':
      return `dossier ${scope.dossier}${scope.year ? ` ${scope.year}` : ''}`;
    case 'fonds':
      return `fonds ${scope.fonds}`;
    case 'year':
      return `year ${scope.year}${scope.department ? ` department ${scope.department}` : ''}`;
    case 'transfer':
      return `transfer ${scope.transferId}`;
  }
}

function objidOf(d: DossierMetadata, fallback: string): string {
  const raw = `MRG-${d.fonds}-${d.year}-${d.index}-v${d.volume ?? 1}`;
  const clean = raw.replace(/[^A-Za-z0-9._-]+/g, '_');
  return clean.length > 4 ? clean : `MRG-${fallback}`;
}

async function organisationOf(db: Kysely<Database>): Promise<{ name: string; bin: string | null }> {
  const org = await db.selectFrom('organisation').select(['name_kk', 'name_ru', 'bin']).executeTakeFirst();
  return org ? { name: org.name_ru || org.name_kk, bin: org.bin || null } : { name: 'Muragat', bin: null };
}

interface Planned {
  row: DossierRow;
  manifest: AipManifest;
  bytes: number;
}

export async function exportHoldings(deps: ExchangeDeps, input: ExportInput): Promise<ExportReport> {
  assertMayExchange(input.actor);
  const now = input.now ?? new Date();
  const rows = await selectDossiers(deps.db, input.scope);
  const destroyed: ExportReport['destroyed'] = [];
  const planned: Planned[] = [];
  for (const row of rows) {
    const ref = await destroyedDossier(deps.db, row.id);
    if (ref) {
      // One dossier asked for by name is refused with its act; a set leaves it out, named.
      if (input.scope.kind === 'dossier') await dossierContent(deps, row.id);
      destroyed.push({ dossierId: row.id, index: row.case_index, act: ref.actNumber, date: ref.destroyedAt });
      continue;
    }
    const manifest = await readManifest(deps.storage, row.aip_manifest_sha256);
    planned.push({ row, manifest, bytes: manifest.files.filter((f) => areaOf(f)).reduce((n, f) => n + f.size, 0) });
  }
  if (!planned.length) throw new NotFoundError('exchange.nothing_to_export', 'exchange.nothing_to_export', { scope: describeScope(input.scope) });

  const organisation = await organisationOf(deps.db);
  const exportId = randomUUID();
  const bagName = `muragat-export-${now.toISOString().slice(0, 10)}-${exportId.slice(0, 8)}`;
  // A bag in a tar has its own top folder; a bag folder is the bag.
  const bagRoot = input.format === 'bagit' ? (input.container === 'tar' ? `${bagName}/` : '') : null;
  const payloadPrefix = bagRoot === null ? '' : `${bagRoot}data/`;
  const out = typeof input.out === 'function' ? input.out() : input.out;
  if (input.container === 'folder' && typeof out !== 'string') throw new ValidationError('exchange.folder_needs_path', 'exchange.folder_needs_path');
  const sink: PackageSink = input.container === 'tar' ? await tarSink(out, { mtime: now }) : await folderSink(out as string);
  const totalBytes = planned.reduce((n, p) => n + p.bytes, 0);
  let bytesDone = 0;
  const written: WrittenFile[] = [];
  const packages: ExportedPackage[] = [];
  const schemas = await Promise.all(SCHEMA_FILES.map(async (name) => ({ name, bytes: await readFile(path.join(SCHEMA_DIR, name)) })));
  try {
    for (const [i, p] of planned.entries()) {
      const content = await dossierContent(deps, p.row.id);
      const dossierEntry = p.manifest.files.find((f) => f.role === 'dossier-metadata');
      if (!dossierEntry) throw new SystemError('exchange.aip_incomplete', 'exchange.aip_incomplete', { index: p.row.case_index, what: 'dossier.json' });
      const dossier = JSON.parse((await content.bytes(dossierEntry.sha256)).toString('utf8')) as DossierMetadata;
      const documents: DocumentMetadata[] = [];
      for (const e of p.manifest.files.filter((f) => f.role === 'document-metadata')) documents.push(JSON.parse((await content.bytes(e.sha256)).toString('utf8')) as DocumentMetadata);
      const docFiles = new Map<string, { name: string; mime?: string; format?: string }>();
      for (const d of documents) {
        for (const f of d.files) docFiles.set(f.sha256, { name: f.name, mime: f.mime, format: f.format });
        if (d.rendition) docFiles.set(d.rendition.sha256, { name: d.rendition.name, mime: 'application/pdf', format: d.rendition.format });
        for (const s of d.signatures) docFiles.set(s.sha256, { name: s.name, mime: 'application/pkcs7-signature', format: 'CMS' });
      }
      const objid = objidOf(dossier, p.row.id);
      const root = `${payloadPrefix}${objid}/`;
      const created = p.manifest.createdAt;
      const files: PackageFile[] = [];
      let packageBytes = 0;
      const track = (w: WrittenFile) => {
        written.push(w);
        packageBytes += w.size;
      };
      for (const entry of p.manifest.files) {
        const rel = packagePathOf(entry);
        if (!rel) continue;
        const known = docFiles.get(entry.sha256);
        const object = await content.open(entry.sha256);
        const out = await sink.addStream(root + rel, entry.size, object.stream);
        if (out.sha256 !== entry.sha256 || out.size !== entry.size) {
          // Verified reads make this unreachable short of a defect; never ship a wrong byte.
          throw new SystemError('exchange.object_changed', 'exchange.object_changed', { path: entry.path, expected: entry.sha256, actual: out.sha256 });
        }
        track(out);
        bytesDone += entry.size;
        input.onProgress?.({ dossiersDone: i, dossiers: planned.length, bytesDone, bytes: totalBytes, item: `${p.row.case_index} ${entry.path}` });
        files.push({
          path: rel,
          sha256: entry.sha256,
          size: entry.size,
          mime: mimeOf(entry.path, entry.mime ?? known?.mime),
          created,
          area: areaOf(entry)!,
          aipPath: entry.path,
          ...(entry.documentId ? { documentId: entry.documentId } : {}),
          ...(known?.format ? { format: known.format } : {}),
          ...(known && ['original', 'attachment', 'signature', 'rendition'].includes(entry.role) ? { originalName: known.name } : {}),
        });
      }
      // The AIP manifest itself, byte for byte: its SHA-256 is the one the catalog indexes.
      const manifestBytes = await readVerifiedBytes(deps.storage, p.row.aip_manifest_sha256);
      const m = await sink.addBytes(root + AIP_MANIFEST_IN_PACKAGE, manifestBytes);
      track(m);
      files.push({ path: AIP_MANIFEST_IN_PACKAGE, sha256: m.sha256, size: m.size, mime: 'application/json', created, area: 'other' });
      for (const s of schemas) {
        const w = await sink.addBytes(`${root}schemas/${s.name}`, s.bytes);
        track(w);
        files.push({ path: `schemas/${s.name}`, sha256: w.sha256, size: w.size, mime: 'application/xml', created: now.toISOString(), area: 'schemas' });
      }
      const xml = buildPackageXml({
        objid,
        label: `${dossier.index} ${dossier.title}`,
        createdAt: now.toISOString(),
        software: { name: 'Muragat', version: MURAGAT_TOOL.version },
        organisation,
        dossier,
        manifest: p.manifest,
        documents,
        files,
      });
      track(await sink.addBytes(root + xml.generated[0]!.path, xml.premis));
      track(await sink.addBytes(root + xml.generated[1]!.path, xml.dc));
      track(await sink.addBytes(`${root}METS.xml`, xml.mets));
      packages.push({ objid, dossierId: p.row.id, index: p.row.case_index, year: p.row.year, files: files.length + 3, bytes: packageBytes });
      input.onProgress?.({ dossiersDone: i + 1, dossiers: planned.length, bytesDone, bytes: totalBytes, item: p.row.case_index });
    }
    if (bagRoot !== null) {
      const payload = written.map((w) => ({ ...w, path: w.path.slice(bagRoot.length) }));
      const tags = bagTagFiles(payload, {
        sourceOrganization: organisation.name,
        externalIdentifier: exportId,
        externalDescription: `E-ARK SIP packages of ${describeScope(input.scope)}: ${packages.map((x) => x.objid).join(', ')}`.slice(0, 2000),
        software: `Muragat ${MURAGAT_TOOL.version}`,
        baggingDate: now,
      });
      for (const t of tags) await sink.addBytes(bagRoot + t.name, t.bytes);
    }
    await sink.finish();
  } catch (error) {
    await sink.abort();
    throw error;
  }
  const report: ExportReport = {
    exportId,
    format: input.format,
    container: input.container,
    out: typeof out === 'string' ? path.resolve(out) : null,
    packages,
    destroyed,
    files: written.length,
    bytes: written.reduce((n, w) => n + w.size, 0),
  };
  await recordAudit(deps.db, {
    actor: input.actor,
    action: 'exchange.export',
    objectType: 'export',
    objectId: exportId,
    details: {
      scope: describeScope(input.scope),
      format: input.format,
      container: input.container,
      out: report.out,
      dossiers: packages.map((x) => ({ id: x.dossierId, index: x.index, objid: x.objid })),
      leftOutDestroyed: destroyed.map((d) => ({ id: d.dossierId, index: d.index, act: d.act })),
      files: report.files,
      bytes: report.bytes,
    },
  });
  return report;
}

