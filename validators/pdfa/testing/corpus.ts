// The PDF/A-1b sample corpus (../shared/corpus/pdfa-1b): expected verdicts and clauses, and the
// agreement measure shared by the corpus test and the benchmark.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface CorpusEntry {
  file: string;
  path: string;
  expected: 'pass' | 'fail';
  clause: string;
}

export const DEFAULT_CORPUS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/corpus/pdfa-1b');

export function corpusDir(): string | null {
  const dir = process.env.MURAGAT_PDFA_CORPUS ?? DEFAULT_CORPUS;
  return existsSync(path.join(dir, 'expected.csv')) ? dir : null;
}

export function readCorpus(dir: string): CorpusEntry[] {
  const lines = readFileSync(path.join(dir, 'expected.csv'), 'utf8').trim().split(/\r?\n/).slice(1);
  return lines
    .map((l) => {
      const [file = '', expected = '', clause = ''] = l.split(',');
      const entry: CorpusEntry = { file, path: path.join(dir, 'files', file), expected: expected as 'pass' | 'fail', clause: '' };
      entry.clause = expectedClause(file, clause);
      return entry;
    })
    .filter((e) => existsSync(e.path));
}

/** The CSV clause, or the one in the file name for rows marked "veraPDF" (6-9-t01 → 6.9). */
export function expectedClause(file: string, clause: string): string {
  if (/^\d/.test(clause)) return clause;
  const m = /(\d+(?:-\d+)+)-t\d+/.exec(file);
  return m ? m[1]!.replace(/-/g, '.') : clause;
}

/** A reported clause names the expected one when equal or one contains the other (6.2.3 ⊃ 6.2.3.3). */
export function clauseMatches(expected: string, reported: string): boolean {
  return reported === expected || reported.startsWith(expected + '.') || expected.startsWith(reported + '.');
}
