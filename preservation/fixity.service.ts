// Fixity runs: every stored object re-hashed in every storage location (all cores: a pool of
// hashing threads for folders, parallel streams for S3), a bad or missing copy repaired from a
// sound one and the repair verified by hashing it again, an object with no sound copy anywhere
// reported lost with the dossiers that use it. A run plans its objects when it starts
// (fixity_run_items) and records each object's outcome as it goes, so a run stopped by a crash
// or a shutdown resumes with the objects it had not reached. Each finished run is stored as a
// JSON report and a PDF/A-1 report signed with the system key (fixity-report.ts).
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { Database } from '../database/database';
import { recordAudit, SYSTEM_ACTOR, type Actor } from '../audit/audit.service';
import { ConflictError, NotFoundError, ValidationError } from '../common/errors';
import { logger as rootLogger, type Logger } from '../common/logger';
import { FsObjectStore, readVerifiedBytes, repairObject, type ObjectStore, type Storage } from '../storage';
import { HashPool } from './hash-pool';
import { processRepairQueue } from './read-repair';
import * as repo from './fixity.repository';
import type { FixityFault, FixityFindingOutcome, FixityObjectState, FixityRunStatus, FixityScope } from './tables';
import { writeRunReport, type FixityRunReport } from './fixity-report';
import { createLocalRuns } from './local-runs';

/** Objects checked per step; progress, outcomes and the heartbeat are written after each. */
const STEP_OBJECTS = 64;
/** Concurrent object streams per S3 location (network-bound; hashing stays cheap beside it). */
const S3_STREAMS = 8;
/** A running run whose heartbeat is older than this belongs to a process that is gone. */
export const FIXITY_STALE_SECONDS = 60;
const HEARTBEAT_MS = 10_000;
const MAX_FINDINGS_REPORTED = 1000;

const RUNNER = `${hostname()} pid ${process.pid}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface FixityDeps {
  db: Kysely<Database>;
  storage: Storage;
  /** Folder of the system key (audit/audit-anchor systemKeyDir): reports are signed with it. */
  keyDir?: string;
  logger?: Logger;
  /** Hashing threads (default: one per core). */
  threads?: number;
}

export interface FixityRunInput {
  scope: Exclude<FixityScope, 'batch'>;
  /** scope dossier: the dossier's id, or a case index held by one dossier. */
  dossier?: string;
  /** scope location: the location's name as in reports (file:/… or s3://…), or its position (1 = primary). */
  location?: string;
  /** Default true: bad copies are repaired from a sound one. */
  repair?: boolean;
}

export type FixityPhase = 'register' | 'check' | 'report' | 'done';
export type FixityProgress = (phase: FixityPhase, done: number, total: number, item: string) => void;

export interface FixityRunSummary {
  ok: boolean;
  planned: number;
  plannedBytes: number;
  checked: number;
  checkedBytes: number;
  intact: number;
  repaired: number;
  damaged: number;
  lost: number;
  /** Copies found missing, damaged or unreadable (one object may have several). */
  badCopies: number;
  repairedCopies: number;
  locations: string[];
  seconds: number;
  resumed: number;
}

export interface FixityRunView {
  id: string;
  mode: 'fixity';
  trigger: 'schedule' | 'manual';
  scope: FixityScope;
  dossierId: string | null;
  location: string | null;
  repair: boolean;
  status: FixityRunStatus;
  actor: { userId: string | null; username: string };
  runner: string | null;
  startedAt: string;
  finishedAt: string | null;
  heartbeatAt: string;
  progress: { planned: number; plannedBytes: number; done: number; doneBytes: number };
  resumed: number;
  summary: FixityRunSummary | null;
  reportObjects: { json: string; pdf: string | null; signature: string | null } | null;
  error: string | null;
  report?: FixityRunReport | null;
}

export const FIXITY_INTERRUPTED = 'interrupted';

class Interrupted extends Error {
  constructor() {
    super(FIXITY_INTERRUPTED);
    this.name = 'FixityInterrupted';
  }
}

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());

/** The columns every preservation run has (either mode), as both modes' views show them. */
export function runColumnsView<S>(row: { location: string | null; repair: boolean; status: S; actor: unknown; runner: string | null; started_at: Date | string; finished_at: Date | string | null }) {
  const actor = row.actor as { userId?: string | null; username?: string };
  return {
    location: row.location,
    repair: row.repair,
    status: row.status,
    actor: { userId: actor.userId ?? null, username: actor.username ?? '?' },
    runner: row.runner,
    startedAt: iso(row.started_at)!,
    finishedAt: iso(row.finished_at),
  };
}

function toView(row: repo.FixityRunRow | Omit<repo.FixityRunRow, 'report'>): FixityRunView {
  return {
    id: row.id,
    mode: 'fixity',
    trigger: row.trigger,
    scope: row.scope,
    dossierId: row.dossier_id,
    ...runColumnsView(row),
    heartbeatAt: iso(row.heartbeat_at)!,
    progress: { planned: row.planned, plannedBytes: Number(row.planned_bytes), done: row.done, doneBytes: Number(row.done_bytes) },
    resumed: row.resumed,
    summary: (row.summary as FixityRunSummary | null) ?? null,
    reportObjects: row.report_json_sha256 ? { json: row.report_json_sha256, pdf: row.report_pdf_sha256, signature: row.report_signature_sha256 } : null,
    error: row.error,
    ...('report' in row ? { report: (row.report as FixityRunReport | null) ?? null } : {}),
  };
}

// Runs executing in this process, per database (so a stale-heartbeat sweep never takes them).
const localRuns = createLocalRuns();
const activeHere = localRuns.here;

export function allStores(storage: Storage): ObjectStore[] {
  return [storage.primary, ...storage.replicas];
}

/** A location named as in reports, or by position (1 = primary). */
export function resolveLocation(storage: Storage, ref: string): ObjectStore {
  const stores = allStores(storage);
  const byIndex = /^\d+$/.test(ref) ? stores[Number(ref) - 1] : undefined;
  const found = byIndex ?? stores.find((s) => s.location === ref || s.location === `file:${ref}`);
  if (!found) {
    throw new ValidationError('preservation.location_unknown', 'preservation.location_unknown', { location: ref, known: stores.map((s) => s.location).join(', ') });
  }
  return found;
}

async function resolveDossier(db: Kysely<Database>, ref: string): Promise<{ id: string; index: string }> {
  const rows = await db.selectFrom('dossiers').select(['id', 'case_index']).where(UUID.test(ref) ? 'id' : 'case_index', '=', ref).execute();
  if (!rows.length) throw new NotFoundError('ingest.dossier_not_found', 'ingest.dossier_not_found', { id: ref });
  if (rows.length > 1) throw new ValidationError('preservation.dossier_ambiguous', 'preservation.dossier_ambiguous', { index: ref, count: rows.length }, { dossiers: rows.map((r) => r.id) });
  return { id: rows[0]!.id, index: rows[0]!.case_index };
}

/**
 * Brings fixity_objects up to date with the holdings: every stored dossier's AIP manifest (and
 * each transfer's rejected-items manifest) expanded once into its objects, and objects of
 * dossiers that are gone or destroyed forgotten. A manifest no location can serve is recorded
 * as an object of its own (so the run reports it lost) and tried again next time.
 */
export async function registerHoldings(deps: Pick<FixityDeps, 'db' | 'storage'>, onProgress?: FixityProgress): Promise<{ owners: number; unreadable: string[] }> {
  await repo.pruneHoldings(deps.db);
  const owners = await repo.unregisteredOwners(deps.db);
  const unreadable: string[] = [];
  let done = 0;
  for (const owner of owners) {
    onProgress?.('register', done++, owners.length, owner.label);
    let manifest: { files: { path: string; sha256: string; size: number }[] } | null = null;
    let size = 0;
    try {
      const bytes = await readVerifiedBytes(deps.storage, owner.manifest, { silent: true });
      size = bytes.length;
      manifest = JSON.parse(bytes.toString('utf8')) as { files: { path: string; sha256: string; size: number }[] };
    } catch {
      unreadable.push(owner.label);
    }
    // Sealed content is checked (and repaired) as the envelope the store holds.
    const sealed = owner.kind === 'dossier' ? await repo.sealedObjectsOf(deps.db, owner.id) : new Map<string, { sha256: string; size: number }>();
    const objects = [
      { sha256: owner.manifest, size, path: 'aip-manifest.json' },
      ...(manifest?.files ?? []).map((f) => ({ sha256: sealed.get(f.sha256)?.sha256 ?? f.sha256, size: sealed.get(f.sha256)?.size ?? f.size, path: f.path })),
    ];
    await deps.db.transaction().execute((trx) => repo.registerObjects(trx, owner, objects, manifest !== null));
  }
  onProgress?.('register', done, owners.length, '');
  return { owners: owners.length, unreadable };
}

type CopyState = { state: 'sound' } | { state: 'missing' } | { state: 'damaged'; actual?: string; size?: number } | { state: 'unreadable'; error: string };

/** Hashes copies: folder locations on the thread pool, others as parallel streams. */
class CopyChecker {
  private readonly pool: HashPool;
  private s3Running = 0;
  private readonly s3Waiting: (() => void)[] = [];

  constructor(threads?: number) {
    this.pool = new HashPool(threads);
  }

  async check(store: ObjectStore, sha256: string, size: number): Promise<CopyState> {
    if (store instanceof FsObjectStore) {
      const r = await this.pool.hashFile(store.objectPath(sha256));
      if (r.error) return r.error.code === 'ENOENT' ? { state: 'missing' } : { state: 'unreadable', error: r.error.message };
      return r.sha256 === sha256 && (size <= 0 || r.size === size) ? { state: 'sound' } : { state: 'damaged', actual: r.sha256, size: r.size };
    }
    if (this.s3Running >= S3_STREAMS) await new Promise<void>((resolve) => this.s3Waiting.push(resolve));
    this.s3Running += 1;
    try {
      const v = await store.verify(sha256);
      if (v.missing) return { state: 'missing' };
      return v.ok && (size <= 0 || v.size === size) ? { state: 'sound' } : { state: 'damaged', actual: v.actual, size: v.size };
    } catch (error) {
      return { state: 'unreadable', error: (error as Error).message };
    } finally {
      this.s3Running -= 1;
      this.s3Waiting.shift()?.();
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

interface ObjectResult {
  ordinal: number;
  sha256: string;
  size: number;
  outcome: FixityObjectState;
  findings: { sha256: string; location: string; fault: FixityFault; outcome: FixityFindingOutcome; sourceLocation?: string | null; damagedCopy?: string | null; detail?: string | null }[];
  audit?: { action: string; details: Record<string, unknown> };
}

async function checkObject(
  deps: FixityDeps,
  checker: CopyChecker,
  item: { ordinal: number; sha256: string; size: number },
  stores: ObjectStore[],
  repair: boolean,
  everyLocation: boolean,
): Promise<ObjectResult> {
  const states = await Promise.all(stores.map(async (store) => ({ store, copy: await checker.check(store, item.sha256, item.size) })));
  const bad = states.filter((s) => s.copy.state !== 'sound');
  if (!bad.length) return { ...item, outcome: 'intact', findings: [] };
  const faultOf = (c: CopyState): FixityFault => (c.state === 'missing' ? 'missing' : c.state === 'unreadable' ? 'unreadable' : 'damaged');
  const detailOf = (c: CopyState): string | null =>
    c.state === 'damaged' ? `hashes to ${c.actual ?? '?'} (${c.size ?? '?'} bytes)` : c.state === 'unreadable' ? c.error : null;
  if (!repair) {
    const lost = everyLocation && bad.length === stores.length && bad.every((b) => b.copy.state !== 'unreadable');
    return {
      ...item,
      outcome: lost ? 'lost' : 'damaged',
      findings: bad.map((b) => ({ sha256: item.sha256, location: b.store.location, fault: faultOf(b.copy), outcome: lost ? 'lost' : 'reported', detail: detailOf(b.copy) })),
    };
  }
  // Every location may serve as the source, also in a run of one location.
  const everywhere = allStores(deps.storage);
  const result = await repairObject(item.sha256, everywhere);
  const findings: ObjectResult['findings'] = [];
  const verified: string[] = [];
  // A location that could not be read (network, permissions) may still hold a sound copy: with
  // no sound copy found the object is then unrepaired, not lost.
  const unreachable = states.some((s) => s.copy.state === 'unreadable');
  for (const b of bad) {
    const repaired = result.repaired.find((r) => r.location === b.store.location);
    if (repaired) {
      // The repair counts only once the written copy hashes to its digest.
      const again = await checker.check(b.store, item.sha256, item.size);
      if (again.state === 'sound') {
        verified.push(b.store.location);
        findings.push({ sha256: item.sha256, location: b.store.location, fault: faultOf(b.copy), outcome: 'repaired', sourceLocation: result.source, damagedCopy: repaired.damagedCopy ?? null, detail: detailOf(b.copy) });
      } else {
        findings.push({ sha256: item.sha256, location: b.store.location, fault: faultOf(b.copy), outcome: 'unrepaired', sourceLocation: result.source, detail: `written copy does not verify (${again.state})` });
      }
      continue;
    }
    const reason = result.unrepaired.find((u) => u.location === b.store.location)?.reason ?? detailOf(b.copy);
    findings.push({ sha256: item.sha256, location: b.store.location, fault: faultOf(b.copy), outcome: result.source || unreachable ? 'unrepaired' : 'lost', detail: reason });
  }
  const lost = !result.source && !unreachable;
  const outcome: FixityObjectState = lost ? 'lost' : verified.length === bad.length ? 'repaired' : 'damaged';
  const audit = lost
    ? { action: 'storage.object_lost', details: { locations: bad.map((b) => ({ location: b.store.location, fault: faultOf(b.copy) })) } }
    : {
        action: outcome === 'repaired' ? 'storage.repair' : 'storage.repair_failed',
        details: {
          source: result.source,
          repaired: findings.filter((f) => f.outcome === 'repaired').map((f) => ({ location: f.location, was: f.fault, ...(f.damagedCopy ? { damagedCopy: f.damagedCopy } : {}) })),
          unrepaired: findings.filter((f) => f.outcome !== 'repaired').map((f) => ({ location: f.location, reason: f.detail })),
          verified: true,
        },
      };
  return { ...item, outcome, findings, audit };
}

async function planRun(
  deps: FixityDeps,
  actor: Actor,
  input: { trigger: 'schedule' | 'manual'; scope: FixityScope; dossierId: string | null; dossierIndex?: string | null; location: string | null; repair: boolean; batchBytes?: number },
): Promise<string> {
  try {
    return await deps.db.transaction().execute(async (trx) => {
      const id = await repo.insertRun(trx, {
        trigger: input.trigger,
        scope: input.scope,
        dossierId: input.dossierId,
        location: input.location,
        repair: input.repair,
        actor: { userId: actor.userId, username: actor.username, roles: [...actor.roles] },
        runner: RUNNER,
      });
      const planned = await repo.planItems(trx, id, { scope: input.scope, dossierId: input.dossierId, batchBytes: input.batchBytes });
      await recordAudit(trx, {
        actor,
        action: 'integrity.fixity_start',
        objectType: 'fixity_run',
        objectId: id,
        details: { trigger: input.trigger, scope: input.scope, dossierId: input.dossierId, dossierIndex: input.dossierIndex ?? null, location: input.location, repair: input.repair, objects: planned.planned, bytes: planned.bytes },
      });
      return id;
    });
  } catch (error) {
    if ((error as { code?: string }).code === '23505') {
      const active = (await repo.activeOrInterrupted(deps.db)).find((r) => r.status === 'queued' || r.status === 'running');
      const who = (active?.actor as { username?: string } | undefined)?.username ?? '?';
      throw new ConflictError('preservation.fixity_in_progress', 'preservation.fixity_in_progress', { username: who }, { runId: active?.id ?? null });
    }
    throw error;
  }
}

/**
 * Marks runs left running by a process that is gone as interrupted (every running one not
 * executing here when `everyActive`: the embedded catalog has one process), audited; they wait
 * to be resumed.
 */
export async function recoverFixityRuns(db: Kysely<Database>, options: { everyActive: boolean; logger?: Logger }): Promise<string[]> {
  const stale = await repo.staleRuns(db, options.everyActive ? null : FIXITY_STALE_SECONDS, [...activeHere(db).keys()]);
  const marked: string[] = [];
  for (const run of stale) {
    await db.transaction().execute(async (trx) => {
      if (await repo.setStatus(trx, run.id, ['queued', 'running'], 'interrupted', { error: FIXITY_INTERRUPTED })) {
        await recordAudit(trx, { actor: SYSTEM_ACTOR, action: 'integrity.fixity_interrupted', objectType: 'fixity_run', objectId: run.id, details: { runner: run.runner, done: run.done, planned: run.planned } });
        marked.push(run.id);
      }
    });
  }
  if (marked.length) (options.logger ?? rootLogger()).warn({ runs: marked }, 'fixity runs of a stopped process marked interrupted; they resume');
  return marked;
}

async function execute(deps: FixityDeps, runId: string, options: { signal?: AbortSignal; onProgress?: FixityProgress }): Promise<FixityRunView> {
  const log = deps.logger ?? rootLogger();
  const run = (await repo.findRun(deps.db, runId))!;
  const actorRow = run.actor as unknown as Actor;
  const actor: Actor = { userId: actorRow.userId ?? null, username: actorRow.username, roles: actorRow.roles ?? [] } as Actor;
  const stores = run.location ? [resolveLocation(deps.storage, run.location)] : allStores(deps.storage);
  const everyLocation = !run.location;
  const checker = new CopyChecker(deps.threads);
  const started = Date.now();
  let done = run.done;
  const beat = setInterval(() => void repo.heartbeat(deps.db, runId).catch(() => undefined), HEARTBEAT_MS);
  beat.unref();
  try {
    await repo.setStatus(deps.db, runId, ['queued'], 'running');
    for (;;) {
      if (options.signal?.aborted) throw new Interrupted();
      const items = await repo.pendingItems(deps.db, runId, STEP_OBJECTS);
      if (!items.length) break;
      const results = await Promise.all(items.map((item) => checkObject(deps, checker, item, stores, run.repair, everyLocation)));
      const owners = await repo.ownersOf(deps.db, results.filter((r) => r.audit || r.outcome === 'lost').map((r) => r.sha256));
      await deps.db.transaction().execute(async (trx) => {
        await repo.recordItems(trx, runId, results, { updateObjects: everyLocation });
        await repo.insertFindings(trx, runId, results.flatMap((r) => r.findings));
        for (const r of results) {
          if (!r.audit) continue;
          const users = owners.get(r.sha256);
          await recordAudit(trx, {
            actor,
            action: r.audit.action,
            objectType: 'object',
            objectId: r.sha256,
            details: { ...r.audit.details, runId, dossiers: users?.dossiers.map((d) => d.index) ?? [], paths: users?.paths ?? [] },
          });
        }
      });
      done += items.length;
      options.onProgress?.('check', done, run.planned, items.at(-1)!.sha256);
    }
    // Copies queued by verified reads since the last run are worked on too.
    const queue = run.repair && everyLocation ? await processRepairQueue(deps, { actor, runId }) : undefined;
    options.onProgress?.('report', done, run.planned, '');
    const totals = await repo.itemTotals(deps.db, runId);
    const findings = await repo.runFindings(deps.db, runId, MAX_FINDINGS_REPORTED);
    const findingCount = await repo.countFindings(deps.db, runId);
    const fresh = (await repo.findRun(deps.db, runId))!;
    const summary: FixityRunSummary = {
      ok: totals.damaged === 0 && totals.lost === 0,
      planned: fresh.planned,
      plannedBytes: Number(fresh.planned_bytes),
      checked: fresh.done,
      checkedBytes: Number(fresh.done_bytes),
      intact: totals.intact,
      repaired: totals.repaired,
      damaged: totals.damaged,
      lost: totals.lost,
      badCopies: findingCount,
      repairedCopies: findings.filter((f) => f.outcome === 'repaired').length,
      locations: stores.map((s) => s.location),
      seconds: Math.round((Date.now() - started) / 100) / 10,
      resumed: fresh.resumed,
    };
    const owners = await repo.ownersOf(deps.db, [...new Set(findings.map((f) => f.sha256))]);
    const report = await writeRunReport(deps, fresh, summary, findings, owners, findingCount, queue);
    await repo.finishRun(deps.db, runId, { status: summary.ok ? 'passed' : 'failed', summary, report: report.report });
    await recordAudit(deps.db, {
      actor,
      action: 'integrity.fixity_run',
      objectType: 'fixity_run',
      objectId: runId,
      details: { ok: summary.ok, scope: run.scope, checked: summary.checked, intact: summary.intact, repaired: summary.repaired, damaged: summary.damaged, lost: summary.lost, report: report.objects },
    });
    options.onProgress?.('done', done, run.planned, '');
    return toView((await repo.findRun(deps.db, runId))!);
  } catch (error) {
    const interrupted = error instanceof Interrupted;
    const message = interrupted ? FIXITY_INTERRUPTED : error instanceof Error ? error.message : String(error);
    try {
      const changed = interrupted
        ? await repo.setStatus(deps.db, runId, ['queued', 'running'], 'interrupted', { error: FIXITY_INTERRUPTED })
        : await repo.finishRun(deps.db, runId, { status: 'error', summary: null, report: null, error: message });
      if (changed) {
        await recordAudit(deps.db, {
          actor: SYSTEM_ACTOR,
          action: interrupted ? 'integrity.fixity_interrupted' : 'integrity.fixity_error',
          objectType: 'fixity_run',
          objectId: runId,
          details: { error: message, done, planned: run.planned },
        });
      }
    } catch (recordError) {
      log.error({ run: runId, err: recordError }, 'fixity run end not recorded');
    }
    throw error;
  } finally {
    clearInterval(beat);
    await checker.close();
  }
}

function track<T>(db: Kysely<Database>, runId: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const runs = activeHere(db);
  const promise = work(controller.signal);
  runs.set(runId, { controller, done: promise.then(() => undefined, () => undefined) });
  return promise.finally(() => runs.delete(runId));
}

/** Prepares a run: holdings registered, objects planned, row and audit event written. Returns its id. */
export async function createFixityRun(
  deps: FixityDeps,
  actor: Actor,
  input: FixityRunInput | { scope: 'batch'; batchBytes: number; repair: boolean; trigger: 'schedule' },
  onProgress?: FixityProgress,
): Promise<string> {
  const dossier = input.scope === 'dossier' ? await resolveDossier(deps.db, (input as FixityRunInput).dossier ?? '') : null;
  const location = input.scope === 'location' ? resolveLocation(deps.storage, (input as FixityRunInput).location ?? '').location : null;
  await recoverFixityRuns(deps.db, { everyActive: false });
  await registerHoldings(deps, onProgress);
  return planRun(deps, actor, {
    trigger: 'trigger' in input ? input.trigger : 'manual',
    scope: input.scope,
    dossierId: dossier?.id ?? null,
    dossierIndex: dossier?.index ?? null,
    location,
    repair: input.repair !== false,
    ...(input.scope === 'batch' ? { batchBytes: input.batchBytes } : {}),
  });
}

/** Runs in the foreground (CLI, scheduled job): returns the finished run. */
export async function runFixity(deps: FixityDeps, actor: Actor, input: FixityRunInput, options: { signal?: AbortSignal; onProgress?: FixityProgress } = {}): Promise<FixityRunView> {
  const id = await createFixityRun(deps, actor, input, options.onProgress);
  return track(deps.db, id, (signal) => execute(deps, id, { signal: options.signal ? AbortSignal.any([signal, options.signal]) : signal, onProgress: options.onProgress }));
}

/** Starts a run in the background of this process; answers at once with the queued run. */
export async function startFixityRun(deps: FixityDeps, actor: Actor, input: FixityRunInput): Promise<FixityRunView> {
  const id = await createFixityRun(deps, actor, input);
  const log = deps.logger ?? rootLogger();
  void track(deps.db, id, (signal) => execute(deps, id, { signal })).then(
    (run) => log.info({ run: id, status: run.status }, 'fixity run finished'),
    (error: unknown) => (error instanceof Interrupted ? log.warn({ run: id }, 'fixity run interrupted') : log.error({ run: id, err: error }, 'fixity run failed')),
  );
  return toView((await repo.findRun(deps.db, id))!);
}

/** Executes an already planned run (a fresh batch) in the foreground. */
export async function executeFixityRun(deps: FixityDeps, runId: string, options: { signal?: AbortSignal; onProgress?: FixityProgress } = {}): Promise<FixityRunView> {
  return track(deps.db, runId, (signal) => execute(deps, runId, { signal: options.signal ? AbortSignal.any([signal, options.signal]) : signal, onProgress: options.onProgress }));
}

/**
 * Resumes an interrupted run (the given one, or the oldest): only the objects it had not
 * reached are checked; its outcomes so far stand. Null when no run waits to be resumed.
 */
export async function resumeFixityRun(
  deps: FixityDeps,
  actor: Actor,
  runId?: string,
  options: { signal?: AbortSignal; onProgress?: FixityProgress; exclusive?: boolean; background?: boolean } = {},
): Promise<FixityRunView | null> {
  await recoverFixityRuns(deps.db, { everyActive: options.exclusive === true });
  const waiting = (await repo.activeOrInterrupted(deps.db)).filter((r) => r.status === 'interrupted' && (!runId || r.id === runId));
  if (runId && !waiting.length) {
    const row = await repo.findRun(deps.db, runId);
    if (!row) throw new NotFoundError('preservation.fixity_run_not_found', 'preservation.fixity_run_not_found', { id: runId });
    throw new ConflictError('preservation.fixity_not_interrupted', 'preservation.fixity_not_interrupted', { id: runId, status: row.status });
  }
  const run = waiting[0];
  if (!run) return null;
  try {
    const claimed = await deps.db.transaction().execute(async (trx) => {
      if (!(await repo.setStatus(trx, run.id, ['interrupted'], 'running', { error: null, resumed: true }))) return false;
      await recordAudit(trx, { actor, action: 'integrity.fixity_resume', objectType: 'fixity_run', objectId: run.id, details: { done: run.done, planned: run.planned } });
      return true;
    });
    if (!claimed) return null;
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw new ConflictError('preservation.fixity_in_progress', 'preservation.fixity_in_progress', { username: '?' }, { runId: run.id });
    throw error;
  }
  const work = track(deps.db, run.id, (signal) => execute(deps, run.id, { signal: options.signal ? AbortSignal.any([signal, options.signal]) : signal, onProgress: options.onProgress }));
  if (!options.background) return work;
  // The server answers at once with the claimed run; the rest goes on in this process.
  const log = deps.logger ?? rootLogger();
  work.then(
    (done) => log.info({ run: run.id, status: done.status }, 'resumed fixity run finished'),
    (error: unknown) => log.warn({ run: run.id, err: error }, 'resumed fixity run stopped'),
  );
  return toView((await repo.findRun(deps.db, run.id))!);
}

export async function listFixityRuns(db: Kysely<Database>, limit = 20): Promise<FixityRunView[]> {
  return (await repo.listRuns(db, Math.min(Math.max(limit, 1), 200))).map(toView);
}

export async function getFixityRun(db: Kysely<Database>, id: string): Promise<FixityRunView> {
  const row = await repo.findRun(db, id);
  if (!row) throw new NotFoundError('preservation.fixity_run_not_found', 'preservation.fixity_run_not_found', { id });
  return toView(row);
}

/** Stops this process's runs at their next step (each becomes interrupted, to be resumed). */
export function stopFixityRuns(db: Kysely<Database>, graceMs: number): Promise<void> {
  return localRuns.stop(db, graceMs);
}

/** Resolves when this process executes no fixity run on this database (tests). */
export function fixityRunsIdle(db: Kysely<Database>): Promise<void> {
  return localRuns.idle(db);
}

export { Interrupted as FixityInterruptedError };
