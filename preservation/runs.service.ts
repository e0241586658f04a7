// Integrity runs as durable records (integrity_runs): starting one writes the row and an audit
// event; the run executes in the background of the process that started it, writes its
// progress at most every PROGRESS_INTERVAL_MS and a heartbeat, and stores a summary of the
// report when done. One run at a time across every process (a unique index decides); a run
// whose process died is marked `error` with reason "interrupted" — on the next server start,
// or as soon as its heartbeat is stale. Knows nothing of HTTP.
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { Database } from '../database/database';
import { recordAudit, SYSTEM_ACTOR, type Actor } from '../audit/audit.service';
import { ConflictError, NotFoundError, ValidationError, isAppError } from '../common/errors';
import { logger as rootLogger, type Logger } from '../common/logger';
import type { Storage } from '../storage';
import type { DossierVerification, VerifyFailure, VerifyReport } from '../ingest/aip/verify';
import { loadTools, type IngestTools } from '../ingest/pipeline/tools';
import type { IntegrityRunPhase, IntegrityRunProgress, IntegrityRunStatus } from '../ingest/tables';
import type { PdfaEngine } from '../validators/pdfa';
import { runIntegrity, type IntegrityRunReport } from './integrity';
import { createLocalRuns } from './local-runs';
import {
  activeRun,
  findRun,
  finishRun,
  insertRun,
  listRuns,
  markInterrupted,
  markRunning,
  updateProgress,
  type IntegrityRunListRow,
  type IntegrityRunRow,
} from './runs.repository';

/** Progress reaches the database at most this often. */
export const PROGRESS_INTERVAL_MS = 500;
/** A running run refreshes its heartbeat at least this often, even inside one long dossier. */
export const HEARTBEAT_INTERVAL_MS = 10_000;
/** An active run whose heartbeat is older than this belongs to a process that is gone. */
export const STALE_AFTER_SECONDS = 60;
/** The error of a run whose process stopped or died before it finished. */
export const INTERRUPTED = 'interrupted';

// Stored reports stay readable for a damaged archive of any size: failing dossiers and their
// failures are listed up to these limits (counts are always complete).
const MAX_DOSSIERS_LISTED = 200;
const MAX_FAILURES_LISTED = 50;
const MAX_REPAIRS_LISTED = 500;

export interface IntegrityRunDeps {
  db: Kysely<Database>;
  storage: Storage;
  trustDir: string;
  /** Default: the ingest tools (signature verification). */
  tools?: Pick<IngestTools, 'verifySignature'>;
  logger?: Logger;
  /** Folder of the system key; each run ends with a signed anchor of the audit log (audit/audit-anchor). */
  keyDir?: string;
}

export interface IntegrityRunInput {
  repair?: boolean;
  /** One dossier: its id, or a case index held by exactly one dossier. */
  dossierId?: string;
  /** Re-validate the stored PDF/A renditions with this engine (veraPDF, the reference, or others). */
  revalidatePdfa?: PdfaEngine;
}

export interface IntegrityRunSummary {
  ok: boolean;
  dossiersChecked: number;
  objectsChecked: number;
  failedDossiers: number;
  failures: number;
  rejectedItemsChecked: number;
  /** Object copies restored from a sound copy, and those that could not be. */
  repairedCopies: number;
  unrepairedCopies: number;
}

export interface DossierFailures {
  id: string;
  index: string;
  title: string;
  objects: number;
  failureCount: number;
  failures: VerifyFailure[];
}

/** What integrity_runs.report holds: the summary and what is wrong, not every sound dossier. */
export interface IntegrityRunResult {
  ok: boolean;
  summary: IntegrityRunSummary;
  /** Failing dossiers after the run (after repairs, when any were made). */
  dossiers: DossierFailures[];
  rejectedItems: { transferId: string; failureCount: number; failures: VerifyFailure[] }[];
  /** With repairs: failing dossiers as first found, before repairing. */
  foundBeforeRepair?: DossierFailures[];
  repairs: IntegrityRunReport['repairs'];
  /** Some lists were cut at their limits; the counts in summary are complete. */
  truncated: boolean;
  /** Copies queued by verified reads that this run worked on (runs with repair). */
  repairQueue?: IntegrityRunReport['repairQueue'];
  /** The signed anchor of the audit log written at the end of the run. */
  anchor?: IntegrityRunReport['anchor'];
}

export interface IntegrityRunView {
  id: string;
  mode: 'verify';
  status: IntegrityRunStatus;
  repair: boolean;
  dossier: { id: string; index: string | null } | null;
  actor: { userId: string | null; username: string };
  runner: string | null;
  startedAt: string;
  finishedAt: string | null;
  progress: IntegrityRunProgress;
  error: string | null;
  summary: IntegrityRunSummary | null;
  /** Only when one run is read (not in lists). */
  report?: IntegrityRunResult | null;
}

class RunInterrupted extends Error {
  constructor() {
    super(INTERRUPTED);
    this.name = 'RunInterrupted';
  }
}

// Runs executing in this process, per database.
const localRuns = createLocalRuns();
const activeHere = localRuns.here;

const RUNNER = `${hostname()} pid ${process.pid}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

function toView(row: IntegrityRunRow | IntegrityRunListRow): IntegrityRunView {
  const actor = row.actor as { userId?: string | null; username?: string };
  const report = 'report' in row ? ((row.report as IntegrityRunResult | null) ?? null) : undefined;
  const summary = report !== undefined ? (report?.summary ?? null) : (((row as IntegrityRunListRow).summary as IntegrityRunSummary | null) ?? null);
  return {
    id: row.id,
    mode: 'verify',
    // A verify run never rests interrupted (it ends as an error and is started again).
    status: row.status as IntegrityRunStatus,
    repair: row.repair,
    dossier: row.dossier_id ? { id: row.dossier_id, index: row.dossier_index } : null,
    actor: { userId: actor.userId ?? null, username: actor.username ?? '?' },
    runner: row.runner,
    startedAt: iso(row.started_at)!,
    finishedAt: iso(row.finished_at),
    progress: row.progress as IntegrityRunProgress,
    error: row.error,
    summary,
    ...(report !== undefined ? { report } : {}),
  };
}

function dossierFailures(dossiers: DossierVerification[]): { list: DossierFailures[]; truncated: boolean } {
  const failing = dossiers.filter((d) => !d.ok);
  let truncated = failing.length > MAX_DOSSIERS_LISTED;
  const list = failing.slice(0, MAX_DOSSIERS_LISTED).map((d) => {
    if (d.failures.length > MAX_FAILURES_LISTED) truncated = true;
    return { id: d.id, index: d.index, title: d.title, objects: d.objects, failureCount: d.failures.length, failures: d.failures.slice(0, MAX_FAILURES_LISTED) };
  });
  return { list, truncated };
}

/** The stored form of a report: counts, what is wrong, what was repaired. */
export function summariseReport(report: IntegrityRunReport): IntegrityRunResult {
  const final: VerifyReport = report.afterRepair ?? report.verification;
  const after = dossierFailures(final.dossiers);
  const before = report.afterRepair ? dossierFailures(report.verification.dossiers) : null;
  const rejected = final.rejectedItems.filter((r) => !r.ok);
  const truncated = after.truncated || !!before?.truncated || report.repairs.length > MAX_REPAIRS_LISTED || rejected.some((r) => r.failures.length > MAX_FAILURES_LISTED);
  return {
    ok: report.ok,
    summary: {
      ok: report.ok,
      dossiersChecked: final.dossiers.length,
      objectsChecked: report.verification.objectsChecked,
      failedDossiers: final.dossiers.filter((d) => !d.ok).length,
      failures: final.dossiers.reduce((n, d) => n + d.failures.length, 0) + rejected.reduce((n, r) => n + r.failures.length, 0),
      rejectedItemsChecked: final.rejectedItems.length,
      repairedCopies: report.repairs.reduce((n, r) => n + r.repaired.length, 0),
      unrepairedCopies: report.repairs.reduce((n, r) => n + r.unrepaired.length, 0),
    },
    dossiers: after.list,
    rejectedItems: rejected.map((r) => ({ transferId: r.transferId, failureCount: r.failures.length, failures: r.failures.slice(0, MAX_FAILURES_LISTED) })),
    ...(before ? { foundBeforeRepair: before.list } : {}),
    repairs: report.repairs.slice(0, MAX_REPAIRS_LISTED),
    truncated,
    ...(report.repairQueue ? { repairQueue: report.repairQueue } : {}),
    ...(report.anchor ? { anchor: report.anchor } : {}),
  };
}

/**
 * Writes progress at most every PROGRESS_INTERVAL_MS (the latest value wins; the last one is
 * never lost) and a heartbeat every HEARTBEAT_INTERVAL_MS while nothing else is written.
 */
class ProgressWriter {
  private latest: IntegrityRunProgress | null = null;
  private lastWrite = 0;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | null = null;
  private stopped = false;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly id: string,
    private readonly log: Logger,
  ) {
    this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_INTERVAL_MS);
    this.heartbeat.unref();
  }

  update(progress: IntegrityRunProgress): void {
    this.latest = progress;
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped || this.timer || this.writing) return;
    const wait = Math.max(0, this.lastWrite + PROGRESS_INTERVAL_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.write(this.latest);
    }, wait);
  }

  private write(progress: IntegrityRunProgress | null): void {
    this.latest = null;
    this.lastWrite = Date.now();
    this.writing = updateProgress(this.db, this.id, progress)
      .catch((error: unknown) => this.log.warn({ run: this.id, err: error }, 'integrity run progress not written'))
      .finally(() => {
        this.writing = null;
        if (this.latest) this.schedule();
      });
  }

  private beat(): void {
    if (this.stopped || this.writing || this.timer) return;
    if (Date.now() - this.lastWrite >= HEARTBEAT_INTERVAL_MS) this.write(null);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.heartbeat);
    await this.writing;
  }
}

async function resolveDossier(db: Kysely<Database>, ref: string): Promise<{ id: string; index: string }> {
  const rows = await db
    .selectFrom('dossiers')
    .select(['id', 'case_index', 'transfer_id', 'volume'])
    .where(UUID.test(ref) ? 'id' : 'case_index', '=', ref)
    .execute();
  if (!rows.length) throw new NotFoundError('ingest.dossier_not_found', 'ingest.dossier_not_found', { id: ref });
  if (rows.length > 1) {
    // The same case index recurs every year and per volume: the run must know which one.
    throw new ValidationError('integrity.dossier_ambiguous', 'ingest.integrity_dossier_ambiguous', { index: ref, count: rows.length }, {
      dossiers: rows.map((r) => ({ id: r.id, transferId: r.transfer_id, volume: r.volume })),
    });
  }
  return { id: rows[0]!.id, index: rows[0]!.case_index };
}

/**
 * Marks runs left active by a process that is gone: every active run not executing here
 * when `everyActive` (the embedded catalog, which only this process opens), otherwise those
 * whose heartbeat is stale. Each gets an audit event. Returns their ids.
 */
export async function recoverInterruptedRuns(db: Kysely<Database>, options: { everyActive: boolean; logger?: Logger }): Promise<string[]> {
  const keep = [...activeHere(db).keys()];
  const staleSeconds = options.everyActive ? null : STALE_AFTER_SECONDS;
  const marked = await db.transaction().execute(async (trx) => {
    const rows = await markInterrupted(trx, { staleSeconds, keep, reason: INTERRUPTED });
    for (const r of rows) {
      await recordAudit(trx, {
        actor: SYSTEM_ACTOR,
        action: 'integrity.run_interrupted',
        objectType: 'integrity_run',
        objectId: r.id,
        details: { runner: r.runner, startedAt: r.startedAt.toISOString(), lastHeartbeat: r.heartbeatAt.toISOString() },
      });
    }
    return rows;
  });
  if (marked.length) (options.logger ?? rootLogger()).warn({ runs: marked.map((r) => r.id) }, 'integrity runs interrupted by a stopped process marked as error');
  return marked.map((r) => r.id);
}

/** Cheap check first: reading lists and polling must not take the audit lock every time. */
export async function sweepStale(db: Kysely<Database>, everyActive = false): Promise<void> {
  const active = await activeRun(db);
  if (!active || activeHere(db).has(active.id)) return;
  const stale = Date.now() - new Date(active.heartbeat_at).getTime() > STALE_AFTER_SECONDS * 1000;
  if (everyActive || stale) await recoverInterruptedRuns(db, { everyActive });
}

async function createRun(deps: IntegrityRunDeps, actor: Actor, input: IntegrityRunInput, everyActiveIsOrphaned: boolean): Promise<IntegrityRunRow> {
  const dossier = input.dossierId ? await resolveDossier(deps.db, input.dossierId) : null;
  await sweepStale(deps.db, everyActiveIsOrphaned);
  const repair = input.repair === true;
  let id: string;
  try {
    id = await deps.db.transaction().execute(async (trx) => {
      const runId = await insertRun(trx, {
        repair,
        dossierId: dossier?.id ?? null,
        actor: { userId: actor.userId, username: actor.username, roles: [...actor.roles], ...(actor.requestId ? { requestId: actor.requestId } : {}) },
        runner: RUNNER,
      });
      await recordAudit(trx, {
        actor,
        action: 'integrity.run_start',
        objectType: 'integrity_run',
        objectId: runId,
        details: { repair, dossierId: dossier?.id ?? null, dossierIndex: dossier?.index ?? null, ...(input.revalidatePdfa ? { revalidatePdfa: input.revalidatePdfa } : {}) },
      });
      return runId;
    });
  } catch (error) {
    // Two starts at once, or a run already going in any process: the unique index decides.
    if ((error as { code?: string }).code === '23505') {
      const running = await activeRun(deps.db);
      const who = (running?.actor as { username?: string } | undefined)?.username ?? '?';
      throw new ConflictError('integrity.run_in_progress', 'ingest.integrity_run_in_progress', { username: who }, {
        runId: running?.id ?? null,
        startedBy: who,
        startedAt: running ? iso(running.started_at) : null,
      });
    }
    throw error;
  }
  return (await findRun(deps.db, id))!;
}

async function execute(
  deps: IntegrityRunDeps,
  run: IntegrityRunRow,
  signal: AbortSignal,
  onProgress?: (phase: IntegrityRunPhase, done: number, total: number, item: string) => void,
  revalidatePdfa?: PdfaEngine,
): Promise<IntegrityRunReport> {
  const log = deps.logger ?? rootLogger();
  const writer = new ProgressWriter(deps.db, run.id, log);
  const actor = run.actor as unknown as Actor;
  try {
    await markRunning(deps.db, run.id, { phase: 'verify', done: 0, total: 0, item: '' });
    const tools = deps.tools ?? (await loadTools());
    const report = await runIntegrity(
      { db: deps.db, storage: deps.storage, trustDir: deps.trustDir, tools },
      {
        actor: { userId: actor.userId ?? null, username: actor.username, roles: actor.roles ?? [], ...(actor.requestId ? { requestId: actor.requestId } : {}) },
        repair: run.repair,
        ...(run.dossier_id ? { dossierId: run.dossier_id } : {}),
        runId: run.id,
        ...(revalidatePdfa ? { revalidatePdfa } : {}),
        ...(deps.keyDir ? { anchorKeyDir: deps.keyDir } : {}),
        onProgress: (phase, done, total, item) => {
          // Stopping the process stops the run between two items; the run says so.
          if (signal.aborted) throw new RunInterrupted();
          writer.update({ phase, done, total, item });
          onProgress?.(phase, done, total, item);
        },
      },
    );
    await writer.stop();
    const result = summariseReport(report);
    const n = result.summary.dossiersChecked;
    await finishRun(deps.db, run.id, { status: report.ok ? 'passed' : 'failed', progress: { phase: 'done', done: n, total: n, item: '' }, report: result });
    return report;
  } catch (error) {
    await writer.stop();
    const message = error instanceof RunInterrupted ? INTERRUPTED : isAppError(error) ? error.message : error instanceof Error ? error.message : String(error);
    try {
      if (await finishRun(deps.db, run.id, { status: 'error', error: message })) {
        await recordAudit(deps.db, {
          actor: SYSTEM_ACTOR,
          action: error instanceof RunInterrupted ? 'integrity.run_interrupted' : 'integrity.run_error',
          objectType: 'integrity_run',
          objectId: run.id,
          details: { error: message, startedBy: actor.username },
        });
      }
    } catch (recordError) {
      // The row stays active; the next start or server start marks it interrupted.
      log.error({ run: run.id, err: recordError }, 'integrity run end not recorded');
    }
    throw error;
  }
}

/**
 * Starts a run in the background of this process and answers at once with the queued run.
 * ConflictError while another run is active; NotFoundError / ValidationError for the dossier.
 */
export async function startIntegrityRun(deps: IntegrityRunDeps, actor: Actor, input: IntegrityRunInput = {}): Promise<IntegrityRunView> {
  const row = await createRun(deps, actor, input, false);
  const log = deps.logger ?? rootLogger();
  const controller = new AbortController();
  const runs = activeHere(deps.db);
  const done = execute(deps, row, controller.signal, undefined, input.revalidatePdfa).then(
    (report) => log.info({ run: row.id, ok: report.ok }, 'integrity run finished'),
    (error: unknown) => {
      if (error instanceof RunInterrupted) log.warn({ run: row.id }, 'integrity run interrupted');
      else log.error({ run: row.id, err: error }, 'integrity run failed');
    },
  ).finally(() => runs.delete(row.id));
  runs.set(row.id, { controller, done });
  return toView(row);
}

/**
 * Runs in the foreground (the CLI): recorded like a background run, returning the full report.
 * `exclusive`: this process alone opens the catalog (embedded), so any active run is orphaned.
 */
export async function runRecordedIntegrity(
  deps: IntegrityRunDeps,
  actor: Actor,
  input: IntegrityRunInput & { exclusive?: boolean; onProgress?: (phase: IntegrityRunPhase, done: number, total: number, item: string) => void },
): Promise<{ run: IntegrityRunView; report: IntegrityRunReport }> {
  const row = await createRun(deps, actor, input, input.exclusive === true);
  const controller = new AbortController();
  const runs = activeHere(deps.db);
  const promise = execute(deps, row, controller.signal, input.onProgress, input.revalidatePdfa);
  runs.set(row.id, { controller, done: promise.then(() => undefined, () => undefined) });
  try {
    const report = await promise;
    return { run: toView((await findRun(deps.db, row.id))!), report };
  } finally {
    runs.delete(row.id);
  }
}

export async function listIntegrityRuns(db: Kysely<Database>, options: { limit?: number; before?: string } = {}): Promise<IntegrityRunView[]> {
  await sweepStale(db);
  const rows = await listRuns(db, { limit: Math.min(Math.max(options.limit ?? 20, 1), 200), ...(options.before ? { before: new Date(options.before) } : {}) });
  return rows.map(toView);
}

export async function getIntegrityRun(db: Kysely<Database>, id: string): Promise<IntegrityRunView> {
  await sweepStale(db);
  const row = await findRun(db, id);
  if (!row) throw new NotFoundError('integrity.run_not_found', 'ingest.integrity_run_not_found', { id });
  return toView(row);
}

/** Stops this process's runs between two items (each records "interrupted"), waiting up to graceMs. */
export function stopIntegrityRuns(db: Kysely<Database>, graceMs: number): Promise<void> {
  return localRuns.stop(db, graceMs);
}

/** Resolves when this process executes no run on this database (tests). */
export function integrityRunsIdle(db: Kysely<Database>): Promise<void> {
  return localRuns.idle(db);
}
