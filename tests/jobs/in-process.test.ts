// The in-process queue of the embedded catalog: same contract as the server queue — retry with
// backoff, the budget's end handed to onAbandoned, no retry for a permanent failure, one job per
// key, cancellation of waiting and running jobs, and a stop that hands a job back.
import { describe, expect, it } from 'vitest';
import { InProcessQueue, PermanentJobError, backoffMs, type JobDefinition } from '../../jobs';

function job(name: string, maxAttempts: number, run: JobDefinition<{ n: number }>['run'], abandoned: string[] = []): JobDefinition<{ n: number }> {
  return { name, maxAttempts, run, onAbandoned: async (p, reason, error) => void abandoned.push(`${p.n}:${reason}:${error}`) };
}

describe('in-process job queue', () => {
  it('retries a failing job after the backoff and succeeds', async () => {
    const queue = new InProcessQueue();
    const tries: number[] = [];
    const started = Date.now();
    const def = job('t.retry', 3, async (_p, ctx) => {
      tries.push(ctx.attempt);
      if (ctx.attempt === 1) throw new Error('tool crashed');
    });
    await queue.enqueue(def, { n: 1 });
    const worker = await queue.work([def], { once: false });
    await queue.idle();
    await new Promise((r) => setTimeout(r, backoffMs(1) + 500));
    await queue.idle();
    await worker.stop();
    expect(tries).toEqual([1, 2]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(backoffMs(1));
  }, 20_000);

  it('hands a job whose budget is spent to onAbandoned, and never retries a permanent failure', async () => {
    const queue = new InProcessQueue();
    const abandoned: string[] = [];
    let permanentTries = 0;
    const failing = job('t.fail', 1, async () => { throw new Error('disk full'); }, abandoned);
    const permanent = job('t.perm', 5, async () => { permanentTries++; throw new PermanentJobError('bad package'); }, abandoned);
    await queue.enqueue(failing, { n: 1 });
    await queue.enqueue(permanent, { n: 2 });
    const worker = await queue.work([failing, permanent], { once: true });
    await worker.done;
    expect(abandoned).toEqual(['1:failed:disk full']);
    expect(permanentTries).toBe(1);
  });

  it('keeps one job per key and cancels waiting and running jobs', async () => {
    const queue = new InProcessQueue();
    const seen: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const def = job('t.key', 3, async (p, ctx) => {
      seen.push(p.n);
      if (p.n === 1) {
        await Promise.race([gate, new Promise((r) => ctx.signal.addEventListener('abort', r))]);
        if (ctx.signal.aborted) throw new Error('stopped');
      }
    });
    await queue.enqueue(def, { n: 1 }, { key: 'a' });
    await queue.enqueue(def, { n: 9 }, { key: 'a' });
    await queue.enqueue(def, { n: 2 }, { key: 'b' });
    expect(await queue.depth()).toEqual({ 't.key': 2 });
    const worker = await queue.work([def]);
    await new Promise((r) => setTimeout(r, 50));
    expect(await queue.cancel(def, 'b')).toBe('removed');
    expect(await queue.cancel(def, 'a')).toBe('requested');
    expect(await queue.cancel(def, 'zzz')).toBe('none');
    release();
    await queue.idle();
    await worker.stop();
    // The cancelled running job is not retried; the waiting one never ran.
    expect(seen).toEqual([1]);
  });

  it('a stop hands the running job back untouched for the next start', async () => {
    const queue = new InProcessQueue();
    const attempts: number[] = [];
    const def = job('t.stop', 3, async (_p, ctx) => {
      attempts.push(ctx.attempt);
      if (attempts.length === 1) {
        await new Promise((r) => ctx.signal.addEventListener('abort', r));
        throw new Error('stopped between steps');
      }
    });
    await queue.enqueue(def, { n: 1 });
    const first = await queue.work([def]);
    await new Promise((r) => setTimeout(r, 50));
    await first.stop();
    const second = await queue.work([def], { once: true });
    await second.done;
    expect(attempts).toEqual([1, 1]);
  });
});
