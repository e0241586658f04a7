// The built-in checker against the shipped veraPDF corpus sample: verdicts against the corpus's
// expected ones (file names), and verdicts and failed clauses against what veraPDF 1.28.2 itself
// reports on these files (testdata/corpus-verapdf.csv, recorded by
// `npm run bench:validator-agreement -- --sets corpus --record`). The clause numbers of the file
// names are older than veraPDF's profile (6.7.2 for schema validity, now 6.7.9), so clauses are
// compared with veraPDF's report, not with the names.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validateBytes } from './builtin';
import { corpusDir, readCorpus } from './testing/corpus';

const dir = corpusDir();
const recorded = new Map(
  readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata', 'corpus-verapdf.csv'), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#') && !l.startsWith('file,'))
    .map((l) => {
      const [file = '', verdict = '', clauses = ''] = l.split(',');
      return [file, { verdict, clauses: clauses.split(' ').filter(Boolean) }] as const;
    }),
);

describe.skipIf(!dir)('PDF/A-1b corpus sample', () => {
  it('agrees with the expected verdicts and with veraPDF on verdicts and failed clauses', () => {
    const entries = readCorpus(dir!);
    expect(entries.length).toBeGreaterThan(300);
    let agree = 0;
    let compared = 0;
    let veraVerdicts = 0;
    let veraClauses = 0;
    const misses: string[] = [];
    for (const e of entries) {
      const r = validateBytes(readFileSync(e.path), { timeoutMs: 30_000 });
      const verdict = r.compliant ? 'pass' : 'fail';
      if (verdict === e.expected) agree++;
      else misses.push(`${e.file}: ${verdict}, expected ${e.expected}`);
      const vera = recorded.get(e.file);
      if (!vera) continue;
      compared++;
      if ((vera.verdict === 'pass') === r.compliant) veraVerdicts++;
      const clauses = [...new Set(r.failures.map((f) => f.clause))].sort().join(' ');
      if (clauses === [...vera.clauses].sort().join(' ')) veraClauses++;
      else misses.push(`${e.file}: clauses ${clauses || '—'}, veraPDF ${vera.clauses.join(' ') || '—'}`);
    }
    const pct = (n: number, of: number) => `${((n / of) * 100).toFixed(1)}%`;
    console.log(`expected verdicts ${pct(agree, entries.length)}; veraPDF verdicts ${pct(veraVerdicts, compared)}, clause sets ${pct(veraClauses, compared)} of ${compared}; misses: ${misses.join('; ')}`);
    expect(agree / entries.length).toBeGreaterThanOrEqual(0.99);
    expect(compared).toBe(entries.length);
    expect(veraVerdicts / compared).toBeGreaterThanOrEqual(0.99);
    expect(veraClauses / compared).toBeGreaterThanOrEqual(0.97);
  }, 300_000);
});
