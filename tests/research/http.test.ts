// The research routes over real HTTP on both engines: anonymous self-registration (CSRF, the
// pending profile), the archivist's confirmation, a researcher's request and another
// researcher's 404, approval and copies through the API (the link told once), the package by
// the portal and by the link without a session, and the link's 410 with a translated message
// once the server's clock passes the expiry, before and after the sweep removes the package.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createUsersService } from '../../accounts/users.service';
import { runIngest } from '../../ingest';
import { sweepExpiredPackages } from '../../research';
import { describeEachDatabase } from '../helpers/db';
import { Client, packTextDossier, startTestServer, type TestServer } from '../server/helpers';

const PASSWORD = 'reading-Room-2026!';
const DAY = 24 * 60 * 60 * 1000;

describeEachDatabase('research over HTTP', (getDb) => {
  let server: TestServer;
  let work: string;
  let clock = new Date();
  let dossierId = '';
  const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

  async function signedIn(username: string): Promise<Client> {
    const client = new Client(server.url);
    expect((await client.login(username, PASSWORD)).status).toBe(200);
    return client;
  }

  beforeAll(async () => {
    const { db } = getDb();
    work = await mkdtemp(path.join(os.tmpdir(), 'muragat-research-http-'));
    const users = createUsersService({ db });
    await users.add(SYSTEM_ACTOR, { username: 'keeper', password: PASSWORD, fullName: 'Әбенова Гүлнар', position: 'мұрағатшы', roles: ['archivist'], language: 'en' });
    server = await startTestServer(db, { now: () => clock }, { MURAGAT_TRUST_DIR: path.join(work, 'trust'), MURAGAT_MALWARE_POLICY: 'accept-with-warning' });
    const report = await runIngest({ db, storage: server.deps.storage, config: server.deps.config }, { tarPath: await packTextDossier(work, { index: '04-30', title: 'Жабдық сатып алу', kazakhOrder: '5-ж', russianOrder: '9-ж' }) });
    dossierId = report.dossiers[0]!.id!;
  }, 300_000);

  afterAll(async () => {
    if (server) await server.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('registration, confirmation, request, approval, copies, downloads and the link expiring', async () => {
    // Anonymous application: the CSRF token of the session page is needed, as for the login.
    const anonymous = new Client(server.url);
    expect((await anonymous.post('/api/research/registrations', { username: 'saule' })).status).toBe(403);
    await anonymous.get('/api/session');
    const form = { username: 'saule', password: PASSWORD, fullName: 'Сәуле Жұмабаева', organisation: 'Ұлттық кітапхана', email: 'saule@example.kz', purpose: 'Монография', language: 'en' };
    const applied = await anonymous.post('/api/research/registrations', form);
    expect(applied.status, applied.text).toBe(201);
    expect(applied.body.researcher).toMatchObject({ status: 'pending', registeredBy: 'self' });
    expect((await anonymous.post('/api/research/registrations', form)).status).toBe(409);

    const keeper = await signedIn('keeper');
    const saule = await signedIn('saule');
    const early = await saule.post('/api/research/requests', { items: [{ dossierId }] });
    expect(early.status).toBe(403);
    expect(early.body.error.code).toBe('research.researcher_not_confirmed');
    const pending = await keeper.get('/api/research/researchers?status=pending');
    const id = (pending.body.researchers as { id: string; username: string }[]).find((r) => r.username === 'saule')!.id;
    expect((await keeper.post(`/api/research/researchers/${id}/confirm`, {})).status).toBe(200);

    const submitted = await saule.post('/api/research/requests', { items: [{ dossierId }], purpose: 'Монография, 3-тарау' });
    expect(submitted.status, submitted.text).toBe(201);
    const request = submitted.body.request as { id: string; number: string };
    // Another researcher neither lists nor opens it.
    await keeper.post('/api/research/researchers', { username: 'timur', password: PASSWORD, fullName: 'Тимур Әлиев', organisation: 'ҚазҰПУ', phone: '+7 701 111 22 33', purpose: 'Курстық жұмыс' });
    const timur = await signedIn('timur');
    expect(((await timur.get('/api/research/requests')).body.requests as unknown[]).length).toBe(0);
    expect((await timur.get(`/api/research/requests/${request.id}`)).status).toBe(404);
    expect((await timur.get(`/api/research/requests/${request.id}/package`)).status).toBe(404);

    const refusedBlank = await keeper.post(`/api/research/requests/${request.id}/refuse`, { reason: '' });
    expect(refusedBlank.status).toBe(400);
    expect((await keeper.post(`/api/research/requests/${request.id}/approve`, {})).body.request.status).toBe('approved');
    const made = await keeper.post(`/api/research/requests/${request.id}/copies`, {});
    expect(made.status, made.text).toBe(201);
    expect(made.body.request.status).toBe('copies_ready');
    const link = made.body.link as { url: string; expiresAt: string };
    expect(link.url).toMatch(/^\/api\/research\/packages\/[A-Za-z0-9_-]{43}$/);
    // The token is not told again.
    expect((await keeper.get(`/api/research/requests/${request.id}`)).text).not.toContain(link.url.split('/').pop()!);

    const notes = await saule.get('/api/research/notifications');
    expect(notes.body.unread).toBeGreaterThanOrEqual(3);
    expect((notes.body.notifications as { kind: string }[]).map((n) => n.kind)).toEqual(expect.arrayContaining(['researcher_confirmed', 'request_approved', 'copies_ready']));
    expect((await saule.post('/api/research/notifications/read', {})).body.read).toBe(notes.body.unread);

    // The link works without a session; the researcher's portal download marks it delivered.
    const byLink = await fetch(server.url + link.url);
    expect(byLink.status).toBe(200);
    expect(byLink.headers.get('content-type')).toBe('application/zip');
    const zip = new Uint8Array(await byLink.arrayBuffer());
    expect(sha256(zip)).toBe(made.body.package.sha256);
    expect(Object.keys(unzipSync(zip))).toContain('manifest.json');
    expect((await saule.get(`/api/research/requests/${request.id}`)).body.request.status).toBe('delivered');

    // After the expiry: 410 with the message in the asker's language, on both ways in.
    clock = new Date(new Date(link.expiresAt).getTime() + DAY);
    const gone = await fetch(`${server.url}${link.url}?lang=ru`);
    expect(gone.status).toBe(410);
    const body = (await gone.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('research.link_expired');
    expect(body.error.message).toContain('Срок ссылки истёк');
    // (The earlier session has ended by then; a new one.)
    expect((await (await signedIn('saule')).get(`/api/research/requests/${request.id}/package`)).status).toBe(410);
    // The sweep removes the expired package's file; the link still answers 410 naming the
    // expiry (not a missing file), and both the researcher and the archivist see when it went.
    const swept = await sweepExpiredPackages({ db: getDb().db, dataDir: server.deps.config.dataDir }, clock);
    expect(swept.removed.map((r) => r.requestId)).toContain(request.id);
    const after = await fetch(`${server.url}${link.url}?lang=en`);
    expect(after.status).toBe(410);
    const afterBody = (await after.json()) as { error: { code: string; message: string } };
    expect(afterBody.error.code).toBe('research.link_expired');
    expect(afterBody.error.message).toContain(link.expiresAt);
    expect((await (await signedIn('saule')).get(`/api/research/requests/${request.id}`)).body.request.package).toMatchObject({ expired: true, removedAt: clock.toISOString() });
    expect((await (await signedIn('keeper')).get(`/api/research/requests/${request.id}`)).body.request.package.removedAt).toBe(clock.toISOString());
    clock = new Date();
  }, 180_000);
});
