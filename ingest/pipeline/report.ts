// The ingest report, in the shape `muragat ingest --json` prints and the API returns:
// { transfer, dossiers: [{ id, index, title, documents: [{ source, status, format, rendition,
//   signature, malware, problems }] }] }. A transfer refused as a whole adds `problems`.
import { t, hasMessage, type Language } from '../../common/i18n';
import type { Problem } from '../tables';
import type { IngestDeps } from './tools';
import { loadDocs, type DocRow } from './documents';
import { sanitiseText } from './sanitise';
import { failureView } from '../intake/transfer-state';

export interface ReportProblem { code: string; message: string; where?: string; clause?: string }
export interface ReportDocument {
  source: string;
  status: 'accepted' | 'rejected' | 'conversion-failed';
  format: string | null;
  rendition: string | null;
  signature: string | null;
  malware: string | null;
  /** Files embedded in a PDF original, each with its own malware scan result. */
  embedded?: { name: string; malware: string; signature?: string }[];
  problems: ReportProblem[];
}
export interface IngestReport {
  transfer: string;
  dossiers: { id: string | null; index: string | null; title: string; documents: ReportDocument[] }[];
  problems?: ReportProblem[];
  /** The transfer's state: completed, failed, cancelled, or still queued/processing. */
  status?: string;
  /** Why a failed transfer failed: the step, the message key and the translated message. */
  failure?: { step: string; code: string; message: string };
}

function translate(p: Problem, lang: Language): ReportProblem {
  // Our own codes are message keys; problems from other modules carry their English text, and
  // are translated too when a catalog knows the code and the problem kept its parameters.
  const known = p.code.startsWith('ingest.') || (p.details !== undefined && hasMessage(p.code));
  const text = known ? t(lang, p.code, (p.details ?? {}) as Record<string, unknown>) : p.message;
  return { code: p.code, message: sanitiseText(text === p.code ? p.message : text), ...(p.where ? { where: p.where } : {}), ...(p.clause ? { clause: p.clause } : {}) };
}

function reportDocument(doc: DocRow, lang: Language): ReportDocument {
  return {
    source: doc.source,
    status: doc.status === 'accepted' || doc.status === 'conversion-failed' ? doc.status : 'rejected',
    format: doc.format?.name ?? null,
    rendition: doc.status === 'accepted' ? doc.renditionPath : null,
    signature: doc.signature?.verdict ?? null,
    malware: doc.malware?.status ?? null,
    ...(doc.malware?.embedded?.length
      ? { embedded: doc.malware.embedded.map((e) => ({ name: sanitiseText(e.name), malware: e.status, ...(e.signature ? { signature: sanitiseText(e.signature) } : {}) })) }
      : {}),
    problems: doc.problems.map((p) => translate(p, lang)),
  };
}

export async function buildReport(deps: Pick<IngestDeps, 'db'>, transferId: string, lang: Language = 'en'): Promise<IngestReport> {
  const transfer = await deps.db.selectFrom('transfers').select(['id', 'status', 'problems', 'failure']).where('id', '=', transferId).executeTakeFirstOrThrow();
  const docs = (await loadDocs(deps.db, transferId)).filter((d) => d.status !== 'expanded');
  const dossiers = await deps.db
    .selectFrom('dossiers')
    .select(['id', 'case_index', 'volume', 'title'])
    .where('transfer_id', '=', transferId)
    .orderBy('stored_at')
    .execute();
  const report: IngestReport = { transfer: transferId, dossiers: [] };
  const seen = new Set<string>();
  // A dossier added as a new volume is numbered after the volumes kept (steps/case-index.ts),
  // while its documents keep the volume the sender gave: find that one through a stored document.
  const placed = dossiers.length
    ? await deps.db.selectFrom('dossier_documents').select(['dossier_id', 'document_id']).where('dossier_id', 'in', dossiers.map((d) => d.id)).execute()
    : [];
  const sentVolume = new Map<string, number>();
  for (const p of placed) {
    const doc = docs.find((x) => x.id === p.document_id);
    if (doc && !sentVolume.has(p.dossier_id)) sentVolume.set(p.dossier_id, doc.volume);
  }
  for (const d of dossiers) {
    const volume = sentVolume.get(d.id) ?? d.volume;
    const mine = docs.filter((doc) => doc.dossierIndex === d.case_index && doc.volume === volume);
    mine.forEach((doc) => seen.add(doc.id));
    report.dossiers.push({ id: d.id, index: d.case_index, title: d.title, documents: mine.map((doc) => reportDocument(doc, lang)) });
  }
  // Documents of dossiers not stored (a refused transfer) or outside any dossier.
  const rest = docs.filter((doc) => !seen.has(doc.id));
  const groups = new Map<string, DocRow[]>();
  for (const doc of rest) groups.set(doc.dossierIndex ?? '', [...(groups.get(doc.dossierIndex ?? '') ?? []), doc]);
  for (const [index, group] of groups) {
    report.dossiers.push({ id: null, index: index || null, title: index ? index : t(lang, 'ingest.not_in_any_dossier'), documents: group.map((doc) => reportDocument(doc, lang)) });
  }
  if (transfer.status === 'failed' || transfer.problems.length) report.problems = transfer.problems.map((p) => translate(p, lang));
  if (transfer.status !== 'completed') report.status = transfer.status;
  const failure = transfer.status === 'failed' ? failureView(transfer.failure, lang) : null;
  if (failure) report.failure = failure;
  return report;
}
