// The built-in PDF/A check on worker threads. It is synchronous CPU work (every object, content
// stream and font of a rendition: tens to hundreds of milliseconds each), so on the calling
// thread it blocked the event loop — the ingest's PGlite catalog, the HTTP server, the other
// checks — and used one core however many were idle. A thread that overruns its file's time
// budget is terminated and the file reported unreadable ("time limit exceeded"), which the
// checker's own deadline cannot do for code that never reaches a deadline check. Where no thread
// can start (no worker support, the loader missing), files are checked on the calling thread.
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Language } from '../../common/i18n';
import { unreadable, validateFile, type BuiltinResult } from './builtin';

const WORKER_FILE = fileURLToPath(new URL('./builtin-worker.mjs', import.meta.url));
/** Beyond the checker's own deadline, what a thread gets before it is terminated. */
const GRACE_MS = 5_000;

interface Task {
  id: number;
  file: string;
  timeoutMs: number;
  lang?: Language;
  resolve: (r: BuiltinResult) => void;
  reject: (e: Error) => void;
}

type Reply = { id: number; result: BuiltinResult } | { id: number; error: { message: string } };

export class BuiltinPool {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, { task: Task; timer: NodeJS.Timeout }>();
  private readonly queue: Task[] = [];
  private threads = 0;
  private seq = 0;
  /** Set when a thread could not start: from then on files are checked on the calling thread. */
  private unavailable = false;

  /** `options`: another thread entry and grace (tests: a thread that never answers). */
  constructor(private readonly size: number, private readonly options: { workerFile?: string; graceMs?: number } = {}) {}

  validate(file: string, timeoutMs: number, lang?: Language): Promise<BuiltinResult> {
    if (this.unavailable) return Promise.resolve(validateFile(file, { timeoutMs, lang }));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: ++this.seq, file, timeoutMs, lang, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length) {
      let worker = this.idle.pop();
      if (!worker && this.threads < this.size) worker = this.spawn();
      if (!worker) return;
      this.start(worker, this.queue.shift()!);
    }
  }

  private start(worker: Worker, task: Task): void {
    // A busy thread keeps the process alive until its answer; an idle one does not.
    worker.ref();
    const timer = setTimeout(() => {
      this.busy.delete(worker);
      this.threads -= 1;
      void worker.terminate();
      task.resolve(unreadable({ lang: task.lang }, 'time limit exceeded'));
      this.pump();
    }, task.timeoutMs + (this.options.graceMs ?? GRACE_MS));
    this.busy.set(worker, { task, timer });
    worker.postMessage({ id: task.id, file: task.file, timeoutMs: task.timeoutMs, lang: task.lang });
  }

  private finish(worker: Worker): Task | undefined {
    const held = this.busy.get(worker);
    if (!held) return undefined;
    clearTimeout(held.timer);
    this.busy.delete(worker);
    return held.task;
  }

  private spawn(): Worker {
    this.threads += 1;
    const worker = new Worker(this.options.workerFile ?? WORKER_FILE);
    worker.unref();
    worker.on('message', (reply: Reply) => {
      const task = this.finish(worker);
      if (task) {
        if ('result' in reply) task.resolve(reply.result);
        else task.reject(new Error(reply.error.message));
      }
      worker.unref();
      this.idle.push(worker);
      this.pump();
    });
    worker.on('error', (error) => {
      // A thread that failed to start (or died): its file and the queue are checked here; a
      // thread that died under a file takes only that file with it, reported unreadable.
      const task = this.finish(worker);
      this.threads -= 1;
      const index = this.idle.indexOf(worker);
      if (index >= 0) this.idle.splice(index, 1);
      if (task) task.resolve(unreadable({ lang: task.lang }, error.message.slice(0, 200)));
      if (this.threads === 0 && this.busy.size === 0 && !task) this.fallBack();
      else this.pump();
    });
    return worker;
  }

  private fallBack(): void {
    this.unavailable = true;
    for (const t of this.queue.splice(0)) {
      try {
        t.resolve(validateFile(t.file, { timeoutMs: t.timeoutMs, lang: t.lang }));
      } catch (error) {
        t.reject(error as Error);
      }
    }
  }

  async close(): Promise<void> {
    const all = [...this.idle, ...this.busy.keys()];
    this.idle.length = 0;
    for (const { task, timer } of this.busy.values()) {
      clearTimeout(timer);
      task.reject(new Error('PDF/A checker closed'));
    }
    this.busy.clear();
    this.threads = 0;
    await Promise.all(all.map((w) => w.terminate()));
  }
}

let pool: BuiltinPool | null = null;

/** The built-in checker's verdict on a file, from a pool thread (one per core). */
export function validateFileOnPool(file: string, options: { timeoutMs?: number; lang?: Language } = {}): Promise<BuiltinResult> {
  pool ??= new BuiltinPool(Math.max(1, availableParallelism()));
  return pool.validate(file, options.timeoutMs ?? 60_000, options.lang);
}

/** Stops the pool's threads (tests; the process otherwise exits with them idle and unreferenced). */
export async function closeBuiltinPool(): Promise<void> {
  const p = pool;
  pool = null;
  await p?.close();
}
