// Real-world conversion bench: every non-encrypted office, PDF, image and text file of the
// realworld-dev corpus (PDF.js and Apache POI test files, /work/shared/corpus/realworld-dev) goes
// through the same functions the pipeline's convert, validate and reproducibility steps call:
// identifyFormat → converter.convertMany → validatePdfA → checkReproducibility. A file counts as
// accepted when its rendition is PDF/A-1b and reproduces the source. Prints the acceptance rate,
// the routes taken and each failure with its reason and route.
// Run: npm run bench:ingest-realworld -- [--corpus DIR] [--only SUBSTRING] [--files LIST] [--json] [--keep]
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
    const i = argv.indexOf(`--${name}`);
    if (i >= 0) return argv[i + 1];
    return argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  },
};
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const secondsSince = (t0: number) => (performance.now() - t0) / 1000;
function table(rows: (string | number)[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows.map((r) => r.map((v, c) => String(v).padEnd(widths[c]!)).join('  ').trimEnd()).join('\n');
}

const corpus = path.resolve(flags.str('corpus') ?? process.env.MURAGAT_REALWORLD_DIR ?? '/work/shared/corpus/realworld-dev');
const only = flags.str('only');
// --files a.pdf,b.docx (paths relative to the corpus, or a file listing one per line): rerun just those.
const filesFlag = flags.str('files');

interface Row {
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
    if (e.isDirectory()) out.push(...(await listFiles(p)));
    else if (e.isFile() && !/^(README|LICEN[CS]E|NOTICE)/i.test(e.name)) out.push(p);
  }
  return out.sort();
}

function routeOf(r: ConversionResult): string {
  return r.route ?? r.method;
}

async function main(): Promise<void> {
  if (!existsSync(corpus)) {
    process.stderr.write(`bench:ingest-realworld: corpus folder ${corpus} not found (set --corpus or MURAGAT_REALWORLD_DIR)\n`);
    process.exitCode = 2;
    return;
  }
  const t0 = performance.now();
  let wanted: Set<string> | null = null;
  if (filesFlag) {
    const list = existsSync(filesFlag) ? (await readFile(filesFlag, 'utf8')).split('\n') : filesFlag.split(',');
    wanted = new Set(list.map((x) => x.trim()).filter(Boolean));
  }
  const files = (await listFiles(corpus)).filter((f) => (!only || f.includes(only)) && (!wanted || wanted.has(path.relative(corpus, f))));
  const identified: { file: string; format: FormatId }[] = [];
  let encrypted = 0;
  let other = 0;
  for (const file of files) {
    const format = await identifyFormat(file);
    if (format.encrypted) encrypted += 1;
    else if (['office', 'pdf', 'image', 'text'].includes(format.family)) identified.push({ file, format });
    else other += 1;
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
        const rel = path.relative(corpus, item.path);
        const base = {
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
    rows.sort((a, b) => a.file.localeCompare(b.file));
    const accepted = rows.filter((r) => r.accepted).length;
    const routes: Record<string, number> = {};
    for (const r of rows) if (r.accepted) routes[r.route] = (routes[r.route] ?? 0) + 1;
    const active: Record<string, number> = {};
    for (const r of rows) for (const k of r.activeContent) active[k] = (active[k] ?? 0) + 1;
    const failures = rows.filter((r) => !r.accepted);
    const summary = {
      corpus,
      files: files.length,
      encrypted,
      otherFormats: other,
      tried: rows.length,
      accepted,
      rate: rows.length ? accepted / rows.length : 0,
      routes,
      activeContent: active,
      convertSeconds: Number(convertSeconds.toFixed(1)),
      totalSeconds: Number(secondsSince(t0).toFixed(1)),
      load: load(),
      failures: failures.map(({ file, format, route, stage, reason, fallbacks }) => ({ file, format, route, stage, reason, fallbacks })),
      fallbacks: rows.filter((r) => r.accepted && r.fallbacks.length).map(({ file, route, fallbacks }) => ({ file, route, fallbacks })),
    };
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    } else {
      process.stdout.write(`Real-world conversion (${corpus})\n`);
      process.stdout.write(`${files.length} files: ${encrypted} encrypted, ${other} of other formats, ${rows.length} tried\n`);
      process.stdout.write(`accepted ${accepted} of ${rows.length} (${(summary.rate * 100).toFixed(1)}%) in ${summary.totalSeconds} s (conversion ${summary.convertSeconds} s), load ${summary.load}\n`);
      process.stdout.write(`routes of accepted files: ${Object.entries(routes).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
      if (Object.keys(active).length) process.stdout.write(`active content reported: ${Object.entries(active).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
      if (summary.fallbacks.length) {
        process.stdout.write('\naccepted after a fallback:\n');
        process.stdout.write(`${table([['file', 'route', 'routes that failed first'], ...summary.fallbacks.map((f) => [f.file, f.route, f.fallbacks.map((x) => x.slice(0, 90)).join(' || ')])])}\n`);
      }
      if (failures.length) {
        process.stdout.write('\nfailures:\n');
        process.stdout.write(`${table([['file', 'format', 'route', 'stage', 'reason'], ...failures.map((f) => [f.file, f.format, f.route, f.stage, f.reason.slice(0, 160)])])}\n`);
      }
    }
  } finally {
    await converter.close();
    if (!flags.keep) await rm(root, { recursive: true, force: true });
    else process.stderr.write(`kept ${root}\n`);
  }
}

await main();
