// Robustness: 2,000+ mutants of real and hand-built PDFs (seeded, so failures reproduce), run in
// a child process with a total time limit. Every mutant must yield a verdict or `unreadable`:
// no exception, no hang, no malformed report.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FuzzSummary } from './testing/fuzz-run';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('PDF/A checker on mutated files', () => {
  it('never throws or hangs on 2,400 mutants', () => {
    const perFileMs = 2000;
    const r = spawnSync(process.execPath, ['bin/run-ts.js', 'validators/pdfa/testing/fuzz-run.ts', '20261122', '2400', String(perFileMs)], {
      cwd: root,
      encoding: 'utf8',
      timeout: 280_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    expect(r.error, `child did not finish: ${r.error?.message} ${r.stderr}`).toBeUndefined();
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').pop()!) as FuzzSummary;
    console.log(JSON.stringify({ ...summary, thrown: summary.thrown.length }));
    expect(summary.mutants).toBe(2400);
    expect(summary.thrown).toEqual([]);
    expect(summary.malformed).toBe(0);
    expect(summary.pass + summary.fail + summary.unreadable).toBe(2400);
    // The cooperative deadline bounds every file; allow scheduling slack on a busy machine.
    expect(summary.maxMs).toBeLessThan(perFileMs + 3000);
  }, 300_000);
});
