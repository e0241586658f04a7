// Read side of transfers for the API (list, progress from the durable step table) and the
// hand-over of a received package to processing: in the API process itself when the catalog
// is the embedded PGlite (one process owns it), otherwise left `queued` for `muragat worker`.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database } from '../../database/database';
import { mayReach, type DepartmentScope } from '../../access/policy';
import { NotFoundError } from '../../common/errors';
import { logger } from '../../common/logger';
import { t, type Language } from '../../common/i18n';
import type { TransferStatus, TransfersTable, Problem } from '../tables';
import { STEPS, listSteps } from '../pipeline/state';
import { enqueueTransfer, transfersIdle } from '../pipeline/worker';
import type { IngestDeps } from '../pipeline/tools';
import { failureView } from './transfer-state';

// The state machine's transitions (fail, retry, cancel) live in transfer-state.ts.
export { failTransfer, retryTransfer, cancelTransfer, keepPackage, currentStep, failureView, type TransferFailure, type FailTransferInput } from './transfer-state';

export interface DocumentCounts {
  total: number;
  pending: number;
  accepted: number;
  rejected: number;
  conversionFailed: number;
}

export interface TransferSummary {
  id: string;
  status: TransferStatus;
  sourceName: string;
  size: number | null;
  sha256: string | null;
  department: string | null;
  year: number | null;
  receivedAt: string;
  finishedAt: string | null;
  submittedBy: string | null;
  documents: DocumentCounts;
  dossiers: number;
}

export interface TransferProgress extends TransferSummary {
  /** The step running now, or the next one to run; null once finished. */
  currentStep: string | null;
  steps: { step: string; status: string; attempt: number; startedAt: string | null; finishedAt: string | null }[];
  stepsDone: number;
  stepsTotal: number;
  percent: number;
  problems: { code: string; message: string; where?: string; clause?: string }[];
  /** Why a failed transfer failed (translated); null unless status is `failed`. */
  failure: { step: string; code: string; message: string } | null;
}


async function counts(db: Kysely<Database>, ids: string[]): Promise<Map<string, { documents: DocumentCounts; dossiers: number }>> {
  const out = new Map<string, { documents: DocumentCounts; dossiers: number }>();
  for (const id of ids) out.set(id, { documents: { total: 0, pending: 0, accepted: 0, rejected: 0, conversionFailed: 0 }, dossiers: 0 });
  if (!ids.length) return out;
  const docs = await db
    .selectFrom('documents')
    .select(['transfer_id', 'status', (eb) => eb.fn.countAll<string>().as('n')])
    .where('transfer_id', 'in', ids)
    .where('status', '!=', 'expanded')
    .groupBy(['transfer_id', 'status'])
    .execute();
  for (const row of docs) {
    const c = out.get(row.transfer_id)!.documents;
    const n = Number(row.n);
    c.total += n;
    if (row.status === 'accepted') c.accepted += n;
    else if (row.status === 'conversion-failed') c.conversionFailed += n;
    else if (row.status === 'pending') c.pending += n;
    else c.rejected += n;
  }
  const dossiers = await db
    .selectFrom('dossiers')
    .select(['transfer_id', (eb) => eb.fn.countAll<string>().as('n')])
    .where('transfer_id', 'in', ids)
    .groupBy('transfer_id')
    .execute();
  for (const row of dossiers) out.get(row.transfer_id)!.dossiers = Number(row.n);
  return out;
}

type TransferRow = Pick<Selectable<TransfersTable>, 'id' | 'status' | 'source_name' | 'source_size' | 'source_sha256' | 'department' | 'year' | 'received_at' | 'finished_at' | 'actor' | 'problems'>;

function summary(row: TransferRow, c: { documents: DocumentCounts; dossiers: number }): TransferSummary {
  const actor = row.actor as { username?: string } | null;
  return {
    id: row.id,
    status: row.status,
    sourceName: row.source_name,
    size: row.source_size === null ? null : Number(row.source_size),
    sha256: row.source_sha256,
    department: row.department,
    year: row.year,
    receivedAt: new Date(row.received_at).toISOString(),
    finishedAt: row.finished_at ? new Date(row.finished_at).toISOString() : null,
    submittedBy: actor?.username ?? null,
    documents: c.documents,
    dossiers: c.dossiers,
  };
}

/** `scope` comes from the access policy (access/): who may see which department's transfers. */
export async function listTransfers(
  db: Kysely<Database>,
  scope: DepartmentScope,
  filter: { status?: TransferStatus; limit?: number; offset?: number } = {},
): Promise<{ transfers: TransferSummary[]; total: number }> {
  let q = db.selectFrom('transfers');
  if (filter.status) q = q.where('status', '=', filter.status);
  if (scope.kind === 'department') {
    const { code, userId } = scope;
    q = q.where((eb) =>
      eb.or([
        ...(code !== null ? [eb('department', '=', code)] : []),
        eb(sql<string>`actor->>'userId'`, '=', userId ?? ''),
      ]),
    );
  }
  const total = Number((await q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirst())?.n ?? 0);
  const rows = await q
    .select(['id', 'status', 'source_name', 'source_size', 'source_sha256', 'department', 'year', 'received_at', 'finished_at', 'actor', 'problems'])
    .orderBy('received_at', 'desc')
    .orderBy('id')
    .limit(Math.min(filter.limit ?? 50, 500))
    .offset(filter.offset ?? 0)
    .execute();
  const c = await counts(db, rows.map((r) => r.id));
  return { transfers: rows.map((r) => summary(r, c.get(r.id)!)), total };
}

async function loadVisible(db: Kysely<Database>, scope: DepartmentScope, id: string): Promise<TransferRow> {
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
  const row = isUuid
    ? await db
        .selectFrom('transfers')
        .select(['id', 'status', 'source_name', 'source_size', 'source_sha256', 'department', 'year', 'received_at', 'finished_at', 'actor', 'problems'])
        .where('id', '=', id)
        .executeTakeFirst()
    : undefined;
  const owner = (row?.actor as { userId?: string | null } | undefined)?.userId ?? null;
  // Another department's transfer is "not found": its existence is not theirs to know.
  if (!row || !mayReach(scope, row.department, owner)) throw new NotFoundError('ingest.transfer_not_found', 'ingest.transfer_not_found', { id });
  return row;
}

/** Throws NotFoundError unless the actor may see the transfer. */
export async function assertTransferVisible(db: Kysely<Database>, scope: DepartmentScope, id: string): Promise<void> {
  await loadVisible(db, scope, id);
}

export async function transferProgress(db: Kysely<Database>, scope: DepartmentScope, id: string, lang: Language): Promise<TransferProgress> {
  const row = await loadVisible(db, scope, id);
  const c = (await counts(db, [row.id])).get(row.id)!;
  const steps = await listSteps(db, row.id);
  const done = steps.filter((s) => s.status === 'done').length;
  const finished = row.status === 'completed' || row.status === 'failed' || row.status === 'cancelled';
  const failed = await db.selectFrom('transfers').select('failure').where('id', '=', row.id).executeTakeFirst();
  const running = steps.find((s) => s.status === 'running' || s.status === 'failed');
  const next = STEPS.find((s) => !steps.some((r) => r.step === s && r.status === 'done')) ?? null;
  // A failed transfer stops early; completed is 100 %. Otherwise finished steps out of all.
  const percent = row.status === 'completed' ? 100 : Math.min(99, Math.floor((done / STEPS.length) * 100));
  const problems = (row.problems as Problem[]).map((p) => {
    const text = p.code.startsWith('ingest.') ? t(lang, p.code, (p.details ?? {}) as Record<string, unknown>) : p.message;
    return { code: p.code, message: text === p.code ? p.message : text, ...(p.where ? { where: p.where } : {}), ...(p.clause ? { clause: p.clause } : {}) };
  });
  return {
    ...summary(row, c),
    currentStep: finished ? null : (running?.step ?? next),
    steps: steps.map((s) => ({ step: s.step, status: s.status, attempt: s.attempt, startedAt: s.startedAt, finishedAt: s.finishedAt })),
    stepsDone: done,
    stepsTotal: STEPS.length,
    percent: row.status === 'failed' ? Math.floor((done / STEPS.length) * 100) : percent,
    problems,
    failure: row.status === 'failed' ? failureView(failed?.failure, lang) : null,
  };
}

/**
 * Hands a received transfer over to processing as a job (pipeline/worker.ts): with PostgreSQL
 * the transfer waits `queued` for a `muragat worker`; with the embedded PGlite only this process
 * can reach the catalog, so it works its own in-process queue. Returns at once.
 */
export async function submitTransfer(deps: IngestDeps, transferId: string): Promise<'queued' | 'processing' | 'finished'> {
  const row = await deps.db.selectFrom('transfers').select('status').where('id', '=', transferId).executeTakeFirstOrThrow();
  if (row.status === 'completed' || row.status === 'failed' || row.status === 'cancelled') return 'finished';
  await deps.db.updateTable('transfers').set({ status: 'queued' }).where('id', '=', transferId).where('status', 'in', ['processing', 'uploading']).execute();
  await enqueueTransfer(deps, transferId);
  return deps.config.databaseUrl ? 'queued' : 'processing';
}

/** Resolves when this process has no transfer left to process (tests, orderly shutdown). */
export async function processingIdle(db: Kysely<Database>): Promise<void> {
  await transfersIdle(db);
}
