// `muragat worker` works the scheduled fixity batches as a server does, as a real child process
// (`node bin/muragat.js worker --once`): on the embedded catalog (its own queue in the process)
// and on the PostgreSQL server (graphile-worker). A due batch is run, recorded as a scheduled
// run that passed, and the next batch is moved to the schedule's next time; a schedule that is
// not due yet runs nothing.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { setFixitySchedule } from '../../preservation';
import { FsObjectStore } from '../../storage';
import { testDatabaseKinds } from '../helpers/db';
import { createWorkerCatalog, runWorkerOnce, type WorkerCatalog } from '../helpers/worker-catalog';
import { createHoldings } from './holdings';

for (const kind of testDatabaseKinds()) {
  describe(`muragat worker runs the fixity schedule [${kind}]`, () => {
    let setup: WorkerCatalog | undefined;
    const open = () => setup!.open();
    const worker = () => runWorkerOnce(setup!.env);

    beforeAll(async () => {
      setup = await createWorkerCatalog(kind, 'muragat-fixity-worker-', { MURAGAT_FIXITY_SCHEDULE: 'true' });
      const catalog = await open();
      try {
        await createHoldings(catalog.db, { primary: new FsObjectStore(path.join(setup.work, 'primary')), replicas: [] }, { dossiers: 2, objectsPerDossier: 3, maxBytes: 2000 });
      } finally {
        await catalog.close();
      }
    }, 120_000);

    afterAll(async () => {
      await setup?.close();
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
      const r = await worker();
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
      const r = await worker();
      expect(r.code, r.output).toBe(0);
      const after = await runs();
      // 2 dossiers × (3 objects + the AIP manifest); one batch covers the store in a one-day cycle.
      expect(after.rows).toEqual([{ status: 'passed', trigger: 'schedule', scope: 'batch', planned: 8, done: 8 }]);
      expect(after.next.getTime()).toBeGreaterThan(Date.now());
    }, 180_000);
  });
}
