// The only code touching the verify rows of preservation_runs (mode 'verify', migration
// 202612080700; they were integrity_runs). Times come from the database clock, so heartbeats
// written by several processes compare against one clock.
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database } from '../database/database';
import type { IntegrityRunProgress, IntegrityRunStatus } from '../ingest/tables';
import type { PreservationRunsTable } from './tables';

type VerifyColumns = 'id' | 'repair' | 'dossier_id' | 'actor' | 'runner' | 'started_at' | 'finished_at' | 'heartbeat_at' | 'report' | 'error';
/** A verify run: its status is never 'interrupted' (a verify run stopped midway ends as an error and is started again). */
export type IntegrityRunRow = Pick<Selectable<PreservationRunsTable>, VerifyColumns | 'status' | 'progress'> & { dossier_index: string | null };
/** A row without its report, for lists: the report of a big archive may be large. */
export type IntegrityRunListRow = Omit<IntegrityRunRow, 'report'> & { summary: unknown };

type Db = Kysely<Database> | Transaction<Database>;

const COLUMNS = [
  'r.id',
  'r.status',
  'r.repair',
  'r.dossier_id',
  'r.actor',
  'r.runner',
  'r.started_at',
  'r.finished_at',
  'r.heartbeat_at',
  'r.progress',
  'r.error',
] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function insertRun(
  db: Db,
  run: { repair: boolean; dossierId: string | null; actor: Record<string, unknown>; runner: string },
): Promise<string> {
  const row = await db
    .insertInto('preservation_runs')
    .values({
      mode: 'verify',
      scope: run.dossierId ? 'dossier' : 'all',
      status: 'queued',
      repair: run.repair,
      dossier_id: run.dossierId,
      actor: JSON.stringify(run.actor),
      runner: run.runner,
      progress: JSON.stringify({ phase: 'queued', done: 0, total: 0, item: '' }),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function findRun(db: Db, id: string): Promise<IntegrityRunRow | undefined> {
  // A path segment that is not a uuid names no run (and must not reach a uuid comparison).
  if (!UUID.test(id)) return undefined;
  return db
    .selectFrom('preservation_runs as r')
    .leftJoin('dossiers as d', 'd.id', 'r.dossier_id')
    .select([...COLUMNS, 'r.report', 'd.case_index as dossier_index'])
    .where('r.mode', '=', 'verify')
    .where('r.id', '=', id)
    .executeTakeFirst();
}

export async function listRuns(db: Db, options: { limit: number; before?: Date }): Promise<IntegrityRunListRow[]> {
  let q = db
    .selectFrom('preservation_runs as r')
    .leftJoin('dossiers as d', 'd.id', 'r.dossier_id')
    .select([...COLUMNS, 'd.case_index as dossier_index', sql<unknown>`r.report -> 'summary'`.as('summary')])
    .where('r.mode', '=', 'verify');
  if (options.before) q = q.where('r.started_at', '<', options.before);
  return q.orderBy('r.started_at', 'desc').orderBy('r.id', 'desc').limit(options.limit).execute();
}

/** The queued or running run, if any (at most one by the unique index). */
export async function activeRun(db: Db): Promise<IntegrityRunRow | undefined> {
  return db
    .selectFrom('preservation_runs as r')
    .leftJoin('dossiers as d', 'd.id', 'r.dossier_id')
    .select([...COLUMNS, 'r.report', 'd.case_index as dossier_index'])
    .where('r.mode', '=', 'verify')
    .where('r.status', 'in', ['queued', 'running'])
    .executeTakeFirst();
}

export async function markRunning(db: Db, id: string, progress: IntegrityRunProgress): Promise<void> {
  await db
    .updateTable('preservation_runs')
    .set({ status: 'running', progress: JSON.stringify(progress), heartbeat_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('status', '=', 'queued')
    .execute();
}

/** Progress and heartbeat of a run that is still active. */
export async function updateProgress(db: Db, id: string, progress: IntegrityRunProgress | null): Promise<void> {
  await db
    .updateTable('preservation_runs')
    .set(progress ? { progress: JSON.stringify(progress), heartbeat_at: sql<Date>`now()` } : { heartbeat_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('status', 'in', ['queued', 'running'])
    .execute();
}

/** Ends an active run; false when it had already ended (say, marked interrupted meanwhile). */
export async function finishRun(
  db: Db,
  id: string,
  end: { status: Extract<IntegrityRunStatus, 'passed' | 'failed' | 'error'>; progress?: IntegrityRunProgress; report?: unknown; error?: string },
): Promise<boolean> {
  const result = await db
    .updateTable('preservation_runs')
    .set({
      status: end.status,
      finished_at: sql<Date>`now()`,
      heartbeat_at: sql<Date>`now()`,
      ...(end.progress ? { progress: JSON.stringify(end.progress) } : {}),
      ...(end.report !== undefined ? { report: JSON.stringify(end.report) } : {}),
      error: end.error ?? null,
    })
    .where('id', '=', id)
    .where('status', 'in', ['queued', 'running'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Marks active runs as ended with an error: those whose heartbeat is older than
 * `staleSeconds`, or every one (except `keep`) when null. Returns what was marked.
 */
export async function markInterrupted(
  db: Db,
  options: { staleSeconds: number | null; keep: string[]; reason: string },
): Promise<{ id: string; runner: string | null; startedAt: Date; heartbeatAt: Date }[]> {
  let q = db
    .updateTable('preservation_runs')
    .set({ status: 'error', error: options.reason, finished_at: sql<Date>`now()` })
    .where('mode', '=', 'verify')
    .where('status', 'in', ['queued', 'running']);
  if (options.staleSeconds !== null) q = q.where('heartbeat_at', '<', sql<Date>`now() - make_interval(secs => ${options.staleSeconds}::double precision)`);
  if (options.keep.length) q = q.where('id', 'not in', options.keep);
  const rows = await q.returning(['id', 'runner', 'started_at', 'heartbeat_at']).execute();
  return rows.map((r) => ({ id: r.id, runner: r.runner, startedAt: new Date(r.started_at), heartbeatAt: new Date(r.heartbeat_at) }));
}

// ---- both modes -----------------------------------------------------------------------------

export type AnyRunListRow = Omit<Selectable<PreservationRunsTable>, 'report'> & { dossier_index: string | null };

/** Runs of both modes (or one), newest first, without their reports. */
export async function listAllRuns(db: Db, options: { mode?: 'verify' | 'fixity'; limit: number; before?: Date }): Promise<AnyRunListRow[]> {
  let q = db
    .selectFrom('preservation_runs as r')
    .leftJoin('dossiers as d', 'd.id', 'r.dossier_id')
    .select([
      'r.id', 'r.mode', 'r.trigger', 'r.scope', 'r.dossier_id', 'r.location', 'r.repair', 'r.status', 'r.actor', 'r.runner', 'r.started_at', 'r.finished_at',
      'r.heartbeat_at', 'r.progress', 'r.planned', 'r.planned_bytes', 'r.done', 'r.done_bytes', 'r.resumed',
      // A verify run keeps its summary inside its report.
      sql<unknown>`coalesce(r.summary, r.report -> 'summary')`.as('summary'),
      'r.report_json_sha256', 'r.report_pdf_sha256', 'r.report_signature_sha256', 'r.error', 'd.case_index as dossier_index',
    ]);
  if (options.mode) q = q.where('r.mode', '=', options.mode);
  if (options.before) q = q.where('r.started_at', '<', options.before);
  return q.orderBy('r.started_at', 'desc').orderBy('r.id', 'desc').limit(options.limit).execute();
}

/** Which mode a run is in; undefined when there is no such run. */
export async function runMode(db: Db, id: string): Promise<'verify' | 'fixity' | undefined> {
  if (!UUID.test(id)) return undefined;
  return (await db.selectFrom('preservation_runs').select('mode').where('id', '=', id).executeTakeFirst())?.mode;
}
