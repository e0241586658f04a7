// A location that cannot be read is not evidence of loss: with the primary copy damaged and the
// replica unreachable (its reads fail), the object is reported damaged and unrepaired — never
// lost — and the damaged primary copy is left where it is.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { FsObjectStore, type ObjectStore, type Storage } from '../../storage';
import { getFixityRun, runFixity, type FixityRunReport } from '../../preservation';
import { describeEachDatabase } from '../helpers/db';
import { createHoldings, flipBit, type TestDossier } from './holdings';

/** A replica behind a failing network: every read throws. */
function unreachable(inner: ObjectStore): ObjectStore {
  const fail = () => Promise.reject(new Error('connect ECONNREFUSED 10.0.0.9:9000'));
  return {
    location: 's3://offline-bucket/archive',
    put: fail,
    putFile: fail,
    get: () => {
      throw new Error('connect ECONNREFUSED 10.0.0.9:9000');
    },
    getBytes: fail,
    exists: fail,
    stat: fail,
    list: () => inner.list(),
    verify: fail,
    destroy: fail,
    setAsideDamaged: fail,
    putRecord: fail,
    listRecords: fail,
    getRecord: fail,
  };
}

describeEachDatabase('fixity with an unreachable location', (getDb) => {
  let dir: string;
  let storage: Storage;
  let primary: FsObjectStore;
  let dossiers: TestDossier[];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'muragat-fixity-offline-'));
    primary = new FsObjectStore(path.join(dir, 'primary'));
    const replica = new FsObjectStore(path.join(dir, 'replica'));
    dossiers = await createHoldings(getDb().db, { primary, replicas: [replica] }, { dossiers: 1, objectsPerDossier: 3, maxBytes: 4000 });
    storage = { primary, replicas: [unreachable(replica)] };
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reports the object damaged and unrepaired, not lost', async () => {
    const victim = dossiers[0]!.objects[0]!;
    await flipBit(primary, victim.sha256);
    const run = await runFixity({ db: getDb().db, storage, threads: 1 }, SYSTEM_ACTOR, { scope: 'all' });
    expect(run.status).toBe('failed');
    expect(run.summary).toMatchObject({ lost: 0, damaged: 4, repaired: 0 });
    const report = (await getFixityRun(getDb().db, run.id)).report as FixityRunReport;
    expect(report.lost).toEqual([]);
    const mine = report.findings.filter((f) => f.sha256 === victim.sha256);
    expect(mine.map((f) => [f.location, f.fault, f.outcome]).sort()).toEqual([
      [primary.location, 'damaged', 'unrepaired'],
      ['s3://offline-bucket/archive', 'unreadable', 'unrepaired'],
    ]);
    expect((await primary.verify(victim.sha256)).ok).toBe(false);
  });

  it('checks sealed content as the envelopes the store holds, not the plain digests the AIP names', async () => {
    const sealedStorage = { primary, replicas: [] };
    const [sealed] = await createHoldings(getDb().db, sealedStorage, { dossiers: 1, objectsPerDossier: 3, maxBytes: 4000, sealed: true });
    const run = await runFixity({ db: getDb().db, storage: sealedStorage, threads: 1 }, SYSTEM_ACTOR, { scope: 'dossier', dossier: sealed!.id });
    expect(run.summary).toMatchObject({ planned: 4, intact: 4, lost: 0 });
    const registered = await getDb().db.selectFrom('fixity_object_refs').select(['sha256', 'path']).where('owner_id', '=', sealed!.id).orderBy('path').execute();
    expect(registered.filter((r) => r.path !== 'aip-manifest.json').map((r) => r.sha256).sort()).toEqual(sealed!.objects.map((o) => o.sha256).sort());
  });
});
