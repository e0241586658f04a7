// Runs every benchmark one after another (never side by side: each measures against a
// reference tool in the same run, and two benches sharing the cores would skew both), each in
// its own process, and prints where each one's figures are. Sizes are the issues' own unless
// --quick is given (small sizes to check that every bench still runs).
// Run: npm run bench -- [--quick] [--only name,name]
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? (args[onlyAt + 1] ?? '').split(',').filter(Boolean) : null;

const BENCHES: { name: string; file: string; full: string[]; quick: string[] }[] = [
  { name: 'validator-corpus', file: 'bench/validator-corpus.ts', full: [], quick: [] },
  { name: 'ingest-realworld', file: 'bench/ingest-realworld.ts', full: [], quick: ['--only', 'pdf/issue1'] },
  // Needs veraPDF (node scripts/setup.mjs --test); --quick measures the corpus sample only.
  { name: 'validator-agreement', file: 'bench/validator-agreement.ts', full: [], quick: ['--sets', 'corpus'] },
  { name: 'ingest-mixed', file: 'bench/ingest-mixed.ts', full: ['--docs', '200'], quick: ['--docs', '20'] },
  { name: 'ingest-many', file: 'bench/ingest-many.ts', full: ['--docs', '10000'], quick: ['--docs', '100'] },
  { name: 'ingest-memory', file: 'bench/ingest-memory.ts', full: ['--gb', '2'], quick: ['--gb', '0.05'] },
];

let failed = 0;
for (const bench of BENCHES) {
  if (only && !only.includes(bench.name)) continue;
  const benchArgs = quick ? bench.quick : bench.full;
  process.stderr.write(`\n=== ${bench.name} ${benchArgs.join(' ')}\n`);
  const started = Date.now();
  const r = spawnSync(process.execPath, [path.join(root, 'bin/run-ts.js'), path.join(root, bench.file), ...benchArgs], { cwd: root, stdio: 'inherit' });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status !== 0) failed += 1;
  process.stderr.write(`=== ${bench.name}: ${r.status === 0 ? 'done' : `exit ${r.status ?? r.signal}`} in ${seconds} s\n`);
}
process.exitCode = failed ? 1 : 0;
