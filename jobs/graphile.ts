// The queue on a PostgreSQL server: graphile-worker (docs/ARCHITECTURE.md says why). It gives
// jobs that survive restarts, one worker per job (row lock + SKIP LOCKED), LISTEN/NOTIFY pickup,
// retries with exponential backoff and de-duplication by job key. What it lacks we add here:
// a worker that dies keeps its jobs locked for four hours in graphile-worker, so every worker
// process registers itself with a heartbeat (job_workers) and runs a watchdog that unlocks the
// jobs of workers whose heartbeat stopped, so another worker resumes them at once, and hands a
// job whose retry budget that death used up to its definition's `onAbandoned`.
import { hostname } from 'node:os';
import pg from 'pg';
import { sql, type Kysely } from 'kysely';
import { makeWorkerUtils, run, runOnce, type Logger as GraphileLogger, type TaskList, type WorkerUtils } from 'graphile-worker';
import { Logger } from 'graphile-worker';
import type { Database } from '../database/database';
import { logger } from '../common/logger';
import { PROCESS_ID, type LeaseTiming } from './leases';
import { PermanentJobError, type CancelOutcome, type EnqueueOptions, type JobDefinition, type JobQueue, type RunningWorker, type WorkOptions } from './types';

export interface GraphileQueueOptions {
  url: string;
  db: Kysely<Database>;
  timing: LeaseTiming;
  /** Schema of graphile-worker's tables; default: see queueSchema(). */
  schema?: string;
  /** Milliseconds between polls for jobs that became due (retries); LISTEN covers new ones. */
  pollMs?: number;
}

/**
 * graphile-worker's schema: `graphile_worker` beside our tables in `public`; when the catalog
 * lives in another schema (one per test suite on a shared server) the queue's tables go into
 * that same schema, so dropping it drops them too and suites never see each other's jobs.
 */
export async function queueSchema(db: Kysely<Database>): Promise<string> {
  const { rows } = await sql<{ schema: string }>`SELECT current_schema() AS schema`.execute(db);
  const current = rows[0]?.schema ?? 'public';
  return current === 'public' ? 'graphile_worker' : current;
}

const CONNECT_TIMEOUT_MS = 30_000;
/** A spent job's `last_error` while its work is still to be ended, and once it is. */
const WORKER_STOPPED = 'worker stopped';
const WORKER_STOPPED_ENDED = 'worker stopped; ended';
const ABANDON_TIMEOUT_MS = 60_000;
/** How long a runner may take to stop after losing a worker before a new one is started anyway. */
const RUNNER_STOP_TIMEOUT_MS = 20_000;

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

// graphile-worker's own log lines go to our logger (structured, level-filtered).
const graphileLogger = new Logger((scope) => (level, message, meta) => {
  const log = logger();
  const fields = { scope, ...(meta ?? {}) };
  if (level === 'error') log.error(fields, message);
  else if (level === 'warning') log.warn(fields, message);
  else log.debug(fields, message);
}) as GraphileLogger;

export class GraphileQueue implements JobQueue {
  readonly kind = 'graphile-worker' as const;
  private readonly pool: pg.Pool;
  private utilsPromise: Promise<WorkerUtils> | undefined;
  private schemaPromise: Promise<string> | undefined;

  constructor(private readonly options: GraphileQueueOptions) {
    // A wait for a connection ends in an error rather than forever (a pool whose connections a
    // server restart cut must not leave the queue silently stuck): the caller retries.
    this.pool = new pg.Pool({ connectionString: options.url, max: 4, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    // A client's error (server restart) must not crash the process, idle or checked out; the
    // pool drops that client and reconnects.
    const lost = (error: Error) => logger().warn({ err: error }, 'job queue connection lost');
    this.pool.on('error', lost);
    this.pool.on('connect', (client) => client.on('error', lost));
  }

  private schema(): Promise<string> {
    this.schemaPromise ??= this.options.schema ? Promise.resolve(this.options.schema) : queueSchema(this.options.db);
    return this.schemaPromise;
  }

  private utils(): Promise<WorkerUtils> {
    this.utilsPromise ??= (async () => {
      const utils = await makeWorkerUtils({ pgPool: this.pool, schema: await this.schema(), logger: graphileLogger });
      await utils.migrate();
      return utils;
    })();
    return this.utilsPromise;
  }

  async enqueue<P>(job: JobDefinition<P>, payload: P, options: EnqueueOptions = {}): Promise<void> {
    const utils = await this.utils();
    if (options.key) {
      // A job for this key that is waiting, retrying or running already covers it; a finished
      // one (budget spent) is revived by addJob below with its attempts reset.
      const schema = quoteIdent(await this.schema());
      const { rows } = await this.pool.query(`SELECT 1 FROM ${schema}.jobs WHERE key = $1 AND (locked_at IS NOT NULL OR attempts < max_attempts)`, [options.key]);
      if (rows.length) return;
    }
    await utils.addJob(job.name, payload as never, {
      maxAttempts: job.maxAttempts,
      ...(options.key ? { jobKey: options.key, jobKeyMode: 'preserve_run_at' as const } : {}),
      ...(options.runAt ? { runAt: options.runAt } : {}),
    });
  }

  async cancel<P>(job: JobDefinition<P>, key: string): Promise<CancelOutcome> {
    const schema = quoteIdent(await this.schema());
    const { rows } = await this.pool.query<{ id: string; locked_at: Date | null }>(
      `SELECT id::text, locked_at FROM ${schema}.jobs WHERE key = $1 AND task_identifier = $2`,
      [key, job.name],
    );
    const row = rows[0];
    if (!row) return 'none';
    if (!row.locked_at) {
      await (await this.utils()).completeJobs([row.id]);
      return 'removed';
    }
    return 'requested';
  }

  async depth(): Promise<Record<string, number>> {
    const schema = quoteIdent(await this.schema());
    await this.utils();
    const { rows } = await this.pool.query<{ task: string; n: number }>(
      `SELECT task_identifier AS task, count(*)::int AS n FROM ${schema}.jobs WHERE attempts < max_attempts GROUP BY 1`,
    );
    return Object.fromEntries(rows.map((r) => [r.task, r.n]));
  }

  async work(jobs: JobDefinition<any>[], options: WorkOptions = {}): Promise<RunningWorker> {
    await this.utils();
    const schema = await this.schema();
    const { db, timing } = this.options;
    const registry = new WorkerRegistry(db, timing);
    await registry.register();
    const shutdown = new AbortController();
    const taskList: TaskList = {};
    const byName = new Map(jobs.map((j) => [j.name, j]));
    for (const job of jobs) {
      taskList[job.name] = async (payload, helpers) => {
        if (helpers.job.locked_by) await registry.addQueueWorker(helpers.job.locked_by);
        const signal = AbortSignal.any([shutdown.signal, ...(helpers.abortSignal ? [helpers.abortSignal] : [])]);
        const ctx = { attempt: helpers.job.attempts, maxAttempts: helpers.job.max_attempts, jobId: String(helpers.job.id), signal };
        try {
          await job.run(payload, ctx);
        } catch (error) {
          if (shutdown.signal.aborted) throw error; // handed back: graphile-worker retries it
          if (error instanceof PermanentJobError) return; // recorded by the handler; no retry
          if (ctx.attempt >= ctx.maxAttempts) await job.onAbandoned?.(payload, 'failed', error instanceof Error ? error.message : String(error));
          throw error;
        }
      };
    }
    const common = {
      pgPool: this.pool,
      schema,
      taskList,
      noHandleSignals: true,
      logger: graphileLogger,
      pollInterval: this.options.pollMs ?? 2000,
    };
    const watchdog = new Watchdog(this.pool, schema, db, timing, byName, registry);
    if (options.once) {
      const done = (async () => {
        try {
          await watchdog.sweep();
          await runOnce(common);
        } finally {
          await registry.unregister();
        }
      })();
      return { done, stop: async () => { shutdown.abort(new Error('worker stopping')); await done; } };
    }
    // The runner is supervised: graphile-worker 0.16 does not replace a queue worker that could
    // not record the end of its job (the connection was cut by a restart of the server): the job
    // stays locked by it, and with no worker left this process takes nothing more while its
    // heartbeat goes on, so the watchdog never frees the job either. On worker:fatalError the job
    // is unlocked once the database answers, and the runner replaced, one at a time.
    // A runner that ends by itself is not started again: graphile-worker shuts down (exit code 57)
    // when a newer Muragat announces a breaking migration of the queue's tables, and this older
    // code must then stop; the worker ends and its process exits with that code.
    let stopping = false;
    let replace = false;
    let recovering: Promise<void> | null = null;
    let replaced: () => void = () => undefined;
    let runner!: Awaited<ReturnType<typeof run>>;
    let ready!: () => void;
    const started = new Promise<void>((resolve) => (ready = resolve));
    const recover = async (workerId: string) => {
      for (let wait = 250; !stopping; wait = Math.min(wait * 2, 5000)) {
        try {
          await (await this.utils()).forceUnlockWorkers([workerId]);
          replace = true;
          // A runner whose connections were cut may never finish stopping (its shutdown waits on
          // the database): after a while the next runner starts beside what is left of it.
          const stopped = runner.stop().catch(() => undefined);
          await Promise.race([stopped, new Promise((r) => setTimeout(r, RUNNER_STOP_TIMEOUT_MS).unref())]);
          replaced();
          return;
        } catch {
          // The database is still away: try again shortly.
          await new Promise((r) => setTimeout(r, wait));
        }
      }
    };
    const supervise = async () => {
      for (;;) {
        runner = await run({ ...common, concurrency: Math.max(1, options.concurrency ?? 1) });
        if (stopping) return void (await runner.stop().catch(() => undefined)); // stopped while it started
        runner.events.on('worker:create', ({ worker }) => void registry.addQueueWorker(worker.workerId).catch(() => undefined));
        runner.events.on('worker:fatalError', ({ worker }) => void (recovering ??= recover(worker.workerId).finally(() => (recovering = null))));
        ready();
        await Promise.race([runner.promise, new Promise<void>((resolve) => (replaced = resolve))]);
        if (stopping) return;
        if (replace) logger().warn('job queue: a worker lost its database connection; its jobs were unlocked and the runner started again');
        else {
          // Ended by itself (exit code 57 after a breaking migration was announced): the worker ends.
          logger().warn({ exitCode: process.exitCode }, 'job queue: graphile-worker stopped by itself; this worker stops');
          return;
        }
        replace = false;
      }
    };
    const done = supervise();
    await Promise.race([started, done]);
    const beat = setInterval(() => void watchdog.tick(), timing.heartbeatMs);
    beat.unref();
    void watchdog.tick();
    const cleanup = done.finally(async () => {
      clearInterval(beat);
      await registry.unregister().catch(() => undefined);
    });
    return {
      done: cleanup,
      stop: async () => {
        // Running jobs see the signal and stop at their next step boundary; graphile-worker
        // then records the attempt as failed and another worker resumes it.
        stopping = true;
        shutdown.abort(new Error('worker stopping'));
        await recovering;
        await runner.stop().catch(() => undefined); // already ended between two runners
        await cleanup;
      },
    };
  }

  async close(): Promise<void> {
    if (this.utilsPromise) await (await this.utilsPromise).release();
    await this.pool.end();
  }
}

/** This process in job_workers, with the graphile-worker ids it runs. */
class WorkerRegistry {
  readonly id = PROCESS_ID;
  private known = new Set<string>();
  constructor(private readonly db: Kysely<Database>, readonly timing: LeaseTiming) {}

  async register(): Promise<void> {
    await this.db
      .insertInto('job_workers')
      .values({ id: this.id, host: hostname(), pid: process.pid })
      .onConflict((oc) => oc.column('id').doUpdateSet({ heartbeat_at: sql`now()` as never }))
      .execute();
  }

  async addQueueWorker(workerId: string): Promise<void> {
    if (this.known.has(workerId)) return;
    this.known.add(workerId);
    await this.db
      .updateTable('job_workers')
      .set({ queue_worker_ids: sql`array_append(queue_worker_ids, ${workerId})` as never, heartbeat_at: sql`now()` as never })
      .where('id', '=', this.id)
      .execute();
  }

  /** Renews the heartbeat; re-registers if a watchdog declared this process dead meanwhile. */
  async heartbeat(): Promise<void> {
    const r = await this.db.updateTable('job_workers').set({ heartbeat_at: sql`now()` as never }).where('id', '=', this.id).executeTakeFirst();
    if (!Number(r.numUpdatedRows)) {
      await this.register();
      const ids = [...this.known];
      if (ids.length) await this.db.updateTable('job_workers').set({ queue_worker_ids: ids }).where('id', '=', this.id).execute();
    }
  }

  async unregister(): Promise<void> {
    await this.db.deleteFrom('job_workers').where('id', '=', this.id).execute();
  }
}

interface OrphanJob {
  id: string;
  task: string;
  payload: unknown;
  attempts: number;
  max_attempts: number;
  locked_by: string;
}

/** Finds jobs held by workers that stopped and gives them back (or ends them, budget spent). */
class Watchdog {
  private running = false;
  constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
    private readonly db: Kysely<Database>,
    private readonly timing: LeaseTiming,
    private readonly jobs: Map<string, JobDefinition<any>>,
    private readonly registry: WorkerRegistry,
  ) {}

  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.registry.heartbeat();
      await this.sweep();
    } catch (error) {
      logger().warn({ err: error }, 'job watchdog: sweep failed; will try again');
    } finally {
      this.running = false;
    }
  }

  async sweep(): Promise<void> {
    const stale = this.timing.staleMs / 1000;
    await this.db.deleteFrom('job_workers').where(sql<boolean>`heartbeat_at < now() - make_interval(secs => ${stale})`).execute();
    const schema = quoteIdent(this.schema);
    // Read through the catalog's own connection: the queue's pool may have another search_path.
    const live = (await this.db.selectFrom('job_workers').select('queue_worker_ids').execute()).flatMap((w) => w.queue_worker_ids);
    const client = await this.pool.connect();
    let orphans: OrphanJob[] = [];
    try {
      await client.query('BEGIN');
      // One watchdog at a time does the unlocking, so an abandoned job is ended once.
      const lock = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_xact_lock(hashtext($1)) AS ok`, [`muragat.jobs.watchdog.${this.schema}`]);
      if (lock.rows[0]?.ok) {
        // A job locked longer than a heartbeat's staleness by a worker id that no live process
        // announced: its worker is gone. (A live process announces its ids before or as it
        // locks a job, well within that time.)
        const found = await client.query<OrphanJob>(
          `SELECT j.id::text, t.identifier AS task, j.payload, j.attempts, j.max_attempts, j.locked_by
             FROM ${schema}._private_jobs j JOIN ${schema}._private_tasks t ON t.id = j.task_id
            WHERE j.locked_by IS NOT NULL AND j.locked_at < now() - make_interval(secs => $1)
              AND NOT (j.locked_by = ANY ($2::text[]))`,
          [stale, live],
        );
        orphans = found.rows;
        const dead = [...new Set(orphans.map((o) => o.locked_by))];
        if (dead.length) {
          await client.query(`SELECT ${schema}.force_unlock_workers($1::text[])`, [dead]);
          const spent = orphans.filter((o) => o.attempts >= o.max_attempts).map((o) => o.id);
          if (spent.length) {
            await client.query(`UPDATE ${schema}._private_jobs SET last_error = $2 WHERE id = ANY ($1::bigint[])`, [spent, WORKER_STOPPED]);
          }
        }
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    for (const o of orphans) {
      logger().warn({ job: o.task, jobId: o.id, worker: o.locked_by, attempts: o.attempts, of: o.max_attempts }, o.attempts >= o.max_attempts ? 'job watchdog: worker stopped, retry budget spent' : 'job watchdog: worker stopped, job handed to another worker');
    }
    await this.abandonSpent();
  }

  /**
   * Ends the work of every job whose worker stopped on its last try (marked "worker stopped"
   * above), and only then marks it ended. Read from the queue at every tick, so an ending that
   * failed or did not finish in time (a row lock, a lost connection) is tried again, never lost:
   * the queue runs a spent job no more, and nothing else would end its transfer.
   */
  private async abandonSpent(): Promise<void> {
    const schema = quoteIdent(this.schema);
    const { rows } = await this.pool.query<{ id: string; task: string; payload: unknown }>(
      `SELECT j.id::text, t.identifier AS task, j.payload FROM ${schema}._private_jobs j JOIN ${schema}._private_tasks t ON t.id = j.task_id
        WHERE j.locked_by IS NULL AND j.attempts >= j.max_attempts AND j.last_error = $1`,
      [WORKER_STOPPED],
    );
    for (const spent of rows) {
      const job = this.jobs.get(spent.task);
      if (!job) continue; // another kind of worker's job: its own watchdog ends it
      try {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          Promise.resolve(job.onAbandoned?.(spent.payload, 'worker-stopped', 'worker stopped')),
          new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`not ended within ${ABANDON_TIMEOUT_MS / 1000} s`)), ABANDON_TIMEOUT_MS))),
        ]).finally(() => clearTimeout(timer));
        await this.pool.query(`UPDATE ${schema}._private_jobs SET last_error = $1 WHERE id = $2::bigint AND last_error = $3`, [WORKER_STOPPED_ENDED, spent.id, WORKER_STOPPED]);
      } catch (error) {
        logger().warn({ err: error, job: spent.task, jobId: spent.id }, 'job watchdog: ending a job whose worker stopped failed; will try again');
      }
    }
  }
}
