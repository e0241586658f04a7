// The built-in checker on worker threads: the same verdicts as on the calling thread (real files
// of the veraPDF corpus sample), the event loop free meanwhile, the verdicts in the order asked,
// and a thread that never answers terminated and its file reported unreadable.
import { describe, it, expect, afterAll } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BuiltinPool, closeBuiltinPool, validateFileOnPool } from './builtin-pool';
import { validateFile } from './builtin';
import { validatePdfAFiles } from './index';
import { corpusDir, readCorpus } from './testing/corpus';

const dir = corpusDir();
const corpus = dir ? readCorpus(dir) : [];
const sample = [...corpus.filter((c) => c.expected === 'pass').slice(0, 3), ...corpus.filter((c) => c.expected === 'fail').slice(0, 5)].map((c) => c.path);

afterAll(async () => {
  await closeBuiltinPool();
});

describe('built-in PDF/A checker on worker threads', () => {
  it.skipIf(!dir)('gives the verdicts the calling thread gives, in the order asked', async () => {
    expect(sample.length).toBe(8);
    const onPool = await Promise.all(sample.map((f) => validateFileOnPool(f, { timeoutMs: 30_000 })));
    expect(onPool).toEqual(sample.map((f) => validateFile(f, { timeoutMs: 30_000 })));
    expect(onPool.slice(0, 3).every((r) => r.compliant)).toBe(true);
    expect(onPool.slice(3).every((r) => !r.compliant && r.failures.length > 0)).toBe(true);
    const reports = await validatePdfAFiles(sample, { engine: 'builtin' });
    expect(reports.map((r) => [path.basename(r.file), r.compliant])).toEqual(sample.map((f, i) => [path.basename(f), onPool[i]!.compliant]));
  }, 120_000);

  it.skipIf(!dir)('leaves the event loop free while it checks', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      for (let round = 0; round < 3; round++) await Promise.all(sample.map((f) => validateFileOnPool(f, { timeoutMs: 30_000 })));
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThan(0);
  }, 120_000);

  it('terminates a thread that never answers and reports its file unreadable, then goes on', async () => {
    const work = await mkdtemp(path.join(tmpdir(), 'muragat-pool-'));
    try {
      // A thread that answers every file but "hang.pdf".
      const entry = path.join(work, 'stuck-worker.mjs');
      await writeFile(entry, `import { parentPort } from 'node:worker_threads';
parentPort.on('message', ({ id, file }) => { if (!file.endsWith('hang.pdf')) parentPort.postMessage({ id, result: { compliant: true, unreadable: false, failures: [] } }); });
`);
      const pool = new BuiltinPool(1, { workerFile: entry, graceMs: 200 });
      try {
        const started = Date.now();
        const [hung, next] = await Promise.all([pool.validate(path.join(work, 'hang.pdf'), 300, 'ru'), pool.validate(path.join(work, 'after.pdf'), 300)]);
        expect(hung).toMatchObject({ compliant: false, unreadable: true });
        expect(hung.failures[0]!.message).toMatch(/time limit exceeded/);
        expect(next).toEqual({ compliant: true, unreadable: false, failures: [] });
        expect(Date.now() - started).toBeLessThan(10_000);
      } finally {
        await pool.close();
      }
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }, 30_000);
});
