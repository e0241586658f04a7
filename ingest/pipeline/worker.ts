// Transfers as jobs: the `ingest.transfer` job kind and the worker that consumes it. The queue
// (jobs/) is graphile-worker on a PostgreSQL server and in-process on the embedded catalog; a
// transfer is processed under its lease (claim.ts), so whatever delivers it twice, it is worked
// on once. A sender's failure ends the transfer as failed inside processTransfer and the job
// completes (never retried); a system failure throws, and the queue retries with backoff; when
// the budget is spent — including by workers that died — the transfer fails with the reason.
import { logger } from '../../common/logger';
import { SYSTEM_ACTOR } from '../../catalog/audit.service';
import { jobQueueFor, InProcessQueue, type JobDefinition, type RunningWorker } from '../../jobs';
import { failTransfer } from '../intake/transfer-state';
import { processTransfer } from './run';
import { cleanIncoming, unfinishedTransfers } from './receive';
import type { IngestDeps } from './tools';

export const TRANSFER_JOB = 'ingest.transfer';
/** Tries of one transfer: the first and four retries (backoff e^n s: 3 s, 7 s, 20 s, 55 s). */
export const TRANSFER_MAX_ATTEMPTS = 5;

export interface TransferJobPayload {
  transferId: string;
}

export function transferJob(deps: IngestDeps): JobDefinition<TransferJobPayload> {
  return {
    name: TRANSFER_JOB,
    maxAttempts: TRANSFER_MAX_ATTEMPTS,
    async run({ transferId }, ctx) {
      const report = await processTransfer(deps, transferId, { signal: ctx.signal, attempt: ctx.attempt });
      logger().info({ transfer: transferId, attempt: ctx.attempt, dossiers: report.dossiers.length }, 'transfer processed');
    },
    async onAbandoned({ transferId }, reason, error) {
      const code = reason === 'worker-stopped' ? 'jobs.worker_stopped' : 'jobs.retries_exhausted';
      await failTransfer(deps, transferId, { code, params: { attempts: TRANSFER_MAX_ATTEMPTS, error: error ?? '' }, actor: SYSTEM_ACTOR });
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

const consumers = new WeakMap<object, RunningWorker>();

async function startConsumer(deps: IngestDeps, queue: InProcessQueue): Promise<void> {
  if (consumers.has(deps.db)) return;
  const running = await queue.work([transferJob(deps)]);
  consumers.set(deps.db, running);
}

/** Resolves when this process has no transfer left to process (embedded catalog; tests). */
export async function transfersIdle(deps: Pick<IngestDeps, 'db' | 'config'>): Promise<void> {
  const queue = jobQueueFor(deps);
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
