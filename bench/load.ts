// Load (issue 15): dozens of concurrent sessions of researchers and archivists searching,
// opening dossiers and downloading renditions through the HTTP API for a fixed time, while
// transfers are ingested beside them one after another the whole time, on the PostgreSQL server. The server runs as its own
// process (`muragat serve --demo` on a fresh database), the ingest as another (`muragat ingest`,
// as a worker would), and the load comes from autocannon in this one: three processes, as in a
// deployment. Prints throughput, latency percentiles and every error; the goal is 0 errors and
// p99 under 500 ms on this 2-core machine. Figures, never assertions.
// Run: node bin/run-ts.js bench/load.ts [--connections 50] [--seconds 60] [--processes N] [--database-url URL] [--json] [--no-ingest | --ingest once]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { signDetached } from '../validators/signature/index';
import { buildDemoTree } from '../ingest/demo/generate';
import { ensureDemoPki } from '../ingest/demo/pki';
import { packTransfer } from '../ingest/transfer';
import { freshServerDatabase, load, table } from './ingest-common';
import { percentile } from './generate-catalog';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..');

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const CONNECTIONS = Number(flag('connections', '50'));
const SECONDS = Number(flag('seconds', '60'));
const JSON_OUT = process.argv.includes('--json');
const WITH_INGEST = !process.argv.includes('--no-ingest');
// `--ingest once`: a single transfer beside the load; by default one after another for the whole run.
const INGEST_ONCE = flag('ingest', 'throughout') === 'once';
// Server processes on the port (`muragat serve --processes`): default 1, as `serve`'s own; on this
// 2-core machine a second one raised throughput but not the p99 (docs/benchmarks.md).
const PROCESSES = Number(flag('processes', '1'));
const DATABASE_URL = flag('database-url', process.env.TEST_DATABASE_URL ?? '');
const log = (s: string) => {
  if (!JSON_OUT) process.stderr.write(`${s}\n`);
};

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A session as a browser keeps it: cookies and the CSRF token. */
async function login(base: string, username: string, password: string): Promise<string> {
  const cookies = new Map<string, string>();
  const keep = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  };
  keep(await fetch(`${base}/api/session`));
  const cookie = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const res = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: cookie(), 'x-csrf-token': cookies.get('muragat_csrf') ?? '' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login of ${username} answered ${res.status}: ${await res.text()}`);
  keep(res);
  return cookie();
}

async function getJson(base: string, cookie: string, url: string): Promise<any> {
  const res = await fetch(base + url, { headers: { cookie } });
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
  return res.json();
}

function run(cmd: string, args: string[], env: Record<string, string>): ChildProcess {
  return spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** What `muragat ingest --json` said of a failed transfer: its status and the documents not accepted, with their problems. */
function whyIngestFailed(output: string): string {
  try {
    const report = JSON.parse(output.slice(output.indexOf('{'))) as { status?: string; problems?: unknown[]; dossiers?: { index: string; documents: { source: string; status: string; problems?: { code: string; message: string }[] }[] }[] };
    const bad = (report.dossiers ?? []).flatMap((d) => d.documents.filter((x) => x.status !== 'accepted').map((x) => `${x.source}: ${x.status} (${(x.problems ?? []).map((p) => p.code).join(', ')})`));
    return `status ${report.status}; ${JSON.stringify(report.problems ?? [])}; ${bad.join('; ') || 'every document accepted'}`;
  } catch {
    return output.slice(-2000);
  }
}

async function main(): Promise<void> {
  if (!DATABASE_URL) {
    process.stderr.write('bench/load needs a PostgreSQL server: set TEST_DATABASE_URL or pass --database-url (bash scripts/local-postgres.sh starts one)\n');
    process.exit(2);
  }
  const database = await freshServerDatabase(DATABASE_URL);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'muragat-load-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = { DATABASE_URL: database.url, MURAGAT_DATA_DIR: dataDir, LOG_LEVEL: 'warn', PORT: String(port), HOST: '127.0.0.1' };
  const children: ChildProcess[] = [];
  try {
    log(`server: muragat serve --demo on a fresh database ${database.database} (load ${load()})`);
    // BENCH_PROFILE_DIR=<dir> writes the server's CPU profile there (open it in Chrome DevTools).
    const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
    const server = run(process.execPath, [...profile, 'bin/muragat.js', 'serve', '--demo', '--quiet', '--processes', String(PROCESSES)], env);
    children.push(server);
    let serverErr = '';
    server.stderr!.on('data', (c: Buffer) => (serverErr = (serverErr + c.toString()).slice(-4000)));

    // Ready, then the demo transfer ingested and signed (the server does it in the background).
    const started = Date.now();
    let archivist = '';
    for (;;) {
      if (server.exitCode !== null) throw new Error(`the server stopped: ${serverErr}`);
      if (Date.now() - started > 15 * 60_000) throw new Error('the demo transfer did not finish within 15 minutes');
      try {
        archivist ||= await login(base, 'archivist', 'demo-archivist-muragat');
        // The demo leaves some dossiers awaiting signatures on purpose; done when one is stored.
        const list = await getJson(base, archivist, '/api/dossiers');
        if ((list.dossiers as { status: string }[] | undefined)?.some((d) => d.status === 'stored')) break;
      } catch {
        // Not up yet.
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
    log(`demo archive ready after ${Math.round((Date.now() - started) / 1000)} s`);

    // What the sessions ask for: dossiers and renditions each role may open, search words.
    const researcherProbe = await login(base, 'researcher', 'demo-researcher-muragat');
    const targets = async (cookie: string) => {
      const dossiers = ((await getJson(base, cookie, '/api/dossiers')).dossiers ?? []) as { id: string; documentCount: number }[];
      const renditions: string[] = [];
      for (const d of dossiers) for (let n = 1; n <= d.documentCount; n++) renditions.push(`/api/dossiers/${d.id}/documents/${n}/rendition`);
      // Only renditions this role is given (a personnel dossier's documents are closed to researchers).
      const open: string[] = [];
      for (const r of renditions) if ((await fetch(base + r, { headers: { cookie } })).status === 200) open.push(r);
      return { dossiers: dossiers.map((d) => d.id), renditions: open };
    };
    const forRole = { researcher: await targets(researcherProbe), archivist: await targets(archivist) };
    const words = ['бұйрық', 'приказ', 'қызметкер', 'отпуск', 'есеп', 'договор'];
    const searchable = await fetch(`${base}/api/search?q=${encodeURIComponent(words[0]!)}`, { headers: { cookie: researcherProbe } });
    log(`targets: researchers ${forRole.researcher.dossiers.length} dossiers, ${forRole.researcher.renditions.length} renditions; archivists ${forRole.archivist.dossiers.length}, ${forRole.archivist.renditions.length}; search answers ${searchable.status}`);
    if (!forRole.researcher.dossiers.length) throw new Error('the demo archive shows researchers no dossier');

    // One session per connection: researchers (search, open, read) and archivists (lists, dossiers, downloads).
    const researchers = Math.ceil(CONNECTIONS * 0.6);
    const sessions: { role: 'researcher' | 'archivist'; cookie: string }[] = [];
    for (let i = 0; i < CONNECTIONS; i++) {
      const role = i < researchers ? 'researcher' : 'archivist';
      sessions.push({ role, cookie: await login(base, role, `demo-${role}-muragat`) });
    }
    log(`${sessions.length} sessions logged in (${researchers} researchers, ${CONNECTIONS - researchers} archivists)`);

    // The ingest beside the load: other years' demo packages through `muragat ingest`, as a worker
    // would, one after another for the whole run (`--ingest once`: a single one, as before).
    const ingests: { year: number; ms: number; code: number | null }[] = [];
    let loadOver = false;
    let ingestDone: Promise<void> = Promise.resolve();
    if (WITH_INGEST) {
      const pki = await ensureDemoPki(path.join(dataDir, 'demo-pki'));
      const ingestOne = async (year: number): Promise<number> => {
        const tree = path.join(dataDir, `load-tree-${year}`);
        const tar = path.join(dataDir, `load-transfer-${year}.tar`);
        const built = await buildDemoTree(tree, { year, sign: (content, signingTime) => signDetached(content, pki.head.p12, pki.password, { signingTime }) });
        await packTransfer(tree, tar, { createdAt: built.createdAt });
        const t0 = Date.now();
        const child = run(process.execPath, ['bin/muragat.js', 'ingest', tar, '--json'], { ...env, MURAGAT_MALWARE_POLICY: 'accept-with-warning', MURAGAT_TRUST_DIR: path.join(dataDir, 'demo-trust') });
        children.push(child);
        let said = '';
        child.stdout!.on('data', (c: Buffer) => (said = (said + c.toString()).slice(-20_000)));
        child.stderr!.on('data', (c: Buffer) => (said = (said + c.toString()).slice(-20_000)));
        const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
        ingests.push({ year, ms: Date.now() - t0, code });
        if (code !== 0) log(`ingest of the ${year} package ended with exit ${code}: ${whyIngestFailed(said)}`);
        return built.documents.length;
      };
      ingestDone = (async () => {
        for (let year = new Date().getFullYear() - 6; !loadOver; year--) {
          const documents = await ingestOne(year);
          if (INGEST_ONCE) break;
          log(`ingest of the ${year} package (${documents} documents) done; the next one starts`);
        }
      })();
      log(`ingest of demo packages started beside the load (${INGEST_ONCE ? 'one package' : 'one after another until the load ends'})`);
    }

    // Each connection repeats a sequence as one user: the first request of a sequence takes the
    // next session (round robin), the others use it (autocannon resets the context per sequence).
    let next = 0;
    const pick = <T>(xs: T[], i: number) => xs[i % xs.length]!;
    const kinds: Record<string, number> = {};
    const latencyByKind: Record<string, number[]> = {};
    let round = 0;
    const pathFor = (s: (typeof sessions)[number], step: number): string => {
      const t = forRole[s.role];
      const r = round++;
      if (s.role === 'researcher') {
        return [`/api/search?q=${encodeURIComponent(pick(words, r))}`, `/api/dossiers/${pick(t.dossiers, r)}`, t.renditions.length ? pick(t.renditions, r) : '/api/dossiers', '/api/dossiers'][step % 4]!;
      }
      return ['/api/transfers', '/api/dossiers', `/api/dossiers/${pick(t.dossiers, r)}`, t.renditions.length ? pick(t.renditions, r) : '/api/dossiers'][step % 4]!;
    };
    const request = (step: number) => ({
      setupRequest: (req: any, context: any) => {
        if (step === 0) context.session = sessions[next++ % sessions.length];
        const s = context.session as (typeof sessions)[number];
        const p = pathFor(s, step);
        const kind = p.split('?')[0]!.replace(/[0-9a-f-]{36}/g, '{id}').replace(/\/\d+\//g, '/{n}/');
        kinds[kind] = (kinds[kind] ?? 0) + 1;
        context.kind = kind;
        context.sentAt = performance.now();
        return { ...req, method: 'GET', path: p, headers: { ...req.headers, cookie: s.cookie } };
      },
      // Latency by kind of request (autocannon's figures are over all kinds): which requests make the tail.
      onResponse: (_status: number, _body: unknown, context: any) => {
        (latencyByKind[context.kind] ??= []).push(performance.now() - context.sentAt);
      },
    });
    const result = await autocannon({
      url: base,
      connections: CONNECTIONS,
      duration: SECONDS,
      requests: [0, 1, 2, 3].map(request),
    });
    loadOver = true;
    // The ingest under way when the load ended is waited for (its exit code counts too).
    await Promise.race([ingestDone, new Promise((r) => setTimeout(r, 120_000))]);

    const errors = result.errors + result.timeouts + result.non2xx;
    const figures = {
      connections: CONNECTIONS,
      seconds: SECONDS,
      serverProcesses: PROCESSES,
      requests: result.requests.total,
      throughputPerSecond: Math.round(result.requests.average),
      latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
      errors: { total: errors, connection: result.errors, timeouts: result.timeouts, non2xx: result.non2xx },
      statusCodes: result.statusCodeStats,
      requestKinds: kinds,
      latencyMsByKind: Object.fromEntries(
        Object.entries(latencyByKind).map(([k, xs]) => {
          const sorted = xs.sort((a, b) => a - b);
          return [k, { n: sorted.length, p50: Math.round(percentile(sorted, 50)), p99: Math.round(percentile(sorted, 99)), max: Math.round(sorted.at(-1)!) }];
        }),
      ),
      ingestBeside: WITH_INGEST
        ? { mode: INGEST_ONCE ? 'once' : 'throughout', transfers: ingests.length, failed: ingests.filter((i) => i.code !== 0).length, seconds: ingests.map((i) => Math.round(i.ms / 1000)) }
        : null,
      // A failed ingest beside the load counts against the goal as an error would.
      goal: { errors: 0, p99Ms: 500, met: errors === 0 && result.latency.p99 < 500 && ingests.every((i) => i.code === 0) },
      cores: os.availableParallelism(),
      loadAfter: load(),
    };
    if (JSON_OUT) {
      process.stdout.write(JSON.stringify(figures, null, 2) + '\n');
    } else {
      process.stdout.write(
        table([
          ['bench/load', 'value'],
          ['sessions (connections) × seconds', `${CONNECTIONS} × ${SECONDS}`],
          ['server processes (serve --processes)', PROCESSES],
          ['requests', result.requests.total],
          ['throughput, requests/s', figures.throughputPerSecond],
          ['latency p50 | p90 | p99 | max, ms', `${result.latency.p50} | ${result.latency.p90} | ${result.latency.p99} | ${result.latency.max}`],
          ['errors (connection | timeouts | non-2xx)', `${errors} (${result.errors} | ${result.timeouts} | ${result.non2xx})`],
          ['status codes', Object.entries(result.statusCodeStats ?? {}).map(([k, v]) => `${k}: ${(v as { count: number }).count}`).join(', ')],
          [
            'ingest beside the load',
            WITH_INGEST ? `${ingests.length} transfers (${ingests.map((i) => `${Math.round(i.ms / 1000)} s`).join(', ')}), ${ingests.filter((i) => i.code !== 0).length} failed` : 'off',
          ],
          ['goal: 0 errors, p99 < 500 ms', figures.goal.met ? 'MET' : 'NOT MET'],
        ]) +
          '\n\nrequests by kind (latency p50 | p99 | max, ms):\n' +
          Object.entries(kinds)
            .sort((a, b) => b[1] - a[1])
            .map(([k, n]) => {
              const l = figures.latencyMsByKind[k];
              return `  ${k}: ${n}${l ? ` (${l.p50} | ${l.p99} | ${l.max})` : ''}`;
            })
            .join('\n') +
          `\nload after: ${figures.loadAfter}\n`,
      );
    }
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
