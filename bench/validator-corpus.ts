// PDF/A-1b validator against the shipped veraPDF corpus sample: verdict agreement, clause hits
// for failing files, per-clause confusion, and throughput beside `qpdf --check` on the same files.
// Run: npm run bench:validator-corpus -- [corpusDir] [--list] [--json]  (or node bin/run-ts.js bench/validator-corpus.ts …);
// --json prints one JSON object on stdout and the table on stderr.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { validateBytes } from '../validators/pdfa/builtin';
import { findTool, runTool } from '../common/process';
import { DEFAULT_CORPUS, clauseMatches, readCorpus } from '../validators/pdfa/testing/corpus';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const dir = path.resolve(args.find((a) => !a.startsWith('--')) ?? process.env.MURAGAT_PDFA_CORPUS ?? DEFAULT_CORPUS);
  const list = args.includes('--list');
  const json = args.includes('--json');
  const say = json ? console.error : console.log;
  if (!existsSync(path.join(dir, 'expected.csv'))) throw new Error(`no corpus at ${dir}`);
  const entries = readCorpus(dir);
  let agree = 0;
  let failFiles = 0;
  let clauseHits = 0;
  let bytes = 0;
  const confusion = new Map<string, { pass: number; fail: number; unreadable: number; misses: string[] }>();
  const started = performance.now();
  for (const e of entries) {
    const data = readFileSync(e.path);
    bytes += data.length;
    const r = validateBytes(data, { timeoutMs: 30_000 });
    const verdict = r.compliant ? 'pass' : 'fail';
    const clause = e.clause;
    const key = `${clause} (${e.expected})`;
    const row = confusion.get(key) ?? { pass: 0, fail: 0, unreadable: 0, misses: [] };
    confusion.set(key, row);
    if (r.unreadable) row.unreadable++;
    else row[verdict]++;
    const ok = verdict === e.expected;
    if (ok) agree++;
    let hit = true;
    if (e.expected === 'fail') {
      failFiles++;
      hit = r.failures.some((f) => clauseMatches(clause, f.clause));
      if (hit) clauseHits++;
    }
    if (!ok || !hit) {
      const got = r.failures.map((f) => `${f.rule}${f.location ? '@' + f.location : ''}`).join(', ') || '-';
      row.misses.push(`${e.file}: ${verdict}${ok ? ' (clause missed)' : ''} [${got.slice(0, 300)}]`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const mb = bytes / 1024 / 1024;

  let qpdfSeconds: number | null = null;
  if (await findTool('qpdf')) {
    const q0 = performance.now();
    for (const e of entries) await runTool('qpdf', ['--check', e.path], { timeoutMs: 30_000 }).catch(() => null);
    qpdfSeconds = (performance.now() - q0) / 1000;
  }

  const pct = (a: number, b: number) => (b ? ((100 * a) / b).toFixed(1) : '0.0');
  say(`PDF/A-1b corpus: ${entries.length} files (${mb.toFixed(1)} MB) from ${dir}`);
  say(`verdict agreement: ${agree}/${entries.length} = ${pct(agree, entries.length)}% (target ≥ 97%)`);
  say(`clause hit (fail files): ${clauseHits}/${failFiles} = ${pct(clauseHits, failFiles)}% (target ≥ 92%)`);
  say(`builtin: ${seconds.toFixed(2)} s, ${(entries.length / seconds).toFixed(1)} files/s, ${(mb / seconds).toFixed(2)} MB/s`);
  if (qpdfSeconds !== null) {
    say(`qpdf --check: ${qpdfSeconds.toFixed(2)} s, ${(entries.length / qpdfSeconds).toFixed(1)} files/s, ${(mb / qpdfSeconds).toFixed(2)} MB/s`);
    say(`throughput ratio builtin/qpdf: ${(qpdfSeconds / seconds).toFixed(2)}× (qpdf spawns one process per file)`);
  } else say('qpdf not installed: no comparison');
  say('\nexpected clause (verdict) → builtin pass / fail / unreadable');
  for (const [key, row] of [...confusion.entries()].sort()) {
    say(`  ${key.padEnd(22)} ${String(row.pass).padStart(4)} ${String(row.fail).padStart(4)} ${String(row.unreadable).padStart(4)}`);
    if (list || row.misses.length <= 3) for (const m of row.misses) say(`      miss ${m}`);
    else say(`      ${row.misses.length} misses (--list to show)`);
  }
  if (json) {
    const rate = (s: number | null) => (s ? { seconds: s, filesPerSecond: entries.length / s, mbPerSecond: mb / s } : null);
    console.log(
      JSON.stringify({
        corpus: dir,
        files: entries.length,
        megabytes: mb,
        agreement: { agree, files: entries.length, rate: agree / entries.length },
        clauseHit: { hits: clauseHits, failFiles, rate: failFiles ? clauseHits / failFiles : 0 },
        builtin: rate(seconds),
        qpdf: rate(qpdfSeconds),
        confusion: Object.fromEntries([...confusion.entries()].sort()),
      }),
    );
  }
}

if (process.argv[1] && /validator-corpus\.ts$/.test(process.argv[1])) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 2;
  });
}
