// Jobs: background work that must happen once, survive crashes and be retried — through
// graphile-worker on a PostgreSQL server, in-process on the embedded catalog, behind one
// interface. Knows nothing of HTTP nor of what a job does; job kinds live with their domain
// (e.g. ingest/pipeline/worker.ts) as `JobDefinition`s.
import type { Kysely } from 'kysely';
import type { Config } from '../common/config';
import type { Database } from '../database/database';
import { GraphileQueue } from './graphile';
import { InProcessQueue } from './in-process';
import { DEFAULT_LEASE_TIMING, type LeaseTiming } from './leases';
import type { JobQueue } from './types';

export * from './types';
export { InProcessQueue } from './in-process';
export { GraphileQueue, queueSchema } from './graphile';
export {
  acquireLease,
  tryAcquireLease,
  requestCancel,
  listRuns,
  LeaseLostError,
  JobCancelledError,
  PROCESS_ID,
  DEFAULT_LEASE_TIMING,
  type Lease,
  type LeaseOptions,
  type LeaseTiming,
  type Claim,
} from './leases';
export type { JobTables, JobRunOutcome } from './tables';

/** Lease timing from the configuration (MURAGAT_JOB_STALE_SECONDS), else the defaults. */
export function leaseTiming(config: Pick<Config, 'jobStaleSeconds'>): LeaseTiming {
  if (!config.jobStaleSeconds) return DEFAULT_LEASE_TIMING;
  const staleMs = config.jobStaleSeconds * 1000;
  // Several heartbeats fit in one staleness period, so one slow heartbeat is not a death.
  return { staleMs, heartbeatMs: Math.max(250, Math.floor(staleMs / 6)) };
}

const queues = new WeakMap<object, JobQueue>();

/**
 * The queue of this catalog, one per database handle: graphile-worker when a PostgreSQL server
 * is configured, the in-process queue on the embedded catalog.
 */
export function jobQueueFor(deps: { db: Kysely<Database>; config: Pick<Config, 'databaseUrl' | 'jobStaleSeconds'> }): JobQueue {
  let queue = queues.get(deps.db);
  if (!queue) {
    queue = deps.config.databaseUrl
      ? new GraphileQueue({ url: deps.config.databaseUrl, db: deps.db, timing: leaseTiming(deps.config) })
      : new InProcessQueue();
    queues.set(deps.db, queue);
  }
  return queue;
}

/** The queue already opened for this catalog, if any (waiting for idle must not open one). */
export function existingJobQueue(db: Kysely<Database>): JobQueue | undefined {
  return queues.get(db);
}

/** Closes this catalog's queue (server or worker shutdown); a later use opens a new one. */
export async function closeJobQueue(db: Kysely<Database>): Promise<void> {
  const queue = queues.get(db);
  queues.delete(db);
  await queue?.close();
}
