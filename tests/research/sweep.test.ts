// The sweep of expired certified-copy packages on both engines: a package whose link ran out
// loses its file, its row records when, the request nobody downloaded becomes expired, each
// removal is audited once (a second pass finds nothing), the link and the portal answer 410
// naming the expiry; and the sweep runs as a job of the queue the server uses (in-process on
// PGlite, graphile-worker on PostgreSQL).
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR, listAuditEvents, type Actor } from '../../audit/audit.service';
import { createUsersService, type UsersService } from '../../accounts/users.service';
import { parseConfig, type Config } from '../../common/config';
import { runIngest } from '../../ingest';
import { closeJobQueue } from '../../jobs';
import { openStorage } from '../../storage';
import {
  approveRequest, downloadByToken, downloadForUser, getRequest, makeCopies, nextSweepAt, registerResearcher, startPackageSweeper, submitRequest,
  sweepExpiredPackages, type CopiesDeps,
} from '../../research';
import { packageFile } from '../../research/copies.service';
import { describeEachDatabase } from '../helpers/db';
import { packTextDossier, until } from '../server/helpers';

const PASSWORD = 'reading-Room-2026!';
const DAY = 24 * 60 * 60 * 1000;

describeEachDatabase('research: expired copy packages are swept', (getDb) => {
  let work: string;
  let config: Config;
  let users: UsersService;
  let deps: CopiesDeps;
  let dossierId = '';
  let archivist: Actor;
  let reader: Actor;

  const actorOf = async (username: string): Promise<Actor> => {
    const u = await users.get(username);
    return { userId: u.id, username: u.username, roles: u.roles };
  };

  /** An approved request of one document with its copies made at `at`, valid one day. */
  async function copiesMadeAt(at: Date) {
    const request = await submitRequest(getDb().db, reader, { items: [{ dossierId, documentPosition: 1 }] }, { now: at });
    await approveRequest(getDb().db, archivist, request.id, at);
    return makeCopies(deps, archivist, request.id, { now: at, linkDays: 1 });
  }

  beforeAll(async () => {
    const { db } = getDb();
    work = await mkdtemp(path.join(os.tmpdir(), 'muragat-research-sweep-'));
    config = parseConfig({ MURAGAT_DATA_DIR: path.join(work, 'data'), MURAGAT_TRUST_DIR: path.join(work, 'trust'), MURAGAT_MALWARE_POLICY: 'accept-with-warning' });
    const storage = openStorage(config);
    users = createUsersService({ db });
    const report = await runIngest({ db, storage, config }, { tarPath: await packTextDossier(work, { index: '04-09', title: 'Бұйрықтар', kazakhOrder: '7-н', russianOrder: '12-н' }) });
    dossierId = report.dossiers[0]!.id!;
    await users.add(SYSTEM_ACTOR, { username: 'keeper', password: PASSWORD, fullName: 'Әбенова Гүлнар', position: 'мұрағатшы', roles: ['archivist'] });
    archivist = await actorOf('keeper');
    await registerResearcher({ db, users }, archivist, { username: 'dana', password: PASSWORD, fullName: 'Дана Серікова', organisation: 'ҚазҰУ', phone: '+7 701 000 00 01', purpose: 'Зерттеу' });
    reader = await actorOf('dana');
    deps = { db, storage, dataDir: config.dataDir, keyDir: path.join(config.dataDir, 'keys') };
  }, 300_000);

  afterAll(async () => {
    await closeJobQueue(getDb().db);
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('removes the files of expired packages, records and audits it once; the link answers 410 naming the expiry', async () => {
    const { db } = getDb();
    const now = new Date();
    const made = await copiesMadeAt(now);
    const file = packageFile(config.dataDir, made.packageId);
    expect(existsSync(file)).toBe(true);

    // Not yet expired: nothing is touched.
    const early = await sweepExpiredPackages({ db, dataDir: config.dataDir }, new Date(now.getTime() + DAY / 2));
    expect(early.removed.map((r) => r.packageId)).not.toContain(made.packageId);
    expect(existsSync(file)).toBe(true);

    const later = new Date(now.getTime() + 2 * DAY);
    const swept = await sweepExpiredPackages({ db, dataDir: config.dataDir }, later);
    expect(swept.removed).toContainEqual({ packageId: made.packageId, requestId: made.request.id, number: made.request.number, expiresAt: made.expiresAt });
    expect(swept.expiredRequests).toBeGreaterThanOrEqual(1);
    expect(existsSync(file)).toBe(false);
    const view = await getRequest(db, reader, made.request.id, later);
    expect(view.status).toBe('expired');
    expect(view.package).toMatchObject({ expired: true, removedAt: later.toISOString(), expiresAt: made.expiresAt });

    // A second pass (another server, the next hour) finds nothing left to do.
    expect((await sweepExpiredPackages({ db, dataDir: config.dataDir }, later)).removed.map((r) => r.packageId)).not.toContain(made.packageId);
    const events = await listAuditEvents(db, { objectType: 'research_request', objectId: made.request.id });
    const sweeps = events.filter((e) => e.action === 'research_package.sweep');
    expect(sweeps).toHaveLength(1);
    expect(sweeps[0]!.details).toMatchObject({ number: made.request.number, package: made.packageId, expiresAt: made.expiresAt, downloads: 0 });
    expect(events.map((e) => e.action)).toContain('research_request.expire');

    // The link and the portal: 410 naming when it expired, not a missing file.
    await expect(downloadByToken(deps, made.token, { now: later })).rejects.toMatchObject({ status: 410, code: 'research.link_expired', params: { expiresAt: made.expiresAt } });
    await expect(downloadForUser(deps, reader, made.request.id, { now: later })).rejects.toMatchObject({ status: 410, code: 'research.link_expired' });

    // Copies made again after the sweep: a new package and link that work.
    const again = await makeCopies(deps, archivist, made.request.id, { now: later });
    expect((await downloadByToken(deps, again.token, { now: later })).sha256).toBe(again.sha256);
  }, 180_000);

  it('runs as a job of the queue the server uses, hourly', async () => {
    const { db, url } = getDb();
    // Made three days ago with a one-day link: expired two days ago by the wall clock the job reads.
    const made = await copiesMadeAt(new Date(Date.now() - 3 * DAY));
    const file = packageFile(config.dataDir, made.packageId);
    expect(existsSync(file)).toBe(true);
    const sweeper = await startPackageSweeper({ db, dataDir: config.dataDir, config: { databaseUrl: url, jobStaleSeconds: undefined } });
    try {
      await until('the sweep job', async () => {
        const row = await db.selectFrom('research_packages').select('removed_at').where('id', '=', made.packageId).executeTakeFirstOrThrow();
        return row.removed_at ? row : undefined;
      }, 60_000, 200);
      expect(existsSync(file)).toBe(false);
      expect((await getRequest(db, reader, made.request.id)).status).toBe('expired');
    } finally {
      await sweeper.stop();
    }
    const at = new Date('2026-12-07T10:15:00Z');
    expect(nextSweepAt(at).toISOString()).toBe('2026-12-07T11:00:00.000Z');
  }, 120_000);
}, { ownDatabase: true }); // it runs queue workers (tests/helpers/db.ts)
