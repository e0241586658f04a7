// The integrity dashboard's API over real HTTP, and the fixity schedule: the overview (schedule,
// coverage, lost objects, runs), a schedule change (audited, validated), a run started and
// followed to its stored, signed report; the scheduled batch takes the oldest-checked objects
// first, covers the store in one cycle, is claimed once, runs as a job on the queue and resumes
// an interrupted run before planning a new batch.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createUsersService } from '../../accounts/users.service';
import { jobQueueFor, type InProcessQueue } from '../../jobs';
import { fixityBatchJob, fixityRunsIdle, runFixity, runScheduledBatch, setFixitySchedule, verifySystemSignature } from '../../preservation';
import { loadSystemKey, systemKeyDir } from '../../audit/audit-anchor';
import type { Storage } from '../../storage';
import { describeEachDatabase } from '../helpers/db';
import { Client, startTestServer, until, type TestServer } from '../server/helpers';
import { createHoldings, type TestDossier } from './holdings';

describeEachDatabase('fixity dashboard API and schedule', (getDb) => {
  let server: TestServer;
  let work: string;
  let keeper: Client;
  let reader: Client;
  let storage: Storage;
  let dossiers: TestDossier[];

  beforeAll(async () => {
    const { db } = getDb();
    work = await mkdtemp(path.join(os.tmpdir(), 'muragat-fixity-api-'));
    const users = createUsersService({ db });
    await users.add(SYSTEM_ACTOR, { username: 'keeper', password: 'keeper-Secret-1234', fullName: 'Archivist', roles: ['archivist'], language: 'en' });
    await users.add(SYSTEM_ACTOR, { username: 'reader', password: 'reader-Secret-1234', fullName: 'Researcher', roles: ['researcher'], language: 'en' });
    server = await startTestServer(db, {}, { MURAGAT_STORAGE: `file:${path.join(work, 'primary')},file:${path.join(work, 'replica')}`, MURAGAT_DATA_DIR: work });
    storage = server.deps.storage;
    dossiers = await createHoldings(db, storage, { dossiers: 4, objectsPerDossier: 5, maxBytes: 20_000 });
    keeper = new Client(server.url);
    reader = new Client(server.url);
    expect((await keeper.login('keeper', 'keeper-Secret-1234')).status).toBe(200);
    expect((await reader.login('reader', 'reader-Secret-1234')).status).toBe(200);
  }, 120_000);
  afterAll(async () => {
    if (server) {
      await fixityRunsIdle(server.deps.db);
      await server.stop();
    }
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('shows the schedule and the coverage of the store; refuses other roles', async () => {
    expect((await reader.get('/api/integrity/fixity')).status).toBe(403);
    const res = await keeper.get('/api/integrity/fixity');
    expect(res.status).toBe(200);
    const body = res.body as { schedule: { cycleDays: number; batchHours: number; batchesPerCycle: number }; coverage: { objects: number; neverChecked: number; share: number }; lost: unknown[]; runs: unknown[] };
    expect(body.schedule).toMatchObject({ cycleDays: 90, batchHours: 24, batchesPerCycle: 90 });
    expect(body.coverage).toMatchObject({ objects: 4 * 6, neverChecked: 4 * 6, share: 0 });
    // A fresh catalog's first batch waits a day after installation: a server started for a moment
    // checks nothing. (Measured from the schedule's installation, not from now: the test database
    // comes from a migrated template that may be older than a day.)
    const installed = await sql<{ updated_at: Date; updated_by: unknown }>`SELECT updated_at, updated_by FROM fixity_schedule`.execute(getDb().db);
    expect(installed.rows[0]!.updated_by).toBeNull();
    const nextBatchAt = new Date((body.schedule as unknown as { nextBatchAt: string }).nextBatchAt).getTime();
    expect(nextBatchAt - new Date(installed.rows[0]!.updated_at).getTime()).toBe(24 * 3600_000);
    expect(body.lost).toEqual([]);
  });

  it('changes the schedule (audited) and names a bad value', async () => {
    const bad = await keeper.request('PUT', '/api/integrity/fixity/schedule', { json: { cycleDays: 1, batchHours: 48 } });
    expect(bad.status).toBe(400);
    expect((bad.body as { error: { message: string } }).error.message).toContain('batchHours');
    const res = await keeper.request('PUT', '/api/integrity/fixity/schedule', { json: { cycleDays: 2, batchHours: 12, repair: true } });
    expect(res.status).toBe(200);
    expect((res.body as { schedule: unknown }).schedule).toMatchObject({ cycleDays: 2, batchHours: 12, batchesPerCycle: 4 });
    const event = await getDb().db.selectFrom('audit_events').select(['actor_username', 'details']).where('action', '=', 'integrity.schedule_set').executeTakeFirstOrThrow();
    expect(event.actor_username).toBe('keeper');
  });

  it('starts a run, follows it to a passed report, and serves the signed PDF/A report', async () => {
    const started = await keeper.post('/api/integrity/runs', { mode: 'fixity', dossierId: dossiers[1]!.index });
    expect(started.status, started.text).toBe(202);
    const id = (started.body as { run: { id: string } }).run.id;
    const run = await until('fixity run to finish', async () => {
      const r = await keeper.get(`/api/integrity/runs/${id}`);
      const v = (r.body as { run: { status: string } }).run;
      return ['passed', 'failed', 'error'].includes(v.status) ? v : undefined;
    }, 60_000, 100);
    expect(run).toMatchObject({ mode: 'fixity', status: 'passed', scope: 'dossier', summary: { checked: 6, intact: 6 } });
    // One list of both modes: the fixity run is in it, with the progress every run shows.
    const listed = (await keeper.get('/api/integrity/runs?mode=fixity')).body as { runs: { id: string; mode: string; progress: { phase: string; done: number; total: number } }[] };
    expect(listed.runs.find((r) => r.id === id)).toMatchObject({ mode: 'fixity', progress: { phase: 'done', done: 6, total: 6 } });
    expect(((await keeper.get('/api/integrity/runs?mode=verify')).body as { runs: unknown[] }).runs).toEqual([]);
    // Only a fixity run resumes; a verify run's location makes no sense.
    expect((await keeper.post(`/api/integrity/runs/${id}/resume`, {})).status).toBe(409);
    expect((await keeper.post('/api/integrity/runs', { location: '1' })).status).toBe(400);
    const pdf = await fetch(`${server.url}/api/integrity/runs/${id}/report.pdf`, { headers: { cookie: [...keeper.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    expect(pdf.status).toBe(200);
    const pdfBytes = Buffer.from(await pdf.arrayBuffer());
    expect(pdfBytes.subarray(0, 5).toString()).toBe('%PDF-');
    const sig = await fetch(`${server.url}/api/integrity/runs/${id}/report.pdf.p7s`, { headers: { cookie: [...keeper.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    const key = (await loadSystemKey(systemKeyDir({ dataDir: work })))!;
    expect(verifySystemSignature(Buffer.from(await sig.arrayBuffer()), pdfBytes, key).ok).toBe(true);
    expect((await keeper.get(`/api/integrity/runs/${id}/report.exe`)).status).toBe(404);
    expect((await keeper.post('/api/integrity/runs', { mode: 'fixity', location: '9' })).status).toBe(400);
  });

  it('checks the oldest-checked objects first, in batches that cover the store in one cycle, each slot once', async () => {
    const { db } = getDb();
    const deps = { db, storage, keyDir: systemKeyDir({ dataDir: work }) };
    await setFixitySchedule(db, SYSTEM_ACTOR, { cycleDays: 1, batchHours: 6, nextBatchAt: new Date(Date.now() - 1000).toISOString() });
    const before = await db.selectFrom('fixity_objects').select(['sha256', 'last_checked_at']).execute();
    const first = await runScheduledBatch(deps);
    expect(first.kind).toBe('batch');
    if (first.kind !== 'batch') return;
    expect(first.run.trigger).toBe('schedule');
    // 4 batches per cycle: about a quarter of the bytes, never-checked objects first.
    const items = await db.selectFrom('fixity_run_items').select('sha256').where('run_id', '=', first.run.id).execute();
    const never = new Set(before.filter((o) => o.last_checked_at === null).map((o) => o.sha256));
    expect(items.length).toBeGreaterThan(0);
    expect(items.length).toBeLessThan(before.length);
    expect(items.every((i) => never.has(i.sha256))).toBe(true);
    // The slot is taken: the next step finds nothing due.
    expect((await runScheduledBatch(deps)).kind).toBe('not-due');
    // Four more due batches prove every object at least once.
    for (let i = 0; i < 4; i++) {
      await setFixitySchedule(db, SYSTEM_ACTOR, { nextBatchAt: new Date(Date.now() - 1000).toISOString() });
      expect((await runScheduledBatch(deps)).kind).toBe('batch');
    }
    // Every object of every dossier proven (only the last batch's own report objects wait).
    const unchecked = await sql<{ owner_kind: string }>`SELECT DISTINCT r.owner_kind FROM fixity_objects o JOIN fixity_object_refs r ON r.sha256 = o.sha256 WHERE o.last_checked_at IS NULL`.execute(db);
    expect(unchecked.rows.map((r) => r.owner_kind)).toEqual(['report']);
  });

  it('runs as a job of the queue, resuming an interrupted run before any new batch', async () => {
    const { db } = getDb();
    const deps = { db, storage, keyDir: systemKeyDir({ dataDir: work }), config: { databaseUrl: undefined, jobStaleSeconds: undefined } };
    const controller = new AbortController();
    await expect(
      runFixity(deps, SYSTEM_ACTOR, { scope: 'all' }, { signal: controller.signal, onProgress: (phase) => phase === 'check' && controller.abort() }),
    ).rejects.toThrow(/interrupted/);
    const interrupted = await db.selectFrom('preservation_runs').select('id').where('status', '=', 'interrupted').executeTakeFirstOrThrow();
    // The queue of this catalog, which the job also enqueues its successor on.
    const queue = jobQueueFor(deps) as InProcessQueue;
    const job = fixityBatchJob(deps);
    const waiting = (await queue.depth())['preservation.fixity-batch'] ?? 0; // the schedule change's job, not due
    await queue.enqueue(job, {});
    const worker = await queue.work([job], { once: true });
    await worker.done;
    const after = await db.selectFrom('preservation_runs').select(['status', 'resumed']).where('id', '=', interrupted.id).executeTakeFirstOrThrow();
    expect(after).toEqual({ status: 'passed', resumed: 1 });
    // The job enqueued its successor for the schedule's next time.
    const depth = await queue.depth();
    expect(depth['preservation.fixity-batch']).toBe(waiting + 1);
    const next = await sql<{ next_batch_at: Date }>`SELECT next_batch_at FROM fixity_schedule`.execute(db);
    expect(new Date(next.rows[0]!.next_batch_at).getTime()).toBeGreaterThan(Date.now());
  });
});
