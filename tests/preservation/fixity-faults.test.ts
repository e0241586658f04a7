// Fault acceptance (issue 14): bits flipped in 20 random objects of one replica are all found
// and repaired by one run; objects deleted from an S3 replica are repaired; an object damaged in
// every replica is reported lost with its dossier; an interrupted run resumes and checks only
// what it had not reached. Every repair is verified by hashing the written copy and audited;
// every run leaves a JSON report and a PDF/A report signed with the system key in storage.
import { mkdtemp, rm, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { loadSystemKey } from '../../audit/audit-anchor';
import { FsObjectStore, type Storage } from '../../storage';
import type { S3ObjectStore } from '../../storage/s3-object-store';
import {
  getFixityRun,
  registerHoldings,
  resumeFixityRun,
  runFixity,
  verifySystemSignature,
  type FixityRunReport,
} from '../../preservation';
import { validateBytes } from '../../validators/pdfa';
import { describeEachDatabase } from '../helpers/db';
import { createHoldings, flipBit, type TestDossier } from './holdings';
import { startS3, type TestS3 } from './s3-server';

describeEachDatabase('fixity runs: faults found, repaired, lost, resumed', (getDb) => {
  let dir: string;
  let s3: TestS3;
  let storage: Storage;
  let primary: FsObjectStore;
  let replica: FsObjectStore;
  let bucket: S3ObjectStore;
  let dossiers: TestDossier[];
  const keyDir = () => path.join(dir, 'keys');
  const deps = () => ({ db: getDb().db, storage, keyDir: keyDir(), threads: 2 });
  const audit = async (action: string) =>
    (await getDb().db.selectFrom('audit_events').select(['object_id', 'details']).where('action', '=', action).orderBy('id').execute()).map((e) => ({ id: e.object_id, details: e.details as Record<string, unknown> }));

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'muragat-fixity-'));
    s3 = await startS3();
    primary = new FsObjectStore(path.join(dir, 'primary'));
    replica = new FsObjectStore(path.join(dir, 'replica'));
    bucket = await s3.store(`fixity-${getDb().kind}`);
    storage = { primary, replicas: [replica, bucket] };
    dossiers = await createHoldings(getDb().db, storage, { dossiers: 6, objectsPerDossier: 8 });
  }, 120_000);
  afterAll(async () => {
    await s3?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('registers every object of every AIP with its dossier and proves an intact store intact', async () => {
    await registerHoldings(deps());
    const objects = await getDb().db.selectFrom('fixity_objects').select('sha256').execute();
    expect(objects).toHaveLength(6 * 9);
    const run = await runFixity(deps(), SYSTEM_ACTOR, { scope: 'all' });
    expect(run.status).toBe('passed');
    expect(run.summary).toMatchObject({ ok: true, planned: 54, checked: 54, intact: 54, badCopies: 0, locations: [primary.location, replica.location, bucket.location] });
  });

  it('finds and repairs bits flipped in 20 random objects of one replica in one run, each repair verified and audited', async () => {
    const all = dossiers.flatMap((d) => d.objects.map((o) => o.sha256));
    const chosen = [...all].sort(() => Math.random() - 0.5).slice(0, 20);
    for (const sha of chosen) await flipBit(replica, sha);
    const run = await runFixity(deps(), SYSTEM_ACTOR, { scope: 'all' });
    expect(run.status).toBe('passed'); // every bad copy repaired
    expect(run.summary).toMatchObject({ repaired: 20, damaged: 0, lost: 0, badCopies: 20, repairedCopies: 20 });
    const report = (await getFixityRun(getDb().db, run.id)).report as FixityRunReport;
    expect(report.findings.map((f) => f.sha256).sort()).toEqual([...chosen].sort());
    for (const f of report.findings) {
      expect(f).toMatchObject({ location: replica.location, fault: 'damaged', outcome: 'repaired', sourceLocation: primary.location });
      expect(f.damagedCopy).toContain(path.join(dir, 'replica', 'damaged'));
      expect(f.dossiers).toHaveLength(1);
    }
    for (const sha of chosen) expect((await replica.verify(sha)).ok).toBe(true);
    const repairs = (await audit('storage.repair')).filter((e) => e.details.runId === run.id);
    expect(repairs.map((e) => e.id).sort()).toEqual([...chosen].sort());
    expect(repairs[0]!.details).toMatchObject({ verified: true, source: primary.location });
    expect((repairs[0]!.details.dossiers as string[])[0]).toMatch(/^07-0\d$/);
  });

  it('repairs objects deleted from the S3 replica', async () => {
    const gone = dossiers[2]!.objects.slice(0, 5).map((o) => o.sha256);
    for (const sha of gone) await bucket.client.send(new DeleteObjectCommand({ Bucket: bucket.bucket, Key: bucket.objectKey(sha) }));
    const run = await runFixity(deps(), SYSTEM_ACTOR, { scope: 'location', location: bucket.location });
    expect(run.status).toBe('passed');
    expect(run.summary).toMatchObject({ planned: 54 + 6 /* the two earlier runs' report objects */, repaired: 5, locations: [bucket.location] });
    const report = (await getFixityRun(getDb().db, run.id)).report as FixityRunReport;
    expect(report.findings.map((f) => [f.sha256, f.fault, f.outcome]).sort()).toEqual(gone.map((s) => [s, 'missing', 'repaired']).sort());
    for (const sha of gone) expect((await bucket.verify(sha)).ok).toBe(true);
  });

  it('reports an object damaged in every location as lost, with its dossier, and repairs what it can', async () => {
    const victim = dossiers[4]!;
    const lost = victim.objects[3]!;
    await flipBit(primary, lost.sha256);
    await flipBit(replica, lost.sha256);
    await bucket.client.send(new DeleteObjectCommand({ Bucket: bucket.bucket, Key: bucket.objectKey(lost.sha256) }));
    const run = await runFixity(deps(), SYSTEM_ACTOR, { scope: 'dossier', dossier: victim.index });
    expect(run.status).toBe('failed');
    expect(run.summary).toMatchObject({ planned: 9, lost: 1, intact: 8 });
    const report = (await getFixityRun(getDb().db, run.id)).report as FixityRunReport;
    expect(report.lost).toEqual([{ sha256: lost.sha256, dossiers: [{ id: victim.id, index: victim.index }], rejectedItemsOf: [], paths: [lost.path] }]);
    expect(report.findings.filter((f) => f.sha256 === lost.sha256).map((f) => f.outcome)).toEqual(['lost', 'lost', 'lost']);
    const events = (await audit('storage.object_lost')).filter((e) => e.details.runId === run.id);
    expect(events).toEqual([expect.objectContaining({ id: lost.sha256, details: expect.objectContaining({ dossiers: [victim.index], paths: [lost.path] }) })]);
    // Nothing is "repaired" from a bad copy: the damaged bytes stay where they were.
    expect((await primary.verify(lost.sha256)).ok).toBe(false);
    const row = await getDb().db.selectFrom('fixity_objects').select(['last_state']).where('sha256', '=', lost.sha256).executeTakeFirstOrThrow();
    expect(row.last_state).toBe('lost');
  });

  it('resumes an interrupted run where it stopped', async () => {
    const controller = new AbortController();
    let seen = 0;
    const first = runFixity(deps(), SYSTEM_ACTOR, { scope: 'all' }, {
      signal: controller.signal,
      onProgress: (phase, done) => {
        if (phase === 'check') {
          seen = done;
          controller.abort(); // stop after the first step of 64 objects
        }
      },
    });
    await expect(first).rejects.toThrow(/interrupted/);
    const runs = await getDb().db.selectFrom('preservation_runs').select(['id', 'status', 'done', 'planned']).where('status', '=', 'interrupted').execute();
    expect(runs).toHaveLength(1);
    const interrupted = runs[0]!;
    expect(interrupted.done).toBe(seen);
    expect(interrupted.done).toBeLessThan(interrupted.planned);
    const resumed = await resumeFixityRun(deps(), SYSTEM_ACTOR);
    expect(resumed!.id).toBe(interrupted.id);
    expect(resumed!.status).toBe('failed'); // the lost object is still lost
    expect(resumed!.summary).toMatchObject({ checked: interrupted.planned, resumed: 1, lost: 1 });
    const items = await getDb().db.selectFrom('fixity_run_items').select('outcome').where('run_id', '=', interrupted.id).execute();
    expect(items.every((i) => i.outcome !== null)).toBe(true);
    expect((await audit('integrity.fixity_resume')).map((e) => e.id)).toContain(interrupted.id);
    expect(await resumeFixityRun(deps(), SYSTEM_ACTOR)).toBeNull();
  });

  it('stores each run as JSON and as a PDF/A-1 report signed with the system key', async () => {
    const run = (await getDb().db.selectFrom('preservation_runs').select(['id', 'report_json_sha256', 'report_pdf_sha256', 'report_signature_sha256']).where('status', '=', 'failed').executeTakeFirstOrThrow());
    for (const store of [primary, replica, bucket]) {
      expect(await store.exists(run.report_json_sha256!)).toBe(true);
      expect(await store.exists(run.report_signature_sha256!)).toBe(true);
    }
    const json = JSON.parse((await primary.getBytes(run.report_json_sha256!)).toString('utf8')) as FixityRunReport;
    expect(json.format).toBe('muragat.fixity-report/1');
    expect(json.run.id).toBe(run.id);
    const pdf = await primary.getBytes(run.report_pdf_sha256!);
    const pdfa = validateBytes(pdf);
    expect(pdfa.failures).toEqual([]);
    expect(pdfa.compliant).toBe(true);
    const key = (await loadSystemKey(keyDir()))!;
    const cms = await primary.getBytes(run.report_signature_sha256!);
    expect(verifySystemSignature(cms, pdf, key)).toMatchObject({ ok: true, keyId: key.keyId, subject: expect.stringContaining('Muragat archive system key') });
    const tampered = Buffer.from(pdf);
    tampered[tampered.length >> 1] = tampered[tampered.length >> 1]! ^ 1;
    expect(verifySystemSignature(cms, tampered, key)).toMatchObject({ ok: false, reason: expect.stringContaining('message digest') });
    // Missing locations for deleted copies: the reports themselves are holdings checked later.
    await unlink(replica.objectPath(run.report_pdf_sha256!));
    const next = await runFixity(deps(), SYSTEM_ACTOR, { scope: 'location', location: '2' });
    expect(next.summary!.repaired).toBe(1);
  });
});
