// The built-in checker against the shipped veraPDF corpus sample: verdict agreement ≥ 97% and,
// for failing files, the expected clause among the reported failures in ≥ 92%.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateBytes } from './builtin';
import { clauseMatches, corpusDir, readCorpus } from './testing/corpus';

const dir = corpusDir();

describe.skipIf(!dir)('PDF/A-1b corpus sample', () => {
  it('agrees with the expected verdicts and clauses', () => {
    const entries = readCorpus(dir!);
    expect(entries.length).toBeGreaterThan(300);
    let agree = 0;
    let failFiles = 0;
    let hits = 0;
    const misses: string[] = [];
    for (const e of entries) {
      const r = validateBytes(readFileSync(e.path), { timeoutMs: 30_000 });
      const verdict = r.compliant ? 'pass' : 'fail';
      if (verdict === e.expected) agree++;
      else misses.push(`${e.file}: ${verdict}`);
      if (e.expected === 'fail') {
        failFiles++;
        if (r.failures.some((f) => clauseMatches(e.clause, f.clause))) hits++;
        else misses.push(`${e.file}: clause ${e.clause} not reported`);
      }
    }
    const agreement = agree / entries.length;
    const clauseRate = hits / failFiles;
    console.log(`agreement ${(agreement * 100).toFixed(1)}%, clause ${(clauseRate * 100).toFixed(1)}%; misses: ${misses.join('; ')}`);
    expect(agreement).toBeGreaterThanOrEqual(0.97);
    expect(clauseRate).toBeGreaterThanOrEqual(0.92);
  }, 300_000);
});
