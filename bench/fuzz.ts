// The long fuzz run (issue 15): `npm run fuzz -- --cases 20000 [--target transfer] [--seed N]
// [--minutes 20]`. The cases are shared among the targets of tests/fuzz/targets.ts in
// proportion to their short runs; each target runs in its own child process, so a case that
// hangs inside synchronous code (where no timer can interrupt it) is still caught: the child
// is killed at its time limit and the hang is reported with the seed to replay it. Exit code 0
// only when every target ran its cases without a defect, a crash, a hang or an unhandled
// rejection.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { TARGETS, runTarget, type FuzzRunResult } from '../tests/fuzz/targets';

const ROOT = path.resolve(import.meta.dirname, '..');

async function child(name: string, cases: number, seed: number, timeLimitMs: number): Promise<void> {
  const target = TARGETS.find((t) => t.name === name);
  if (!target) throw new Error(`unknown fuzz target ${name}`);
  const dir = await mkdtemp(path.join(tmpdir(), `muragat-fuzz-${name}-`));
  try {
    const result = await runTarget(target, { cases, seed, timeLimitMs, caseTimeoutMs: 30_000, dir });
    process.stdout.write(`\n${JSON.stringify(result)}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  // Converters and parsers may leave timers behind; the result is out, so leave now.
  process.exit(0);
}

function runChild(name: string, cases: number, seed: number, timeLimitMs: number): Promise<FuzzRunResult> {
  return new Promise((resolve) => {
    const started = Date.now();
    const proc = spawn(process.execPath, [path.join(ROOT, 'bin', 'run-ts.js'), path.join(ROOT, 'bench', 'fuzz.ts'), '--child', name, '--cases', String(cases), '--seed', String(seed), '--time-limit-ms', String(timeLimitMs)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    proc.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    // Setup (a test PKI) plus the generation time limit plus one slow case's grace.
    const killAfter = timeLimitMs + 120_000;
    const timer = setTimeout(() => proc.kill('SIGKILL'), killAfter);
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop() ?? '';
      try {
        if (code === 0) return resolve(JSON.parse(line) as FuzzRunResult);
      } catch {
        // fall through: a child that exited 0 without its result line is a crash too
      }
      const failure = signal === 'SIGKILL' ? `hang: no answer within ${Math.round(killAfter / 1000)} s (seed ${seed})` : `crash: exit ${code ?? signal} (seed ${seed})\n${err.slice(-3000)}`;
      resolve({ target: name, cases: 0, ms: Date.now() - started, seed, failure, unhandledRejections: [], maxCaseMs: 0 });
    });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      cases: { type: 'string', default: '10000' },
      target: { type: 'string', multiple: true },
      seed: { type: 'string' },
      minutes: { type: 'string', default: '30' },
      child: { type: 'string' },
      'time-limit-ms': { type: 'string' },
    },
  });
  const cases = Math.max(1, Number(values.cases) || 10_000);
  const seed = values.seed !== undefined ? Number(values.seed) : Date.now() % 2 ** 31;
  if (values.child) return child(values.child, cases, seed, Number(values['time-limit-ms']) || 60_000);

  const chosen = values.target?.length ? TARGETS.filter((t) => values.target!.includes(t.name)) : TARGETS;
  if (!chosen.length) throw new Error(`no such target; targets: ${TARGETS.map((t) => t.name).join(', ')}`);
  const weight = chosen.reduce((s, t) => s + t.shortCases, 0);
  const budgetMs = Math.max(1, Number(values.minutes) || 30) * 60_000;
  console.log(`fuzz: ${cases} cases over ${chosen.map((t) => t.name).join(', ')}; seed ${seed}; at most ${values.minutes} min`);
  const results: FuzzRunResult[] = [];
  for (const t of chosen) {
    const share = Math.max(1, Math.round((cases * t.shortCases) / weight));
    const r = await runChild(t.name, share, seed, Math.round((budgetMs * t.shortCases) / weight));
    results.push(r);
    const bad = r.failure || r.unhandledRejections.length;
    console.log(`${bad ? 'FAIL' : 'ok  '} ${t.name.padEnd(10)} ${String(r.cases).padStart(7)} cases  ${(r.ms / 1000).toFixed(1).padStart(7)} s  slowest case ${r.maxCaseMs} ms`);
    if (r.failure) console.log(r.failure);
    for (const u of r.unhandledRejections) console.log(`  unhandled rejection: ${u}`);
  }
  const total = results.reduce((s, r) => s + r.cases, 0);
  const failed = results.filter((r) => r.failure || r.unhandledRejections.length);
  console.log(`fuzz: ${total} cases, ${failed.length} target(s) failed; replay with --seed ${seed}${values.target?.length ? '' : ' --target <name>'}`);
  if (total < cases * 0.99) console.log(`fuzz: the time limit ended the run after ${total} of ${cases} cases (raise --minutes for all of them)`);
  if (failed.length) process.exitCode = 1;
}

await main();
