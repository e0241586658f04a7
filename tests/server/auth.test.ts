// Sessions, login, CSRF, roles and throttling over real HTTP, on PGlite and (when
// TEST_DATABASE_URL is set) PostgreSQL.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createUsersService } from '../../accounts/users.service';
import { hashToken } from '../../server/sessions';
import { describeEachDatabase } from '../helpers/db';
import { Client, startTestServer, type TestServer } from './helpers';

const PASSWORDS = {
  boss: 'boss-Secret-1234',
  keeper: 'keeper-Secret-1234',
  reader: 'reader-Secret-1234',
  gone: 'gone-Secret-1234',
  victim: 'victim-Secret-1234',
  later: 'later-Secret-1234',
};

describeEachDatabase('server auth', (getDb) => {
  let server: TestServer;

  beforeAll(async () => {
    const { db } = getDb();
    const users = createUsersService({ db });
    const add = (username: keyof typeof PASSWORDS, roles: Parameters<typeof users.add>[1]['roles'], language?: 'kk' | 'ru' | 'en') =>
      users.add(SYSTEM_ACTOR, { username, password: PASSWORDS[username], fullName: `Test ${username}`, roles, language });
    await add('boss', ['admin']);
    await add('keeper', ['archivist'], 'ru');
    await add('reader', ['researcher']);
    await add('gone', ['department_clerk']);
    await add('victim', ['researcher']);
    await add('later', ['department_head']);
    await users.suspend(SYSTEM_ACTOR, 'gone', 'left the organisation');
    server = await startTestServer(db);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('GET /api/session issues a CSRF token cookie and reports no user', async () => {
    const client = new Client(server.url);
    const res = await client.get('/api/session');
    expect(res.status).toBe(200);
    expect(res.body.user).toBeNull();
    expect(res.body.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(client.cookies.get('muragat_csrf')).toBe(res.body.csrfToken);
    // The same browser keeps its token.
    expect((await client.get('/api/session')).body.csrfToken).toBe(res.body.csrfToken);
  });

  it('logs in, sets an httpOnly SameSite=Lax session cookie and stores only its hash', async () => {
    const client = new Client(server.url);
    await client.get('/api/session');
    const res = await client.post('/api/auth/login', { username: 'boss', password: PASSWORDS.boss });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ username: 'boss', roles: ['admin'], status: 'active' });
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('muragat_session='))!;
    expect(setCookie).toMatch(/httponly/i);
    expect(setCookie).toMatch(/samesite=lax/i);
    expect(setCookie).not.toMatch(/secure/i);
    const token = client.cookies.get('muragat_session')!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits
    const rows = await getDb().db.selectFrom('sessions').selectAll().execute();
    expect(rows.some((r) => r.token_hash === hashToken(token))).toBe(true);
    expect(rows.some((r) => r.token_hash === token)).toBe(false);
    const session = await client.get('/api/session');
    expect(session.body.user.username).toBe('boss');
  });

  it('refuses a wrong password with 401 and a translated JSON error', async () => {
    const client = new Client(server.url);
    await client.get('/api/session');
    const res = await client.post('/api/auth/login', { username: 'reader', password: 'not-the-password' });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('auth.invalid_credentials');
    expect(res.body.error.requestId).toBe(res.headers.get('x-request-id'));
    const kk = res.body.error.message as string;
    expect(kk).not.toBe('catalog.auth_invalid_credentials');
    const ru = await client.post('/api/auth/login?lang=ru', { username: 'reader', password: 'not-the-password' });
    expect(ru.status).toBe(401);
    expect(ru.body.error.message).not.toBe(kk);
    expect(ru.body.error.message).toMatch(/[а-яё]/i);
    // An unknown user gets exactly the same answer (no username probing).
    const unknown = await client.post('/api/auth/login', { username: 'nobody', password: 'whatever-123' });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.message).toBe(kk);
    expect(client.cookies.has('muragat_session')).toBe(false);
  });

  it('refuses a suspended user with the right password: 403 auth.account_suspended', async () => {
    const client = new Client(server.url);
    const res = await client.login('gone', PASSWORDS.gone);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('auth.account_suspended');
    expect(client.cookies.has('muragat_session')).toBe(false);
  });

  it('refuses state changes without or with a wrong CSRF token (403), login included', async () => {
    const client = new Client(server.url);
    await client.get('/api/session');
    const missing = await client.post('/api/auth/login', { username: 'boss', password: PASSWORDS.boss }, { csrf: false });
    expect(missing.status).toBe(403);
    expect(missing.body.error.code).toBe('auth.csrf_invalid');
    expect(missing.body.error.message).toContain('x-csrf-token');
    const wrong = await client.post('/api/auth/login', { username: 'boss', password: PASSWORDS.boss }, { csrf: 'A'.repeat(43) });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('auth.csrf_invalid');
    // A header without the cookie (another site cannot read the cookie) fails too.
    const noCookie = new Client(server.url);
    const forged = await noCookie.post('/api/auth/logout', {}, { csrf: 'A'.repeat(43) });
    expect(forged.status).toBe(403);
    // Logged in, a POST without the header is still refused.
    expect((await client.login('boss', PASSWORDS.boss)).status).toBe(200);
    const add = await client.post('/api/users', { username: 'x1' }, { csrf: false });
    expect(add.status).toBe(403);
    expect(add.body.error.code).toBe('auth.csrf_invalid');
  });

  it('answers 401 auth.unauthenticated without a session and 403 auth.forbidden for the wrong role', async () => {
    const anonymous = new Client(server.url);
    const noSession = await anonymous.get('/api/users');
    expect(noSession.status).toBe(401);
    expect(noSession.body.error.code).toBe('auth.unauthenticated');
    expect((await anonymous.get('/api/audit')).status).toBe(401);

    const reader = new Client(server.url);
    expect((await reader.login('reader', PASSWORDS.reader)).status).toBe(200);
    const forbidden = await reader.get('/api/users');
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.code).toBe('auth.forbidden');
    expect(forbidden.body.error.details).toEqual({ requiredRoles: ['admin'] });
    expect((await reader.get('/api/audit')).status).toBe(403);

    const keeper = new Client(server.url);
    expect((await keeper.login('keeper', PASSWORDS.keeper)).status).toBe(200);
    expect((await keeper.get('/api/audit?limit=5')).status).toBe(200);
    expect((await keeper.get('/api/users')).status).toBe(403);
  });

  it('uses the user language after login, unless ?lang or the cookie say otherwise', async () => {
    const keeper = new Client(server.url);
    await keeper.login('keeper', PASSWORDS.keeper); // keeper's language is ru
    const ru = await keeper.get('/api/users');
    const en = await keeper.get('/api/users?lang=en');
    expect(ru.body.error.message).toMatch(/[а-яё]/i);
    expect(en.body.error.message).toMatch(/^[\x20-\x7e]+$/);
    keeper.cookies.set('muragat_lang', 'kk');
    const kk = await keeper.get('/api/users');
    expect(kk.body.error.message).not.toBe(ru.body.error.message);
    expect(kk.body.error.message).not.toBe(en.body.error.message);
  });

  it('lets an admin add, list, suspend and reinstate users, and suspension ends their sessions at once', async () => {
    const admin = new Client(server.url);
    expect((await admin.login('boss', PASSWORDS.boss)).status).toBe(200);
    const created = await admin.post('/api/users', {
      username: 'newclerk',
      password: 'newclerk-Secret-1',
      fullName: 'Жаңа Іс жүргізуші',
      roles: ['department_clerk'],
      language: 'kk',
    });
    expect(created.status).toBe(201);
    expect(created.body.user).toMatchObject({ username: 'newclerk', roles: ['department_clerk'] });
    expect(created.text).not.toContain('newclerk-Secret-1');
    expect(created.text).not.toMatch(/argon2|passwordHash|password_hash/);

    const listed = await admin.get('/api/users?status=active');
    expect(listed.status).toBe(200);
    expect(listed.body.users.map((u: { username: string }) => u.username)).toContain('newclerk');
    expect(listed.text).not.toMatch(/argon2|password/i);

    const victim = new Client(server.url);
    expect((await victim.login('later', PASSWORDS.later)).status).toBe(200);
    expect((await victim.get('/api/session')).body.user.username).toBe('later');

    const suspended = await admin.post('/api/users/later/suspend', { reason: 'moved to another organisation' });
    expect(suspended.status).toBe(200);
    expect(suspended.body.user.status).toBe('suspended');
    expect((await victim.get('/api/session')).body.user).toBeNull();
    expect((await victim.post('/api/auth/logout')).status).toBe(200);

    const again = await admin.post('/api/users/later/suspend', { reason: 'twice' });
    expect(again.status).toBe(409);
    const reinstated = await admin.post(`/api/users/${suspended.body.user.id}/reinstate`);
    expect(reinstated.status).toBe(200);
    expect(reinstated.body.user.status).toBe('active');
    expect((await victim.login('later', PASSWORDS.later)).status).toBe(200);
  });

  it('ends a session with an idle-timeout check on every request, even before a cleanup job', async () => {
    const { db } = getDb();
    const client = new Client(server.url);
    await client.login('reader', PASSWORDS.reader);
    const tokenHash = hashToken(client.cookies.get('muragat_session')!);
    await db.updateTable('sessions').set({ last_seen_at: new Date(Date.now() - 2 * 3600_000) }).where('token_hash', '=', tokenHash).execute();
    expect((await client.get('/api/session')).body.user).toBeNull();
    expect(await db.selectFrom('sessions').select('token_hash').where('token_hash', '=', tokenHash).executeTakeFirst()).toBeUndefined();

    await client.login('reader', PASSWORDS.reader);
    const second = hashToken(client.cookies.get('muragat_session')!);
    await db.updateTable('sessions').set({ expires_at: new Date(Date.now() - 1000) }).where('token_hash', '=', second).execute();
    expect((await client.get('/api/session')).body.user).toBeNull();
  });

  it('validates input with clear field errors', async () => {
    const admin = new Client(server.url);
    await admin.login('boss', PASSWORDS.boss);
    const res = await admin.post('/api/users', { username: 'Bad Name', password: 'short', roles: ['pope'], extra: 1 });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('request.invalid');
    const fields = res.body.error.details.problems.map((p: { field: string }) => p.field);
    expect(fields).toEqual(expect.arrayContaining(['body/username', 'body/password', 'body/fullName', 'body/roles/0', 'body/extra']));
    expect(res.body.error.message).toContain('body/fullName');
    const query = await admin.get('/api/users?status=gone');
    expect(query.status).toBe(400);
    expect(query.body.error.details.problems[0].field).toBe('query/status');
    const badLogin = await admin.post('/api/auth/login', { username: 'boss' });
    expect(badLogin.status).toBe(400);
    expect(badLogin.body.error.details.problems[0].field).toBe('body/password');
  });

  it('logout deletes the session server-side', async () => {
    const { db } = getDb();
    const client = new Client(server.url);
    await client.login('reader', PASSWORDS.reader);
    const token = client.cookies.get('muragat_session')!;
    const out = await client.post('/api/auth/logout');
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ ok: true });
    expect(await db.selectFrom('sessions').select('token_hash').where('token_hash', '=', hashToken(token)).executeTakeFirst()).toBeUndefined();
    // Replaying the old cookie gets nothing.
    client.cookies.set('muragat_session', token);
    expect((await client.get('/api/session')).body.user).toBeNull();
  });

  it('throttles repeated failed logins with 429 and Retry-After', async () => {
    const client = new Client(server.url);
    await client.get('/api/session');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await client.post('/api/auth/login', { username: 'victim', password: `wrong-${i}-password` })).status);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses[5]).toBe(429);
    const locked = await client.post('/api/auth/login', { username: 'victim', password: PASSWORDS.victim });
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('auth.too_many_attempts');
    expect(locked.body.error.details.retryAfterSeconds).toBeGreaterThan(0);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('never puts passwords, session tokens or CSRF tokens in responses or logs', async () => {
    const everything = server.logs.join('\n');
    expect(server.logs.length).toBeGreaterThan(20);
    for (const secret of Object.values(PASSWORDS)) expect(everything).not.toContain(secret);
    expect(everything).not.toContain('newclerk-Secret-1');
    expect(everything).not.toContain('not-the-password');
    expect(everything).not.toMatch(/muragat_session=|"cookie"|x-csrf-token":"[A-Za-z0-9_-]{43}/);
    const tokens = (await getDb().db.selectFrom('sessions').select('token_hash').execute()).map((r) => r.token_hash);
    for (const hash of tokens) expect(everything).not.toContain(hash);
    // Audit details of logins carry the username and address, never the password.
    const audit = await getDb().db.selectFrom('audit_events').select('details').execute();
    const auditText = JSON.stringify(audit);
    for (const secret of Object.values(PASSWORDS)) expect(auditText).not.toContain(secret);
  });
});

describeEachDatabase('server auth behind a TLS proxy', (getDb) => {
  let server: TestServer;

  beforeAll(async () => {
    const { db } = getDb();
    await createUsersService({ db }).add(SYSTEM_ACTOR, { username: 'proxied', password: 'proxied-Secret-1', fullName: 'Proxied', roles: ['researcher'] });
    // The proxy runs on this machine: loopback is trusted to say who the client is.
    server = await startTestServer(db, {}, { MURAGAT_SECURE_COOKIES: 'true', MURAGAT_TRUSTED_PROXIES: 'loopback' });
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('marks cookies Secure, sends HSTS, and takes the client address from X-Forwarded-For', async () => {
    const client = new Client(server.url);
    const proxy = { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.7' };
    const session = await client.get('/api/session', { headers: proxy });
    expect(session.headers.getSetCookie().find((c) => c.startsWith('muragat_csrf='))).toMatch(/;\s*secure/i);
    expect(session.headers.get('strict-transport-security')).toContain('max-age=');
    const login = await client.post('/api/auth/login', { username: 'proxied', password: 'proxied-Secret-1' }, { headers: proxy });
    expect(login.status).toBe(200);
    expect(login.headers.getSetCookie().find((c) => c.startsWith('muragat_session='))).toMatch(/;\s*secure/i);
    const row = await getDb().db.selectFrom('sessions').select('ip').where('user_id', '=', login.body.user.id).executeTakeFirstOrThrow();
    expect(row.ip).toBe('203.0.113.7');
  });

  it('believes X-Forwarded-For only hop by hop from trusted proxies: a client cannot prepend addresses', async () => {
    const client = new Client(server.url);
    await client.get('/api/session', { headers: { 'x-forwarded-proto': 'https' } });
    // The client sent "X-Forwarded-For: 10.9.9.9" itself; the proxy appended the real peer.
    const forged = { 'x-forwarded-proto': 'https', 'x-forwarded-for': '10.9.9.9, 198.51.100.23' };
    await client.post('/api/auth/login', { username: 'no-such-user', password: 'wrong-password-1' }, { headers: forged });
    const attempt = await getDb().db.selectFrom('login_attempts').select('ip').where('username', '=', 'no-such-user').executeTakeFirstOrThrow();
    expect(attempt.ip).toBe('198.51.100.23');
  });
});

describeEachDatabase('login throttling without trusted proxies', (getDb) => {
  let server: TestServer;

  beforeAll(async () => {
    const { db } = getDb();
    await createUsersService({ db }).add(SYSTEM_ACTOR, { username: 'target', password: 'target-Secret-1234', fullName: 'Target', roles: ['researcher'] });
    await createUsersService({ db }).add(SYSTEM_ACTOR, { username: 'colleague', password: 'colleague-Secret-1234', fullName: 'Colleague', roles: ['researcher'] });
    server = await startTestServer(db);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('ignores a rotating X-Forwarded-For: the account locks after five failures whatever the header says', async () => {
    const client = new Client(server.url);
    await client.get('/api/session');
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await client.post('/api/auth/login', { username: 'target', password: `guess-${i}-password` }, { headers: { 'x-forwarded-for': `203.0.113.${i + 1}` } });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    const ips = await getDb().db.selectFrom('login_attempts').select('ip').distinct().where('username', '=', 'target').execute();
    // The connection's own address, never the header's.
    expect(ips.map((r) => r.ip)).toEqual(['127.0.0.1']);
  });

  it('lets colleagues behind the same address in after 20 failures there', async () => {
    const client = new Client(server.url);
    await client.get('/api/session');
    for (let i = 0; i < 20; i++) await client.post('/api/auth/login', { username: `typo-${i % 4}`, password: `mistyped-${i}-password` });
    const colleague = await client.post('/api/auth/login', { username: 'colleague', password: 'colleague-Secret-1234' });
    expect(colleague.status).toBe(200);
  });

  it('answers a suspended account with the same 403 for the right and a wrong password', async () => {
    const admin = createUsersService({ db: getDb().db });
    await admin.suspend(SYSTEM_ACTOR, 'colleague', 'left');
    const client = new Client(server.url);
    await client.get('/api/session');
    const right = await client.post('/api/auth/login', { username: 'colleague', password: 'colleague-Secret-1234' });
    const wrong = await client.post('/api/auth/login', { username: 'colleague', password: 'surely-not-it-123' });
    expect([right.status, wrong.status]).toEqual([403, 403]);
    expect(wrong.body.error.code).toBe(right.body.error.code);
    expect(wrong.body.error.message).toBe(right.body.error.message);
  });
});

describeEachDatabase('password change and reset over HTTP', (getDb) => {
  let server: TestServer;

  beforeAll(async () => {
    const { db } = getDb();
    const users = createUsersService({ db });
    await users.add(SYSTEM_ACTOR, { username: 'changer', password: 'changer-Secret-1234', fullName: 'Changer', roles: ['researcher'], language: 'ru' });
    await users.add(SYSTEM_ACTOR, { username: 'chief', password: 'chief-Secret-1234', fullName: 'Chief', roles: ['admin'] });
    server = await startTestServer(db);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('changes the own password with the current one, refuses a weak one in the user language, and ends other sessions', async () => {
    const here = new Client(server.url);
    const elsewhere = new Client(server.url);
    expect((await here.login('changer', 'changer-Secret-1234')).status).toBe(200);
    expect((await elsewhere.login('changer', 'changer-Secret-1234')).status).toBe(200);
    const weak = await here.post('/api/auth/password', { currentPassword: 'changer-Secret-1234', newPassword: 'qwerty123456' });
    expect(weak.status).toBe(400);
    expect(weak.body.error).toMatchObject({ code: 'user.password_common', details: { field: 'newPassword', reason: 'common' } });
    expect(weak.body.error.message).toContain('Пароль (newPassword)');
    const wrong = await here.post('/api/auth/password', { currentPassword: 'not-it-at-all', newPassword: 'birch bark letters' });
    expect(wrong.body.error.code).toBe('user.password_current_wrong');
    const done = await here.post('/api/auth/password', { currentPassword: 'changer-Secret-1234', newPassword: 'birch bark letters' });
    expect(done.status).toBe(200);
    // This browser stays signed in with a fresh session; the other one is out.
    expect((await here.get('/api/session')).body.user.username).toBe('changer');
    expect((await elsewhere.get('/api/session')).body.user).toBeNull();
    expect((await new Client(server.url).login('changer', 'birch bark letters')).status).toBe(200);
  });

  it('lets an admin set a new password under the same policy', async () => {
    const admin = new Client(server.url);
    expect((await admin.login('chief', 'chief-Secret-1234')).status).toBe(200);
    const short = await admin.post('/api/users/changer/password', { password: 'short-one' });
    expect(short.status).toBe(400);
    expect(short.body.error.code).toBe('user.password_too_short');
    expect((await admin.post('/api/users/changer/password', { password: 'winter steppe road' })).status).toBe(200);
    expect((await new Client(server.url).login('changer', 'winter steppe road')).status).toBe(200);
    const actions = (await getDb().db.selectFrom('audit_events').select('action').where('action', 'like', 'user.password%').execute()).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['user.password_change', 'user.password_reset', 'user.password_change_refused']));
  });
});
