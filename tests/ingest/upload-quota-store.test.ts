// Upload descriptions in the catalog (issue 9 review): the quota check is a query, not a read of
// every upload file; descriptions left as files by earlier versions are imported once; the check
// and the announcement it admits hold across processes (per-user advisory lock: quota objects
// with separate in-process queues, on separate server connections, still let through only what
// fits); stale uploads and orphaned pieces are swept. PGlite and the PostgreSQL server.
import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Actor } from '../../audit/audit.service';
import { createUploadQuota } from '../../access/upload-quota';
import { parseConfig, type Config } from '../../common/config';
import { createUploadsService, uploadsDir } from '../../ingest/intake/uploads.service';
import { inFlightBytes } from '../../ingest/intake/uploads.repository';
import { describeEachDatabase } from '../helpers/db';

describeEachDatabase('upload descriptions in the catalog and the quota across processes', (getDb) => {
  let root: string;
  let config: Config;
  const clerk = (name: string): Actor => ({ userId: randomUUID(), username: name, roles: ['department_clerk'] });

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'muragat-uploads-'));
    config = parseConfig({ MURAGAT_DATA_DIR: path.join(root, 'data'), MURAGAT_STORAGE: `file:${path.join(root, 'primary')}`, MURAGAT_UPLOAD_INFLIGHT_MAX_BYTES: '1000', MURAGAT_UPLOAD_DAILY_MAX_BYTES: '5000', LOG_LEVEL: 'silent' });
  });
  afterAll(async () => rm(root, { recursive: true, force: true }));

  it('imports descriptions written as files by earlier versions once, and counts them in flight', async () => {
    const dir = uploadsDir(config);
    await mkdir(dir, { recursive: true });
    const user = clerk('legacy');
    const id = randomUUID();
    await writeFile(path.join(dir, `${id}.part`), 'abc');
    await writeFile(path.join(dir, `${id}.json`), JSON.stringify({ id, filename: 'old.tar', size: 700, sha256: null, createdAt: new Date().toISOString(), createdBy: { userId: user.userId, username: user.username }, transferId: null }));
    const broken = randomUUID();
    await writeFile(path.join(dir, `${broken}.json`), '{ not json');
    const uploads = createUploadsService({ db: getDb().db, config });
    await uploads.ready();
    // Imported and removed; the unreadable one is left where it is.
    expect((await readdir(dir)).sort()).toEqual([`${broken}.json`, `${id}.part`].sort());
    expect(await uploads.get(user, id)).toMatchObject({ id, filename: 'old.tar', size: 700, offset: 3, createdBy: 'legacy', transferId: null });
    // A second service (another process) imports nothing twice.
    await createUploadsService({ db: getDb().db, config }).ready();
    expect(await getDb().db.selectFrom('transfer_uploads').select('id').where('id', '=', id).execute()).toHaveLength(1);
    const quota = createUploadQuota({ db: getDb().db, config });
    expect((await quota.usage(user.userId!)).inFlightBytes).toBe(700);
    await expect(quota.admit(user.userId, 400, (db) => uploads.start(user, { filename: 'new.tar', size: 400 }, db))).rejects.toMatchObject({ status: 429, code: 'upload.quota_in_flight' });
  });

  it('answers the in-flight quota from the table (no upload files read): pieces keep an upload in flight, completion and age end it', async () => {
    const user = clerk('table');
    const uploads = createUploadsService({ db: getDb().db, config });
    const quota = createUploadQuota({ db: getDb().db, config });
    const a = await quota.admit(user.userId, 300, (db) => uploads.start(user, { filename: 'a.tar', size: 300 }, db));
    await quota.admit(user.userId, 200, (db) => uploads.start(user, { filename: 'b.tar', size: 200 }, db));
    // The files are not what the quota reads: with the folder gone the answer is the same.
    await rm(uploadsDir(config), { recursive: true, force: true });
    expect((await quota.usage(user.userId!)).inFlightBytes).toBe(500);
    // An upload abandoned for more than a day stops counting; a piece would have kept it.
    const old = new Date(Date.now() - 25 * 3600 * 1000);
    await getDb().db.updateTable('transfer_uploads').set({ touched_at: old }).where('id', '=', a.id).execute();
    expect(await inFlightBytes(getDb().db, user.userId!, new Date(Date.now() - 24 * 3600 * 1000))).toBe(200);
    // Completed uploads are not in flight.
    await getDb().db.updateTable('transfer_uploads').set({ transfer_id: randomUUID() }).where('created_by_user_id', '=', user.userId).execute();
    expect((await quota.usage(user.userId!)).inFlightBytes).toBe(0);
  });

  it('lets through only what fits when announcements come from several processes at once', async () => {
    const user = clerk('parallel');
    // Each quota object stands for one API process: its own in-process queue; only the
    // catalog's lock stands between them. The announcement is slow, to widen any race.
    const processes = Array.from({ length: 5 }, () => ({ quota: createUploadQuota({ db: getDb().db, config }), uploads: createUploadsService({ db: getDb().db, config }) }));
    const answers = await Promise.allSettled(
      processes.map(({ quota, uploads }) =>
        quota.admit(user.userId, 300, async (db) => {
          const view = await uploads.start(user, { filename: 'p.tar', size: 300 }, db);
          await new Promise((r) => setTimeout(r, 100));
          return view;
        }),
      ),
    );
    const admitted = answers.filter((a) => a.status === 'fulfilled');
    const refused = answers.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
    expect(admitted).toHaveLength(3);
    expect(refused).toHaveLength(2);
    for (const r of refused) expect(r.reason).toMatchObject({ status: 429, code: 'upload.quota_in_flight' });
    expect(await inFlightBytes(getDb().db, user.userId!, new Date(Date.now() - 3600_000))).toBe(900);
    // The audit log holds one announcement per admitted upload, none for the refused.
    const events = await getDb().db.selectFrom('audit_events').select('object_id').where('action', '=', 'transfer.upload_start').where('actor_user_id', '=', user.userId).execute();
    expect(events).toHaveLength(3);
  });

  it('sweeps uploads untouched for a week and pieces no upload describes', async () => {
    const user = clerk('sweep');
    const uploads = createUploadsService({ db: getDb().db, config });
    const stale = await uploads.start(user, { filename: 'stale.tar', size: 10 });
    const fresh = await uploads.start(user, { filename: 'fresh.tar', size: 10 });
    const dir = uploadsDir(config);
    const orphan = randomUUID();
    await writeFile(path.join(dir, `${orphan}.part`), 'x');
    const weekAgo = new Date(Date.now() - 8 * 24 * 3600 * 1000);
    await getDb().db.updateTable('transfer_uploads').set({ touched_at: weekAgo }).where('id', '=', stale.id).execute();
    for (const id of [stale.id, orphan]) await utimes(path.join(dir, `${id}.part`), weekAgo, weekAgo);
    const removed = await uploads.removeStale();
    expect(removed.sort()).toEqual([stale.id, orphan].sort());
    expect(await stat(path.join(dir, `${stale.id}.part`)).catch(() => null)).toBeNull();
    expect(await stat(path.join(dir, `${fresh.id}.part`))).toBeTruthy();
    await expect(uploads.get(user, stale.id)).rejects.toMatchObject({ status: 404 });
    expect(await uploads.get(user, fresh.id)).toMatchObject({ id: fresh.id });
  });
});
