// bench:fixity — how fast a fixity run re-hashes stored objects, against the reference a user
// could build with standard tools: `openssl dgst -sha256` over the same files, on every core
// (`xargs -0 -P <cores> -n 64`, line-buffered by stdbuf so parallel output stays whole), in the same run. The store is made here (FsObjectStore layout,
// random objects of mixed sizes: many small, some large, as AIPs are), the page cache is warmed
// first so both sides measure hashing rather than the disk, and the two are alternated
// (best of N each). Prints the ratio (reference time ÷ our time: above 1 we are faster) and the
// projected time for a 10 TB store at the measured throughput — an upper bound on speed: a
// real 10 TB store is read from disk (or S3), which is usually slower than the hashing.
// Also prints the ceiling: SHA-256 of data already in memory on every core (`openssl speed
// -multi <cores>`), which no program hashing these files can pass, and so the highest ratio
// against this reference that this machine allows.
//
//   npm run bench:fixity [-- --mib 2048 --rounds 5 --threads N --keep DIR]
import { randomBytes } from 'node:crypto';
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { runProcess } from '../common/process';
import { FsObjectStore } from '../storage';
import { HashPool } from '../preservation/hash-pool';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const MIB = 1024 * 1024;
const totalMib = arg('mib', 2048);
const rounds = arg('rounds', 5);
const cores = availableParallelism();
const threads = arg('threads', cores);

async function makeStore(root: string): Promise<{ files: string[]; bytes: number; shas: string[] }> {
  const store = new FsObjectStore(root);
  const files: string[] = [];
  const shas: string[] = [];
  let bytes = 0;
  // Mixed sizes: 70 % small (4–256 KiB: metadata, signatures, small renditions), 25 % medium
  // (0.5–4 MiB: office documents, PDFs), 5 % large (8–32 MiB: scans).
  while (bytes < totalMib * MIB) {
    const r = Math.random();
    const size = r < 0.7 ? 4096 + Math.floor(Math.random() * 252 * 1024) : r < 0.95 ? MIB / 2 + Math.floor(Math.random() * 3.5 * MIB) : 8 * MIB + Math.floor(Math.random() * 24 * MIB);
    const put = await store.put(randomBytes(size));
    files.push(store.objectPath(put.sha256));
    shas.push(put.sha256);
    bytes += size;
  }
  return { files, bytes, shas };
}

async function ours(pool: HashPool, files: string[], shas: string[]): Promise<number> {
  const start = process.hrtime.bigint();
  const results = await Promise.all(files.map((f) => pool.hashFile(f)));
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  results.forEach((r, i) => {
    if (r.sha256 !== shas[i]) throw new Error(`our hash of ${files[i]} is ${r.sha256 ?? r.error?.message}`);
  });
  return ms;
}

async function reference(listFile: string, parallel: number, shas: string[]): Promise<number> {
  const start = process.hrtime.bigint();
  const r = await runProcess('bash', ['-c', `xargs -0 -P ${parallel} -n 64 stdbuf -oL openssl dgst -sha256 < "${listFile}"`], { timeoutMs: 30 * 60_000, maxOutputBytes: 256 * MIB });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.code !== 0) throw new Error(`openssl reference failed: ${r.stderr.toString()}`);
  const found = new Set([...r.stdout.toString().matchAll(/= ([0-9a-f]{64})$/gm)].map((m) => m[1]));
  const wrong = shas.filter((s) => !found.has(s));
  if (wrong.length) throw new Error(`openssl did not confirm ${wrong.length} objects`);
  return ms;
}

/** SHA-256 throughput of memory on `processes` cores, bytes/s (`openssl speed -evp sha256` on 256 KiB blocks). */
async function hashingCeiling(processes: number): Promise<number> {
  const args = ['speed', ...(processes > 1 ? ['-multi', String(processes)] : []), '-evp', 'sha256', '-bytes', '262144', '-seconds', '3'];
  const r = await runProcess('openssl', args, { timeoutMs: 120_000 });
  // The figure is in thousands of bytes a second: "sha256  3547594.75k" (-multi) or a table row ending in it.
  const m = /^sha256\s+(?:.*\s)?([\d.]+)k\s*$/m.exec(r.stdout.toString());
  if (r.code !== 0 || !m) throw new Error(`openssl speed gave no figure: ${r.stdout.toString().slice(-500)} ${r.stderr.toString().slice(-500)}`);
  return Number(m[1]) * 1000;
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const rate = (bytes: number, ms: number) => bytes / (ms / 1000);
function duration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.round((seconds % 3600) / 60);
  return h >= 24 ? `${(seconds / 86400).toFixed(1)} days (${h} h ${m} min)` : `${h} h ${m} min`;
}

async function main(): Promise<void> {
  const keep = process.argv.includes('--keep') ? process.argv[process.argv.indexOf('--keep') + 1] : undefined;
  const root = keep ?? (await mkdtemp(path.join(tmpdir(), 'muragat-bench-fixity-')));
  try {
    process.stderr.write(`making a store of ${totalMib} MiB in ${root}…\n`);
    const { files, bytes, shas } = await makeStore(root);
    const listFile = path.join(root, 'files.list');
    await writeFile(listFile, files.join('\0'));
    // Warm the page cache so both sides read from memory.
    for (const f of files) await readFile(f);
    const openssl = (await runProcess('openssl', ['version'], { timeoutMs: 10_000 })).stdout.toString().trim();
    const pool = new HashPool(threads);
    const single = new HashPool(1);
    const ourTimes: number[] = [];
    const refTimes: number[] = [];
    const ourOne: number[] = [];
    const refOne: number[] = [];
    for (let i = 0; i < rounds; i++) {
      ourTimes.push(await ours(pool, files, shas));
      refTimes.push(await reference(listFile, cores, shas));
      ourOne.push(await ours(single, files, shas));
      refOne.push(await reference(listFile, 1, shas));
    }
    await pool.close();
    await single.close();
    const ceiling = await hashingCeiling(cores);
    const best = (xs: number[]) => Math.min(...xs);
    const o = best(ourTimes);
    const r = best(refTimes);
    const throughput = rate(bytes, o);
    const lines = [
      `bench:fixity — ${files.length} objects, ${(bytes / MIB).toFixed(0)} MiB, page cache warm; ${cores} cores (${cpus()[0]?.model ?? '?'}); ${openssl}; best of ${rounds}`,
      `  ours     (HashPool, ${threads} threads): ${fmt(o)}  ${(throughput / MIB).toFixed(0)} MiB/s   runs: ${ourTimes.map(fmt).join(', ')}`,
      `  openssl  (xargs -P ${cores} -n 64):       ${fmt(r)}  ${(rate(bytes, r) / MIB).toFixed(0)} MiB/s   runs: ${refTimes.map(fmt).join(', ')}`,
      `  ours     (1 thread):                ${fmt(best(ourOne))}  ${(rate(bytes, best(ourOne)) / MIB).toFixed(0)} MiB/s`,
      `  openssl  (1 process, -n 64):        ${fmt(best(refOne))}  ${(rate(bytes, best(refOne)) / MIB).toFixed(0)} MiB/s`,
      `  ratio (openssl on all cores ÷ ours on all cores): ${(r / o).toFixed(2)}  (goal ≥ 1.5; above 1 means ours is faster)`,
      `  ratio (openssl, 1 process ÷ ours on all cores):   ${(best(refOne) / o).toFixed(2)}`,
      `  ceiling: SHA-256 of memory on ${cores} cores (openssl speed -multi ${cores}, 256 KiB blocks): ${(ceiling / MIB).toFixed(0)} MiB/s; ours reaches ${((100 * throughput) / ceiling).toFixed(0)} % of it, openssl on all cores ${((100 * rate(bytes, r)) / ceiling).toFixed(0)} %`,
      `  highest ratio against openssl on all cores that any program could reach here: ${(ceiling / rate(bytes, r)).toFixed(2)}`,
      `  projected for 10 TB at ${(throughput / MIB).toFixed(0)} MiB/s: ${duration(10e12 / throughput)} of hashing (the disk or network is the bound beyond this)`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    if (!keep) await rm(root, { recursive: true, force: true });
  }
}

await main();
