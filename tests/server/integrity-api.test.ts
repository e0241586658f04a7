// Integrity runs over real HTTP against a real ingest: a small transfer is stored in a primary
// store and a replica; a run passes; a byte flipped in the primary copy of a rendition makes
// the next run fail naming the dossier and the object; a run with repair restores the copy
// from the replica and passes. One run at a time (409), roles (401/403), runs left by a
// crashed process are marked interrupted on server start, and every step is in the audit log.
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR, verifyAuditChain } from '../../audit/audit.service';
import { createUsersService } from '../../accounts/users.service';
import { t } from '../../common/i18n';
import { runIngest } from '../../ingest';
import { integrityRunsIdle } from '../../preservation/runs.service';
import { storedObjectOf } from '../../destruction/content';
import { describeEachDatabase } from '../helpers/db';
import { Client, packTextDossier, startTestServer, until as untilWithin, type TestServer } from './helpers';

const until = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000) => untilWithin(what, probe, timeoutMs, 100);

const PASSWORDS = { keeper: 'keeper-Secret-1234', boss: 'boss-Secret-1234', reader: 'reader-Secret-1234' };

describeEachDatabase('integrity runs HTTP API', (getDb) => {
  let server: TestServer;
  let work: string;
  const clients: Record<keyof typeof PASSWORDS, Client> = {} as never;
  let dossierId = '';
  let victim = { path: '', sha256: '' };
  const runIds: string[] = [];

  const objectFile = (store: 'primary' | 'replica', sha256: string) => path.join(work, store, 'objects', sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  const finished = (id: string) =>
    until(`run ${id} to finish`, async () => {
      const res = await clients.keeper.get(`/api/integrity/runs/${id}`);
      expect(res.status).toBe(200);
      return ['passed', 'failed', 'error'].includes(res.body.run.status) ? res.body.run : undefined;
    });
  const start = async (body: Record<string, unknown> = {}) => {
    const res = await clients.keeper.post('/api/integrity/runs', body);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    runIds.push(res.body.run.id);
    return res.body.run;
  };

  beforeAll(async () => {
    const { db } = getDb();
    work = await mkdtemp(path.join(os.tmpdir(), 'muragat-integrity-api-'));
    const tar = await packTextDossier(work, { index: '04-07', title: 'Бухгалтерлік бұйрықтар', kazakhOrder: '3-н', russianOrder: '9-н' });
    const users = createUsersService({ db });
    await users.add(SYSTEM_ACTOR, { username: 'keeper', password: PASSWORDS.keeper, fullName: 'Archivist', roles: ['archivist'], language: 'en' });
    await users.add(SYSTEM_ACTOR, { username: 'boss', password: PASSWORDS.boss, fullName: 'Administrator', roles: ['admin'], language: 'ru' });
    await users.add(SYSTEM_ACTOR, { username: 'reader', password: PASSWORDS.reader, fullName: 'Researcher', roles: ['researcher'], language: 'en' });
    server = await startTestServer(db, {}, {
      MURAGAT_STORAGE: `file:${path.join(work, 'primary')},file:${path.join(work, 'replica')}`,
      MURAGAT_TRUST_DIR: path.join(work, 'trust'),
      // Test machines have no ClamAV signature database; the policy says what that means.
      MURAGAT_MALWARE_POLICY: 'accept-with-warning',
    });
    const report = await runIngest({ db, storage: server.deps.storage, config: server.deps.config }, { tarPath: tar });
    const d = report.dossiers[0]!;
    expect(d.documents.every((doc) => doc.status === 'accepted'), JSON.stringify(report)).toBe(true);
    dossierId = d.id!;
    const row = await db.selectFrom('dossiers').select('aip_manifest_sha256').where('id', '=', dossierId).executeTakeFirstOrThrow();
    const manifest = JSON.parse((await server.deps.storage.primary.getBytes(row.aip_manifest_sha256)).toString('utf8')) as { files: { path: string; sha256: string; role: string }[] };
    const rendition = manifest.files.find((f) => f.role === 'rendition')!;
    // A dossier that may be destroyed stores its content sealed (docs/destruction.md): the
    // object on disk is the envelope, checked and repaired under its own digest.
    victim = { path: rendition.path, sha256: (await storedObjectOf(db, rendition.sha256)).sha256 };
    for (const name of Object.keys(PASSWORDS) as (keyof typeof PASSWORDS)[]) {
      clients[name] = new Client(server.url);
      expect((await clients[name].login(name, PASSWORDS[name])).status).toBe(200);
    }
  }, 300_000);

  afterAll(async () => {
    if (server) {
      await integrityRunsIdle(server.deps.db);
      await server.stop();
    }
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('refuses anonymous users (401) and researchers (403); validates the body (400)', async () => {
    const anonymous = new Client(server.url);
    await anonymous.get('/api/session');
    expect((await anonymous.get('/api/integrity/runs')).status).toBe(401);
    expect((await anonymous.post('/api/integrity/runs', {})).status).toBe(401);
    const forbidden = await clients.reader.post('/api/integrity/runs', {});
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.code).toBe('auth.forbidden');
    expect((await clients.reader.get('/api/integrity/runs')).status).toBe(403);
    // Without the CSRF header a start is refused before anything else.
    expect((await clients.keeper.post('/api/integrity/runs', {}, { csrf: false })).status).toBe(403);
    const bad = await clients.keeper.post('/api/integrity/runs', { repair: 'yes', extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.problems.map((p: { field: string }) => p.field).sort()).toEqual(['body/extra', 'body/repair']);
    const missing = await clients.keeper.post('/api/integrity/runs', { dossierId: '99-99' });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('ingest.dossier_not_found');
    expect((await clients.keeper.get('/api/integrity/runs/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await clients.keeper.get('/api/integrity/runs/not-a-run')).status).toBe(404);
    expect((await clients.keeper.get('/api/integrity/runs')).body.runs).toEqual([]);
  });

  it('starts a run that passes on the intact archive, with progress and a report', async () => {
    const run = await start();
    expect(['queued', 'running']).toContain(run.status);
    expect(run).toMatchObject({ repair: false, dossier: null, actor: { username: 'keeper' }, finishedAt: null, summary: null });
    const done = await finished(run.id);
    expect(done.status, JSON.stringify(done)).toBe('passed');
    expect(done.error).toBeNull();
    expect(done.progress).toEqual({ phase: 'done', done: 1, total: 1, item: '' });
    expect(done.finishedAt).not.toBeNull();
    expect(done.report).toMatchObject({ ok: true, dossiers: [], repairs: [], truncated: false });
    expect(done.report.summary).toMatchObject({ ok: true, dossiersChecked: 1, failedDossiers: 0, failures: 0, repairedCopies: 0 });
    expect(done.report.summary.objectsChecked).toBeGreaterThan(10);
  }, 120_000);

  it('fails after a byte of a stored rendition is flipped, naming the dossier and the object', async () => {
    const file = objectFile('primary', victim.sha256);
    const bytes = await readFile(file);
    bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0x01;
    await chmod(file, 0o644);
    await writeFile(file, bytes);

    const done = await finished((await start()).id);
    expect(done.status).toBe('failed');
    expect(done.report.summary).toMatchObject({ ok: false, dossiersChecked: 1, failedDossiers: 1 });
    const [d] = done.report.dossiers;
    expect(d).toMatchObject({ id: dossierId, index: '04-07', title: 'Бухгалтерлік бұйрықтар' });
    expect(d.failures).toContainEqual(expect.objectContaining({ kind: 'object-corrupt', path: victim.path, sha256: victim.sha256, store: `file:${path.join(work, 'primary')}` }));
    // The replica's copy is sound: only the primary is named.
    expect(d.failures.filter((f: { kind: string }) => f.kind.startsWith('object-'))).toHaveLength(1);
    expect(done.report.repairs).toEqual([]);
  }, 120_000);

  it('repairs the damaged copy from the replica, then passes', async () => {
    const run = await start({ repair: true });
    expect(run.repair).toBe(true);
    const done = await finished(run.id);
    expect(done.status, JSON.stringify(done.report)).toBe('passed');
    expect(done.report.summary).toMatchObject({ ok: true, repairedCopies: 1, unrepairedCopies: 0, failedDossiers: 0 });
    expect(done.report.repairs).toEqual([
      expect.objectContaining({ sha256: victim.sha256, source: `file:${path.join(work, 'replica')}`, paths: [victim.path], dossiers: ['04-07'], unrepaired: [] }),
    ]);
    expect(done.report.repairs[0].repaired).toEqual([expect.objectContaining({ location: `file:${path.join(work, 'primary')}`, was: 'damaged' })]);
    // What was found before the repair stays in the report.
    expect(done.report.foundBeforeRepair[0].failures).toContainEqual(expect.objectContaining({ kind: 'object-corrupt', path: victim.path }));
    expect(await server.deps.storage.primary.verify(victim.sha256)).toMatchObject({ ok: true });

    const again = await finished((await start()).id);
    expect(again.status).toBe('passed');
  }, 120_000);

  it('checks one dossier by id or by its case index', async () => {
    const byId = await finished((await start({ dossierId })).id);
    expect(byId).toMatchObject({ status: 'passed', dossier: { id: dossierId, index: '04-07' } });
    const byIndex = await start({ dossierId: '04-07' });
    expect(byIndex.dossier).toEqual({ id: dossierId, index: '04-07' });
    await finished(byIndex.id);
  }, 120_000);

  it('refuses a second start while a run is active with 409 and a translated message', async () => {
    // Two starts at once: the database lets exactly one through.
    const [a, b] = await Promise.all([clients.keeper.post('/api/integrity/runs', {}), clients.boss.post('/api/integrity/runs', {})]);
    expect([a.status, b.status].sort()).toEqual([202, 409]);
    const [accepted, refused] = a.status === 202 ? [a, b] : [b, a];
    runIds.push(accepted.body.run.id);
    expect(refused.body.error.code).toBe('integrity.run_in_progress');
    const who = accepted.body.run.actor.username;
    const lang = refused === b ? 'ru' : 'en';
    expect(refused.body.error.message).toBe(t(lang, 'ingest.integrity_run_in_progress', { username: who }));
    expect(refused.body.error.details).toMatchObject({ runId: accepted.body.run.id, startedBy: who });
    await finished(accepted.body.run.id);

    // A run of another process (fresh heartbeat) blocks too; once its heartbeat is stale it
    // is marked interrupted and a new run may start.
    const { db } = getDb();
    const other = await db
      .insertInto('preservation_runs')
      .values({ mode: 'verify', status: 'running', actor: JSON.stringify({ userId: null, username: 'cli:operator' }), runner: 'elsewhere pid 1', progress: JSON.stringify({ phase: 'queued', done: 0, total: 0, item: '' }) })
      .returning('id')
      .executeTakeFirstOrThrow();
    const blocked = await clients.keeper.post('/api/integrity/runs', {});
    expect(blocked.status).toBe(409);
    expect(blocked.body.error.message).toBe(t('en', 'ingest.integrity_run_in_progress', { username: 'cli:operator' }));
    await db.updateTable('preservation_runs').set({ heartbeat_at: sql<Date>`now() - interval '1 hour'` }).where('id', '=', other.id).execute();
    const next = await start();
    expect((await clients.keeper.get(`/api/integrity/runs/${other.id}`)).body.run).toMatchObject({ status: 'error', error: 'interrupted' });
    await finished(next.id);
  }, 120_000);

  it('marks runs left running by a crashed process as interrupted when a server starts', async () => {
    const { db } = getDb();
    const crashed = await db
      .insertInto('preservation_runs')
      .values({ mode: 'verify', status: 'running', actor: JSON.stringify({ userId: null, username: 'keeper' }), runner: 'gone pid 2', progress: JSON.stringify({ phase: 'verify', done: 0, total: 1, item: '04-07' }) })
      .returning('id')
      .executeTakeFirstOrThrow();
    // The catalog is this test's alone, as an embedded one is a server's alone.
    const restarted = await startTestServer(db, {}, { MURAGAT_STORAGE: `file:${path.join(work, 'primary')},file:${path.join(work, 'replica')}` });
    await restarted.stop();
    const run = (await clients.keeper.get(`/api/integrity/runs/${crashed.id}`)).body.run;
    expect(run).toMatchObject({ status: 'error', error: 'interrupted', progress: { phase: 'verify', item: '04-07' } });
    expect(run.finishedAt).not.toBeNull();
    const event = await db.selectFrom('audit_events').select(['actor_username', 'details']).where('action', '=', 'integrity.run_interrupted').where('object_id', '=', crashed.id).executeTakeFirst();
    expect(event).toMatchObject({ actor_username: 'system', details: { runner: 'gone pid 2' } });
  }, 60_000);

  it('lists runs newest first with a limit; an admin may read them too', async () => {
    const all = await clients.boss.get('/api/integrity/runs?limit=200');
    expect(all.status).toBe(200);
    const starts = all.body.runs.map((r: { startedAt: string }) => r.startedAt);
    expect([...starts].sort().reverse()).toEqual(starts);
    for (const id of runIds) expect(all.body.runs.map((r: { id: string }) => r.id)).toContain(id);
    // Lists carry the summary, not the report.
    expect(all.body.runs[0].report).toBeUndefined();
    const failed = all.body.runs.find((r: { status: string }) => r.status === 'failed');
    expect(failed.summary).toMatchObject({ ok: false, failedDossiers: 1 });
    const two = await clients.keeper.get('/api/integrity/runs?limit=2');
    expect(two.body.runs.map((r: { id: string }) => r.id)).toEqual(all.body.runs.slice(0, 2).map((r: { id: string }) => r.id));
    expect((await clients.keeper.get('/api/integrity/runs?limit=0')).status).toBe(400);
  });

  it('writes every start, result, repair and interruption to the audit log, and the chain holds', async () => {
    const { db } = getDb();
    const events = await db.selectFrom('audit_events').select(['action', 'object_id', 'actor_username', 'details']).where('action', 'like', 'integrity.%').orderBy('id').execute();
    const starts = events.filter((e) => e.action === 'integrity.run_start');
    for (const id of runIds) {
      expect(starts.map((e) => e.object_id)).toContain(id);
      expect(events.filter((e) => e.action === 'integrity.run' && (e.details as { runId?: string }).runId === id)).toHaveLength(1);
    }
    expect(starts.find((e) => e.object_id === runIds[0])).toMatchObject({ actor_username: 'keeper', details: { repair: false, dossierId: null } });
    const failedRun = events.find((e) => e.action === 'integrity.run' && (e.details as { runId?: string }).runId === runIds[1]);
    expect(failedRun?.details).toMatchObject({ ok: false, failedDossiers: ['04-07'] });
    const repair = await db.selectFrom('audit_events').select(['details']).where('action', '=', 'storage.repair').where('object_id', '=', victim.sha256).executeTakeFirstOrThrow();
    expect(repair.details).toMatchObject({ runId: runIds[2], paths: [victim.path] });
    expect(events.filter((e) => e.action === 'integrity.run_interrupted')).toHaveLength(2);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('documents the routes in the OpenAPI document', async () => {
    const doc = (await clients.keeper.get('/api/openapi.json')).body;
    expect(Object.keys(doc.paths['/api/integrity/runs']).sort()).toEqual(['get', 'post']);
    expect(doc.paths['/api/integrity/runs/{id}'].get).toBeDefined();
    expect(doc.components.schemas.IntegrityRun).toBeDefined();
  });
});
