// `muragat serve --processes N` (server/cluster.ts): several server processes on one port over
// the PostgreSQL server. In child processes, as an operator runs it: the demo seeded once, every
// process answering, /metrics adding up the processes' requests, a killed process replaced, and
// SIGTERM stopping them all with exit code 0. Refusals without a server and for a bad count.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli';
import { createTestDatabase } from '../helpers/db';
import { Client } from './helpers';

const root = path.resolve(import.meta.dirname, '../..');
const TOKEN = 'serve-processes-test-token-0123456789';

/** `muragat …args` in English without a database server configured. */
async function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  const saved = { lang: process.env.MURAGAT_LANG, url: process.env.DATABASE_URL };
  process.env.MURAGAT_LANG = 'en';
  delete process.env.DATABASE_URL;
  try {
    return await runCli(...args);
  } finally {
    for (const [name, value] of [['MURAGAT_LANG', saved.lang], ['DATABASE_URL', saved.url]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

describe('muragat serve --processes: refusals', () => {
  it('refuses several processes on the embedded catalog, and a count outside 1–64, with exit code 2', async () => {
    const embedded = await cli(['serve', '--processes', '2']);
    expect(embedded.code).toBe(2);
    expect(embedded.stderr).toContain('Several server processes (2) need a PostgreSQL server (DATABASE_URL)');
    for (const bad of ['0', '65', 'two']) {
      const refused = await cli(['serve', '--processes', bad]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(`--processes must be an integer from 1 to 64, got ${bad}`);
    }
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('muragat serve --processes 2 on the PostgreSQL server', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  /** The server process ids: the supervisor's children. */
  function children(pid: number): number[] {
    const out = spawnSyncText('ps', ['-o', 'pid=', '--ppid', String(pid)]);
    return out.split('\n').map((l) => Number(l.trim())).filter((n) => n > 0);
  }

  it('serves from both processes, seeds the demo once, adds up /metrics, replaces a killed process and stops on SIGTERM', async () => {
    const database = await createTestDatabase('postgres', { ownDatabase: true });
    cleanup.push(() => database.close());
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'muragat-serve-processes-'));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: database.url, MURAGAT_DATA_DIR: dataDir, MURAGAT_LANG: 'en', LOG_LEVEL: 'warn', MURAGAT_METRICS_TOKEN: TOKEN };
    delete env.VITEST;
    const child: ChildProcess = spawn(process.execPath, ['bin/muragat.js', 'serve', '--processes', '2', '--demo', '--quiet', '--port', '0', '--host', '127.0.0.1'], { cwd: root, env });
    cleanup.push(async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const until = async (what: string, ok: () => boolean, ms = 120_000) => {
      const deadline = Date.now() + ms;
      while (!ok()) {
        if (child.exitCode !== null) throw new Error(`serve exited (${child.exitCode}) waiting for ${what}; stderr: ${stderr}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; stdout: ${stdout}\nstderr: ${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await until('both processes listening', () => /Server process 2 of 2 is listening/.test(stderr) && /listening on http/.test(stdout));
    const url = /listening on (http:\/\/\S+)/.exec(stdout)![1]!;
    // Only the first process seeds the demo and speaks: one URL line, one logins table.
    expect(stdout.match(/listening on/g)).toHaveLength(1);
    expect(stdout.match(/Demo logins:/g)).toHaveLength(1);

    const pids = children(child.pid!);
    expect(pids).toHaveLength(2);
    // Sessions live in the catalog: a login through one process works through the other.
    const archivist = new Client(url);
    expect((await archivist.login('archivist', 'demo-archivist-muragat')).status).toBe(200);
    for (let i = 0; i < 10; i++) expect((await archivist.get('/api/dossiers')).status).toBe(200);
    for (let i = 0; i < 20; i++) expect((await fetch(`${url}/api/health/live`)).status).toBe(200);

    // /metrics, answered by either process, counts the requests of both.
    const scrape = async () => (await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text());
    const counted = (text: string, route: string) =>
      text
        .split('\n')
        .filter((l) => l.startsWith('muragat_http_requests_total{') && l.includes(`route="${route}"`))
        .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
    for (let i = 0; i < 4; i++) {
      const text = await scrape();
      expect(counted(text, '/api/health/live')).toBe(20);
      expect(text).toMatch(/^muragat_catalog_up\{[^}]*\} 1$/m);
    }

    // A process killed by the system is replaced; the port keeps answering meanwhile.
    process.kill(pids[1]!, 'SIGKILL');
    await until('the killed process replaced', () => /Server process \d stopped \(signal SIGKILL\); starting it again/.test(stderr) && (stderr.match(/is listening/g) ?? []).length >= 3);
    const now = children(child.pid!);
    expect(now).toHaveLength(2);
    expect(now).not.toContain(pids[1]);
    for (let i = 0; i < 10; i++) expect((await archivist.get('/api/dossiers')).status).toBe(200);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const pid of now) expect(() => process.kill(pid, 0)).toThrow();
  }, 240_000);
});

function spawnSyncText(cmd: string, args: string[]): string {
  // ps exits 1 when the parent has no children: that is an answer, not a failure.
  return spawnSync(cmd, args, { encoding: 'utf8' }).stdout ?? '';
}
