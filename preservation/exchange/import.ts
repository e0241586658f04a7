// Import of E-ARK CSIP/SIP packages and BagIt bags made by a Muragat (docs/exchange.md), as
// transfers: every package is checked first (the bag's manifests, METS.xml against the CSIP
// MUST requirements and a known profile, every referenced file's size and checksum, the AIP
// manifest's objects all present); any problem refuses the whole import, naming the file and
// the field, and nothing is stored. Then each department and year becomes one transfer package
// (manifest.json + the signed originals) that the ordinary ingest takes in: signatures are
// verified again, renditions made and validated again, and the new AIPs sealed by this archive.
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import type { Kysely } from 'kysely';
import type { Database } from '../../database/database';
import type { Config } from '../../common/config';
import { recordAudit, type Actor } from '../../audit/audit.service';
import { NotFoundError, ValidationError } from '../../common/errors';
import { runIngest, type IngestReport } from '../../ingest';
import type { AipManifest } from '../../ingest/aip';
import { safeEntryName, isGzip } from '../../ingest/transfer';
import { writeDeterministicTar, type TarItem } from '../../ingest/transfer/tar-writer';
import type { Storage } from '../../storage';
import type { DocumentMetadata, DossierMetadata, TransferDocument, TransferDossier, TransferManifest } from '../../validators/schemas/types';
import { validateBag } from './bagit';
import { checkCsipRequirements, checkReferencedFiles, metsAttr, metsList, metsText, readPackageMets, referencedFiles, resolveHref, type PackageProblem } from './csip-check';
import { assertMayExchange } from './export';
import { AIP_MANIFEST_IN_PACKAGE, DOSSIER_JSON_IN_PACKAGE, packagePathOf } from './layout';
import { KNOWN_PROFILES } from './mets';

export interface ImportDeps {
  db: Kysely<Database>;
  storage: Storage;
  config: Config;
}

export type ImportPhase = 'unpack' | 'check' | 'ingest';

export interface ImportProgress {
  phase: ImportPhase;
  done: number;
  total: number;
  item: string;
}

export interface ImportInput {
  /** A tar (optionally gzip) or a folder: a bag, one CSIP package, or a folder of packages. */
  source: string;
  actor: Actor;
  onProgress?: (p: ImportProgress) => void;
}

export interface ImportedTransfer {
  transferId: string;
  department: string;
  year: number;
  status: string;
  dossiers: { id: string | null; index: string | null; documents: number; accepted: number }[];
  failure?: IngestReport['failure'];
}

export interface ImportReport {
  format: 'bagit' | 'csip';
  packages: { objid: string; index: string; year: number; documents: number }[];
  transfers: ImportedTransfer[];
}

/** The whole import refused; `details.problems` names each file and field. */
export class PackageRefused extends ValidationError {
  constructor(readonly problems: PackageProblem[]) {
    const first = problems[0]!;
    super('exchange.package_refused', 'exchange.package_refused', { count: problems.length, file: first.file, field: first.field }, { problems });
  }
}

const refuse = (problems: PackageProblem[]): never => {
  throw new PackageRefused(problems);
};

/** Unpacks a tar safely (no links, no escaping names) into `dir`. */
async function unpackTar(file: string, dir: string, onEntry: (name: string) => void): Promise<void> {
  const extract = tar.extract();
  const problems: PackageProblem[] = [];
  extract.on('entry', (header, stream, next) => {
    const done = (error?: unknown) => {
      stream.resume();
      if (error) problems.push({ file: header.name, field: 'tar', code: 'unsafe_href', params: { href: header.name } });
      next();
    };
    if (header.type === 'directory') return done();
    if (header.type !== 'file') return done(new Error('not a file'));
    let name: string;
    try {
      name = safeEntryName(header.name);
    } catch (error) {
      return done(error);
    }
    const target = path.resolve(dir, name);
    if (!target.startsWith(path.resolve(dir) + path.sep)) return done(new Error('escapes'));
    onEntry(name);
    mkdir(path.dirname(target), { recursive: true })
      .then(() => pipeline(stream, createWriteStream(target, { flags: 'wx' })))
      .then(() => next(), (error: unknown) => {
        problems.push({ file: name, field: 'tar', code: 'unsafe_href', params: { href: name, reason: error instanceof Error ? error.message : String(error) } });
        stream.resume();
        next();
      });
  });
  const source = createReadStream(file);
  if (await isGzip(file)) await pipeline(source, createGunzip(), extract);
  else await pipeline(source, extract);
  if (problems.length) refuse(problems);
}

async function isDir(p: string): Promise<boolean> {
  return (await stat(p).catch(() => null))?.isDirectory() ?? false;
}
async function isFile(p: string): Promise<boolean> {
  return (await stat(p).catch(() => null))?.isFile() ?? false;
}

/** The package roots under `dir`: itself when it holds METS.xml, else its folders that do. */
async function packageRoots(dir: string): Promise<string[]> {
  if (await isFile(path.join(dir, 'METS.xml'))) return [dir];
  const roots: string[] = [];
  for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (e.isDirectory() && (await isFile(path.join(dir, e.name, 'METS.xml')))) roots.push(path.join(dir, e.name));
  }
  return roots;
}

interface CheckedPackage {
  root: string;
  name: string;
  objid: string;
  organisation: { name: string; bin?: string };
  dossier: DossierMetadata;
  manifest: AipManifest;
  documents: DocumentMetadata[];
}

async function checkPackage(root: string, name: string, onFile: (href: string, size: number) => void): Promise<{ checked: CheckedPackage | null; problems: PackageProblem[] }> {
  const metsFile = `${name}/METS.xml`;
  const { mets, problems } = await readPackageMets(root, metsFile);
  if (!mets) return { checked: null, problems };
  const profile = metsAttr(mets, 'PROFILE');
  if (profile && !(KNOWN_PROFILES as readonly string[]).includes(profile)) {
    problems.push({ file: metsFile, field: 'mets/@PROFILE', code: 'unknown_profile', params: { profile, known: KNOWN_PROFILES.join(', ') } });
  }
  problems.push(...checkCsipRequirements(mets, metsFile));
  const refs = referencedFiles(mets);
  const fileProblems = await checkReferencedFiles(root, metsFile, refs, onFile);
  problems.push(...fileProblems.map((p) => (p.code === 'missing_file' || p.code === 'bad_checksum' || p.code === 'bad_size' || p.code === 'unsupported_checksum' ? { ...p, file: `${name}/${p.file}` } : p)));
  // What makes it a Muragat dossier: the AIP manifest and the dossier description.
  const manifestPath = resolveHref(root, AIP_MANIFEST_IN_PACKAGE)!;
  const dossierPath = resolveHref(root, DOSSIER_JSON_IN_PACKAGE)!;
  for (const [p, rel] of [[manifestPath, AIP_MANIFEST_IN_PACKAGE], [dossierPath, DOSSIER_JSON_IN_PACKAGE]] as const) {
    if (!(await isFile(p))) problems.push({ file: `${name}/${rel}`, field: rel, code: 'not_muragat_package' });
  }
  if (problems.length) return { checked: null, problems };

  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as AipManifest;
  const referenced = new Map(refs.map((r) => [r.href, r]));
  manifest.files.forEach((entry, i) => {
    const rel = packagePathOf(entry);
    if (!rel) return;
    const ref = referenced.get(rel);
    const field = `${AIP_MANIFEST_IN_PACKAGE}#/files/${i}`;
    if (!ref) problems.push({ file: `${name}/${rel}`, field, code: 'missing_file', params: { mets: metsFile } });
    else if (ref.checksum !== entry.sha256) problems.push({ file: `${name}/${rel}`, field, code: 'bad_checksum', params: { algorithm: 'SHA-256', expected: entry.sha256, actual: ref.checksum ?? '' } });
  });
  if (problems.length) return { checked: null, problems };
  const dossier = JSON.parse(await readFile(dossierPath, 'utf8')) as DossierMetadata;
  const documents: DocumentMetadata[] = [];
  for (const e of manifest.files.filter((f) => f.role === 'document-metadata')) documents.push(JSON.parse(await readFile(resolveHref(root, packagePathOf(e)!)!, 'utf8')) as DocumentMetadata);
  documents.sort((a, b) => a.position - b.position);
  const archivist = metsList(mets['metsHdr'], 'agent').find((a) => metsAttr(a, 'ROLE') === 'ARCHIVIST');
  const orgName = archivist ? metsText(archivist['name']).trim() : '';
  const bin = archivist ? metsList(archivist, 'note').map((n) => metsText(n).trim()).find((v) => /^\d{12}$/.test(v)) : undefined;
  return {
    checked: { root, name, objid: metsAttr(mets, 'OBJID')!, organisation: { name: orgName || dossier.fonds, ...(bin ? { bin } : {}) }, dossier, manifest, documents },
    problems: [],
  };
}

/** The transfer manifest entries and tar items of one package's dossier. */
function transferDossier(p: CheckedPackage, items: TarItem[]): TransferDossier {
  const folder = p.objid;
  const byDoc = new Map<string, AipManifest['files']>();
  for (const e of p.manifest.files) {
    if (!e.documentId) continue;
    const list = byDoc.get(e.documentId) ?? [];
    list.push(e);
    byDoc.set(e.documentId, list);
  }
  const fileOf = (rel: string) => resolveHref(p.root, rel)!;
  const documents: TransferDocument[] = [];
  for (const doc of p.documents) {
    const entries = byDoc.get(doc.identifier) ?? [];
    const original = entries.find((e) => e.role === 'original');
    if (!original) continue;
    const docFolder = `${folder}/${String(doc.position).padStart(3, '0')}`;
    const add = (e: AipManifest['files'][number]) => {
      const rel = `${docFolder}/${e.role === 'original' ? '' : e.role + 's/'}${path.posix.basename(e.path)}`;
      const file = fileOf(packagePathOf(e)!);
      items.push({ name: rel, content: { file, size: e.size } });
      return { path: rel, sha256: e.sha256, size: e.size };
    };
    // Files the converter took out of a PDF are found again by the receiving ingest.
    const embedded = new Set(doc.files.filter((f) => f.embeddedIn).map((f) => f.sha256));
    const attachments = entries.filter((e) => e.role === 'attachment' && !embedded.has(e.sha256)).map(add);
    const signatures = entries.filter((e) => e.role === 'signature').map(add);
    documents.push({
      ...add(original),
      title: doc.title,
      ...(doc.kind ? { kind: doc.kind } : {}),
      ...(doc.date ? { date: doc.date } : {}),
      ...(doc.number ? { number: doc.number } : {}),
      ...(doc.language && /^[a-z]{2,3}$/.test(doc.language) ? { language: doc.language } : {}),
      ...(doc.author?.name ? { author: doc.author.name } : {}),
      ...(doc.pages ? { pages: doc.pages } : {}),
      access: doc.access,
      ...(attachments.length ? { attachments } : {}),
      ...(signatures.length ? { signatures } : {}),
    });
  }
  const d = p.dossier;
  return {
    index: d.index,
    title: d.title,
    ...(d.volume ? { volume: d.volume } : {}),
    ...(d.startDate ? { startDate: d.startDate } : {}),
    ...(d.endDate ? { endDate: d.endDate } : {}),
    retention: d.retention,
    ...(d.access ? { access: d.access } : {}),
    documents,
  };
}

export async function importPackages(deps: ImportDeps, input: ImportInput): Promise<ImportReport> {
  assertMayExchange(input.actor);
  const source = path.resolve(input.source);
  const st = await stat(source).catch(() => null);
  if (!st) throw new NotFoundError('exchange.source_missing', 'exchange.source_missing', { path: source });
  const work = await mkdtemp(path.join(tmpdir(), 'muragat-import-'));
  const progress = (phase: ImportPhase, done: number, total: number, item: string) => input.onProgress?.({ phase, done, total, item });
  try {
    let dir = source;
    if (st.isFile()) {
      dir = path.join(work, 'package');
      await mkdir(dir);
      let n = 0;
      await unpackTar(source, dir, (name) => progress('unpack', ++n, 0, name));
    }
    // A bag in a tar has its own top folder.
    let bagRoot: string | null = null;
    if (await isFile(path.join(dir, 'bagit.txt'))) bagRoot = dir;
    else {
      const children = await readdir(dir, { withFileTypes: true });
      if (children.length === 1 && children[0]!.isDirectory() && (await isFile(path.join(dir, children[0]!.name, 'bagit.txt')))) bagRoot = path.join(dir, children[0]!.name);
    }
    let packagesDir = dir;
    if (bagRoot) {
      let n = 0;
      const bag = await validateBag(bagRoot, (f) => progress('check', ++n, 0, f));
      if (bag.problems.length) {
        refuse(bag.problems.map((b) => ({ file: b.file, field: b.field, code: b.code as unknown as PackageProblem['code'], ...(b.params ? { params: b.params } : {}) })));
      }
      packagesDir = path.join(bagRoot, 'data');
    }
    const roots = await packageRoots(packagesDir);
    if (!roots.length) refuse([{ file: `${path.relative(dir, packagesDir) || '.'}/METS.xml`, field: 'CSIPSTR4', code: 'missing_mets', requirement: 'CSIPSTR4' }]);

    const checked: CheckedPackage[] = [];
    const problems: PackageProblem[] = [];
    let n = 0;
    for (const root of roots) {
      const name = path.relative(packagesDir, root) || path.basename(root);
      const r = await checkPackage(root, name, (href) => progress('check', ++n, 0, `${name}/${href}`));
      problems.push(...r.problems);
      if (r.checked) checked.push(r.checked);
    }
    if (problems.length) {
      await recordAudit(deps.db, { actor: input.actor, action: 'exchange.import_refuse', objectType: 'import', objectId: randomUUID(), details: { source, problems: problems.slice(0, 50), count: problems.length } });
      refuse(problems);
    }

    // One transfer per department and year, as a department hands them over.
    const groups = new Map<string, CheckedPackage[]>();
    for (const p of checked) {
      const key = `${p.dossier.department.code}|${p.dossier.year}`;
      groups.set(key, [...(groups.get(key) ?? []), p]);
    }
    const transfers: ImportedTransfer[] = [];
    let g = 0;
    for (const group of groups.values()) {
      const first = group[0]!;
      const items: TarItem[] = [];
      const dossiers = group.map((p) => transferDossier(p, items));
      const manifest: TransferManifest = {
        schemaVersion: 'muragat.transfer/1',
        transfer: {
          organisation: first.organisation,
          department: { code: first.dossier.department.code, ...(first.dossier.department.name ? { name: first.dossier.department.name } : {}) },
          year: first.dossier.year,
          fonds: first.dossier.fonds,
          compiledBy: { name: first.dossier.compiledBy.name, ...(first.dossier.compiledBy.position ? { position: first.dossier.compiledBy.position } : {}) },
          createdAt: new Date().toISOString(),
          note: `Imported from E-ARK packages ${group.map((p) => p.objid).join(', ')}`.slice(0, 4000),
        },
        dossiers,
      };
      const tarPath = path.join(work, `transfer-${++g}.tar`);
      await writeDeterministicTar(tarPath, [{ name: 'manifest.json', content: Buffer.from(JSON.stringify(manifest, null, 2)) }, ...items], { mtime: new Date() });
      progress('ingest', g - 1, groups.size, `${first.dossier.department.code} ${first.dossier.year}`);
      const report = await runIngest({ db: deps.db, storage: deps.storage, config: deps.config }, { tarPath, actor: input.actor });
      transfers.push({
        transferId: report.transfer,
        department: first.dossier.department.code,
        year: first.dossier.year,
        status: report.status ?? 'completed',
        dossiers: report.dossiers.map((d) => ({ id: d.id, index: d.index, documents: d.documents.length, accepted: d.documents.filter((x) => x.status === 'accepted').length })),
        ...(report.failure ? { failure: report.failure } : {}),
      });
      await recordAudit(deps.db, {
        actor: input.actor,
        action: 'exchange.import',
        objectType: 'transfer',
        objectId: report.transfer,
        details: { source, format: bagRoot ? 'bagit' : 'csip', packages: group.map((p) => p.objid), status: report.status ?? null },
      });
      progress('ingest', g, groups.size, `${first.dossier.department.code} ${first.dossier.year}`);
    }
    return {
      format: bagRoot ? 'bagit' : 'csip',
      packages: checked.map((p) => ({ objid: p.objid, index: p.dossier.index, year: p.dossier.year, documents: p.documents.length })),
      transfers,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
