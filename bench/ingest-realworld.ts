// Real-world conversion bench: every non-encrypted office, PDF, image and text file of the
// realworld-dev corpus (PDF.js and Apache POI test files, /work/shared/corpus/realworld-dev) goes
// through the same functions the pipeline's convert, validate and reproducibility steps call:
// identifyFormat → converter.convertMany → validatePdfA → checkReproducibility. A file counts as
// accepted when its rendition is PDF/A-1b and reproduces the source. Prints the acceptance rate
// per corpus (and per top folder of each) and combined, the routes taken and each failure with
// its reason and route. Several corpora are converted in one run (one converter, as one transfer).
// Run: npm run bench:ingest-realworld -- [--corpus DIR]… [--only SUBSTRING] [--files LIST] [--json] [--keep]
// The public corpus: npm run bench:fetch-public-corpus, then --corpus .tools/corpus-public.
import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { identifyFormat, type FormatId } from '../ingest/scan';
import { createConverter, checkReproducibility, type ConversionResult } from '../ingest/convert';
import { validatePdfA } from '../validators/pdfa';
import { mkdtemp } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';

// Small helpers of its own rather than bench/ingest-common's: that module loads the whole
// pipeline and a catalog, which this bench does not use.
const argv = process.argv.slice(2);
const flags = {
  json: argv.includes('--json'),
  keep: argv.includes('--keep'),
  str(name: string): string | undefined {
    return this.all(name)[0];
  },
  all(name: string): string[] {
    const out: string[] = [];
    argv.forEach((a, i) => {
      if (a === `--${name}` && argv[i + 1] !== undefined) out.push(argv[i + 1]!);
      else if (a.startsWith(`--${name}=`)) out.push(a.slice(name.length + 3));
    });
    return out;
  },
};
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const secondsSince = (t0: number) => (performance.now() - t0) / 1000;
function table(rows: (string | number)[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows.map((r) => r.map((v, c) => String(v).padEnd(widths[c]!)).join('  ').trimEnd()).join('\n');
}

const corpora = (flags.all('corpus').length ? flags.all('corpus') : [process.env.MURAGAT_REALWORLD_DIR ?? '/work/shared/corpus/realworld-dev']).map((c) => path.resolve(c));
const only = flags.str('only');
// --files a.pdf,b.docx (paths relative to the corpus, or a file listing one per line): rerun just those.
const filesFlag = flags.str('files');

interface Row {
  corpus: string;
  file: string;
  /** Routes tried before the kept one: "route: first reason". */
  fallbacks: string[];
  format: string;
  route: string;
  accepted: boolean;
  stage: 'identify' | 'convert' | 'pdfa' | 'reproducibility' | 'ok';
  reason: string;
  activeContent: string[];
  seconds: number;
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    // Dot folders hold fetched archives (.tools/corpus-public/.archives), not documents.
    if (e.isDirectory() && !e.name.startsWith('.')) out.push(...(await listFiles(p)));
    else if (e.isFile() && !/^(README|LICEN[CS]E|NOTICE|SOURCES\.md$|COPYING)/i.test(e.name)) out.push(p);
  }
  return out.sort();
}

function routeOf(r: ConversionResult): string {
  return r.route ?? r.method;
}

async function main(): Promise<void> {
  for (const corpus of corpora) {
    if (existsSync(corpus)) continue;
    process.stderr.write(`bench:ingest-realworld: corpus folder ${corpus} not found (set --corpus or MURAGAT_REALWORLD_DIR${corpus.includes('corpus-public') ? '; npm run bench:fetch-public-corpus fetches the public one' : ''})\n`);
    process.exitCode = 2;
    return;
  }
  const t0 = performance.now();
  let wanted: Set<string> | null = null;
  if (filesFlag) {
    const list = existsSync(filesFlag) ? (await readFile(filesFlag, 'utf8')).split('\n') : filesFlag.split(',');
    wanted = new Set(list.map((x) => x.trim()).filter(Boolean));
  }
  const files: { corpus: string; file: string }[] = [];
  for (const corpus of corpora) {
    for (const f of await listFiles(corpus)) if ((!only || f.includes(only)) && (!wanted || wanted.has(path.relative(corpus, f)))) files.push({ corpus, file: f });
  }
  const identified: { corpus: string; file: string; format: FormatId }[] = [];
  const encrypted = new Map<string, number>();
  const other = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  for (const { corpus, file } of files) {
    const format = await identifyFormat(file);
    if (format.encrypted) bump(encrypted, corpus);
    else if (['office', 'pdf', 'image', 'text'].includes(format.family)) identified.push({ corpus, file, format });
    else bump(other, corpus);
  }
  const root = await mkdtemp(path.join(process.env.MURAGAT_BENCH_DIR ?? tmpdir(), 'muragat-bench-realworld-'));
  const converter = createConverter({ workDir: path.join(root, 'convert') });
  const rows: Row[] = [];
  try {
    const started = new Map<number, number>();
    const items = identified.map((x, i) => {
      started.set(i, performance.now());
      return { path: x.file, format: x.format, outPath: path.join(root, 'renditions', `${i}.pdf`) };
    });
    const results = await converter.convertMany(items);
    const convertSeconds = secondsSince(t0);
    // The checks the pipeline's validate and reproducibility steps make, two at a time.
    let next = 0;
    const check = async () => {
      while (next < items.length) {
        const i = next++;
        const item = items[i]!;
        const r = results[i]!;
        const corpus = identified[i]!.corpus;
        const rel = path.relative(corpus, item.path);
        const base = {
          corpus,
          file: rel,
          format: item.format.name,
          route: routeOf(r),
          activeContent: r.activeContent?.map((a) => a.kind) ?? [],
          fallbacks: (r.attempts ?? []).map((a) => `${a.route}: ${a.problems[0]?.message ?? ''}`.slice(0, 200)),
        };
        const t = performance.now();
        if (!r.ok) {
          rows.push({ ...base, accepted: false, stage: 'convert', reason: r.problems.map((p) => p.message).join(' | ') || 'conversion failed', seconds: 0 });
          continue;
        }
        if (r.checks) {
          // The converter already validated and checked this rendition (it does so to choose a fallback).
          const ok = r.checks.pdfa.compliant && !!r.checks.reproducibility?.ok;
          rows.push({
            ...base,
            accepted: ok,
            stage: !r.checks.pdfa.compliant ? 'pdfa' : !r.checks.reproducibility?.ok ? 'reproducibility' : 'ok',
            reason: !r.checks.pdfa.compliant
              ? r.checks.pdfa.failures.slice(0, 3).map((f) => `${f.clause} ${f.message}`).join(' | ')
              : (r.checks.reproducibility?.problems ?? []).map((p) => p.message).join(' | '),
            seconds: (performance.now() - t) / 1000,
          });
          continue;
        }
        const pdfa = await validatePdfA(item.outPath, { file: rel });
        if (!pdfa.compliant) {
          rows.push({ ...base, accepted: false, stage: 'pdfa', reason: pdfa.failures.slice(0, 3).map((f) => `${f.clause} ${f.message}`).join(' | '), seconds: (performance.now() - t) / 1000 });
          continue;
        }
        const repro = await checkReproducibility(item.path, item.format, item.outPath);
        rows.push({ ...base, accepted: repro.ok, stage: repro.ok ? 'ok' : 'reproducibility', reason: repro.problems.map((p) => p.message).join(' | '), seconds: (performance.now() - t) / 1000 });
      }
    };
    await Promise.all([check(), check()]);
    rows.sort((a, b) => a.corpus.localeCompare(b.corpus) || a.file.localeCompare(b.file));
    const accepted = rows.filter((r) => r.accepted).length;
    const routes: Record<string, number> = {};
    for (const r of rows) if (r.accepted) routes[r.route] = (routes[r.route] ?? 0) + 1;
    const active: Record<string, number> = {};
    for (const r of rows) for (const k of r.activeContent) active[k] = (active[k] ?? 0) + 1;
    const failures = rows.filter((r) => !r.accepted);
    const sum = (m: Map<string, number>) => [...m.values()].reduce((x, y) => x + y, 0);
    const rate = (ok: number, n: number) => (n ? Number((ok / n).toFixed(4)) : 0);
    // Per corpus, and per top folder of a corpus (a source of the public corpus, office/pdf of realworld-dev).
    const perCorpus = corpora.map((corpus) => {
      const mine = rows.filter((r) => r.corpus === corpus);
      const folders: Record<string, { tried: number; accepted: number }> = {};
      for (const r of mine) {
        const top = r.file.includes('/') ? r.file.split('/')[0]! : '.';
        const f = (folders[top] ??= { tried: 0, accepted: 0 });
        f.tried += 1;
        if (r.accepted) f.accepted += 1;
      }
      const ok = mine.filter((r) => r.accepted).length;
      return { corpus, files: files.filter((f) => f.corpus === corpus).length, encrypted: encrypted.get(corpus) ?? 0, otherFormats: other.get(corpus) ?? 0, tried: mine.length, accepted: ok, rate: rate(ok, mine.length), folders };
    });
    const summary = {
      corpora: perCorpus,
      files: files.length,
      encrypted: sum(encrypted),
      otherFormats: sum(other),
      tried: rows.length,
      accepted,
      rate: rate(accepted, rows.length),
      routes,
      activeContent: active,
      convertSeconds: Number(convertSeconds.toFixed(1)),
      totalSeconds: Number(secondsSince(t0).toFixed(1)),
      load: load(),
      failures: failures.map(({ corpus, file, format, route, stage, reason, fallbacks }) => ({ corpus, file, format, route, stage, reason, fallbacks })),
      fallbacks: rows.filter((r) => r.accepted && r.fallbacks.length).map(({ corpus, file, route, fallbacks }) => ({ corpus, file, route, fallbacks })),
    };
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    } else {
      process.stdout.write('Real-world conversion\n');
      const pct = (r: number) => `${(r * 100).toFixed(1)}%`;
      process.stdout.write(`${table([
        ['corpus', 'files', 'encrypted', 'other formats', 'tried', 'accepted', 'rate'],
        ...perCorpus.flatMap((c) => [
          [c.corpus, c.files, c.encrypted, c.otherFormats, c.tried, c.accepted, pct(c.rate)],
          ...(Object.keys(c.folders).length > 1 ? Object.entries(c.folders).map(([f, v]) => [`  ${f}`, '', '', '', v.tried, v.accepted, pct(rate(v.accepted, v.tried))]) : []),
        ]),
        ...(perCorpus.length > 1 ? [['combined', files.length, summary.encrypted, summary.otherFormats, rows.length, accepted, pct(summary.rate)]] : []),
      ])}\n`);
      process.stdout.write(`accepted ${accepted} of ${rows.length} (${pct(summary.rate)}) in ${summary.totalSeconds} s (conversion ${summary.convertSeconds} s), load ${summary.load}\n`);
      process.stdout.write(`routes of accepted files: ${Object.entries(routes).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
      if (Object.keys(active).length) process.stdout.write(`active content reported: ${Object.entries(active).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
      if (summary.fallbacks.length) {
        process.stdout.write('\naccepted after a fallback:\n');
        process.stdout.write(`${table([['file', 'route', 'routes that failed first'], ...summary.fallbacks.map((f) => [path.join(path.basename(f.corpus), f.file), f.route, f.fallbacks.map((x) => x.slice(0, 90)).join(' || ')])])}\n`);
      }
      if (failures.length) {
        process.stdout.write('\nfailures:\n');
        process.stdout.write(`${table([['file', 'format', 'route', 'stage', 'reason'], ...failures.map((f) => [path.join(path.basename(f.corpus), f.file), f.format, f.route, f.stage, f.reason.slice(0, 160)])])}\n`);
      }
    }
  } finally {
    await converter.close();
    if (!flags.keep) await rm(root, { recursive: true, force: true });
    else process.stderr.write(`kept ${root}\n`);
  }
}

await main();
