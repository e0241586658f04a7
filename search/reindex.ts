// Backfill of the search (`muragat search reindex`): the text of every stored rendition the
// search does not have yet (documents stored before the search existed, or whose text could not
// be read at ingest), read from the object store; with `all`, every rendition again and every
// dossier's metadata row rebuilt. One audit event records what was done.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../database/database';
import { recordAudit, type Actor } from '../audit/audit.service';
import { isAppError } from '../common/errors';
import type { Storage } from '../storage';
import { storedRenditionText } from './extract';
import { storeDocumentText } from './text';

export interface ReindexReport {
  /** Documents whose rendition was read. */
  documents: number;
  /** Of them, with text stored (possibly empty: a scan without a text layer). */
  indexed: number;
  /** Of them, with no text at all. */
  empty: number;
  /** Dossiers whose metadata rows were rebuilt (with `all`). */
  dossiers: number;
  /** Renditions that could not be read (missing tool, no sound copy…), by document. */
  failed: { documentId: string; caseIndex: string; position: number; reason: string }[];
}

export interface ReindexOptions {
  actor: Actor;
  /** Read every rendition again and rebuild every dossier's rows, not only what is missing. */
  all?: boolean;
  onProgress?: (done: number, total: number, item: string) => void;
}

export async function reindexSearch(deps: { db: Kysely<Database>; storage: Storage }, options: ReindexOptions): Promise<ReindexReport> {
  const { db } = deps;
  const report: ReindexReport = { documents: 0, indexed: 0, empty: 0, dossiers: 0, failed: [] };
  if (options.all) {
    const r = await sql<{ n: number }>`SELECT count(search_index_dossier(id))::int AS n FROM dossiers`.execute(db);
    report.dossiers = Number(r.rows[0]?.n ?? 0);
    await sql`SELECT search_index_document(dossier_id, position) FROM dossier_documents`.execute(db);
  }
  // One row per rendition object: a document kept in several dossiers is read once.
  const todo = await db
    .selectFrom('dossier_documents as dd')
    .innerJoin('documents as doc', 'doc.id', 'dd.document_id')
    .innerJoin('dossiers as d', 'd.id', 'dd.dossier_id')
    .leftJoin('search_texts as t', 't.document_id', 'doc.id')
    .select(['doc.id as document_id', 'doc.rendition_sha256', 'doc.rendition_path', 'd.id as dossier_id', 'd.case_index', 'dd.position'])
    .where('doc.rendition_sha256', 'is not', null)
    .where('doc.rendition_path', 'is not', null)
    // A destroyed dossier's text never comes back.
    .where((eb) => eb.not(eb.exists(eb.selectFrom('search_withdrawn as w').select('w.dossier_id').whereRef('w.dossier_id', '=', 'd.id'))))
    .$if(!options.all, (q) => q.where((eb) => eb.or([eb('t.document_id', 'is', null), eb('t.rendition_sha256', 'is distinct from', eb.ref('doc.rendition_sha256'))])))
    .orderBy('d.stored_at')
    .orderBy('dd.position')
    .execute();
  const seen = new Set<string>();
  const rows = todo.filter((r) => !seen.has(r.document_id) && seen.add(r.document_id));
  let done = 0;
  for (const row of rows) {
    options.onProgress?.(done, rows.length, `${row.case_index} #${row.position}`);
    report.documents += 1;
    try {
      const text = await storedRenditionText(deps, row.dossier_id, row.rendition_path!);
      if (text === null) throw new Error('pdftotext (poppler-utils) is missing or could not read the rendition');
      const stored = await storeDocumentText(db, row.document_id, text, row.rendition_sha256);
      report.indexed += 1;
      if (stored.chars === 0) report.empty += 1;
    } catch (error) {
      const reason = isAppError(error) ? error.code : error instanceof Error ? error.message : String(error);
      report.failed.push({ documentId: row.document_id, caseIndex: row.case_index, position: row.position, reason });
    }
    done += 1;
  }
  options.onProgress?.(done, rows.length, '');
  await recordAudit(db, {
    actor: options.actor,
    action: 'search.reindex',
    objectType: 'system',
    objectId: null,
    // scope: every rendition again, or only those the search lacked.
    details: { scope: options.all ? 'all' : 'missing', documents: report.documents, dossiers: report.dossiers, failures: report.failed.length },
  });
  return report;
}
