// The fixity cycle: the whole store proven intact every `cycleDays` in batches every
// `batchHours`, oldest-checked first. A batch is a job on the ordinary queue (jobs/:
// graphile-worker on a server, in-process on the embedded catalog), enqueued for the schedule's
// next time under a key made of that time, so several servers enqueue it once; the job that
// runs moves the next time forward (one of them wins) and enqueues the next batch. A run that was
// interrupted is resumed by the next job before any new batch is planned.
import type { Kysely } from 'kysely';
import type { Database } from '../database/database';
import { recordAudit, SYSTEM_ACTOR, type Actor } from '../audit/audit.service';
import { ValidationError } from '../common/errors';
import { logger as rootLogger } from '../common/logger';
import { jobQueueFor, type JobDefinition, type JobQueue, type RunningWorker } from '../jobs';
import type { Config } from '../common/config';
import * as repo from './fixity.repository';
import { createFixityRun, executeFixityRun, recoverFixityRuns, registerHoldings, resumeFixityRun, type FixityDeps, type FixityRunView } from './fixity.service';

export interface FixitySchedule {
  enabled: boolean;
  cycleDays: number;
  batchHours: number;
  repair: boolean;
  nextBatchAt: string;
  updatedAt: string;
  updatedBy: string | null;
  /** Batches in one cycle, and the bytes one batch checks to finish the store in one cycle. */
  batchesPerCycle: number;
  batchBytes: number;
}

export interface FixityCoverage {
  objects: number;
  bytes: number;
  neverChecked: number;
  /** Objects (and bytes) proven intact within the current cycle. */
  provenInCycle: number;
  provenInCycleBytes: number;
  /** Share of the store's bytes proven intact within the cycle, 0..1. */
  share: number;
  oldestCheck: string | null;
  lost: number;
  damaged: number;
}

export function batchesPerCycle(cycleDays: number, batchHours: number): number {
  return Math.max(1, Math.floor((cycleDays * 24) / batchHours));
}

async function view(db: Kysely<Database>): Promise<{ schedule: FixitySchedule; coverage: FixityCoverage }> {
  const row = await repo.readSchedule(db);
  const cov = await repo.coverage(db, row.cycle_days);
  const batches = batchesPerCycle(row.cycle_days, row.batch_hours);
  return {
    schedule: {
      enabled: row.enabled,
      cycleDays: row.cycle_days,
      batchHours: row.batch_hours,
      repair: row.repair,
      nextBatchAt: new Date(row.next_batch_at).toISOString(),
      updatedAt: new Date(row.updated_at).toISOString(),
      updatedBy: (row.updated_by as { username?: string } | null)?.username ?? null,
      batchesPerCycle: batches,
      batchBytes: Math.ceil(cov.bytes / batches),
    },
    coverage: {
      objects: cov.objects,
      bytes: cov.bytes,
      neverChecked: cov.neverChecked,
      provenInCycle: cov.checkedWithin,
      provenInCycleBytes: cov.checkedWithinBytes,
      share: cov.bytes > 0 ? cov.checkedWithinBytes / cov.bytes : cov.objects > 0 ? cov.checkedWithin / cov.objects : 1,
      oldestCheck: cov.oldestCheck ? cov.oldestCheck.toISOString() : null,
      lost: cov.lost,
      damaged: cov.damaged,
    },
  };
}

/** The schedule and how much of the store it has covered (after registering new holdings). */
export async function fixityOverview(deps: Pick<FixityDeps, 'db' | 'storage'>): Promise<{ schedule: FixitySchedule; coverage: FixityCoverage }> {
  await registerHoldings(deps);
  return view(deps.db);
}

export async function getFixitySchedule(db: Kysely<Database>): Promise<FixitySchedule> {
  return (await view(db)).schedule;
}

export interface FixitySchedulePatch {
  enabled?: boolean;
  cycleDays?: number;
  batchHours?: number;
  repair?: boolean;
  /** When the next batch runs (default: unchanged). */
  nextBatchAt?: string;
}

export async function setFixitySchedule(db: Kysely<Database>, actor: Actor, patch: FixitySchedulePatch): Promise<FixitySchedule> {
  const bad = (field: string, value: unknown, rule: string) => new ValidationError('preservation.schedule_invalid', 'preservation.schedule_invalid', { field, value: String(value), rule });
  if (patch.cycleDays !== undefined && !(Number.isInteger(patch.cycleDays) && patch.cycleDays >= 1 && patch.cycleDays <= 3650)) throw bad('cycleDays', patch.cycleDays, '1–3650');
  if (patch.batchHours !== undefined && !(Number.isInteger(patch.batchHours) && patch.batchHours >= 1 && patch.batchHours <= 720)) throw bad('batchHours', patch.batchHours, '1–720');
  const next = patch.nextBatchAt !== undefined ? new Date(patch.nextBatchAt) : undefined;
  if (next && Number.isNaN(next.getTime())) throw bad('nextBatchAt', patch.nextBatchAt, 'ISO 8601');
  const before = await repo.readSchedule(db);
  const cycle = patch.cycleDays ?? before.cycle_days;
  const hours = patch.batchHours ?? before.batch_hours;
  if (hours > cycle * 24) throw bad('batchHours', hours, `≤ ${cycle * 24}`);
  await db.transaction().execute(async (trx) => {
    await repo.writeSchedule(
      trx,
      {
        ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
        ...(patch.cycleDays !== undefined ? { cycle_days: patch.cycleDays } : {}),
        ...(patch.batchHours !== undefined ? { batch_hours: patch.batchHours } : {}),
        ...(patch.repair !== undefined ? { repair: patch.repair } : {}),
        ...(next ? { next_batch_at: next } : {}),
      },
      { userId: actor.userId, username: actor.username },
    );
    await recordAudit(trx, {
      actor,
      action: 'integrity.schedule_set',
      objectType: 'fixity_schedule',
      objectId: null,
      details: {
        before: { enabled: before.enabled, cycleDays: before.cycle_days, batchHours: before.batch_hours, repair: before.repair, nextBatchAt: new Date(before.next_batch_at).toISOString() },
        after: { ...patch },
      },
    });
  });
  return getFixitySchedule(db);
}

export type BatchOutcome = { kind: 'resumed'; run: FixityRunView } | { kind: 'batch'; run: FixityRunView } | { kind: 'not-due'; nextBatchAt: string } | { kind: 'disabled' };

/**
 * One scheduled step: resume an interrupted run if there is one; otherwise, when the schedule is
 * enabled and due, claim the slot (next time moved forward) and check the next batch — the
 * objects checked longest ago, up to the bytes that finish the store in one cycle.
 */
export async function runScheduledBatch(deps: FixityDeps, options: { signal?: AbortSignal; now?: Date; exclusive?: boolean } = {}): Promise<BatchOutcome> {
  const resumed = await resumeFixityRun(deps, SYSTEM_ACTOR, undefined, { signal: options.signal, exclusive: options.exclusive });
  if (resumed) return { kind: 'resumed', run: resumed };
  const row = await repo.readSchedule(deps.db);
  if (!row.enabled) return { kind: 'disabled' };
  const now = options.now ?? (await repo.now(deps.db));
  const due = new Date(row.next_batch_at);
  if (due.getTime() > now.getTime()) return { kind: 'not-due', nextBatchAt: due.toISOString() };
  const next = new Date(Math.max(due.getTime(), now.getTime() - row.batch_hours * 3_600_000) + row.batch_hours * 3_600_000);
  // Another server may have taken this slot: only the one moving the time forward runs it.
  if (!(await repo.claimBatch(deps.db, due, next))) return { kind: 'not-due', nextBatchAt: new Date((await repo.readSchedule(deps.db)).next_batch_at).toISOString() };
  await registerHoldings(deps);
  const cov = await repo.coverage(deps.db, row.cycle_days);
  const batchBytes = Math.ceil(cov.bytes / batchesPerCycle(row.cycle_days, row.batch_hours));
  const id = await createFixityRun(deps, SYSTEM_ACTOR, { scope: 'batch', batchBytes, repair: row.repair, trigger: 'schedule' });
  return { kind: 'batch', run: await executeFixityRun(deps, id, { signal: options.signal }) };
}

export const FIXITY_JOB_NAME = 'preservation.fixity-batch';

/** The scheduled batch as a job of the queue; it enqueues its successor for the next time. */
export function fixityBatchJob(deps: FixityDeps & { config: Pick<Config, 'databaseUrl' | 'jobStaleSeconds'> }): JobDefinition<Record<string, never>> {
  const job: JobDefinition<Record<string, never>> = {
    name: FIXITY_JOB_NAME,
    maxAttempts: 3,
    async run(_payload, ctx) {
      try {
        const outcome = await runScheduledBatch(deps, { signal: ctx.signal, exclusive: !deps.config.databaseUrl });
        (deps.logger ?? rootLogger()).info({ outcome: outcome.kind, ...('run' in outcome ? { run: outcome.run.id, status: outcome.run.status } : {}) }, 'scheduled fixity step');
      } finally {
        // Whatever happened, the cycle goes on at the schedule's next time.
        if (!ctx.signal.aborted) await enqueueNextBatch(deps, jobQueueFor(deps), job);
      }
    },
  };
  return job;
}

async function enqueueNextBatch(deps: Pick<FixityDeps, 'db'>, queue: JobQueue, job: JobDefinition<Record<string, never>>): Promise<void> {
  const row = await repo.readSchedule(deps.db);
  const at = new Date(row.next_batch_at);
  await queue.enqueue(job, {}, { key: `fixity-batch:${at.toISOString()}`, runAt: at });
}

/** After the schedule changed: a job for the new next time (the old one finds nothing due). */
export async function scheduleNextBatch(deps: FixityDeps & { config: Pick<Config, 'databaseUrl' | 'jobStaleSeconds'> }): Promise<void> {
  await enqueueNextBatch(deps, jobQueueFor(deps), fixityBatchJob(deps));
}

export interface FixityScheduler {
  /** Resolves when this process stopped working the fixity job (at once with `once`, when nothing due is left). */
  done: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Server start and `muragat worker`: an interrupted run resumes at once; the next batch is
 * enqueued for its time; this process works the fixity job (on graphile-worker every server and
 * worker may, the schedule's claim lets one run each batch). `once`: work what is due now, then
 * stop (`muragat worker --once`).
 */
export async function startFixityScheduler(
  deps: FixityDeps & { config: Pick<Config, 'databaseUrl' | 'jobStaleSeconds'> },
  options: { once?: boolean } = {},
): Promise<FixityScheduler> {
  const queue = jobQueueFor(deps);
  const job = fixityBatchJob(deps);
  await recoverFixityRuns(deps.db, { everyActive: !deps.config.databaseUrl, logger: deps.logger });
  const interrupted = (await repo.activeOrInterrupted(deps.db)).some((r) => r.status === 'interrupted');
  if (interrupted) await queue.enqueue(job, {}, { key: `fixity-batch:resume:${Date.now()}` });
  await enqueueNextBatch(deps, queue, job);
  const running: RunningWorker = await queue.work([job], { once: options.once === true });
  return { done: running.done, stop: () => running.stop() };
}
