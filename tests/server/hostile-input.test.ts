// Hostile bytes at every route of the OpenAPI document: NUL, overlong and invalid UTF-8 and
// encoded lone surrogates in path parameters, query strings, headers and JSON bodies. Each
// answers 400 request.bad_text with a translated message naming where — never a 500.
import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { ROLES } from '../../accounts/roles';
import { createUsersService } from '../../accounts/users.service';
import { describeEachDatabase } from '../helpers/db';
import { seedDepartments } from './departments';
import { Client, startTestServer, type TestServer } from './helpers';

const PASSWORD = 'every-role-Heron-2207';
// %00 NUL; %C0%AF overlong "/"; %ED%A0%80 a UTF-16 surrogate encoded as UTF-8; %FF never UTF-8.
const HOSTILE = ['%00', 'a%00b', '%C0%AF', '%ED%A0%80', '%FF', '%E2%82'];
const JSON_BODIES: [string, string | Buffer][] = [
  ['NUL in a value', '{"username":"adm\\u0000in","password":"x","filename":"a\\u0000.tar","reason":"\\u0000"}'],
  ['lone surrogate', '{"username":"\\ud800","password":"\\udfff","reason":"\\ud83d"}'],
  ['NUL in a key', '{"a\\u0000b":1}'],
  ['invalid UTF-8', Buffer.concat([Buffer.from('{"username":"'), Buffer.from([0xc0, 0xaf, 0xff]), Buffer.from('","password":"x"}')])],
];

/** One raw HTTP/1.1 exchange, for bytes fetch refuses to send; resolves with the status. */
function rawRequest(port: number, head: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(head));
    let data = '';
    socket.on('data', (chunk) => (data += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0)));
  });
}

describeEachDatabase('hostile bytes at every route', (getDb) => {
  let server: TestServer;
  let client: Client;
  let routes: { method: string; path: string; body: boolean }[] = [];

  beforeAll(async () => {
    server = await startTestServer(getDb().db);
    const departments = await seedDepartments(server.deps.db);
    // One user with every role, so each request reaches the route's own handling.
    await createUsersService({ db: server.deps.db }).add(SYSTEM_ACTOR, { username: 'everyone', password: PASSWORD, fullName: 'Every role', roles: [...ROLES], departmentId: departments['02'], language: 'en' });
    client = new Client(server.url);
    expect((await client.login('everyone', PASSWORD)).status).toBe(200);
    const doc = (await client.get('/api/openapi.json')).body as { paths: Record<string, Record<string, { requestBody?: { content?: Record<string, unknown> } }>> };
    routes = Object.entries(doc.paths).flatMap(([p, item]) =>
      Object.entries(item).map(([method, op]) => ({ method: method.toUpperCase(), path: p, body: !!op.requestBody?.content?.['application/json'] })),
    );
    expect(routes.length).toBeGreaterThan(20);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('answers 400 request.bad_text for hostile path parameters and query strings, in the request language', async () => {
    const failures: string[] = [];
    let sent = 0;
    for (const route of routes) {
      for (const bad of HOSTILE) {
        const urls = [`${route.path.replace(/\{[^}]+\}/g, 'x')}?q=${bad}`, `${route.path.replace(/\{[^}]+\}/g, 'x')}?${bad}=1`];
        if (route.path.includes('{')) urls.push(route.path.replace(/\{[^}]+\}/g, bad));
        for (const url of urls) {
          const res = await client.request(route.method, `${url}${url.includes('?') ? '&' : '?'}lang=ru`, route.body ? { json: {} } : {});
          sent += 1;
          if (res.status !== 400 || res.body?.error?.code !== 'request.bad_text') failures.push(`${route.method} ${url}: ${res.status} ${res.text.slice(0, 160)}`);
          else if (!/UTF-8|NUL/.test(res.body.error.message) || !res.body.error.message.includes('«')) failures.push(`${route.method} ${url}: message ${res.body.error.message}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(routes.length * HOSTILE.length * 2);
  }, 300_000);

  it('answers 400, never 500, for hostile JSON bodies at every route that reads one', async () => {
    const failures: string[] = [];
    for (const route of routes.filter((r) => r.body)) {
      // Well-formed path parameters (a document's number is an integer), so the body is what is judged.
      const url = route.path.replace(/\{([^}]+)\}/g, (_, name: string) => (['n', 'year', 'number'].includes(name) ? '1' : '00000000-0000-4000-8000-000000000000'));
      for (const [what, body] of JSON_BODIES) {
        const res = await client.request(route.method, url, { body: body as never, headers: { 'content-type': 'application/json' } });
        if (res.status !== 400 || res.body?.error?.code !== 'request.bad_text') failures.push(`${route.method} ${url} (${what}): ${res.status} ${res.text.slice(0, 160)}`);
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it('refuses a NUL in the login username with 400 and a clear message, for anonymous callers too', async () => {
    const anonymous = new Client(server.url);
    await anonymous.get('/api/session');
    const res = await anonymous.post('/api/auth/login?lang=en', { username: 'admin\u0000', password: 'whatever-password' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'request.bad_text', details: { where: 'body', field: '/username', problem: 'nul' } });
    expect(res.body.error.message).toContain('"/username" contains a NUL character');
    // Nothing was recorded as a login attempt for such a name.
    const attempts = await server.deps.db.selectFrom('login_attempts').select('username').execute();
    expect(attempts.some((a) => a.username.includes('\u0000'))).toBe(false);
  });

  it('never answers 500 to raw bytes in the request line or headers', async () => {
    const port = server.port;
    const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const heads = [
      Buffer.concat([Buffer.from('GET /api/dossiers/'), Buffer.from([0xc0, 0xaf]), Buffer.from(' HTTP/1.1\r\nHost: x\r\nCookie: ' + cookie + '\r\n\r\n')]),
      Buffer.concat([Buffer.from('GET /api/dossiers?q='), Buffer.from([0xff, 0xfe]), Buffer.from(' HTTP/1.1\r\nHost: x\r\nCookie: ' + cookie + '\r\n\r\n')]),
      Buffer.concat([Buffer.from('GET /api/session HTTP/1.1\r\nHost: x\r\nUser-Agent: a'), Buffer.from([0x00]), Buffer.from('b\r\n\r\n')]),
      Buffer.concat([Buffer.from('GET /api/session HTTP/1.1\r\nHost: x\r\nAccept-Language: '), Buffer.from([0xff, 0xc0, 0xaf]), Buffer.from('\r\nX-Request-Id: '), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('\r\n\r\n')]),
    ];
    const statuses = [];
    for (const head of heads) statuses.push(await rawRequest(port, head));
    for (const status of statuses) {
      expect(status).toBeGreaterThanOrEqual(200);
      expect(status).toBeLessThan(500);
    }
    // Raw non-ASCII in the path or query is not percent-encoded UTF-8: refused as such.
    expect(statuses[0]).toBe(400);
    expect(statuses[1]).toBe(400);
  });
});
