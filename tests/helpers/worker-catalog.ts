// Set-up of the tests that run `muragat worker --once` as a real child process against a catalog
// the test prepared: on the embedded catalog (the worker's own in-process queue) and on the
// PostgreSQL server (graphile-worker), in a temporary work folder.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { parseConfig, type Config } from '../../common/config';
import type { Database } from '../../database/database';
import { openCatalog } from '../../database/open';
import type { DatabaseKind } from '../../database/db';
import { createTestDatabase } from './db';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

export interface WorkerCatalog {
  work: string;
  /** The worker's settings (DATABASE_URL on the server). */
  env: Record<string, string>;
  config: Config;
  /** The catalog as the worker sees it; on PGlite it may be open only while no worker runs. */
  open(): Promise<{ db: Kysely<Database>; close(): Promise<void> }>;
  close(): Promise<void>;
}

/**
 * A work folder with data, primary storage and trust folders, and a catalog of `kind`: on the
 * server a database of its own (graphile-worker's worker:migrate is database-wide, so queues of
 * suites side by side would stop each other's workers).
 */
export async function createWorkerCatalog(kind: DatabaseKind, prefix: string, settings: Record<string, string>): Promise<WorkerCatalog> {
  const work = await mkdtemp(path.join(tmpdir(), prefix));
  const env: Record<string, string> = {
    MURAGAT_DATA_DIR: path.join(work, 'data'),
    MURAGAT_STORAGE: `file:${path.join(work, 'primary')}`,
    MURAGAT_TRUST_DIR: path.join(work, 'trust'),
    MURAGAT_MALWARE_POLICY: 'accept-with-warning',
    MURAGAT_LANG: 'en',
    LOG_LEVEL: 'warn',
    ...settings,
  };
  const config = parseConfig(env);
  if (kind === 'postgres') {
    const database = await createTestDatabase('postgres', { ownDatabase: true });
    env.DATABASE_URL = database.url!;
    return {
      work,
      env,
      config,
      open: async () => ({ db: database.db, close: async () => undefined }),
      async close() {
        await database.close();
        await rm(work, { recursive: true, force: true });
      },
    };
  }
  return {
    work,
    env,
    config,
    async open() {
      const catalog = await openCatalog(config);
      return { db: catalog.db, close: () => catalog.close() };
    },
    close: () => rm(work, { recursive: true, force: true }),
  };
}

/** `node bin/muragat.js worker --once` with these settings; killed after 150 s. */
export function runWorkerOnce(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  // Not under the test runner's variables: the worker's defaults apply.
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, VITEST: undefined, VITEST_POOL_ID: undefined, VITEST_WORKER_ID: undefined };
  const proc = spawn(process.execPath, [path.join(ROOT, 'bin', 'muragat.js'), 'worker', '--once'], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
  proc.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
  const timer = setTimeout(() => proc.kill('SIGKILL'), 150_000);
  return new Promise((resolve) =>
    proc.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}
