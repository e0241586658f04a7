// A transfer prepared in the browser (issue 11): the clerk's files arrive as a plain tar of the
// folder tree `muragat transfer pack` reads (`<case index>/<file>`, `<file>.p7s` beside it),
// through the resumable upload; the metadata the clerk saw and corrected arrives as JSON and is
// written as the tree's transfer.json, dossier.json and `<file>.meta.json`. Then packTransfer
// runs on that tree: the inference, the signature pairing, the p.147 limits and the schema are
// the very code of the command line, in one place, and the package is the command's package.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isAppError, ValidationError } from '../../common/errors';
import type { Language } from '../../common/i18n';
import { problem } from './messages';
import { packTransfer, type PackResult } from './pack';
import type { TransferProblem } from './types';
import { unpackTransfer } from './unpack';

/** What the clerk may state or correct for one document (pack's DOCUMENT_FIELDS). */
export interface PreparedDocumentMetadata {
  title?: string;
  kind?: string;
  date?: string;
  number?: string;
  language?: string;
  author?: string;
}

export interface PreparedTransferInput {
  year: number;
  department: { code: string; name?: string };
  organisation?: { name: string; bin?: string };
  fonds?: string;
  compiledBy?: { name: string; position?: string };
  /** By case index: the heading and retention of the approved nomenclature item. */
  dossiers: Record<string, { title?: string; retention?: { kind: string; years?: number; article?: string } }>;
  /** By the document's path in the tree (`<index>/<file name>`). */
  documents: Record<string, PreparedDocumentMetadata>;
}

export type PrepareOutcome = { ok: true; result: PackResult } | { ok: false; problems: TransferProblem[] };

/** Files of the tree the clerk may not send themselves: the metadata is written from the form. */
const METADATA_FILE = /(^|\/)(transfer\.json|dossier\.json|[^/]+\.meta\.json)$/;

function clean<T extends object>(value: T): Partial<T> {
  // An emptied field means "not stated": packTransfer then infers it or notes it missing.
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null && !(typeof v === 'string' && v.trim() === ''))) as Partial<T>;
}

/**
 * Unpacks the uploaded tree, writes the form's metadata beside the files and packs it into
 * `outTar` with packTransfer. Refusals (unsafe tree, pack's checks) come back as problems
 * named per file and field in `lang`; anything else is thrown.
 */
export async function packPreparedTransfer(treeTar: string, outTar: string, input: PreparedTransferInput, lang: Language): Promise<PrepareOutcome> {
  const work = await mkdtemp(path.join(tmpdir(), 'muragat-prepare-'));
  try {
    const root = path.join(work, 'tree');
    let entries: { path: string }[];
    try {
      ({ entries } = await unpackTransfer(treeTar, root));
    } catch (error) {
      if (isAppError(error) && error.code === 'transfer.unsafe_entry') {
        const params = error.params as Record<string, string | number>;
        return { ok: false, problems: [problem(lang, String(params.entry), 'transfer.unsafe_entry', params)] };
      }
      throw error;
    }
    const problems: TransferProblem[] = [];
    for (const e of entries) if (METADATA_FILE.test(e.path)) problems.push(problem(lang, e.path, 'transfer.prepare_metadata_file'));
    const present = new Set(entries.map((e) => e.path.normalize('NFC')));
    for (const docPath of Object.keys(input.documents)) {
      if (!present.has(docPath.normalize('NFC'))) problems.push(problem(lang, docPath, 'transfer.prepare_document_unknown'));
    }
    if (problems.length) return { ok: false, problems };

    const transfer = clean({ department: input.department, year: input.year, organisation: input.organisation, fonds: input.fonds, compiledBy: input.compiledBy });
    await writeFile(path.join(root, 'transfer.json'), JSON.stringify(transfer));
    for (const [index, dossier] of Object.entries(input.dossiers)) {
      // Only dossiers with files: an empty folder would be pack's "empty dossier", not the clerk's intent.
      if (![...present].some((p) => p.startsWith(`${index}/`))) continue;
      await mkdir(path.join(root, index), { recursive: true });
      await writeFile(path.join(root, index, 'dossier.json'), JSON.stringify(clean(dossier)));
    }
    for (const [docPath, meta] of Object.entries(input.documents)) {
      const stated = clean(meta);
      if (Object.keys(stated).length) await writeFile(path.join(root, `${docPath.normalize('NFC')}.meta.json`), JSON.stringify(stated));
    }
    try {
      return { ok: true, result: await packTransfer(root, outTar, { lang }) };
    } catch (error) {
      if (isAppError(error) && error.code === 'transfer.pack_refused') {
        const list = (error.details as { problems: TransferProblem[] }).problems;
        // The tree is a temporary folder: name files as the clerk knows them, not by its path.
        return { ok: false, problems: list.map((p) => ({ ...p, where: p.where.split(root + path.sep).join('') })) };
      }
      if (isAppError(error) && error.code === 'transfer.pack_not_a_folder') {
        return { ok: false, problems: [problem(lang, '.', 'transfer.pack_no_dossiers')] };
      }
      throw error;
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** A refusal of the whole prepared transfer, carrying every problem (400 with details). */
export function preparedRefusal(problems: TransferProblem[]): ValidationError {
  return new ValidationError('transfer.prepare_refused', 'transfer.prepare_refused', { count: problems.length }, { problems });
}
