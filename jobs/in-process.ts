// The queue on the embedded catalog. PGlite is opened by one process only, so nothing else can
// take a job from it: jobs wait in memory, run one at a time (the converters use every core),
// fail over to a retry with the same backoff as graphile-worker, and can be cancelled. What must
// survive a restart is the work's own durable state (a transfer's status), from which the
// consumer re-enqueues at start (see ingest/pipeline/worker.ts).
import { logger } from '../common/logger';
import { backoffMs, PermanentJobError, type CancelOutcome, type EnqueueOptions, type JobDefinition, type JobQueue, type RunningWorker, type WorkOptions } from './types';

interface Pending {
  id: string;
  job: JobDefinition<unknown>;
  payload: unknown;
  key?: string;
  attempts: number;
  runAt: number;
  controller?: AbortController;
}

export class InProcessQueue implements JobQueue {
  readonly kind = 'in-process' as const;
  private waiting: Pending[] = [];
  private running = new Set<Pending>();
  private seq = 0;
  private wake: (() => void) | undefined;
  private consumers = 0;

  async enqueue<P>(job: JobDefinition<P>, payload: P, options: EnqueueOptions = {}): Promise<void> {
    if (options.key && [...this.waiting, ...this.running].some((p) => p.job.name === job.name && p.key === options.key)) return;
    this.waiting.push({ id: String(++this.seq), job: job as JobDefinition<unknown>, payload, key: options.key, attempts: 0, runAt: options.runAt?.getTime() ?? 0 });
    this.wake?.();
  }

  async cancel<P>(job: JobDefinition<P>, key: string): Promise<CancelOutcome> {
    const before = this.waiting.length;
    this.waiting = this.waiting.filter((p) => !(p.job.name === job.name && p.key === key));
    if (this.waiting.length < before) return 'removed';
    for (const p of this.running) {
      if (p.job.name === job.name && p.key === key) {
        p.controller?.abort(new Error('cancelled'));
        return 'requested';
      }
    }
    return 'none';
  }

  async depth(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const p of [...this.waiting, ...this.running]) out[p.job.name] = (out[p.job.name] ?? 0) + 1;
    return out;
  }

  /** Resolves when nothing is waiting (due now) or running. */
  async idle(): Promise<void> {
    while (this.running.size || this.waiting.some((p) => p.runAt <= Date.now())) await new Promise((r) => setTimeout(r, 50));
  }

  async work(jobs: JobDefinition<any>[], options: WorkOptions = {}): Promise<RunningWorker> {
    const names = new Set(jobs.map((j) => j.name));
    const concurrency = Math.max(1, options.concurrency ?? 1);
    let stopping = false;
    const stopController = new AbortController();
    this.consumers += 1;
    const next = (): Pending | undefined => {
      const now = Date.now();
      const i = this.waiting.findIndex((p) => names.has(p.job.name) && p.runAt <= now);
      return i < 0 ? undefined : this.waiting.splice(i, 1)[0];
    };
    const runOne = async (p: Pending) => {
      p.attempts += 1;
      p.controller = new AbortController();
      const signal = AbortSignal.any([p.controller.signal, stopController.signal]);
      this.running.add(p);
      try {
        await p.job.run(p.payload, { attempt: p.attempts, maxAttempts: p.job.maxAttempts, jobId: p.id, signal });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (stopController.signal.aborted && !p.controller.signal.aborted) {
          // Stopped, not failed: hand it back untouched for the next start.
          p.attempts -= 1;
          this.waiting.unshift(p);
        } else if (error instanceof PermanentJobError || p.controller.signal.aborted || p.attempts >= p.job.maxAttempts) {
          logger().error({ job: p.job.name, key: p.key, attempt: p.attempts, err: error }, 'job failed for good');
          if (!(error instanceof PermanentJobError) && !p.controller.signal.aborted) await p.job.onAbandoned?.(p.payload, 'failed', message).catch((e) => logger().error({ err: e }, 'job abandon hook failed'));
        } else {
          logger().warn({ job: p.job.name, key: p.key, attempt: p.attempts, err: error }, 'job failed; will retry');
          p.runAt = Date.now() + backoffMs(p.attempts);
          this.waiting.push(p);
        }
      } finally {
        this.running.delete(p);
      }
    };
    const loop = async () => {
      for (;;) {
        if (stopping) return;
        const p = next();
        if (p) {
          await runOne(p);
          continue;
        }
        if (options.once && !this.waiting.some((w) => names.has(w.job.name) && w.runAt <= Date.now())) return;
        const soonest = Math.min(...this.waiting.filter((w) => names.has(w.job.name)).map((w) => w.runAt), Date.now() + 2000);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.max(10, soonest - Date.now()));
          timer.unref();
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    };
    const done = Promise.all(Array.from({ length: concurrency }, loop)).then(() => {
      this.consumers -= 1;
    });
    return {
      done,
      stop: async () => {
        stopping = true;
        stopController.abort(new Error('worker stopping'));
        this.wake?.();
        await done;
      },
    };
  }

  /** Whether some consumer is working this queue. */
  get working(): boolean {
    return this.consumers > 0;
  }

  async close(): Promise<void> {
    this.waiting = [];
  }
}
