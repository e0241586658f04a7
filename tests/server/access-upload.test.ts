// Uploads are for the user's own department: the package's manifest names the department,
// and a clerk of 02 handing in 03's transfer is refused before anything is received.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createUsersService } from '../../accounts/users.service';
import { processingIdle } from '../../ingest/intake/transfers.service';
import { describeEachDatabase } from '../helpers/db';
import { buildDepartmentPackage, OTHER, OWN, passwordOf, seedDepartments } from './departments';
import { Client, startTestServer, type Answer, type TestServer } from './helpers';

describeEachDatabase('uploads for the own department only', (getDb) => {
  let server: TestServer;
  let work: string;
  const packages: Record<string, Buffer> = {};
  const clients: Record<string, Client> = {};

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'muragat-access-upload-'));
    server = await startTestServer(getDb().db, {}, { MURAGAT_MALWARE_POLICY: 'accept-with-warning' });
    const departments = await seedDepartments(server.deps.db);
    const users = createUsersService({ db: server.deps.db });
    const people: [string, 'department_clerk' | 'archivist', string | null][] = [
      ['clerk02', 'department_clerk', departments[OWN]!],
      ['keeper', 'archivist', null],
      ['nodept', 'department_clerk', null],
    ];
    for (const [name, role, department] of people) {
      await users.add(SYSTEM_ACTOR, { username: name, password: passwordOf(name), fullName: name, roles: [role], departmentId: department, language: 'en' });
      clients[name] = new Client(server.url);
      expect((await clients[name]!.login(name, passwordOf(name))).status).toBe(200);
    }
    for (const code of [OWN, OTHER]) packages[code] = await readFile(await buildDepartmentPackage(work, code, 40));
    const plain = path.join(work, 'not-a-package.tar');
    await writeFile(plain, Buffer.alloc(2048));
    packages.none = await readFile(plain);
  }, 120_000);

  afterAll(async () => {
    if (server) {
      await processingIdle(server.deps.db);
      await server.stop();
    }
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** Announce, send in one piece, complete; the completion's answer. */
  async function upload(who: string, bytes: Buffer): Promise<Answer> {
    const client = clients[who]!;
    const start = await client.post('/api/transfers/uploads', { filename: `${who}.tar`, size: bytes.length });
    expect(start.status).toBe(201);
    const put = await client.request('PUT', `/api/transfers/uploads/${start.body.id}?offset=0`, { body: bytes as never, headers: { 'content-type': 'application/octet-stream' } });
    expect(put.status).toBe(200);
    return client.post(`/api/transfers/uploads/${start.body.id}/complete`, {});
  }

  it('refuses a clerk of 02 handing in department 03\'s transfer, with a message naming both, and receives nothing', async () => {
    const before = await server.deps.db.selectFrom('transfers').select('id').execute();
    const res = await upload('clerk02', packages[OTHER]!);
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'access.upload_other_department', details: { department: OTHER, own: OWN } });
    expect(res.body.error.message).toContain(`department ${OTHER}`);
    expect(res.body.error.message).toContain(`own department ${OWN}`);
    expect(await server.deps.db.selectFrom('transfers').select('id').execute()).toEqual(before);
    const refusal = await server.deps.db.selectFrom('audit_events').select(['actor_username', 'details']).where('action', '=', 'transfer.upload_refuse').executeTakeFirstOrThrow();
    expect(refusal).toMatchObject({ actor_username: 'clerk02', details: { reason: 'access.upload_other_department', department: OTHER, own: OWN } });
  });

  it('accepts the clerk\'s own department and lets the archivist hand in any department\'s', async () => {
    expect((await upload('clerk02', packages[OWN]!)).status).toBe(202);
    expect((await upload('keeper', packages[OTHER]!)).status).toBe(202);
  });

  it('refuses a package naming no department, and a clerk without a department, saying why', async () => {
    const unknown = await upload('clerk02', packages.none!);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('access.upload_department_unknown');
    expect(unknown.body.error.message).toContain('transfer.department.code');
    const nodept = await upload('nodept', packages[OWN]!);
    expect(nodept.status).toBe(403);
    expect(nodept.body.error.code).toBe('access.no_department');
  });
});
