// `muragat worker` works the sweep of expired copy packages as a server does, as a real child
// process (`node bin/muragat.js worker --once`): on the embedded catalog (its own in-process
// queue) and on the PostgreSQL server (graphile-worker). A package whose link ran out loses its
// file and the request expires; a valid one is left alone.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createUsersService } from '../../accounts/users.service';
import { runIngest } from '../../ingest';
import { openStorage } from '../../storage';
import { approveRequest, makeCopies, registerResearcher, submitRequest } from '../../research';
import { packageFile } from '../../research/copies.service';
import { testDatabaseKinds } from '../helpers/db';
import { createWorkerCatalog, runWorkerOnce, type WorkerCatalog } from '../helpers/worker-catalog';
import { packTextDossier } from '../server/helpers';

const DAY = 24 * 60 * 60 * 1000;
const PASSWORD = 'reading-Room-2026!';

for (const kind of testDatabaseKinds()) {
  describe(`muragat worker sweeps expired copy packages [${kind}]`, () => {
    let setup: WorkerCatalog | undefined;
    const open = () => setup!.open();
    // Not under the test runner's variables: the worker's defaults apply (the sweep on).
    const worker = () => runWorkerOnce(setup!.env);
    const packages: { expired: string; valid: string; expiredRequest: string } = { expired: '', valid: '', expiredRequest: '' };

    beforeAll(async () => {
      setup = await createWorkerCatalog(kind, 'muragat-sweep-worker-', { MURAGAT_FIXITY_SCHEDULE: 'false' });
      const { work, config } = setup;
      const catalog = await open();
      try {
        const db = catalog.db;
        const storage = openStorage(config);
        const report = await runIngest({ db, storage, config }, { tarPath: await packTextDossier(work, { index: '04-14', title: 'Бұйрықтар', kazakhOrder: '1-н', russianOrder: '2-н' }) });
        const dossierId = report.dossiers[0]!.id!;
        const users = createUsersService({ db });
        await users.add(SYSTEM_ACTOR, { username: 'keeper', password: PASSWORD, fullName: 'Әбенова Гүлнар', position: 'мұрағатшы', roles: ['archivist'] });
        const k = await users.get('keeper');
        const archivist = { userId: k.id, username: k.username, roles: k.roles };
        await registerResearcher({ db, users }, archivist, { username: 'saltanat', password: PASSWORD, fullName: 'Салтанат Әлиева', organisation: 'ҚазҰУ', phone: '+7 701 000 00 04', purpose: 'Зерттеу' });
        const s = await users.get('saltanat');
        const reader = { userId: s.id, username: s.username, roles: s.roles };
        const deps = { db, storage, dataDir: config.dataDir, keyDir: path.join(config.dataDir, 'keys') };
        const make = async (at: Date) => {
          const request = await submitRequest(db, reader, { items: [{ dossierId, documentPosition: 1 }] }, { now: at });
          await approveRequest(db, archivist, request.id, at);
          return makeCopies(deps, archivist, request.id, { now: at, linkDays: 1 });
        };
        const old = await make(new Date(Date.now() - 3 * DAY));
        const fresh = await make(new Date());
        Object.assign(packages, { expired: old.packageId, valid: fresh.packageId, expiredRequest: old.request.id });
      } finally {
        await catalog.close();
      }
    }, 300_000);

    afterAll(async () => {
      await setup?.close();
    });

    it('removes the expired package, expires its request, leaves the valid one', async () => {
      const dataDir = path.join(setup!.work, 'data');
      expect(existsSync(packageFile(dataDir, packages.expired))).toBe(true);
      const r = await worker();
      expect(r.code, r.output).toBe(0);
      expect(existsSync(packageFile(dataDir, packages.expired))).toBe(false);
      expect(existsSync(packageFile(dataDir, packages.valid))).toBe(true);
      const catalog = await open();
      try {
        const rows = await catalog.db.selectFrom('research_packages').select(['id', 'removed_at']).execute();
        expect(rows.find((p) => p.id === packages.expired)!.removed_at).not.toBeNull();
        expect(rows.find((p) => p.id === packages.valid)!.removed_at).toBeNull();
        expect((await catalog.db.selectFrom('research_requests').select('status').where('id', '=', packages.expiredRequest).executeTakeFirstOrThrow()).status).toBe('expired');
        const audit = await catalog.db.selectFrom('audit_events').select('action').where('action', '=', 'research_package.sweep').execute();
        expect(audit).toHaveLength(1);
      } finally {
        await catalog.close();
      }
    }, 180_000);
  });
}
