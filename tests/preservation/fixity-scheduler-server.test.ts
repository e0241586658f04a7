// A server started with the schedule on runs a due batch through its job queue — the
// in-process queue on PGlite, graphile-worker on PostgreSQL — and records it as a scheduled run.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { fixityRunsIdle, setFixitySchedule } from '../../preservation';
import { FsObjectStore } from '../../storage';
import { describeEachDatabase } from '../helpers/db';
import { startTestServer } from '../server/helpers';
import { createHoldings } from './holdings';

describeEachDatabase('fixity schedule in a running server', (getDb) => {
  it('runs a due batch through the job queue', async () => {
    const work = await mkdtemp(path.join(os.tmpdir(), 'muragat-fixity-server-'));
    try {
      await createHoldings(getDb().db, { primary: new FsObjectStore(path.join(work, 'primary')), replicas: [] }, { dossiers: 1, objectsPerDossier: 2, maxBytes: 1000 });
      await setFixitySchedule(getDb().db, SYSTEM_ACTOR, { nextBatchAt: new Date(Date.now() - 1000).toISOString() });
      const server = await startTestServer(getDb().db, {}, {
        MURAGAT_STORAGE: `file:${path.join(work, 'primary')}`,
        MURAGAT_FIXITY_SCHEDULE: 'true',
        ...(getDb().url ? { DATABASE_URL: getDb().url! } : {}),
      });
      try {
        let runs: { status: string; trigger: string }[] = [];
        for (let i = 0; i < 150 && !runs.length; i++) {
          await new Promise((resolve) => setTimeout(resolve, 200));
          runs = await getDb().db.selectFrom('preservation_runs').select(['status', 'trigger']).where('status', 'in', ['passed', 'failed', 'error']).execute();
        }
        expect(runs).toEqual([{ status: 'passed', trigger: 'schedule' }]);
        await fixityRunsIdle(getDb().db);
      } finally {
        await server.stop();
      }
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }, 90_000);
}, { ownDatabase: true }); // it runs queue workers (tests/helpers/db.ts)
