// The archivist's decision on a transfer refused because its case index is already kept for
// that department and year (steps/case-index.ts): add its dossiers as new volumes, or leave it
// refused. The decision is kept on the transfer row (case_index_decision, migration
// 202612069300), so every later retry or resume honours it, and recorded in the audit log; a
// new-volume decision puts the transfer back in the queue at the step that refused it.
import type { Kysely, Transaction } from 'kysely';
import { ConflictError, ForbiddenError, NotFoundError } from '../../common/errors';
import { recordAudit, SYSTEM_ACTOR, type Actor } from '../../audit/audit.service';
import type { Database } from '../../database/database';
import type { Problem } from '../tables';
import type { IngestDeps } from '../pipeline/tools';
import { retryTransfer } from './transfer-state';

export type CaseIndexDecisionKind = 'new-volume' | 'keep-refused';

export interface CaseIndexDecision {
  decision: CaseIndexDecisionKind;
  /** The indexes added as new volumes; null for every index of the transfer. */
  indexes: string[] | null;
  decidedBy: string | null;
  decidedAt: string | null;
}

/** A dossier the archive already keeps under an index the transfer names again. */
export interface KeptDossier {
  id: string;
  volume: number;
  title: string;
  status: string;
  transferId: string;
  sourceName: string;
  receivedAt: string;
}

export interface CaseIndexConflict {
  index: string;
  department: string;
  year: number;
  dossiers: KeptDossier[];
}

export interface CaseIndexView {
  transferId: string;
  status: string;
  /** True while the transfer stands refused for a case index already kept. */
  refused: boolean;
  conflicts: CaseIndexConflict[];
  decision: CaseIndexDecision | null;
}

type Db = Kysely<Database> | Transaction<Database>;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The decision kept on the transfer, if any. */
export async function readCaseIndexDecision(db: Db, transferId: string): Promise<CaseIndexDecision | null> {
  const row = await db
    .selectFrom('transfers')
    .select(['case_index_decision', 'new_volume_indexes', 'case_index_decided_by', 'case_index_decided_at'])
    .where('id', '=', transferId)
    .executeTakeFirst();
  if (!row?.case_index_decision) return null;
  const indexes = Array.isArray(row.new_volume_indexes) ? row.new_volume_indexes.map(String) : null;
  return {
    decision: row.case_index_decision,
    indexes,
    decidedBy: row.case_index_decided_by,
    decidedAt: row.case_index_decided_at ? new Date(row.case_index_decided_at).toISOString() : null,
  };
}

/** Writes the decision on the transfer row and its audit event, in one transaction. */
export async function recordCaseIndexDecision(
  trx: Transaction<Database>,
  actor: Actor,
  transferId: string,
  decision: CaseIndexDecisionKind,
  indexes: string[] | null,
  details: Record<string, unknown> = {},
): Promise<void> {
  await trx
    .updateTable('transfers')
    .set({
      case_index_decision: decision,
      new_volume_indexes: decision === 'new-volume' && indexes ? JSON.stringify(indexes) : null,
      case_index_decided_by: actor.username,
      case_index_decided_at: new Date(),
    })
    .where('id', '=', transferId)
    .execute();
  await recordAudit(trx, {
    actor,
    action: decision === 'new-volume' ? 'transfer.new_volume' : 'transfer.keep_refused',
    objectType: 'transfer',
    objectId: transferId,
    details: { indexes: indexes ?? 'all', ...details },
  });
}

function assertArchivist(actor: Actor): void {
  if (actor !== SYSTEM_ACTOR && !actor.roles.includes('archivist')) {
    throw new ForbiddenError('ingest.new_volume_archivist_only', 'ingest.new_volume_archivist_only', { user: actor.username });
  }
}

/** The refused transfer and the indexes it was refused for; 409 when it is not so refused. */
async function loadRefused(db: Db, transferId: string): Promise<{ id: string; indexes: string[]; decision: string | null }> {
  const row = UUID.test(transferId)
    ? await db.selectFrom('transfers').select(['id', 'status', 'failure', 'problems', 'case_index_decision']).where('id', '=', transferId).executeTakeFirst()
    : undefined;
  const failure = row?.failure as { code?: string } | null | undefined;
  if (!row || row.status !== 'failed' || failure?.code !== 'ingest.case_index_exists') {
    throw new ConflictError('ingest.new_volume_not_applicable', 'ingest.new_volume_not_applicable', { id: transferId, status: row?.status ?? '—' });
  }
  return { id: row.id, indexes: refusedIndexes(row.problems as Problem[] | null), decision: row.case_index_decision };
}

function refusedIndexes(problems: Problem[] | null): string[] {
  return [
    ...new Set(
      (problems ?? [])
        .filter((p) => p.code === 'ingest.case_index_exists')
        .map((p) => String((p.details as { index?: unknown } | undefined)?.index ?? ''))
        .filter(Boolean),
    ),
  ];
}

/** The archivist adds the refused transfer's dossiers as new volumes and processes it again. */
export async function decideNewVolume(
  deps: Pick<IngestDeps, 'db' | 'storage' | 'config'>,
  actor: Actor,
  transferId: string,
): Promise<{ transferId: string; status: 'queued'; indexes: string[] }> {
  assertArchivist(actor);
  const refused = await loadRefused(deps.db, transferId);
  await deps.db.transaction().execute((trx) => recordCaseIndexDecision(trx, actor, refused.id, 'new-volume', refused.indexes, refused.decision ? { previous: refused.decision } : {}));
  const retried = await retryTransfer(deps, actor, refused.id);
  return { transferId: retried.transferId, status: retried.status, indexes: refused.indexes };
}

/** The archivist leaves the transfer refused: recorded, so the department sees the decision. */
export async function keepRefused(deps: Pick<IngestDeps, 'db'>, actor: Actor, transferId: string): Promise<CaseIndexDecision> {
  assertArchivist(actor);
  const refused = await loadRefused(deps.db, transferId);
  if (refused.decision === 'keep-refused') {
    throw new ConflictError('ingest.case_index_already_decided', 'signers.case_index_already_decided', { id: refused.id });
  }
  await deps.db.transaction().execute((trx) => recordCaseIndexDecision(trx, actor, refused.id, 'keep-refused', refused.indexes));
  return (await readCaseIndexDecision(deps.db, refused.id))!;
}

/**
 * What a transfer refused for a case index collides with: for each index, the dossiers the
 * archive keeps under it for that department and year (so the page can link them), and the
 * decision taken so far. Visibility of the transfer is the caller's to check (access/).
 */
export async function caseIndexView(db: Db, transferId: string): Promise<CaseIndexView> {
  const row = UUID.test(transferId)
    ? await db.selectFrom('transfers').select(['id', 'status', 'failure', 'problems', 'department', 'year']).where('id', '=', transferId).executeTakeFirst()
    : undefined;
  if (!row) throw new NotFoundError('ingest.transfer_not_found', 'ingest.transfer_not_found', { id: transferId });
  const problems = ((row.problems ?? []) as Problem[]).filter((p) => p.code === 'ingest.case_index_exists');
  const refused = row.status === 'failed' && (row.failure as { code?: string } | null)?.code === 'ingest.case_index_exists';
  const conflicts: CaseIndexConflict[] = [];
  for (const p of problems) {
    const d = (p.details ?? {}) as { index?: unknown; department?: unknown; year?: unknown };
    const index = String(d.index ?? '');
    const department = String(d.department ?? row.department ?? '');
    const year = Number(d.year ?? row.year);
    if (!index || conflicts.some((c) => c.index === index)) continue;
    const kept = await db
      .selectFrom('dossiers')
      .innerJoin('transfers', 'transfers.id', 'dossiers.transfer_id')
      .select(['dossiers.id', 'dossiers.volume', 'dossiers.title', 'dossiers.status', 'dossiers.transfer_id', 'transfers.source_name', 'transfers.received_at'])
      .where('dossiers.case_index', '=', index)
      .where('dossiers.department', '=', department)
      .where('dossiers.year', '=', year)
      .where('dossiers.transfer_id', '<>', row.id)
      .orderBy('dossiers.volume')
      .execute();
    conflicts.push({
      index,
      department,
      year,
      dossiers: kept.map((k) => ({ id: k.id, volume: k.volume, title: k.title, status: k.status, transferId: k.transfer_id, sourceName: k.source_name, receivedAt: new Date(k.received_at).toISOString() })),
    });
  }
  return { transferId: row.id, status: row.status, refused, conflicts, decision: await readCaseIndexDecision(db, row.id) };
}
