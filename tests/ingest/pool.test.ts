// The checks' pool: count and byte budget, text weighed by its heap cost, and the collection
// after a large task that keeps a transfer's garbage from piling up.
import { describe, it, expect } from 'vitest';
import { COLLECT_AFTER_BYTES, TEXT_CHECK_BYTES_PER_BYTE, checkWeightOf, collectGarbage, createLimiter } from '../../ingest/pipeline/pool';

const MB = 1024 * 1024;
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('createLimiter', () => {
  it('runs at most `limit` tasks and keeps the running ones within the byte budget; a task over it runs alone', async () => {
    const slot = createLimiter(2, 64 * MB);
    let running = 0;
    let most = 0;
    const seen: number[][] = [];
    const now: number[] = [];
    const task = (id: number) => async () => {
      running += 1;
      now.push(id);
      most = Math.max(most, running);
      seen.push([...now]);
      await tick();
      now.splice(now.indexOf(id), 1);
      running -= 1;
      return id;
    };
    const results = await Promise.all([slot(1 * MB, task(1)), slot(40 * MB, task(2)), slot(40 * MB, task(3)), slot(100 * MB, task(4)), slot(1 * MB, task(5))]);
    expect(results).toEqual([1, 2, 3, 4, 5]);
    expect(most).toBe(2);
    // 2 and 3 (80 MB together) never ran at once, and 4 (over the budget) ran alone.
    for (const set of seen) {
      expect(set.includes(2) && set.includes(3)).toBe(false);
      if (set.includes(4)) expect(set).toEqual([4]);
    }
  });
});

describe('checkWeightOf', () => {
  it('weighs a text source by its heap cost and anything else by the larger file', () => {
    expect(checkWeightOf('text', 4 * MB, 1 * MB)).toBe(4 * MB * TEXT_CHECK_BYTES_PER_BYTE);
    expect(checkWeightOf('pdf', 60 * MB, 61 * MB)).toBe(61 * MB);
    expect(checkWeightOf('office', 2 * MB, 1 * MB)).toBe(2 * MB);
  });
});

describe('collectGarbage', () => {
  it('frees what is no longer referenced, at once', () => {
    let garbage: { i: number; s: string }[] | null = Array.from({ length: 500_000 }, (_, i) => ({ i, s: `ж${i}` }));
    expect(garbage.length).toBe(500_000);
    garbage = null;
    const before = process.memoryUsage().heapUsed;
    collectGarbage();
    expect(before - process.memoryUsage().heapUsed).toBeGreaterThan(20 * MB);
  });

  it('follows a task as heavy as COLLECT_AFTER_BYTES', async () => {
    let garbage: { i: number }[] | null = null;
    let before = 0;
    await createLimiter(1)(COLLECT_AFTER_BYTES, async () => {
      garbage = Array.from({ length: 500_000 }, (_, i) => ({ i }));
      garbage = null;
      before = process.memoryUsage().heapUsed;
    });
    await tick(); // the pool's own bookkeeping (and the collection) follows the task's result
    expect(garbage).toBeNull();
    expect(before - process.memoryUsage().heapUsed).toBeGreaterThan(10 * MB);
  });
});
