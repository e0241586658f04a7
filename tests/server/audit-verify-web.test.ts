// The Audit page's check (GET /api/audit/verify) must catch what the hash chain alone cannot:
// events deleted from the end of the log, named through the signed anchors kept in storage.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSystemKey, systemKeyDir, writeAuditAnchor } from '../../audit/audit-anchor';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { openDatabase, type DatabaseHandle } from '../../database/db';
import { createUsersService } from '../../accounts/users.service';
import { Client, startTestServer, type TestServer } from './helpers';

const PASSWORD = 'auditor-Secret-4321';

describe('GET /api/audit/verify with anchors', () => {
  let handle: DatabaseHandle;
  let server: TestServer;

  beforeAll(async () => {
    handle = await openDatabase({});
    server = await startTestServer(handle.db);
    await createUsersService({ db: handle.db }).add(SYSTEM_ACTOR, { username: 'auditor', password: PASSWORD, fullName: 'Auditor', roles: ['archivist'] });
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await handle?.close();
  });

  it('is intact after an anchor, then names the truncation in the request language', async () => {
    const client = new Client(server.url);
    expect((await client.login('auditor', PASSWORD)).status).toBe(200);
    const key = await loadSystemKey(systemKeyDir(server.deps.config));
    expect(key).not.toBeNull();
    const written = await writeAuditAnchor({ db: handle.db, storage: server.deps.storage, key: key! }, 'manual');
    const intact = await client.get('/api/audit/verify');
    expect(intact.status).toBe(200);
    expect(intact.body).toMatchObject({ ok: true, anchors: { ok: true, problems: [] } });

    // A superuser removes the anchored event and the ones after it; the chain still links.
    const anchoredLast = written.anchor.lastId!;
    await sql`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete`.execute(handle.db);
    try {
      await sql`DELETE FROM audit_events WHERE id >= ${anchoredLast}`.execute(handle.db);
    } finally {
      await sql`ALTER TABLE audit_events ENABLE ALWAYS TRIGGER audit_events_no_update_delete`.execute(handle.db);
    }
    const broken = await client.get('/api/audit/verify?lang=ru');
    expect(broken.status).toBe(200);
    expect(broken.body.ok).toBe(false);
    const kinds = broken.body.anchors.problems.map((p: { kind: string }) => p.kind);
    expect(kinds).toContain('truncated');
    const truncated = broken.body.anchors.problems.find((p: { kind: string }) => p.kind === 'truncated');
    expect(truncated.message).toMatch(/[а-яё]/i);
    expect(truncated.message).toContain(String(anchoredLast));
  });
});
