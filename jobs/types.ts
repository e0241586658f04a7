// The queue's contract, the same for the PostgreSQL queue (graphile-worker) and the in-process
// queue of the embedded catalog. A job kind is a `JobDefinition`; its handler gets the attempt,
// a signal (cancellation, shutdown, lost lease) and a progress reporter.

export interface JobContext {
  /** 1 for the first try. */
  attempt: number;
  maxAttempts: number;
  /** The queue's id of this job. */
  jobId: string;
  /** Aborted on shutdown or cancellation; handlers stop at their next safe point. */
  signal: AbortSignal;
}

export type AbandonReason = 'worker-stopped' | 'failed';

export interface JobDefinition<P> {
  /** Task name in the queue, e.g. `ingest.transfer`. */
  readonly name: string;
  /** Tries in all, the first included; a failure is retried with exponential backoff. */
  readonly maxAttempts: number;
  run(payload: P, ctx: JobContext): Promise<void>;
  /**
   * The retry budget is spent: the last try threw (`failed`) or its worker died
   * (`worker-stopped`). Records the failure in the job's own domain; called at most once per job
   * by design, but must tolerate a second call.
   */
  onAbandoned?(payload: P, reason: AbandonReason, error?: string): Promise<void>;
}

export interface EnqueueOptions {
  /** At most one waiting job per key: enqueueing the same key again does not duplicate it. */
  key?: string;
  runAt?: Date;
}

export interface WorkOptions {
  /** Jobs run at once in this process (default 1: converters already use every core). */
  concurrency?: number;
  /** Process what is waiting now, then stop (`muragat worker --once`, tests). */
  once?: boolean;
}

export interface RunningWorker {
  /** Resolves when the worker has stopped. */
  readonly done: Promise<void>;
  /** Finishes the running jobs' current step, hands the rest back to the queue, stops. */
  stop(): Promise<void>;
}

export type CancelOutcome = 'removed' | 'requested' | 'none';

export interface JobQueue {
  readonly kind: 'graphile-worker' | 'in-process';
  enqueue<P>(job: JobDefinition<P>, payload: P, options?: EnqueueOptions): Promise<void>;
  /** Removes a waiting job, or asks the worker running it to stop (seen with its next heartbeat). */
  cancel<P>(job: JobDefinition<P>, key: string): Promise<CancelOutcome>;
  work(jobs: JobDefinition<any>[], options?: WorkOptions): Promise<RunningWorker>;
  /** Jobs waiting or running, per task name (health, metrics). */
  depth(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

/** Seconds before try n+1, as graphile-worker computes it: e^min(n, 10). */
export function backoffMs(attempt: number): number {
  return Math.round(Math.exp(Math.min(attempt, 10)) * 1000);
}

/** A job that ends without retry: the failure is the input's, recorded by the handler. */
export class PermanentJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentJobError';
  }
}
