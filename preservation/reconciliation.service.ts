// Signature re-checks and reconciliation tasks (p.97-1, docs/signatures.md). A re-check
// re-verifies a dossier's signatures from the evidence kept in its AIP (no trust folder, no
// network). When a signature of a permanent or over-10-year dossier that verified before no
// longer does, a task is opened: the archivist compares the electronic copy with the paper
// original; where the paper matches, the organisation head re-certifies the electronic copy
// with their own CMS signature; where there is no paper (or it differs) the document keeps a
// recorded mark. Nothing is re-signed silently: each step is a person's act, audited.
import type { Kysely } from 'kysely';
import { recordAudit, type Actor } from '../audit/audit.service';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../common/errors';
import type { Database } from '../database/database';
import { putEverywhere } from '../ingest/aip';
import { reverifyAipSignatures, type EvidenceObjectReader } from '../ingest/aip/signature-evidence';
import { readVerifiedBytes, type Storage } from '../storage';
import { verifySignature, type SignatureReport } from '../validators/signature';
import type { Retention } from '../validators/schemas/types';
import type { PaperComparison, ReconciliationStatus } from './reconciliation.tables';

export type { PaperComparison, ReconciliationStatus } from './reconciliation.tables';

export interface ReconciliationDeps {
  db: Kysely<Database>;
  storage: Storage;
  /** Trust folder for the head's re-certification signature (a new signature, verified now). */
  trustDir?: string;
}

export interface ReconciliationTask {
  id: string;
  dossierId: string;
  caseIndex: string | null;
  documentId: string | null;
  signature: { path: string; sha256: string };
  content: { path: string; sha256: string };
  retention: string;
  verdictBefore: string;
  verdictFound: 'invalid' | 'cannot-verify';
  reason: string;
  status: ReconciliationStatus;
  foundAt: string;
  foundBy: Record<string, unknown>;
  comparison: PaperComparison | null;
  comparisonNote: string | null;
  comparedBy: Record<string, unknown> | null;
  comparedAt: string | null;
  recertification: Record<string, unknown> | null;
  recertifiedBy: Record<string, unknown> | null;
  recertifiedAt: string | null;
  mark: string | null;
  closedAt: string | null;
}

/** p.97-1 concerns permanent dossiers and those kept more than 10 years. */
export function needsReconciliation(retention: Retention | undefined): boolean {
  if (!retention) return false;
  if (retention.kind === 'permanent') return true;
  return (retention.kind === 'years' || retention.kind === 'years_epk') && (retention.years ?? 0) > 10;
}

function retentionText(retention: Retention): string {
  return retention.kind === 'permanent' ? 'permanent' : `${retention.years ?? '?'} years${retention.kind === 'years_epk' ? ' (EPK)' : ''}`;
}

export interface RecheckResult {
  dossierId: string;
  checked: number;
  valid: number;
  failed: { signaturePath: string; verdict: string; reason: string; taskId: string | null }[];
  /** Tasks opened by this re-check (a failure already under an open task adds none). */
  opened: string[];
  /** Why nothing was checked: no evidence in the AIP (stored before evidence was kept). */
  skipped?: 'no-evidence';
}

/**
 * Re-verifies every signature of a dossier from its AIP evidence and opens a task for each
 * one that verified before and no longer does, if the dossier is permanent or over 10 years.
 * Called by integrity runs over the dossiers they check, and on demand.
 */
export async function recheckDossierSignatures(
  deps: ReconciliationDeps,
  actor: Actor,
  dossierId: string,
  options: { runId?: string; open?: EvidenceObjectReader; at?: Date } = {},
): Promise<RecheckResult> {
  const dossier = await deps.db.selectFrom('dossiers').select(['id', 'case_index', 'aip_manifest_sha256', 'metadata']).where('id', '=', dossierId).executeTakeFirst();
  if (!dossier) throw new NotFoundError('signature.reconciliation_dossier_not_found', 'signature.reconciliation_dossier_not_found', { id: dossierId });
  const retention = (dossier.metadata as { retention?: Retention }).retention;
  const results = await reverifyAipSignatures(deps.storage, dossier.aip_manifest_sha256, { ...(options.open ? { open: options.open } : {}), ...(options.at ? { at: options.at } : {}) });
  const result: RecheckResult = { dossierId, checked: results.length, valid: 0, failed: [], opened: [] };
  if (!results.length) return { ...result, skipped: 'no-evidence' };
  const docs = await deps.db.selectFrom('dossier_documents').select(['document_id', 'aip_path']).where('dossier_id', '=', dossierId).execute();
  for (const { record, report } of results) {
    if (report.verdict === 'valid') {
      result.valid++;
      continue;
    }
    const reason = report.reason ?? report.verdict;
    // A signature that never verified (accepted with a reason at ingest) is no new finding.
    if (record.verdict !== 'valid' || !retention || !needsReconciliation(retention)) {
      result.failed.push({ signaturePath: record.signature.path, verdict: report.verdict, reason, taskId: null });
      continue;
    }
    const documentId = docs.find((d) => d.aip_path === record.content.path)?.document_id ?? null;
    const taskId = await deps.db.transaction().execute(async (trx) => {
      // An open task, or one resolved (re-certified or marked), already answers this finding.
      const existing = await trx.selectFrom('signature_reconciliation_tasks').select('id')
        .where('dossier_id', '=', dossierId).where('signature_sha256', '=', record.signature.sha256)
        .orderBy('found_at', 'desc').executeTakeFirst();
      if (existing) return existing.id;
      const row = await trx.insertInto('signature_reconciliation_tasks').values({
        dossier_id: dossierId,
        document_id: documentId,
        manifest_sha256: dossier.aip_manifest_sha256,
        signature_path: record.signature.path,
        signature_sha256: record.signature.sha256,
        content_path: record.content.path,
        content_sha256: record.content.sha256,
        retention: retentionText(retention),
        verdict_before: record.verdict,
        verdict_found: report.verdict === 'invalid' ? 'invalid' : 'cannot-verify',
        reason: reason.slice(0, 4000),
        found_by: JSON.stringify({ username: actor.username, ...(options.runId ? { runId: options.runId } : {}) }),
      }).returning('id').executeTakeFirstOrThrow();
      await recordAudit(trx, {
        actor,
        action: 'signature.reconciliation_open',
        objectType: 'dossier',
        objectId: dossierId,
        details: { task: row.id, signature: record.signature.path, verdict: report.verdict, reason: reason.slice(0, 500), ...(options.runId ? { run: options.runId } : {}) },
      });
      result.opened.push(row.id);
      return row.id;
    });
    result.failed.push({ signaturePath: record.signature.path, verdict: report.verdict, reason, taskId });
  }
  return result;
}

type TaskRow = Awaited<ReturnType<typeof taskQuery>>[number];

function taskQuery(db: Kysely<Database>) {
  return db.selectFrom('signature_reconciliation_tasks as t').leftJoin('dossiers as d', 'd.id', 't.dossier_id').selectAll('t').select('d.case_index').execute();
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function toTask(r: TaskRow): ReconciliationTask {
  return {
    id: r.id,
    dossierId: r.dossier_id,
    caseIndex: r.case_index ?? null,
    documentId: r.document_id,
    signature: { path: r.signature_path, sha256: r.signature_sha256 },
    content: { path: r.content_path, sha256: r.content_sha256 },
    retention: r.retention,
    verdictBefore: r.verdict_before,
    verdictFound: r.verdict_found,
    reason: r.reason,
    status: r.status,
    foundAt: r.found_at.toISOString(),
    foundBy: r.found_by,
    comparison: r.comparison,
    comparisonNote: r.comparison_note,
    comparedBy: r.compared_by,
    comparedAt: iso(r.compared_at),
    recertification: r.recertification,
    recertifiedBy: r.recertified_by,
    recertifiedAt: iso(r.recertified_at),
    mark: r.mark,
    closedAt: iso(r.closed_at),
  };
}

export async function listReconciliationTasks(db: Kysely<Database>, filter: { status?: ReconciliationStatus; dossierId?: string; limit?: number } = {}): Promise<ReconciliationTask[]> {
  let q = db.selectFrom('signature_reconciliation_tasks as t').leftJoin('dossiers as d', 'd.id', 't.dossier_id').selectAll('t').select('d.case_index');
  if (filter.status) q = q.where('t.status', '=', filter.status);
  if (filter.dossierId) q = q.where('t.dossier_id', '=', filter.dossierId);
  const rows = await q.orderBy('t.found_at', 'desc').orderBy('t.id').limit(Math.min(filter.limit ?? 200, 1000)).execute();
  return rows.map(toTask);
}

export async function getReconciliationTask(db: Kysely<Database>, id: string): Promise<ReconciliationTask> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError('signature.reconciliation_not_found', 'signature.reconciliation_not_found', { id });
  const row = await db.selectFrom('signature_reconciliation_tasks as t').leftJoin('dossiers as d', 'd.id', 't.dossier_id').selectAll('t').select('d.case_index').where('t.id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('signature.reconciliation_not_found', 'signature.reconciliation_not_found', { id });
  return toTask(row);
}

const actorJson = (actor: Actor) => JSON.stringify({ userId: actor.userId, username: actor.username });

/**
 * The archivist's comparison with the paper original. paper_matches → the head re-certifies;
 * no_paper / paper_differs → the document keeps the recorded mark and the task closes.
 */
export async function recordPaperComparison(db: Kysely<Database>, actor: Actor, id: string, input: { comparison: PaperComparison; note?: string }): Promise<ReconciliationTask> {
  if (!actor.roles.includes('archivist')) throw new ForbiddenError('signature.reconciliation_archivist_only', 'signature.reconciliation_archivist_only');
  const note = input.note?.trim() ?? '';
  if (input.comparison !== 'paper_matches' && !note) {
    // The mark is what stays with the document: it must say what was found.
    throw new ValidationError('signature.reconciliation_note_required', 'signature.reconciliation_note_required', { field: 'note' });
  }
  const task = await getReconciliationTask(db, id);
  if (task.status !== 'open') throw new ConflictError('signature.reconciliation_not_open', 'signature.reconciliation_not_open', { id, status: task.status });
  const now = new Date();
  const marked = input.comparison !== 'paper_matches';
  const mark = marked
    ? `${input.comparison === 'no_paper' ? 'No paper original' : 'Paper original differs'}; signature ${task.verdictFound} since ${task.foundAt.slice(0, 10)}: ${note}`.slice(0, 2000)
    : null;
  await db.transaction().execute(async (trx) => {
    const updated = await trx.updateTable('signature_reconciliation_tasks').set({
      comparison: input.comparison,
      comparison_note: note || null,
      compared_by: actorJson(actor),
      compared_at: now,
      status: marked ? 'marked' : 'awaiting_recertification',
      ...(marked ? { mark, closed_at: now } : {}),
    }).where('id', '=', id).where('status', '=', 'open').executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) throw new ConflictError('signature.reconciliation_not_open', 'signature.reconciliation_not_open', { id, status: 'changed' });
    await recordAudit(trx, {
      actor,
      action: 'signature.reconciliation_compare',
      objectType: 'dossier',
      objectId: task.dossierId,
      details: { task: id, comparison: input.comparison, note: note.slice(0, 500), ...(mark ? { mark: mark.slice(0, 500) } : {}) },
    });
  });
  return getReconciliationTask(db, id);
}

/**
 * The organisation head re-certifies the electronic copy after the paper matched: their own
 * detached CMS over the exact stored content, verified now (valid only), kept in the store with
 * the task. The original signature stays as it is; this is a new, named certification.
 */
export async function recertifyElectronicCopy(deps: ReconciliationDeps, actor: Actor, id: string, input: { cms: Uint8Array; open?: EvidenceObjectReader }): Promise<ReconciliationTask> {
  if (!actor.roles.includes('organisation_head')) throw new ForbiddenError('signature.reconciliation_head_only', 'signature.reconciliation_head_only');
  const task = await getReconciliationTask(deps.db, id);
  if (task.status !== 'awaiting_recertification') throw new ConflictError('signature.reconciliation_not_awaiting', 'signature.reconciliation_not_awaiting', { id, status: task.status });
  const content = input.open ? await input.open(task.content.sha256) : new Uint8Array(await readVerifiedBytes(deps.storage, task.content.sha256));
  const report: SignatureReport = await verifySignature({ signature: input.cms, content, ...(deps.trustDir ? { trustDir: deps.trustDir } : {}) });
  if (report.verdict !== 'valid') {
    throw new ValidationError('signature.reconciliation_recertification_invalid', 'signature.reconciliation_recertification_invalid', { reason: report.reason ?? report.verdict }, { verdict: report.verdict });
  }
  const signer = report.signers[0]!.signer;
  const cms = await putEverywhere(deps.storage, { bytes: input.cms });
  // The new signature's evidence is kept like any other (docs/signatures.md).
  const evidence = { certificates: [] as string[], crls: [] as string[], anchors: [] as string[] };
  for (const [kind, list] of [['certificates', report.evidence.certificates], ['crls', report.evidence.crls], ['anchors', report.evidence.anchors ?? []]] as const) {
    for (const bytes of list) evidence[kind].push((await putEverywhere(deps.storage, { bytes })).sha256);
  }
  const now = new Date();
  const recertification = { cmsSha256: cms.sha256, signer: signer.subject, issuer: signer.issuer, serialNumber: signer.serialNumber, signingTime: report.signers[0]!.signingTime ?? null, evidence };
  await deps.db.transaction().execute(async (trx) => {
    const updated = await trx.updateTable('signature_reconciliation_tasks').set({
      status: 'recertified',
      recertification_cms_sha256: cms.sha256,
      recertification: JSON.stringify(recertification),
      recertified_by: actorJson(actor),
      recertified_at: now,
      closed_at: now,
    }).where('id', '=', id).where('status', '=', 'awaiting_recertification').executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) throw new ConflictError('signature.reconciliation_not_awaiting', 'signature.reconciliation_not_awaiting', { id, status: 'changed' });
    await recordAudit(trx, {
      actor,
      action: 'signature.reconciliation_recertify',
      objectType: 'dossier',
      objectId: task.dossierId,
      details: { task: id, cms: cms.sha256, signer: signer.subject, certificateSerial: signer.serialNumber, certificateIssuer: signer.issuer },
    });
  });
  return getReconciliationTask(deps.db, id);
}

export interface RecheckSummary {
  dossiers: number;
  signatures: number;
  valid: number;
  failed: number;
  /** Tasks opened by this pass. */
  opened: string[];
  /** Dossiers stored before evidence was kept (nothing to re-verify from). */
  withoutEvidence: number;
  /** Dossiers whose objects could not be read (sealed content without its reader, missing objects: the object checks report those). */
  unreadable: { dossierId: string; error: string }[];
}

/** The re-check of an integrity run over the dossiers it verified; never fails the run. */
export async function recheckSignaturesOf(deps: ReconciliationDeps, actor: Actor, dossierIds: string[], options: { runId?: string } = {}): Promise<RecheckSummary> {
  const summary: RecheckSummary = { dossiers: dossierIds.length, signatures: 0, valid: 0, failed: 0, opened: [], withoutEvidence: 0, unreadable: [] };
  for (const id of dossierIds) {
    try {
      const r = await recheckDossierSignatures(deps, actor, id, options);
      if (r.skipped) summary.withoutEvidence++;
      summary.signatures += r.checked;
      summary.valid += r.valid;
      summary.failed += r.failed.length;
      summary.opened.push(...r.opened);
    } catch (error) {
      summary.unreadable.push({ dossierId: id, error: (error as Error).message.slice(0, 300) });
    }
  }
  return summary;
}
