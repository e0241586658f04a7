// Re-hashing stored objects on every core: a pool of worker threads, each streaming one file at
// a time through SHA-256 (hash-worker.mjs). Node hashes on the thread that calls update(), so a
// single process with streams uses one core for SHA-256 however many files it reads at once;
// threads use them all (bench/fixity.ts measures it against openssl dgst run on every core).
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

export interface HashResult {
  /** Absent when the file could not be read (see error). */
  sha256?: string;
  size?: number;
  /** ENOENT: the file is missing. */
  error?: { code: string | null; message: string };
}

interface Task {
  id: number;
  path: string;
  resolve: (r: HashResult) => void;
}

const WORKER_URL = new URL('./hash-worker.mjs', import.meta.url);

export class HashPool {
  readonly size: number;
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Task>();
  private readonly queue: Task[] = [];
  private seq = 0;
  private closed = false;

  constructor(threads = availableParallelism()) {
    this.size = Math.max(1, threads);
    for (let i = 0; i < this.size; i++) this.idle.push(this.spawn());
  }

  private spawn(): Worker {
    const worker = new Worker(fileURLToPath(WORKER_URL));
    worker.unref();
    worker.on('message', (msg: { id: number } & HashResult) => {
      const task = this.busy.get(worker);
      this.busy.delete(worker);
      task?.resolve({ ...(msg.sha256 ? { sha256: msg.sha256, size: msg.size } : {}), ...(msg.error ? { error: msg.error } : {}) });
      this.release(worker);
    });
    worker.on('error', (error) => {
      // A thread that died takes its file with it: that file is reported unreadable and a new
      // thread takes the place of the old.
      const task = this.busy.get(worker);
      this.busy.delete(worker);
      task?.resolve({ error: { code: null, message: error.message } });
      if (!this.closed) this.release(this.spawn());
    });
    return worker;
  }

  private release(worker: Worker): void {
    const next = this.queue.shift();
    if (next && !this.closed) {
      this.busy.set(worker, next);
      worker.postMessage({ id: next.id, path: next.path });
    } else this.idle.push(worker);
  }

  /** SHA-256 and size of a file, hashed on a pool thread. */
  hashFile(path: string): Promise<HashResult> {
    if (this.closed) return Promise.reject(new Error('hash pool closed'));
    return new Promise((resolve) => {
      const task: Task = { id: ++this.seq, path, resolve };
      const worker = this.idle.pop();
      if (worker) {
        this.busy.set(worker, task);
        worker.postMessage({ id: task.id, path });
      } else this.queue.push(task);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.queue.splice(0)) t.resolve({ error: { code: null, message: 'hash pool closed' } });
    await Promise.all([...this.idle, ...this.busy.keys()].map((w) => w.terminate()));
    this.idle.length = 0;
  }
}
