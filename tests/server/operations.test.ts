// Operations endpoints (issue 15): liveness, readiness (database, storage, stopping) and the
// Prometheus metrics with who may read them, on PGlite and (with TEST_DATABASE_URL) PostgreSQL.
import { rename } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createUsersService } from '../../accounts/users.service';
import { ConfigError, parseConfig } from '../../common/config';
import { describeEachDatabase } from '../helpers/db';
import { Client, startTestServer, type TestServer } from './helpers';

const TOKEN = 'scrape-token-0123456789abcdef';
const PASSWORD = 'Operations-Phrase-4471';

describeEachDatabase('operations endpoints', (getDb) => {
  let server: TestServer;
  const as: Record<string, Client> = {};

  beforeAll(async () => {
    const { db } = getDb();
    server = await startTestServer(db, {}, { MURAGAT_METRICS_TOKEN: TOKEN });
    const users = createUsersService({ db });
    for (const [username, role] of [['ops-admin', 'admin'], ['ops-archivist', 'archivist']] as const) {
      await users.add(SYSTEM_ACTOR, { username, password: PASSWORD, fullName: username, roles: [role] });
      as[role] = new Client(server.url);
      expect((await as[role]!.login(username, PASSWORD)).status).toBe(200);
    }
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('answers liveness without a session and without consulting anything', async () => {
    const res = await new Client(server.url).get('/api/health/live');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok' });
  });

  it('is ready with the catalog and storage up; not ready while stopping or with a storage location gone', async () => {
    const anonymous = new Client(server.url);
    expect((await anonymous.get('/api/health/ready')).body).toEqual({ status: 'ok', problems: [] });

    server.deps.lifecycle.closing = true;
    const stopping = await anonymous.get('/api/health/ready');
    expect(stopping.status).toBe(503);
    expect(stopping.body.problems).toEqual(['stopping']);
    server.deps.lifecycle.closing = false;

    const root = server.deps.config.storage[0]!;
    if (root.kind !== 'file') throw new Error('the test server stores on the filesystem');
    await rename(root.root, `${root.root}.away`);
    try {
      const gone = await anonymous.get('/api/health/ready');
      expect(gone.status).toBe(503);
      expect(gone.body.problems).toContain('storage-0');
    } finally {
      await rename(`${root.root}.away`, root.root);
    }
    expect((await anonymous.get('/api/health/ready')).status).toBe(200);
  });

  it('gives the metrics to a scraper with the token and to an admin; refuses others with a translated reason', async () => {
    const anonymous = new Client(server.url);
    const refused = await anonymous.get('/metrics');
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('auth.unauthenticated');
    expect(refused.body.error.message).toContain('MURAGAT_METRICS_TOKEN');
    expect((await as.archivist!.get('/metrics')).status).toBe(403);
    const wrong = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.status).toBe(401);

    await anonymous.get('/api/dossiers'); // a refused request, counted as 4xx
    const scraped = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await scraped.text();
    // Labelled by the route pattern, not the raw path.
    expect(text).toMatch(/^muragat_http_requests_total\{(?=[^}]*method="GET")(?=[^}]*route="\/api\/dossiers")(?=[^}]*status="4xx")[^}]*\} [1-9]/m);
    expect(text).toMatch(/^muragat_http_request_duration_seconds_count\{(?=[^}]*route="\/api\/health\/live")[^}]*\} 1$/m);
    expect(text).toMatch(/^muragat_catalog_up\{service="muragat"\} 1$/m);
    expect(text).toMatch(/^muragat_ingest_documents_last_hour\{service="muragat"\} 0$/m);
    expect(text).toMatch(/^muragat_integrity_runs_running\{service="muragat"\} 0$/m);
    expect(text).toContain('muragat_process_resident_memory_bytes');

    const admin = await fetch(`${server.url}/metrics`, { headers: { cookie: [...as.admin!.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    expect(admin.status).toBe(200);
  });
});

describe('metrics token configuration', () => {
  it('refuses a scrape token too short to be a secret, naming the variable', () => {
    expect(() => parseConfig({ MURAGAT_DATA_DIR: path.join('/tmp', 'x'), MURAGAT_METRICS_TOKEN: 'short' })).toThrow(ConfigError);
    expect(() => parseConfig({ MURAGAT_DATA_DIR: path.join('/tmp', 'x'), MURAGAT_METRICS_TOKEN: 'short' })).toThrow(/MURAGAT_METRICS_TOKEN/);
  });
});
