// Transfers as jobs: the `ingest.transfer` job kind and the worker that consumes it. The queue
// (jobs/) is graphile-worker on a PostgreSQL server and in-process on the embedded catalog; a
// transfer is processed under its lease (claim.ts), so whatever delivers it twice, it is worked
// on once. A sender's failure ends the transfer as failed inside processTransfer and the job
// completes (never retried); a system failure throws, and the queue retries with backoff; when
// the budget is spent — including by workers that died — the transfer fails with the reason.
import { logger } from '../../common/logger';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { jobQueueFor, existingJobQueue, InProcessQueue, type JobDefinition, type RunningWorker } from '../../jobs';
import { failTransfer } from '../intake/transfer-state';
import { processTransfer } from './run';
import { cleanIncoming, unfinishedTransfers } from './receive';
import type { IngestDeps } from './tools';

export const TRANSFER_JOB = 'ingest.transfer';
/** Tries of one transfer on a server: the first and four retries (backoff e^n s: 3, 7, 20, 55 s). */
export const TRANSFER_MAX_ATTEMPTS = 5;
/**
 * On the embedded catalog the API process is the worker and a clerk is watching the page:
 * two retries (3 s, 7 s) catch a crashed converter without keeping them waiting long.
 */
export const TRANSFER_MAX_ATTEMPTS_EMBEDDED = 3;

export interface TransferJobPayload {
  transferId: string;
}

export function transferJob(deps: IngestDeps): JobDefinition<TransferJobPayload> {
  return {
    name: TRANSFER_JOB,
    maxAttempts: deps.config.databaseUrl ? TRANSFER_MAX_ATTEMPTS : TRANSFER_MAX_ATTEMPTS_EMBEDDED,
    async run({ transferId }, ctx) {
      // Before the last try a system fault is thrown for the queue to retry; on the last one it
      // fails the transfer with the step and the reason, like any other failure.
      const systemFaults = ctx.attempt >= ctx.maxAttempts ? 'fail' : 'throw';
      const report = await processTransfer(deps, transferId, { signal: ctx.signal, attempt: ctx.attempt, systemFaults });
      logger().info({ transfer: transferId, attempt: ctx.attempt, dossiers: report.dossiers.length }, 'transfer processed');
    },
    async onAbandoned({ transferId }, reason, error) {
      const code = reason === 'worker-stopped' ? 'jobs.worker_stopped' : 'jobs.retries_exhausted';
      const attempts = deps.config.databaseUrl ? TRANSFER_MAX_ATTEMPTS : TRANSFER_MAX_ATTEMPTS_EMBEDDED;
      await failTransfer(deps, transferId, { code, params: { attempts, error: error ?? '' }, actor: SYSTEM_ACTOR });
    },
  };
}

/** Hands a received transfer to the queue; enqueueing it twice does not duplicate it. */
export async function enqueueTransfer(deps: IngestDeps, transferId: string): Promise<void> {
  const queue = jobQueueFor(deps);
  await queue.enqueue(transferJob(deps), { transferId }, { key: `transfer:${transferId}` });
  // The embedded catalog has no separate worker: this process consumes its own queue.
  if (queue instanceof InProcessQueue && !queue.working) await startConsumer(deps, queue);
}

/**
 * Server start: every unfinished transfer gets its job (a server stopped mid-transfer, uploads
 * received while no worker ran). Enqueueing is idempotent, so several servers may do it at once.
 */
export async function resumeTransfers(deps: IngestDeps): Promise<number> {
  const ids = await unfinishedTransfers(deps);
  for (const id of ids) await enqueueTransfer(deps, id);
  return ids.length;
}

const consumers = new WeakMap<object, RunningWorker>();

async function startConsumer(deps: IngestDeps, queue: InProcessQueue): Promise<void> {
  if (consumers.has(deps.db)) return;
  const running = await queue.work([transferJob(deps)]);
  consumers.set(deps.db, running);
}

/** Resolves when this process has no transfer left to process (embedded catalog; tests). */
export async function transfersIdle(db: IngestDeps['db']): Promise<void> {
  const queue = existingJobQueue(db);
  if (queue instanceof InProcessQueue) await queue.idle();
}

/** Stops this process's in-process consumer (server shutdown); running work stops between steps. */
export async function stopTransferProcessing(deps: Pick<IngestDeps, 'db'>): Promise<void> {
  const running = consumers.get(deps.db);
  consumers.delete(deps.db);
  await running?.stop();
}

export interface Worker {
  /** Resolves when the worker has stopped. */
  done: Promise<void>;
  /** Stops taking jobs; a running transfer stops after its current step and goes back to the queue. */
  stop(): Promise<void>;
}

/**
 * `muragat worker`: makes sure every unfinished transfer has a job (uploads received before the
 * queue existed, transfers of a stopped embedded server), then works the queue — until stopped,
 * or with `once` until nothing is left.
 */
export function startWorker(deps: IngestDeps, options: { once?: boolean; concurrency?: number } = {}): Worker {
  let running: RunningWorker | undefined;
  let stopRequested = false;
  const queue = jobQueueFor(deps);
  const done = (async () => {
    // Incoming copies of an interrupted receipt: only the embedded catalog's single process may
    // know that no other process is receiving right now.
    if (!deps.config.databaseUrl) await cleanIncoming(deps);
    for (const id of await unfinishedTransfers(deps)) await queue.enqueue(transferJob(deps), { transferId: id }, { key: `transfer:${id}` });
    if (stopRequested) return;
    running = await queue.work([transferJob(deps)], { once: options.once, concurrency: options.concurrency });
    if (stopRequested) await running.stop();
    await running.done;
  })();
  return {
    done,
    async stop() {
      stopRequested = true;
      await running?.stop();
      await done.catch(() => undefined);
    },
  };
}
