// Checking a transfer package without ingesting it: the manifest against its schema, the
// files against the manifest (presence, size, SHA-256), and the delivery limits (p.147).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isAppError } from '../../common/errors';
import { t, DEFAULT_LANGUAGE, type Language } from '../../common/i18n';
import { parseBoundedJson } from '../pipeline/bounded-json';
import { sanitiseDeep } from '../pipeline/sanitise';
import { validateAgainst } from '../../validators/schemas';
import { problem } from './messages';
import { unpackTransfer } from './unpack';
import {
  DOCUMENT_LIMITS,
  MANIFEST_NAME,
  type TransferManifest,
  type TransferProblem,
  type UnpackLimits,
  type UnpackedEntry,
} from './types';

const INDEX_PATTERN = /^([0-9A-Za-z]{1,10})-([0-9]{1,4}[A-Za-z]?)$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mb(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}

export function checkManifestAgainstFiles(
  manifest: TransferManifest,
  entries: { path: string; size: number; sha256: string }[],
  options: { lang?: Language } = {},
): TransferProblem[] {
  const lang = options.lang;
  const problems: TransferProblem[] = [];
  const at = (pointer: string) => `${MANIFEST_NAME}#${pointer}`;

  const schema = validateAgainst('transfer-manifest', manifest);
  for (const p of schema.problems) {
    problems.push({ where: at(p.pointer), code: 'transfer.manifest_invalid', message: p.message[lang ?? 'kk'], params: { pointer: p.pointer, keyword: p.keyword } });
  }

  // The file comparison works on whatever is well-formed enough, so one schema slip does not
  // hide every missing or altered file.
  const byPath = new Map(entries.map((e) => [e.path.normalize('NFC'), e]));
  const referenced = new Map<string, string>();
  const transfer = isRecord(manifest) && isRecord(manifest.transfer) ? manifest.transfer : undefined;
  const departmentCode = isRecord(transfer?.department) && typeof transfer.department.code === 'string' ? transfer.department.code : undefined;
  const dossiers = isRecord(manifest) && Array.isArray(manifest.dossiers) ? (manifest.dossiers as unknown[]) : [];
  const seenIndexes = new Map<string, number>();

  dossiers.forEach((dossier, di) => {
    if (!isRecord(dossier)) return;
    const dPointer = `/dossiers/${di}`;
    const index = typeof dossier.index === 'string' ? dossier.index : undefined;
    if (index !== undefined) {
      const m = index.match(INDEX_PATTERN);
      if (!m) {
        problems.push(problem(lang, at(`${dPointer}/index`), 'transfer.index_format', { index }, 'p.149'));
      } else if (departmentCode !== undefined && m[1] !== departmentCode) {
        problems.push(problem(lang, at(`${dPointer}/index`), 'transfer.index_department', { index, department: departmentCode }, 'p.149'));
      }
      const earlier = seenIndexes.get(index);
      if (earlier !== undefined) problems.push(problem(lang, at(`${dPointer}/index`), 'transfer.duplicate_dossier', { index, other: `/dossiers/${earlier}` }));
      else seenIndexes.set(index, di);
    }
    if (typeof dossier.startDate === 'string' && typeof dossier.endDate === 'string' && dossier.startDate > dossier.endDate) {
      problems.push(problem(lang, at(`${dPointer}/endDate`), 'transfer.dates_reversed', { start: dossier.startDate, end: dossier.endDate }));
    }
    const documents = Array.isArray(dossier.documents) ? (dossier.documents as unknown[]) : [];
    documents.forEach((doc, i) => {
      if (!isRecord(doc)) return;
      const docPointer = `${dPointer}/documents/${i}`;
      const files: { pointer: string; file: Record<string, unknown> }[] = [{ pointer: docPointer, file: doc }];
      for (const group of ['attachments', 'signatures'] as const) {
        const list = doc[group];
        if (Array.isArray(list)) list.forEach((f, k) => isRecord(f) && files.push({ pointer: `${docPointer}/${group}/${k}`, file: f }));
      }
      let documentBytes = 0;
      for (const { pointer, file } of files) {
        if (typeof file.path !== 'string') continue;
        const filePath = file.path.normalize('NFC');
        if (index !== undefined && !filePath.startsWith(`${index}/`)) {
          problems.push(problem(lang, at(`${pointer}/path`), 'transfer.path_outside_dossier', { path: filePath, index }));
        }
        const other = referenced.get(filePath);
        if (other !== undefined) {
          problems.push(problem(lang, at(`${pointer}/path`), 'transfer.listed_twice', { path: filePath, other }));
          continue;
        }
        referenced.set(filePath, pointer);
        const entry = byPath.get(filePath);
        if (!entry) {
          problems.push(problem(lang, filePath, 'transfer.file_missing', { pointer }));
          continue;
        }
        if (typeof file.size === 'number' && file.size !== entry.size) {
          problems.push(problem(lang, filePath, 'transfer.size_mismatch', { expected: file.size, actual: entry.size, pointer }));
        }
        if (typeof file.sha256 === 'string' && file.sha256 !== entry.sha256) {
          problems.push(problem(lang, filePath, 'transfer.sha256_mismatch', { expected: file.sha256, actual: entry.sha256, pointer }));
        }
        documentBytes += entry.size;
      }
      // p.147: 95 MB per e-document, all of its files together (original, attachments, signatures).
      if (documentBytes > DOCUMENT_LIMITS.maxFileBytes) {
        const where = typeof doc.path === 'string' ? doc.path.normalize('NFC') : at(docPointer);
        problems.push(problem(lang, where, 'transfer.document_too_large', { size: mb(documentBytes), max: mb(DOCUMENT_LIMITS.maxFileBytes), files: files.length }, 'p.147'));
      }
      if (files.length > DOCUMENT_LIMITS.maxFilesPerDocument) {
        problems.push(problem(lang, at(docPointer), 'transfer.too_many_files', { count: files.length, max: DOCUMENT_LIMITS.maxFilesPerDocument }, 'p.147'));
      }
    });
  });

  for (const entry of entries) {
    const name = entry.path.normalize('NFC');
    if (name === MANIFEST_NAME || referenced.has(name)) continue;
    problems.push(problem(lang, name, 'transfer.file_extra', { size: entry.size }));
  }
  return problems;
}

/**
 * Unpacks into a temporary folder (removed afterwards), reads manifest.json and compares.
 * An unsafe entry or an unreadable manifest is a problem like any other, not an exception.
 */
export async function checkTransfer(
  tarPath: string,
  options: { lang?: Language; limits?: Partial<UnpackLimits> } = {},
): Promise<{ ok: boolean; manifest: TransferManifest | null; problems: TransferProblem[]; entries: UnpackedEntry[] }> {
  const lang = options.lang;
  const work = await mkdtemp(path.join(tmpdir(), 'muragat-check-'));
  try {
    let entries: UnpackedEntry[];
    try {
      ({ entries } = await unpackTransfer(tarPath, path.join(work, 'files'), options.limits));
    } catch (error) {
      if (isAppError(error) && error.code === 'transfer.unsafe_entry') {
        const params = error.params as Record<string, string | number>;
        return { ok: false, manifest: null, entries: [], problems: [problem(lang, String(params.entry), 'transfer.unsafe_entry', params)] };
      }
      throw error;
    }
    if (!entries.some((e) => e.path === MANIFEST_NAME)) {
      return { ok: false, manifest: null, entries, problems: [problem(lang, MANIFEST_NAME, 'transfer.manifest_missing')] };
    }
    let manifest: TransferManifest;
    try {
      // Same bounds as the ingest: size and nesting depth are checked before anything recurses.
      manifest = sanitiseDeep(parseBoundedJson(await readFile(path.join(work, 'files', MANIFEST_NAME)), { where: MANIFEST_NAME }) as TransferManifest, 2000);
    } catch (error) {
      const detail = isAppError(error) ? t(lang ?? DEFAULT_LANGUAGE, error.messageKey, error.params as Record<string, unknown>) : (error as Error).message;
      return { ok: false, manifest: null, entries, problems: [problem(lang, MANIFEST_NAME, 'transfer.manifest_unreadable', { detail })] };
    }
    const problems = checkManifestAgainstFiles(manifest, entries, { lang });
    return { ok: problems.length === 0, manifest, problems, entries };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
