// Cross-cutting HTTP behaviour: health, OpenAPI, request ids, headers, errors, body limits,
// language negotiation and the built UI.
import { request as httpRequest } from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Router from '@koa/router';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError } from '../../common/errors';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createUsersService } from '../../accounts/users.service';
import { openDatabase, type DatabaseHandle } from '../../database/db';
import { discoverRouteModules, type RouteModule } from '../../server/app';
import { HEALTH_TOOLS } from '../../server/routes/health.routes';
import { Client, startTestServer, type TestServer } from './helpers';

const ADMIN_PASSWORD = 'admin-Secret-1234';

// Test-only routes: an unexpected crash and a domain error, to see how they are answered.
const faultyModule: RouteModule = {
  createRoutes() {
    const router = new Router();
    router.get('/api/test/crash', () => {
      throw new Error('secret internal detail: connection string postgres://u:p@db/x');
    });
    router.get('/api/test/conflict', () => {
      throw new ConflictError('user.username_taken', 'catalog.user_username_taken', { username: 'aliya' });
    });
    return router;
  },
};

describe('server app', () => {
  let handle: DatabaseHandle;
  let server: TestServer;
  let uiDir: string;

  beforeAll(async () => {
    handle = await openDatabase({});
    uiDir = await mkdtemp(path.join(os.tmpdir(), 'muragat-ui-'));
    await mkdir(path.join(uiDir, 'assets'));
    await writeFile(path.join(uiDir, 'index.html'), '<!doctype html><title>Muragat UI</title><div id="app"></div>');
    await writeFile(path.join(uiDir, 'assets', 'app-1234.js'), 'console.log("ui")');
    await writeFile(path.join(os.tmpdir(), 'muragat-outside.txt'), 'outside');
    server = await startTestServer(handle.db, {
      app: { uiDist: uiDir, routeModules: [...(await discoverRouteModules()), faultyModule] },
    });
    await createUsersService({ db: handle.db }).add(SYSTEM_ACTOR, { username: 'root', password: ADMIN_PASSWORD, fullName: 'Root', roles: ['admin'] });
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await handle?.close();
    await rm(uiDir, { recursive: true, force: true });
  });

  it('reports database, storage and every external tool on /api/health', async () => {
    const res = await new Client(server.url).get('/api/health');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(res.body.database.ok).toBe(true);
    expect(res.body.storage).toEqual([{ role: 'primary', ok: true }]);
    expect(res.text).not.toContain(server.dataDir);
    expect(Object.keys(res.body.tools).sort()).toEqual([...HEALTH_TOOLS].sort());
    for (const tool of Object.values(res.body.tools) as { found: boolean; version: string | null }[]) {
      expect(typeof tool.found).toBe('boolean');
      if (!tool.found) expect(tool.version).toBeNull();
    }
  }, 60_000);

  it('answers 503 on /api/health when a storage location is gone', async () => {
    const extra = await startTestServer(handle.db);
    try {
      await rm((extra.deps.config.storage[0] as { root: string }).root, { recursive: true, force: true });
      const res = await new Client(extra.url).get('/api/health');
      expect(res.status).toBe(503);
      expect(res.body.status).toBe('unavailable');
      expect(res.body.storage[0]).toMatchObject({ ok: false, problem: 'missing' });
    } finally {
      await extra.stop();
    }
  }, 60_000);

  it('publishes an OpenAPI 3.1.0 document listing every mounted route', async () => {
    const res = await new Client(server.url).get('/api/openapi.json');
    expect(res.status).toBe(200);
    const doc = JSON.parse(res.text) as { openapi: string; paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } };
    expect(doc.openapi).toBe('3.1.0');
    const documented = new Set(Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m} ${p}`)));
    const mounted = server.routes.filter((r) => !r.path.startsWith('/api/test/')).map((r) => `${r.method} ${r.path}`);
    for (const route of [
      'get /api/health',
      'get /api/session',
      'post /api/auth/login',
      'post /api/auth/logout',
      'get /api/users',
      'post /api/users',
      'post /api/users/{id}/suspend',
      'post /api/users/{id}/reinstate',
      'get /api/audit',
      'get /api/audit/verify',
      'get /api/openapi.json',
    ]) {
      expect(mounted).toContain(route);
    }
    for (const route of mounted) expect(documented, `${route} is mounted but not documented`).toContain(route);
    for (const route of documented) expect(mounted, `${route} is documented but not mounted`).toContain(route);
    // Every $ref points at a defined schema.
    for (const match of res.text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) {
      expect(doc.components.schemas).toHaveProperty(match[1]!);
    }
  });

  it('echoes a valid x-request-id, makes one otherwise, and sets the security headers', async () => {
    const client = new Client(server.url);
    const given = await client.get('/api/health', { headers: { 'x-request-id': 'trace-42' } });
    expect(given.headers.get('x-request-id')).toBe('trace-42');
    const bad = await client.get('/api/session', { headers: { 'x-request-id': 'evil value <with> spaces' } });
    expect(bad.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(given.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(given.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(given.headers.get('x-content-type-options')).toBe('nosniff');
    expect(given.headers.get('x-frame-options')).toBe('DENY');
    expect(given.headers.get('cache-control')).toBe('no-store');
    expect(server.logs.some((l) => l.includes('"requestId":"trace-42"'))).toBe(true);
  });

  it('answers an unknown failure with 500 and the request id, never the internals', async () => {
    const res = await new Client(server.url).get('/api/test/crash');
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('internal');
    expect(res.body.error.message).toContain(res.body.error.requestId);
    expect(res.text).not.toContain('secret internal detail');
    expect(res.text).not.toContain('postgres://');
    expect(res.text).not.toMatch(/at .*\.ts:\d+/);
    // The log keeps what operators need.
    expect(server.logs.some((l) => l.includes(res.body.error.requestId) && l.includes('secret internal detail'))).toBe(true);
  });

  it('translates messages: Kazakh by default, then ?lang, cookie and Accept-Language', async () => {
    const client = new Client(server.url);
    const kk = await client.get('/api/test/conflict');
    expect(kk.status).toBe(409);
    expect(kk.body.error.code).toBe('user.username_taken');
    expect(kk.body.error.message).toContain('aliya');
    const ru = await client.get('/api/test/conflict?lang=ru');
    const en = await client.get('/api/test/conflict', { headers: { 'accept-language': 'en-US,en;q=0.9' } });
    expect(new Set([kk.body.error.message, ru.body.error.message, en.body.error.message]).size).toBe(3);
    const ruAccept = await client.get('/api/test/conflict', { headers: { 'accept-language': 'ru-KZ, en;q=0.5' } });
    expect(ruAccept.body.error.message).toBe(ru.body.error.message);
    // ?lang wins over the cookie, the cookie over Accept-Language.
    client.cookies.set('muragat_lang', 'en');
    expect((await client.get('/api/test/conflict', { headers: { 'accept-language': 'ru' } })).body.error.message).toBe(en.body.error.message);
    expect((await client.get('/api/test/conflict?lang=kk')).body.error.message).toBe(kk.body.error.message);
    // Every server message exists in all three languages.
    const unauth = await new Client(server.url).get('/api/users');
    expect(unauth.body.error.message).not.toContain('server.');
  });

  it('answers unknown API paths with a JSON 404', async () => {
    const res = await new Client(server.url).get('/api/no/such/thing?lang=en');
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: 'route.not_found' });
    expect(res.body.error.message).toContain('/api/no/such/thing');
  });

  it('answers a wrong method on a known API path with a JSON 405 naming the allowed ones', async () => {
    const client = new Client(server.url);
    await client.get('/api/session');
    const res = await client.request('DELETE', '/api/health?lang=en');
    expect(res.status).toBe(405);
    expect(res.body.error.code).toBe('route.method_not_allowed');
    expect(res.body.error.details.allowed).toContain('GET');
    expect(res.body.error.message).toContain('/api/health');
  });

  it('answers a method no route knows (TRACE) with 405, not 501, on the API and on /metrics (found by schemathesis)', async () => {
    // fetch refuses to send TRACE; node:http does.
    const trace = (where: string) =>
      new Promise<{ status: number; body: { error?: { code?: string } } }>((resolve, reject) => {
        const req = httpRequest(new URL(where, server.url), { method: 'TRACE' }, (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || '{}') }));
        });
        req.on('error', reject).end();
      });
    for (const where of ['/api/health?lang=en', '/metrics?lang=en']) {
      const res = await trace(where);
      expect(res.status, where).toBe(405);
      expect(res.body.error?.code, where).toBe('route.method_not_allowed');
    }
  });

  it('documents in every operation the 400 the text check can answer, and free-text parameters without NUL', async () => {
    const doc = (await new Client(server.url).get('/api/openapi.json')).body as { paths: Record<string, Record<string, { responses: Record<string, unknown>; parameters?: { schema?: { type?: string; pattern?: string; format?: string; enum?: unknown } }[] }>> };
    for (const [p, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        expect(op.responses['400'], `${method} ${p}`).toBeDefined();
        for (const parameter of op.parameters ?? []) {
          const schema = parameter.schema;
          if (schema?.type === 'string' && !schema.format && !schema.enum) expect(schema.pattern, `${method} ${p}`).toBeDefined();
        }
      }
    }
  });

  it('limits JSON bodies and explains malformed ones', async () => {
    const client = new Client(server.url);
    await client.get('/api/session');
    const huge = await client.request('POST', '/api/auth/login?lang=en', {
      body: JSON.stringify({ username: 'root', password: 'x'.repeat(2 * 1024 * 1024) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('request.body_too_large');
    const broken = await client.request('POST', '/api/auth/login?lang=en', { body: '{"username": ', headers: { 'content-type': 'application/json' } });
    expect(broken.status).toBe(400);
    expect(broken.body.error.code).toBe('request.invalid_json');
    const form = await client.request('POST', '/api/auth/login?lang=en', { body: 'username=root', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(400);
    expect(form.body.error.code).toBe('request.json_expected');
    expect(form.body.error.message).toContain('application/x-www-form-urlencoded');
  });

  it('pages the audit log and verifies its chain for an admin', async () => {
    const admin = new Client(server.url);
    expect((await admin.login('root', ADMIN_PASSWORD)).status).toBe(200);
    const first = await admin.get('/api/audit?limit=1');
    expect(first.status).toBe(200);
    expect(first.body.events).toHaveLength(1);
    expect(first.body.events[0].action).toBe('auth.login');
    const older = await admin.get(`/api/audit?limit=5&before=${first.body.nextBefore}`);
    expect(older.body.events.every((e: { id: number }) => e.id < first.body.nextBefore)).toBe(true);
    expect(older.body.events.map((e: { action: string }) => e.action)).toContain('user.create');
    const bad = await admin.get('/api/audit?limit=0');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.problems[0].field).toBe('query/limit');
    const health = await admin.get('/api/health');
    expect(health.body.storage[0].location).toBe((server.deps.config.storage[0] as { root: string }).root);
    const verify = await admin.get('/api/audit/verify');
    expect(verify.status).toBe(200);
    expect(verify.body).toMatchObject({ ok: true });
    expect(verify.body.checked).toBeGreaterThan(1);
  });

  it('serves the built UI with SPA fallback, and never files outside it', async () => {
    const client = new Client(server.url);
    const index = await client.get('/');
    expect(index.status).toBe(200);
    expect(index.text).toContain('Muragat UI');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const deep = await client.get('/dossiers/03-12');
    expect(deep.status).toBe(200);
    expect(deep.text).toContain('Muragat UI');
    const asset = await client.get('/assets/app-1234.js');
    expect(asset.text).toBe('console.log("ui")');
    expect(asset.headers.get('content-type')).toContain('javascript');
    expect(asset.headers.get('cache-control')).toContain('immutable');
    const escape = await client.get('/..%2f..%2fmuragat-outside.txt');
    expect(escape.text).not.toBe('outside');
    expect(escape.text).toContain('Muragat UI');
  });

  it('says how to build the UI when ui/dist is missing', async () => {
    const bare = await startTestServer(handle.db, { app: { uiDist: path.join(uiDir, 'nope') } });
    try {
      const res = await new Client(bare.url).get('/?lang=en');
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.text).toContain('npm run build:ui');
      // The API still answers.
      expect((await new Client(bare.url).get('/api/session')).status).toBe(200);
    } finally {
      await bare.stop();
    }
  }, 60_000);

  it('finishes a request in flight when closed, then refuses new connections', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow: RouteModule = {
      createRoutes() {
        const router = new Router();
        router.get('/api/test/slow', async (ctx) => {
          await gate;
          ctx.body = { done: true };
        });
        return router;
      },
    };
    const s = await startTestServer(handle.db, { app: { routeModules: [slow] } });
    const pending = fetch(`${s.url}/api/test/slow`).then(async (r) => ({ status: r.status, body: await r.json() }));
    await new Promise((r) => setTimeout(r, 100));
    const closing = s.stop();
    await new Promise((r) => setTimeout(r, 100));
    release();
    expect(await pending).toEqual({ status: 200, body: { done: true } });
    await closing;
    await expect(fetch(`${s.url}/api/session`)).rejects.toThrow();
  }, 60_000);
});
