// `muragat worker` works the scheduled fixity batches as a server does, as a real child process
// (`node bin/muragat.js worker --once`): on the embedded catalog (its own queue in the process)
// and on the PostgreSQL server (graphile-worker). A due batch is run, recorded as a scheduled
// run that passed, and the next batch is moved to the schedule's next time; a schedule that is
// not due yet runs nothing.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { parseConfig } from '../../common/config';
import type { Database } from '../../database/database';
import { openCatalog } from '../../database/open';
import { setFixitySchedule } from '../../preservation';
import { FsObjectStore } from '../../storage';
import { createTestDatabase, testDatabaseKinds } from '../helpers/db';
import { createHoldings } from './holdings';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

function worker(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
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

for (const kind of testDatabaseKinds()) {
  describe(`muragat worker runs the fixity schedule [${kind}]`, () => {
    let work: string;
    let env: Record<string, string>;
    // The catalog as the worker sees it; on PGlite it is opened only while the worker is not running.
    let open: () => Promise<{ db: Kysely<Database>; close(): Promise<void> }>;
    let closeServerDb: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      work = await mkdtemp(path.join(tmpdir(), 'muragat-fixity-worker-'));
      env = {
        MURAGAT_DATA_DIR: path.join(work, 'data'),
        MURAGAT_STORAGE: `file:${path.join(work, 'primary')}`,
        MURAGAT_TRUST_DIR: path.join(work, 'trust'),
        MURAGAT_FIXITY_SCHEDULE: 'true',
        MURAGAT_MALWARE_POLICY: 'accept-with-warning',
        MURAGAT_LANG: 'en',
        LOG_LEVEL: 'warn',
      };
      if (kind === 'postgres') {
        const database = await createTestDatabase('postgres', { ownDatabase: true });
        env.DATABASE_URL = database.url!;
        closeServerDb = database.close;
        open = async () => ({ db: database.db, close: async () => undefined });
      } else {
        const config = parseConfig(env);
        open = async () => {
          const catalog = await openCatalog(config);
          return { db: catalog.db, close: () => catalog.close() };
        };
      }
      const catalog = await open();
      try {
        await createHoldings(catalog.db, { primary: new FsObjectStore(path.join(work, 'primary')), replicas: [] }, { dossiers: 2, objectsPerDossier: 3, maxBytes: 2000 });
      } finally {
        await catalog.close();
      }
    }, 120_000);

    afterAll(async () => {
      await closeServerDb?.();
      if (work) await rm(work, { recursive: true, force: true });
    });

    async function runs() {
      const catalog = await open();
      try {
        const rows = await catalog.db.selectFrom('preservation_runs').select(['status', 'trigger', 'scope', 'planned', 'done']).orderBy('started_at').execute();
        const schedule = await catalog.db.selectFrom('fixity_schedule').select('next_batch_at').executeTakeFirstOrThrow();
        return { rows, next: new Date(schedule.next_batch_at) };
      } finally {
        await catalog.close();
      }
    }

    it('runs nothing while the next batch is not due', async () => {
      const r = await worker(env);
      expect(r.code, r.output).toBe(0);
      expect((await runs()).rows).toEqual([]);
    }, 180_000);

    it('runs a due batch through the queue and moves the schedule on', async () => {
      const catalog = await open();
      try {
        await setFixitySchedule(catalog.db, SYSTEM_ACTOR, { nextBatchAt: new Date(Date.now() - 60_000).toISOString(), cycleDays: 1, batchHours: 24 });
      } finally {
        await catalog.close();
      }
      const r = await worker(env);
      expect(r.code, r.output).toBe(0);
      const after = await runs();
      // 2 dossiers × (3 objects + the AIP manifest); one batch covers the store in a one-day cycle.
      expect(after.rows).toEqual([{ status: 'passed', trigger: 'schedule', scope: 'batch', planned: 8, done: 8 }]);
      expect(after.next.getTime()).toBeGreaterThan(Date.now());
    }, 180_000);
  });
}
