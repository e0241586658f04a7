// Packing a department's folder tree into a transfer package: one folder per dossier named
// by its case index, the documents inside, optional metadata files; the manifest lists every
// file with its SHA-256, and says which metadata were inferred and which are still missing.
import { lstat, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { isAppError, ValidationError } from '../../common/errors';
import { sha256File } from '../../common/hash';
import { t, DEFAULT_LANGUAGE, type Language } from '../../common/i18n';
import { parseBoundedJson } from '../pipeline/bounded-json';
import { sanitiseDeep } from '../pipeline/sanitise';
import { validateAgainst } from '../../validators/schemas';
import type { Retention } from '../../validators/schemas';
import { checkManifestAgainstFiles } from './check';
import { dateFromName, detectLanguage, numberFromName, readDocumentProperties, titleFromName } from './infer';
import { problem } from './messages';
import { writeDeterministicTar } from './tar-writer';
import {
  MANIFEST_NAME,
  SIGNATURE_EXTENSIONS,
  type TransferDocument,
  type TransferDossier,
  type TransferFile,
  type TransferManifest,
  type TransferProblem,
} from './types';
import { collisionKey, safeEntryName } from './unpack';

export interface PackOptions {
  gzip?: boolean;
  /** When the package is made; also the tar's fixed mtime. Default: now. */
  createdAt?: Date;
  lang?: Language;
}

export interface PackResult {
  manifest: TransferManifest;
  inferred: TransferProblem[];
  missing: TransferProblem[];
}

const DOSSIER_FOLDER = /^[0-9A-Za-z]{1,10}-[0-9]{1,4}[A-Za-z]?$/;
const TRANSFER_META = 'transfer.json';
const DOSSIER_META = 'dossier.json';
const META_SUFFIX = '.meta.json';
/** Files operating systems and editors leave behind; never part of a dossier. */
const SYSTEM_JUNK = /^(\.DS_Store|Thumbs\.db|desktop\.ini|~\$.*|\._.*)$/i;

const TRANSFER_FIELDS = ['organisation', 'department', 'year', 'fonds', 'compiledBy', 'headOfDepartment', 'people', 'createdAt', 'note'];
const DOSSIER_FIELDS = ['title', 'volume', 'startDate', 'endDate', 'retention', 'access'];
const DOCUMENT_FIELDS = ['title', 'kind', 'date', 'number', 'language', 'author', 'pages', 'main', 'access'];

interface SourceFile {
  rel: string;
  abs: string;
}

interface DocumentSource {
  /** Name shown in messages: the file, or the folder of a multi-file document. */
  rel: string;
  main: SourceFile;
  attachments: SourceFile[];
  signatures: SourceFile[];
  meta: Record<string, unknown>;
  metaFile?: string;
}

type Json = Record<string, unknown>;

/** transfer.json, dossier.json and per-document metadata files are small; 1 MB is generous. */
const METADATA_MAX_BYTES = 1024 * 1024;

function problemsLang(problems: TreeProblems): Language {
  return problems.lang ?? DEFAULT_LANGUAGE;
}

class TreeProblems {
  readonly list: TransferProblem[] = [];
  constructor(readonly lang: Language | undefined) {}
  add(where: string, code: string, params: Record<string, string | number> = {}, clause?: string): void {
    this.list.push(problem(this.lang, where, code, params, clause));
  }
}

async function readJson(abs: string, rel: string, allowed: string[], problems: TreeProblems): Promise<Json> {
  let value: unknown;
  try {
    // Bounded like the manifest at ingest: a metadata file nested 100,000 deep is a clear
    // problem of that file, not a stack overflow in the schema check.
    value = sanitiseDeep(parseBoundedJson(await readFile(abs), { where: rel, maxBytes: METADATA_MAX_BYTES }), 2000);
  } catch (error) {
    const detail = isAppError(error) ? t(problemsLang(problems), error.messageKey, error.params as Record<string, unknown>) : (error as Error).message;
    problems.add(rel, 'transfer.pack_bad_json', { detail });
    return {};
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.add(rel, 'transfer.pack_bad_json', { detail: 'not an object' });
    return {};
  }
  for (const key of Object.keys(value)) if (!allowed.includes(key)) problems.add(rel, 'transfer.pack_unknown_field', { field: key, allowed: allowed.join(', ') });
  return value as Json;
}

async function listDir(abs: string, rel: string, problems: TreeProblems): Promise<{ name: string; rel: string; abs: string; kind: 'file' | 'dir' }[]> {
  const out: { name: string; rel: string; abs: string; kind: 'file' | 'dir' }[] = [];
  const seen = new Map<string, string>();
  for (const raw of (await readdir(abs)).sort()) {
    const full = path.join(abs, raw);
    const name = raw.normalize('NFC');
    const childRel = rel ? `${rel}/${name}` : name;
    const st = await lstat(full);
    if (st.isSymbolicLink()) {
      problems.add(childRel, 'transfer.pack_link');
      continue;
    }
    if (!st.isFile() && !st.isDirectory()) {
      problems.add(childRel, 'transfer.pack_special_file');
      continue;
    }
    try {
      safeEntryName(childRel);
    } catch (error) {
      if (!isAppError(error)) throw error;
      problems.add(childRel, 'transfer.pack_bad_name', { reason: String(error.params.reason) });
      continue;
    }
    const key = collisionKey(name);
    const other = seen.get(key);
    if (other !== undefined) {
      problems.add(childRel, 'transfer.pack_duplicate_name', { other: rel ? `${rel}/${other}` : other });
      continue;
    }
    seen.set(key, name);
    out.push({ name, rel: childRel, abs: full, kind: st.isDirectory() ? 'dir' : 'file' });
  }
  return out;
}

function signatureBase(name: string): string | undefined {
  const lower = name.toLowerCase();
  const ext = SIGNATURE_EXTENSIONS.find((e) => lower.endsWith(e));
  return ext && name.length > ext.length ? name.slice(0, -ext.length) : undefined;
}

async function collectDossier(
  folder: { name: string; rel: string; abs: string },
  problems: TreeProblems,
  skipped: TreeProblems,
): Promise<{ meta: Json; documents: DocumentSource[] }> {
  const children = await listDir(folder.abs, folder.rel, problems);
  let meta: Json = {};
  const docs = new Map<string, DocumentSource>();
  const metas = new Map<string, SourceFile>();
  const sigs: { base: string; file: SourceFile }[] = [];
  for (const child of children) {
    if (child.kind === 'file' && SYSTEM_JUNK.test(child.name)) {
      skipped.add(child.rel, 'transfer.pack_skipped_file');
      continue;
    }
    if (child.kind === 'file' && child.name === DOSSIER_META) {
      meta = await readJson(child.abs, child.rel, DOSSIER_FIELDS, problems);
      continue;
    }
    if (child.kind === 'file' && child.name.endsWith(META_SUFFIX) && child.name.length > META_SUFFIX.length) {
      metas.set(child.name.slice(0, -META_SUFFIX.length), { rel: child.rel, abs: child.abs });
      continue;
    }
    const base = child.kind === 'file' ? signatureBase(child.name) : undefined;
    if (base !== undefined) {
      sigs.push({ base, file: { rel: child.rel, abs: child.abs } });
      continue;
    }
    if (child.kind === 'file') {
      docs.set(child.name, { rel: child.rel, main: { rel: child.rel, abs: child.abs }, attachments: [], signatures: [], meta: {} });
      continue;
    }
    // A sub-folder is one document made of several files (scanned pages, annexes).
    const parts = await listDir(child.abs, child.rel, problems);
    const files: SourceFile[] = [];
    const signatures: SourceFile[] = [];
    for (const part of parts) {
      if (part.kind === 'dir') {
        problems.add(part.rel, 'transfer.pack_nested_folder');
        continue;
      }
      if (SYSTEM_JUNK.test(part.name)) {
        skipped.add(part.rel, 'transfer.pack_skipped_file');
        continue;
      }
      const sigBase = signatureBase(part.name);
      if (sigBase !== undefined) {
        if (!parts.some((p) => p.name === sigBase && p.kind === 'file')) problems.add(part.rel, 'transfer.pack_orphan_signature', { file: `${child.rel}/${sigBase}` });
        else signatures.push({ rel: part.rel, abs: part.abs });
        continue;
      }
      files.push({ rel: part.rel, abs: part.abs });
    }
    if (files.length === 0) {
      problems.add(child.rel, 'transfer.pack_empty_document');
      continue;
    }
    docs.set(child.name, { rel: child.rel, main: files[0]!, attachments: files.slice(1), signatures, meta: {} });
  }
  for (const { base, file } of sigs) {
    const doc = docs.get(base);
    if (!doc || doc.main.rel !== `${folder.rel}/${base}`) problems.add(file.rel, 'transfer.pack_orphan_signature', { file: `${folder.rel}/${base}` });
    else doc.signatures.push(file);
  }
  for (const [base, file] of metas) {
    const doc = docs.get(base);
    if (!doc) {
      problems.add(file.rel, 'transfer.pack_orphan_metadata', { file: `${folder.rel}/${base}` });
      continue;
    }
    doc.meta = await readJson(file.abs, file.rel, DOCUMENT_FIELDS, problems);
    doc.metaFile = file.rel;
    // `main` picks the principal file of a multi-file document.
    if (typeof doc.meta.main === 'string') {
      const all = [doc.main, ...doc.attachments];
      const chosen = all.find((f) => f.rel === `${doc.rel}/${doc.meta.main as string}`);
      if (!chosen) problems.add(file.rel, 'transfer.pack_main_not_found', { main: doc.meta.main as string });
      else {
        doc.main = chosen;
        doc.attachments = all.filter((f) => f !== chosen);
      }
    }
  }
  if (docs.size === 0) problems.add(folder.rel, 'transfer.pack_empty_dossier');
  return { meta, documents: [...docs.values()] };
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

/**
 * A value the sender gave is kept even when malformed, so the schema check names it in their
 * file instead of it being silently replaced by an inferred one. Digit strings become numbers.
 */
function given(value: unknown): unknown {
  return typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value.trim()) : value;
}

/** Clerks write dates as 01.03.2025 as often as 2025-03-01; both mean the same day. */
function normaliseDate(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const v = value.trim();
  return /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : (dateFromName(v) ?? v);
}

async function fileEntry(f: SourceFile): Promise<TransferFile> {
  const { sha256, size } = await sha256File(f.abs);
  return { path: f.rel, sha256, size };
}

export async function packTransfer(dir: string, outTar: string, opts: PackOptions = {}): Promise<PackResult> {
  const lang = opts.lang;
  const root = path.resolve(dir);
  const problems = new TreeProblems(lang);
  const inferred = new TreeProblems(lang);
  const missing = new TreeProblems(lang);
  const createdAt = opts.createdAt ?? new Date();

  const rootStat = await lstat(root).catch(() => null);
  if (!rootStat?.isDirectory()) throw new ValidationError('transfer.pack_not_a_folder', 'transfer.pack_not_a_folder', { dir });
  const out = path.resolve(outTar);
  if (out.startsWith(root + path.sep)) {
    throw new ValidationError('transfer.pack_output_inside', 'transfer.pack_output_inside', { out: outTar, dir });
  }

  let transferMeta: Json = {};
  const dossierFolders: { name: string; rel: string; abs: string }[] = [];
  for (const child of await listDir(root, '', problems)) {
    if (child.kind === 'file' && child.name === TRANSFER_META) transferMeta = await readJson(child.abs, child.rel, TRANSFER_FIELDS, problems);
    else if (child.kind === 'file' && SYSTEM_JUNK.test(child.name)) missing.add(child.rel, 'transfer.pack_skipped_file');
    else if (child.kind === 'dir' && DOSSIER_FOLDER.test(child.name)) dossierFolders.push(child);
    else if (child.kind === 'dir') problems.add(child.rel, 'transfer.pack_bad_dossier_folder', {}, 'p.149');
    else problems.add(child.rel, 'transfer.pack_stray_file');
  }
  if (dossierFolders.length === 0 && problems.list.length === 0) problems.add('.', 'transfer.pack_no_dossiers');

  const dossiers: TransferDossier[] = [];
  const metaFileOf = new Map<TransferDocument, string>();
  const allEntries: { path: string; size: number; sha256: string; abs: string }[] = [];
  for (const folder of dossierFolders) {
    const { meta, documents } = await collectDossier(folder, problems, missing);
    const docs: TransferDocument[] = [];
    for (const source of documents) {
      const main = await fileEntry(source.main);
      allEntries.push({ ...main, abs: source.main.abs });
      const doc: TransferDocument = { ...main, title: '' };
      const inferredFields: string[] = [];
      const meta = source.meta;
      const { properties, error } = await readDocumentProperties(source.main.abs);
      if (error) missing.add(source.main.rel, 'transfer.pack_properties_unreadable', { detail: error });
      const baseName = path.basename(source.rel);
      const note = (field: string, value: string | number, from: string) => {
        inferredFields.push(field);
        inferred.add(source.rel, 'transfer.metadata_inferred', { field, value: String(value), source: from });
      };

      const title = str(meta.title);
      if (title) doc.title = title;
      else if (properties.title) {
        doc.title = properties.title;
        note('title', properties.title, 'properties');
      } else {
        doc.title = titleFromName(baseName);
        note('title', doc.title, 'file_name');
      }
      const kind = str(meta.kind);
      if (kind) doc.kind = kind;

      const date = meta.date !== undefined ? (normaliseDate(meta.date) as string) : undefined;
      const nameDate = dateFromName(baseName);
      if (date) doc.date = date;
      else if (nameDate) {
        doc.date = nameDate;
        note('date', nameDate, 'file_name');
      } else if (properties.date) {
        doc.date = properties.date;
        note('date', properties.date, 'properties');
      } else missing.add(source.rel, 'transfer.metadata_missing', { field: 'date' }, 'p.212');

      const number = str(meta.number) ?? (typeof meta.number === 'number' ? String(meta.number) : undefined);
      const nameNumber = numberFromName(baseName);
      if (number) doc.number = number;
      else if (nameNumber) {
        doc.number = nameNumber;
        note('number', nameNumber, 'file_name');
      } else missing.add(source.rel, 'transfer.metadata_missing', { field: 'number' }, 'p.212');

      const language = str(meta.language);
      const detected = properties.text ? detectLanguage(properties.text) : null;
      if (language) doc.language = language;
      else if (detected) {
        doc.language = detected;
        note('language', detected, 'text');
      } else missing.add(source.rel, 'transfer.metadata_missing', { field: 'language' }, 'p.212');

      const author = str(meta.author);
      if (author) doc.author = author;
      else if (properties.author) {
        doc.author = properties.author;
        note('author', properties.author, 'properties');
      } else missing.add(source.rel, 'transfer.metadata_missing', { field: 'author' }, 'p.212');

      if (meta.pages !== undefined) doc.pages = given(meta.pages) as number;
      else if (properties.pages) {
        doc.pages = properties.pages;
        note('pages', properties.pages, 'properties');
      }
      // The fonds creator's access right (p.212), checked with the manifest's schema (named by its file and field).
      if (meta.access !== undefined) doc.access = meta.access as TransferDocument['access'];
      if (inferredFields.length) doc.inferred = inferredFields;

      if (source.attachments.length) {
        doc.attachments = [];
        for (const f of source.attachments) {
          const e = await fileEntry(f);
          doc.attachments.push(e);
          allEntries.push({ ...e, abs: f.abs });
        }
      }
      if (source.signatures.length) {
        doc.signatures = [];
        for (const f of source.signatures) {
          const e = await fileEntry(f);
          doc.signatures.push(e);
          allEntries.push({ ...e, abs: f.abs });
        }
      }
      if (source.metaFile) metaFileOf.set(doc, source.metaFile);
      docs.push(doc);
    }
    // Chronological order inside the dossier (p.159); undated documents last, by name.
    docs.sort((a, b) => (a.date ?? '9999') .localeCompare(b.date ?? '9999') || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

    const dossier: TransferDossier = { index: folder.name, documents: docs };
    const dInferred: string[] = [];
    const title = str(meta.title);
    if (title) dossier.title = title;
    else missing.add(folder.rel, 'transfer.metadata_missing', { field: 'title' }, 'p.211');
    if (meta.volume !== undefined) dossier.volume = given(meta.volume) as number;
    const dates = docs.map((d) => d.date).filter((d): d is string => !!d).sort();
    for (const [field, value] of [['startDate', dates[0]], ['endDate', dates[dates.length - 1]]] as const) {
      if (meta[field] !== undefined) dossier[field] = normaliseDate(meta[field]) as string;
      else if (value) {
        dossier[field] = value;
        dInferred.push(field);
        inferred.add(folder.rel, 'transfer.metadata_inferred', { field, value, source: 'documents' });
      } else missing.add(folder.rel, 'transfer.metadata_missing', { field }, 'p.211');
    }
    if (meta.retention !== undefined) dossier.retention = meta.retention as Retention;
    else missing.add(folder.rel, 'transfer.metadata_missing', { field: 'retention' }, 'p.211');
    if (meta.access !== undefined) dossier.access = meta.access as TransferDossier['access'];
    if (dInferred.length) dossier.inferred = dInferred;
    dossiers.push(dossier);
  }

  // Transfer level: who hands over what (p.210).
  const people = (typeof transferMeta.people === 'object' && transferMeta.people !== null ? transferMeta.people : {}) as Json;
  const transfer: TransferManifest['transfer'] = { department: { code: '' }, year: 0, createdAt: createdAt.toISOString().replace(/\.\d{3}Z$/, 'Z') };
  if (transferMeta.organisation !== undefined) transfer.organisation = transferMeta.organisation as { name: string; bin?: string };
  else missing.add(TRANSFER_META, 'transfer.metadata_missing', { field: 'organisation' });
  const codes = [...new Set(dossiers.map((d) => d.index.split('-')[0]!))];
  if (transferMeta.department !== undefined) transfer.department = transferMeta.department as { code: string; name?: string };
  else if (codes.length === 1) {
    transfer.department = { code: codes[0]! };
    inferred.add(TRANSFER_META, 'transfer.metadata_inferred', { field: 'department', value: codes[0]!, source: 'dossier_index' });
    missing.add(TRANSFER_META, 'transfer.metadata_missing', { field: 'department.name' });
  } else if (codes.length > 1) problems.add('.', 'transfer.pack_several_departments', { codes: codes.join(', ') });
  const years = dossiers.map((d) => d.endDate).filter((d): d is string => !!d).sort();
  if (transferMeta.year !== undefined) transfer.year = given(transferMeta.year) as number;
  else if (years.length) {
    transfer.year = Number(years[years.length - 1]!.slice(0, 4));
    inferred.add(TRANSFER_META, 'transfer.metadata_inferred', { field: 'year', value: transfer.year, source: 'documents' });
  } else {
    transfer.year = createdAt.getUTCFullYear();
    inferred.add(TRANSFER_META, 'transfer.metadata_inferred', { field: 'year', value: transfer.year, source: 'created_at' });
  }
  if (transferMeta.fonds !== undefined) transfer.fonds = String(transferMeta.fonds);
  else missing.add(TRANSFER_META, 'transfer.metadata_missing', { field: 'fonds' });
  const compiledBy = transferMeta.compiledBy ?? people.compiledBy;
  if (compiledBy !== undefined) transfer.compiledBy = compiledBy as { name: string; position?: string };
  else missing.add(TRANSFER_META, 'transfer.metadata_missing', { field: 'compiledBy' }, 'p.210');
  const head = transferMeta.headOfDepartment ?? people.headOfDepartment;
  if (head !== undefined) transfer.headOfDepartment = head as { name: string; position?: string };
  if (typeof transferMeta.createdAt === 'string' && !opts.createdAt) transfer.createdAt = transferMeta.createdAt;
  if (typeof transferMeta.note === 'string') transfer.note = transferMeta.note;

  const manifest: TransferManifest = { schemaVersion: 'muragat.transfer/1', transfer, dossiers };

  // A schema problem is the sender's: point at the file they wrote, not only at the manifest.
  const sourceOf = (pointer: string): string => {
    const m = pointer.match(/^\/dossiers\/(\d+)(?:\/documents\/(\d+))?/);
    let file: string | undefined;
    if (pointer.startsWith('/transfer')) file = TRANSFER_META;
    else if (m) {
      const dossier = dossiers[Number(m[1])];
      const doc = m[2] !== undefined ? dossier?.documents[Number(m[2])] : undefined;
      file = doc ? (metaFileOf.get(doc) ?? doc.path) : dossier ? `${dossier.index}/${DOSSIER_META}` : undefined;
    }
    return file ? `${file} (${MANIFEST_NAME}#${pointer})` : `${MANIFEST_NAME}#${pointer}`;
  };

  if (problems.list.length === 0) {
    // What the receiving archive would refuse is refused here, naming the file or field.
    for (const p of validateAgainst('transfer-manifest', manifest).problems) {
      problems.list.push({ where: sourceOf(p.pointer), code: 'transfer.manifest_invalid', message: p.message[lang ?? 'kk'], params: { pointer: p.pointer, keyword: p.keyword } });
    }
    if (problems.list.length === 0) {
      for (const p of checkManifestAgainstFiles(manifest, allEntries, { lang })) problems.list.push(p);
    }
  }
  if (problems.list.length > 0) {
    throw new ValidationError(
      'transfer.pack_refused',
      'transfer.pack_refused',
      { dir, count: problems.list.length, first: `${problems.list[0]!.where}: ${problems.list[0]!.message}` },
      { problems: problems.list },
    );
  }

  const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2) + '\n', 'utf8');
  const items = [
    { name: MANIFEST_NAME, content: manifestBytes as Uint8Array },
    ...allEntries
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
      .map((e) => ({ name: e.path, content: { file: e.abs, size: e.size } })),
  ];
  await writeDeterministicTar(out, items, { gzip: opts.gzip, mtime: new Date(transfer.createdAt) });
  return { manifest, inferred: inferred.list, missing: missing.list };
}
