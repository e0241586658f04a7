// Per-user quotas on transfer upload announcements, over HTTP: a package larger than the
// quota (413), unfinished uploads filling it (429), the rolling daily amount (429 with
// Retry-After), parallel announcements that must not all slip under it, and other users
// unaffected.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createUsersService } from '../../accounts/users.service';
import { describeEachDatabase } from '../helpers/db';
import { OWN, passwordOf, seedDepartments } from './departments';
import { Client, startTestServer, type TestServer } from './helpers';

describeEachDatabase('upload quotas per user', (getDb) => {
  let server: TestServer;
  const clients: Record<string, Client> = {};

  beforeAll(async () => {
    server = await startTestServer(getDb().db, {}, { MURAGAT_UPLOAD_INFLIGHT_MAX_BYTES: '1000', MURAGAT_UPLOAD_DAILY_MAX_BYTES: '1500' });
    const departments = await seedDepartments(server.deps.db);
    const users = createUsersService({ db: server.deps.db });
    for (const name of ['q-first', 'q-second', 'q-third', 'q-fourth']) {
      await users.add(SYSTEM_ACTOR, { username: name, password: passwordOf(name), fullName: name, roles: ['department_clerk'], departmentId: departments[OWN], language: 'en' });
      clients[name] = new Client(server.url);
      expect((await clients[name]!.login(name, passwordOf(name))).status).toBe(200);
    }
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  const announce = (who: string, size: number) => clients[who]!.post('/api/transfers/uploads', { filename: `${who}.tar`, size });

  it('refuses with 413 a package larger than the quota itself', async () => {
    const res = await announce('q-first', 1001);
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ code: 'upload.quota_too_large', details: { size: 1001, limit: 1000 } });
    expect(res.body.error.message).toContain('1000');
  });

  it('refuses with 429 what unfinished uploads leave no room for, and leaves other users alone', async () => {
    expect((await announce('q-first', 600)).status).toBe(201);
    const res = await announce('q-first', 500);
    expect(res.status).toBe(429);
    expect(res.body.error).toMatchObject({ code: 'upload.quota_in_flight', details: { size: 500, inFlight: 600, limit: 1000 } });
    expect(res.body.error.message).toMatch(/600.*500.*1000/s);
    expect((await announce('q-first', 400)).status).toBe(201);
    expect((await announce('q-second', 900)).status).toBe(201);
  });

  it('counts the last 24 hours of announcements even when the uploads are abandoned, and says when to retry', async () => {
    expect((await announce('q-third', 900)).status).toBe(201);
    // The upload is abandoned for more than a day: it no longer counts as in flight...
    const old = new Date(Date.now() - 25 * 3600 * 1000);
    await server.deps.db.updateTable('transfer_uploads').set({ created_at: old, touched_at: old }).where('created_by_username', '=', 'q-third').execute();
    // ...but its announcement still counts towards the day (the audit log remembers it).
    const res = await announce('q-third', 700);
    expect(res.status).toBe(429);
    expect(res.body.error).toMatchObject({ code: 'upload.quota_daily', details: { size: 700, used: 900, limit: 1500 } });
    const retry = Number(res.headers.get('retry-after'));
    expect(retry).toBeGreaterThan(23 * 3600);
    expect(retry).toBeLessThanOrEqual(24 * 3600);
    expect((await announce('q-third', 600)).status).toBe(201);
  });

  it('lets no more parallel announcements through than fit', async () => {
    const answers = await Promise.all(Array.from({ length: 5 }, () => announce('q-fourth', 300)));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([201, 201, 201, 429, 429]);
  });
});
