// Bounded concurrency for the checks and store writes: the machine has few cores and large
// documents must not sit in memory side by side.
import { availableParallelism } from 'node:os';
import v8 from 'node:v8';
import vm from 'node:vm';

export const CHECK_CONCURRENCY = Math.max(1, Math.min(4, availableParallelism()));
/**
 * Bytes of documents checked at once: the PDF/A check holds a rendition in memory, so a 60–90 MB
 * scan is checked on its own and small documents share the pool up to this total.
 */
export const CHECK_BUDGET_BYTES = 64 * 1024 * 1024;

/**
 * What checking a plain-text document holds on the heap, per byte of the text: its words, the
 * rendition's words and the comparison (a 4 MB text: ≈ 68 MB at the peak); converting it with
 * pdf-lib ≈ 12 per byte (≈ 49 MB). A file's size is the right weight for a PDF/A check (the file
 * is read lazily) but not for these: two 4 MB texts checked beside a third being converted took
 * an ingest's heap to 250 MB while their 4 MB weights fitted the budget many times over.
 */
export const TEXT_CHECK_BYTES_PER_BYTE = 16;
export const TEXT_CONVERT_BYTES_PER_BYTE = 12;

/**
 * A task of this weight or more is followed by a full garbage collection. Large texts leave large
 * strings behind (each normalised or decoded copy of a 4 MB text is 8 MB, allocated straight
 * into the old generation), and V8 lets the old generation grow to several times what is live
 * before it collects: heap snapshots of an ingest at a 250–300 MB heap found 50–60 MB live. One
 * collection after such a task (tens of milliseconds) keeps that garbage from piling up over the
 * next ones.
 */
export const COLLECT_AFTER_BYTES = 16 * 1024 * 1024;
let collector: (() => void) | null | undefined;

/** A full garbage collection, when V8 allows it to be asked for (no-op otherwise). */
export function collectGarbage(): void {
  if (collector === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      collector = vm.runInNewContext('gc') as () => void;
    } catch {
      collector = null;
    }
  }
  collector?.();
}

/**
 * Heap in use above which a step's leftovers are collected at its end. Below it a forced full
 * collection (30–50 ms each, eleven steps) buys nothing for the memory bound; V8 collects such a
 * heap on its own.
 */
export const COLLECT_AFTER_STEP_HEAP_BYTES = 96 * 1024 * 1024;

/** A full garbage collection when the heap in use is above COLLECT_AFTER_STEP_HEAP_BYTES. */
export function collectGarbageIfLarge(): void {
  if (process.memoryUsage().heapUsed > COLLECT_AFTER_STEP_HEAP_BYTES) collectGarbage();
}

/** A check up to this weight runs its PDF/A and text checks side by side (pdfaAndText). */
export const SIDE_BY_SIDE_CHECK_BYTES = 16 * 1024 * 1024;

/**
 * A rendition's PDF/A verdict and, when it is PDF/A, its text check. A light one starts the text
 * check first: pdftotext reads the rendition in its own process while the PDF/A checker works
 * here (a 180-page rendition: 0.8 s and 1.2 s, one after the other before); the text verdict is
 * dropped when the rendition is not PDF/A (its texts stay cached for a next route). A heavy one
 * (a 4 MB text: its words on the heap beside the rendition's objects) runs them one after the
 * other, so the two never hold memory at once.
 */
export async function pdfaAndText<P extends { compliant: boolean }, T>(weight: number, pdfa: () => Promise<P>, text: () => Promise<T>): Promise<{ report: P; text?: T }> {
  if (weight > SIDE_BY_SIDE_CHECK_BYTES) {
    const report = await pdfa();
    return report.compliant ? { report, text: await text() } : { report };
  }
  const reading = text();
  reading.catch(() => undefined); // awaited below, or dropped with a rendition that is not PDF/A
  const report = await pdfa();
  if (!report.compliant) {
    await reading.catch(() => undefined); // nothing of it is left running behind the check's slot
    return { report };
  }
  return { report, text: await reading };
}

/** A check's weight in the budget: the larger of source and rendition, a text source by its heap cost. */
export function checkWeightOf(family: string, sourceBytes: number, renditionBytes: number): number {
  return Math.max(family === 'text' ? sourceBytes * TEXT_CHECK_BYTES_PER_BYTE : sourceBytes, renditionBytes);
}

/**
 * Runs `fn` over items with a small pool: the checks spawn tools and the machine has few
 * cores. Large files run with fewer neighbours (a byte budget), so a transfer of 90 MB scans
 * does not hold several of them in memory at once.
 */
export async function eachLimited<T>(items: T[], limit: number, fn: (item: T, index: number) => Promise<void>, weight: (item: T) => number = () => 0, budget = CHECK_BUDGET_BYTES): Promise<void> {
  const active = new Set<Promise<void>>();
  let activeWeight = 0;
  for (const [i, item] of items.entries()) {
    const w = weight(item);
    while (active.size >= limit || (active.size > 0 && activeWeight + w > budget)) await Promise.race(active);
    activeWeight += w;
    const run: Promise<void> = fn(item, i).finally(() => {
      active.delete(run);
      activeWeight -= w;
      if (w >= COLLECT_AFTER_BYTES) collectGarbage();
    });
    active.add(run);
  }
  await Promise.all(active);
}

/**
 * A pool for work that arrives over time (eachLimited's rule): at most `limit` tasks at once, and a
 * task whose weight would take the running ones over `budget` waits until it fits or runs alone.
 * Tasks start in arrival order.
 */
export function createLimiter(limit: number, budget = Infinity): <T>(weight: number, fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  let activeWeight = 0;
  const queue: { weight: number; start: () => void }[] = [];
  const pump = () => {
    while (queue.length) {
      const head = queue[0]!;
      if (active >= limit || (active > 0 && activeWeight + head.weight > budget)) return;
      queue.shift();
      active += 1;
      activeWeight += head.weight;
      head.start();
    }
  };
  return (weight, fn) =>
    new Promise((resolve, reject) => {
      queue.push({
        weight,
        start: () => {
          void Promise.resolve()
            .then(fn)
            .then(resolve, reject)
            .finally(() => {
              active -= 1;
              activeWeight -= weight;
              if (weight >= COLLECT_AFTER_BYTES) collectGarbage();
              pump();
            });
        },
      });
      pump();
    });
}

/** Runs tasks with at most `limit` at once; `settled()` waits for all, then throws the first failure. */
export class Bounded {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly started: Promise<unknown>[] = [];

  constructor(private readonly limit: number) {}

  run<T>(task: () => Promise<T>): Promise<T> {
    const p = (async () => {
      while (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
      this.active += 1;
      try {
        return await task();
      } finally {
        this.active -= 1;
        this.waiting.shift()?.();
      }
    })();
    this.started.push(p);
    p.catch(() => undefined); // reported by settled()
    return p;
  }

  async settled(): Promise<void> {
    const results = await Promise.allSettled(this.started);
    for (const r of results) if (r.status === 'rejected') throw r.reason;
  }
}
