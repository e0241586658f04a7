// Reading and updating the per-document verdicts the pipeline steps accumulate.
import path from 'node:path';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../database/database';
import type { DocumentStatus, Problem } from '../tables';
import type { FormatId, MalwareResult } from './tools';
import { sanitiseDeep, sanitiseText } from './sanitise';
import { isAppError } from '../../common/errors';
import { t } from '../../common/i18n';
import { problem } from './context';
import type { EvidenceOfVerification } from '../aip/signature-evidence';

export interface DocRow {
  id: string;
  seq: number;
  dossierIndex: string | null;
  volume: number;
  source: string;
  parent: string | null;
  sha256: string;
  size: number;
  format: FormatId | null;
  status: DocumentStatus;
  problems: Problem[];
  malware: MalwareResult | null;
  signature: SignatureVerdictRecord | null;
  renditionSha256: string | null;
  renditionPath: string | null;
  acceptedWithReason: string | null;
  entry: ManifestEntryRecord;
}

export interface SignatureVerdictRecord {
  verdict: 'valid' | 'invalid' | 'cannot-verify' | 'unsigned';
  reason?: string;
  signers: string[];
  files: { path: string; sha256: string; size: number }[];
  /** Per signature file: the certificates, CRLs and anchors the check used (ingest/aip/signature-evidence.ts). */
  evidence?: EvidenceOfVerification[];
}

/** What the pipeline keeps of the manifest entry plus where the file lies in the work folder. */
export interface ManifestEntryRecord {
  localPath: string;
  volume: number;
  title: string;
  date: string | null;
  number: string | null;
  language: string | null;
  author: string | null;
  pages: number | null;
  kind: string | null;
  inferred: string[];
  signatures: { path: string; sha256: string; size: number }[];
  /** Further files of a multi-file document (kept as originals, p.141). */
  attachments?: { path: string; sha256: string; size: number }[];
}

export async function loadDocs(db: Kysely<Database>, transferId: string): Promise<DocRow[]> {
  const rows = await db.selectFrom('documents').selectAll().where('transfer_id', '=', transferId).orderBy('seq').execute();
  return rows.map((r) => {
    const entry = r.manifest_entry as unknown as ManifestEntryRecord;
    return {
      id: r.id,
      seq: r.seq,
      dossierIndex: r.dossier_index,
      volume: entry.volume ?? 1,
      source: r.source_path,
      parent: r.parent_path,
      sha256: r.sha256,
      size: Number(r.size),
      format: r.format as FormatId | null,
      status: r.status,
      problems: r.problems,
      malware: r.malware as MalwareResult | null,
      signature: r.signature as SignatureVerdictRecord | null,
      renditionSha256: r.rendition_sha256,
      renditionPath: r.rendition_path,
      acceptedWithReason: r.accepted_with_reason,
      entry,
    };
  });
}

export function localFile(workDir: string, doc: DocRow): string {
  return path.join(workDir, doc.entry.localPath);
}

export function renditionFile(workDir: string, doc: DocRow): string {
  return path.join(workDir, 'renditions', `${doc.seq}.pdf`);
}

export interface DocUpdate {
  status?: DocumentStatus;
  problems?: Problem[];
  format?: FormatId;
  malware?: MalwareResult;
  signature?: SignatureVerdictRecord;
  renditionSha256?: string | null;
  renditionPath?: string | null;
  acceptedWithReason?: string | null;
}

/** The columns a step may change, with the SQL type each value is cast to. */
const UPDATE_COLUMNS = {
  status: 'text',
  problems: 'jsonb',
  format: 'jsonb',
  malware: 'jsonb',
  signature: 'jsonb',
  rendition_sha256: 'text',
  rendition_path: 'text',
  accepted_with_reason: 'text',
} as const;
type UpdateColumn = keyof typeof UPDATE_COLUMNS;

/** Rows per statement of the ingest's batched writes: far below PostgreSQL's 65,535 parameters. */
const ROWS_PER_STATEMENT = 1000;

/** Runs `write` over `rows` in slices of ROWS_PER_STATEMENT rows, one statement after another. */
export async function inStatements<T>(rows: readonly T[], write: (slice: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) await write(rows.slice(i, i + ROWS_PER_STATEMENT));
}

/**
 * Writes a step's verdicts: one UPDATE … FROM (VALUES …) per set of changed columns rather than
 * one statement per document. On the embedded catalog every statement is a round through
 * PGlite on the ingest's own thread, and the early steps run before any file may reach
 * LibreOffice (a step of 73 documents: ≈ 25 ms in single updates, a few ms in one).
 */
export async function writeDocUpdates(trx: Transaction<Database>, updates: Map<string, DocUpdate>): Promise<void> {
  const groups = new Map<string, { columns: UpdateColumn[]; rows: { id: string; values: unknown[] }[] }>();
  for (const [id, u] of updates) {
    const set = columnsOf(u);
    const columns = Object.keys(set) as UpdateColumn[];
    if (!columns.length) continue;
    const key = columns.join(',');
    const group = groups.get(key) ?? { columns, rows: [] };
    group.rows.push({ id, values: columns.map((c) => set[c]) });
    groups.set(key, group);
  }
  for (const { columns, rows } of groups.values()) {
    await inStatements(rows, (slice) => {
      const values = slice.map((r) => sql`(${sql.join([sql`${r.id}::uuid`, ...r.values.map((v, j) => sql`${v}::${sql.raw(UPDATE_COLUMNS[columns[j]!])}`)])})`);
      return sql`UPDATE documents AS d SET ${sql.join(columns.map((c) => sql`${sql.ref(c)} = v.${sql.ref(c)}`))} FROM (VALUES ${sql.join(values)}) AS v (id, ${sql.join(columns.map((c) => sql.ref(c)))}) WHERE d.id = v.id`.execute(trx);
    });
  }
}

/**
 * Inserts new document rows, many per statement (a manifest's documents, a container's members);
 * a row already there from an earlier attempt of the step is left as is.
 */
export async function insertDocuments(trx: Transaction<Database>, rows: Record<string, unknown>[]): Promise<void> {
  await inStatements(rows, (slice) => trx.insertInto('documents').values(slice as never).onConflict((oc) => oc.columns(['transfer_id', 'source_path']).doNothing()).execute());
}

/** The columns one document's update sets, in UPDATE_COLUMNS order, its strings sanitised. */
function columnsOf(u: DocUpdate): Partial<Record<UpdateColumn, unknown>> {
  const set: Partial<Record<UpdateColumn, unknown>> = {};
  if (u.status !== undefined) set.status = u.status;
  // Tool messages quote documents (titles, text, certificate subjects): sanitised on the way in.
  if (u.problems !== undefined) set.problems = JSON.stringify(sanitiseDeep(u.problems));
  if (u.format !== undefined) set.format = JSON.stringify(sanitiseDeep(u.format));
  if (u.malware !== undefined) set.malware = JSON.stringify(sanitiseDeep(u.malware));
  if (u.signature !== undefined) set.signature = JSON.stringify(sanitiseDeep(u.signature));
  if (u.renditionSha256 !== undefined) set.rendition_sha256 = u.renditionSha256;
  if (u.renditionPath !== undefined) set.rendition_path = u.renditionPath;
  if (u.acceptedWithReason !== undefined) set.accepted_with_reason = u.acceptedWithReason === null ? null : sanitiseText(u.acceptedWithReason);
  return set;
}

/** Marks a document rejected, keeping every earlier problem. */
export function reject(doc: DocRow, updates: Map<string, DocUpdate>, problem: Problem): void {
  const u = updates.get(doc.id) ?? {};
  u.status = 'rejected';
  u.problems = [...(u.problems ?? doc.problems), problem];
  updates.set(doc.id, u);
  doc.status = 'rejected';
  doc.problems = u.problems;
}

export function warn(doc: DocRow, updates: Map<string, DocUpdate>, problem: Problem): void {
  const u = updates.get(doc.id) ?? {};
  u.problems = [...(u.problems ?? doc.problems), problem];
  updates.set(doc.id, u);
  doc.problems = u.problems;
}

export function patch(doc: DocRow, updates: Map<string, DocUpdate>, change: DocUpdate): void {
  updates.set(doc.id, { ...(updates.get(doc.id) ?? {}), ...change });
  if (change.status) doc.status = change.status;
}

export function pending(docs: DocRow[]): DocRow[] {
  return docs.filter((d) => d.status === 'pending');
}

/**
 * Whether an error thrown while checking one document is that document's problem (a parser
 * tripping over its bytes) rather than the system's (a tool missing, the disk full: those are
 * SystemErrors and fail the step, to be retried). One bad document never fails the others.
 */
export function isDocumentFault(error: unknown): boolean {
  return !(isAppError(error) && error.status >= 500);
}

/** The problem recorded on a document whose check threw. */
export function documentFault(step: string, doc: DocRow, error: unknown): Problem {
  const reason = isAppError(error) ? t('en', error.messageKey, error.params as Record<string, unknown>) : error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return problem('ingest.document_check_failed', { step, reason: sanitiseText(reason, 500) }, doc.source);
}
