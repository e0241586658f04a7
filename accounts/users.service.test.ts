import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachDatabase } from '../tests/helpers/db';
import { SYSTEM_ACTOR, listAuditEvents, verifyAuditChain } from '../audit/audit.service';
import { createUsersService } from './users.service';

const PASSWORD = 'correct horse battery';

describeEachDatabase('users service', (getDb) => {
  it('adds a user, stores only an argon2id hash and audits without the password', async () => {
    const { db } = getDb();
    const users = createUsersService({ db });
    const view = await users.add(SYSTEM_ACTOR, { username: ' Aigerim ', password: PASSWORD, fullName: 'Айгерім Сәрсенова', roles: ['archivist'] });
    expect(view).toMatchObject({ username: 'aigerim', fullName: 'Айгерім Сәрсенова', roles: ['archivist'], status: 'active', language: 'kk' });
    expect(JSON.stringify(view)).not.toContain(PASSWORD);
    expect(view).not.toHaveProperty('passwordHash');
    const row = await db.selectFrom('users').select('password_hash').where('id', '=', view.id).executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    const [event] = await listAuditEvents(db, { limit: 1, objectId: view.id });
    expect(event).toMatchObject({ action: 'user.create', objectType: 'user', actor: { username: 'system' } });
    expect(JSON.stringify(event)).not.toContain(PASSWORD);
    expect(await users.get(view.id)).toEqual(view);
  });

  it('rejects bad input and says which field', async () => {
    const { db } = getDb();
    const users = createUsersService({ db });
    const base = { username: 'bolat', password: PASSWORD, fullName: 'Болат Ахметов', roles: ['researcher' as const] };
    await expect(users.add(SYSTEM_ACTOR, { ...base, username: '1 bad' })).rejects.toMatchObject({ code: 'user.invalid_username', params: { username: '1 bad' } });
    await expect(users.add(SYSTEM_ACTOR, { ...base, password: 'short' })).rejects.toMatchObject({ code: 'user.password_too_short', status: 400 });
    await expect(users.add(SYSTEM_ACTOR, { ...base, fullName: '  ' })).rejects.toMatchObject({ code: 'user.field_required', params: { field: 'fullName' } });
    await expect(users.add(SYSTEM_ACTOR, { ...base, roles: ['boss' as never] })).rejects.toMatchObject({ code: 'user.invalid_roles', params: { roles: 'boss' } });
    await expect(users.add(SYSTEM_ACTOR, { ...base, departmentId: '00000000-0000-0000-0000-000000000000' })).rejects.toMatchObject({ code: 'user.department_not_found' });
    await users.add(SYSTEM_ACTOR, base);
    await expect(users.add(SYSTEM_ACTOR, { ...base, username: 'BOLAT' })).rejects.toMatchObject({ code: 'user.username_taken', status: 409 });
    await expect(users.get('nobody')).rejects.toMatchObject({ code: 'user.not_found', status: 404 });
  });

  it('only lets admins manage users online', async () => {
    const { db } = getDb();
    const users = createUsersService({ db });
    const clerk = await users.add(SYSTEM_ACTOR, { username: 'clerk1', password: PASSWORD, fullName: 'Дана Оспанова', roles: ['department_clerk'] });
    const actor = { userId: clerk.id, username: clerk.username, roles: clerk.roles };
    await expect(users.add(actor, { username: 'x1', password: PASSWORD, fullName: 'X', roles: ['admin'] })).rejects.toMatchObject({ code: 'user.admin_required', status: 403 });
  });

  it('suspends and reinstates, never deletes, and keeps the last admin', async () => {
    const { db } = getDb();
    const users = createUsersService({ db });
    const admin = await users.add(SYSTEM_ACTOR, { username: 'root1', password: PASSWORD, fullName: 'Ержан Қасымов', roles: ['admin'] });
    const adminActor = { userId: admin.id, username: admin.username, roles: admin.roles, requestId: 'r-9' };
    const worker = await users.add(adminActor, { username: 'worker', password: PASSWORD, fullName: 'Әсел Нұрланова', roles: ['researcher'] });
    await expect(users.suspend(adminActor, 'worker', ' ')).rejects.toMatchObject({ code: 'user.field_required', params: { field: 'reason' } });
    const suspended = await users.suspend(adminActor, 'worker', 'left the organisation');
    expect(suspended).toMatchObject({ status: 'suspended', suspendedReason: 'left the organisation' });
    await expect(users.suspend(adminActor, 'worker', 'again')).rejects.toMatchObject({ code: 'user.already_suspended' });
    await expect(users.authenticate('worker', PASSWORD, { ip: '10.0.0.1' })).rejects.toMatchObject({ code: 'auth.account_suspended', status: 403 });
    expect((await users.list({ status: 'suspended' })).map((u) => u.username)).toContain('worker');
    const back = await users.reinstate(adminActor, worker.id);
    expect(back.status).toBe('active');
    expect(back).not.toHaveProperty('suspendedAt');
    expect((await users.authenticate('worker', PASSWORD, { ip: '10.0.0.1' })).username).toBe('worker');
    await expect(users.suspend(adminActor, admin.id, 'self')).rejects.toMatchObject({ code: 'user.cannot_suspend_self' });
    await expect(users.suspend(SYSTEM_ACTOR, 'root1', 'last')).rejects.toMatchObject({ code: 'user.last_admin' });
    const actions = (await listAuditEvents(db, { limit: 100, objectId: worker.id })).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['user.create', 'user.suspend', 'user.reinstate', 'auth.login']));
    const suspendEvent = (await listAuditEvents(db, { limit: 100, action: 'user.suspend' }))[0];
    expect(suspendEvent).toMatchObject({ requestId: 'r-9', actor: { username: 'root1' }, details: { reason: 'left the organisation' } });
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('answers unknown user and wrong password alike', async () => {
    const { db } = getDb();
    const users = createUsersService({ db });
    await users.add(SYSTEM_ACTOR, { username: 'nurlan', password: PASSWORD, fullName: 'Нұрлан Серікұлы', roles: ['archivist'] });
    const wrong = await users.authenticate('nurlan', 'nope-nope', { ip: '10.1.0.1' }).catch((e: unknown) => e);
    const unknown = await users.authenticate('ghost', PASSWORD, { ip: '10.1.0.2' }).catch((e: unknown) => e);
    expect(wrong).toMatchObject({ code: 'auth.invalid_credentials', status: 401 });
    expect(unknown).toMatchObject({ code: 'auth.invalid_credentials', status: 401 });
    expect((wrong as Error).message).toBe((unknown as Error).message);
    // The audit log says why, for the administrator; the password itself is never stored.
    const failed = await listAuditEvents(db, { limit: 10, action: 'auth.login_failed' });
    expect(failed.map((e) => e.details.reason)).toEqual(expect.arrayContaining(['wrong_password', 'unknown_user']));
    expect(JSON.stringify(failed)).not.toContain('nope-nope');
  });

  it('throttles repeated failures by username, then lets the owner in after the lockout', async () => {
    const { db } = getDb();
    let clock = new Date('2026-03-01T09:00:00Z');
    const users = createUsersService({ db, now: () => clock });
    await users.add(SYSTEM_ACTOR, { username: 'saule', password: PASSWORD, fullName: 'Сәуле Жұмабекова', roles: ['department_head'] });
    for (let i = 0; i < 5; i++) {
      await expect(users.authenticate('saule', `wrong-${i}`, { ip: `10.2.0.${i}` })).rejects.toMatchObject({ code: 'auth.invalid_credentials' });
      clock = new Date(clock.getTime() + 1000);
    }
    // Even the right password is refused while locked: the attacker learns nothing.
    const throttled = await users.authenticate('saule', PASSWORD, { ip: '10.2.1.1' }).catch((e: unknown) => e);
    expect(throttled).toMatchObject({ code: 'auth.too_many_attempts', status: 429, details: { scope: 'username' } });
    const retry = (throttled as { details: { retryAfterSeconds: number } }).details.retryAfterSeconds;
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(60);
    clock = new Date(clock.getTime() + retry * 1000 + 1);
    expect((await users.authenticate('saule', PASSWORD, { ip: '10.2.1.1' })).username).toBe('saule');
    const rows = await sql<{ outcome: string; n: number }>`SELECT outcome, count(*)::int AS n FROM login_attempts WHERE username = 'saule' GROUP BY outcome ORDER BY outcome`.execute(db);
    expect(rows.rows).toEqual([
      { outcome: 'failure', n: 5 },
      { outcome: 'success', n: 1 },
      { outcome: 'throttled', n: 1 },
    ]);
  });

  it('lets no more than the limit of parallel guesses reach the password check', async () => {
    const { db } = getDb();
    const clock = new Date('2026-03-03T09:00:00Z');
    const users = createUsersService({ db, now: () => clock });
    await users.add(SYSTEM_ACTOR, { username: 'marat', password: PASSWORD, fullName: 'Марат Әлиев', roles: ['researcher'] });
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => users.authenticate('marat', `guess-${i}`, { ip: `198.51.100.${i}` })));
    const codes = results.map((r) => (r.status === 'rejected' ? (r.reason as { code: string }).code : 'ok'));
    const checked = codes.filter((c) => c === 'auth.invalid_credentials').length;
    expect(codes).not.toContain('ok');
    expect(checked).toBeLessThanOrEqual(5);
    expect(codes.filter((c) => c === 'auth.too_many_attempts')).toHaveLength(12 - checked);
    const failures = await sql<{ n: number }>`SELECT count(*)::int AS n FROM login_attempts WHERE username = 'marat' AND outcome = 'failure'`.execute(db);
    expect(failures.rows[0]?.n).toBe(checked);
  });

  it('throttles one address spraying many usernames', async () => {
    const { db } = getDb();
    let clock = new Date('2026-03-02T09:00:00Z');
    const users = createUsersService({ db, now: () => clock, throttle: { ipLimit: 4 } });
    for (let i = 0; i < 4; i++) {
      await expect(users.authenticate(`spray${i}`, 'whatever1', { ip: '203.0.113.7' })).rejects.toMatchObject({ code: 'auth.invalid_credentials' });
      clock = new Date(clock.getTime() + 1000);
    }
    await expect(users.authenticate('spray9', 'whatever1', { ip: '203.0.113.7' })).rejects.toMatchObject({ code: 'auth.too_many_attempts', details: { scope: 'ip' } });
    // Another address is unaffected.
    await expect(users.authenticate('spray9', 'whatever1', { ip: '203.0.113.8' })).rejects.toMatchObject({ code: 'auth.invalid_credentials' });
  });

  it('answers a suspended account the same whatever the password (no password oracle)', async () => {
    const { db } = getDb();
    const users = createUsersService({ db });
    await users.add(SYSTEM_ACTOR, { username: 'gone', password: PASSWORD, fullName: 'Gone', roles: ['researcher'] });
    await users.suspend(SYSTEM_ACTOR, 'gone', 'left');
    const right = await users.authenticate('gone', PASSWORD, { ip: '10.3.0.1' }).catch((e: unknown) => e);
    const wrong = await users.authenticate('gone', 'a-wrong-password', { ip: '10.3.0.1' }).catch((e: unknown) => e);
    expect(right).toMatchObject({ code: 'auth.account_suspended', status: 403 });
    expect(wrong).toMatchObject({ code: 'auth.account_suspended', status: 403 });
    expect((wrong as Error).message).toBe((right as Error).message);
    // The administrator still sees which one it was.
    const reasons = (await listAuditEvents(db, { limit: 10, action: 'auth.login_failed' })).filter((e) => e.details.username === 'gone').map((e) => e.details.reason);
    expect(reasons.sort()).toEqual(['suspended', 'wrong_password']);
  });

  it('refuses short, common, repeated, sequential and username passwords at creation, with the reason', async () => {
    const { db } = getDb();
    const users = createUsersService({ db });
    const base = { username: 'aruzhan', fullName: 'Аружан', roles: ['researcher' as const] };
    const cases: [string, string][] = [
      ['aaaaaaaa', 'user.password_too_short'],
      ['aaaaaaaaaaaa', 'user.password_repeated'],
      ['Password2024!', 'user.password_common'],
      ['qwerty123456', 'user.password_common'],
      ['abcdefghijklm', 'user.password_sequential'],
      ['9876543210987', 'user.password_sequential'],
      ['aruzhan12345678', 'user.password_like_username'],
    ];
    for (const [password, code] of cases) {
      const error = await users.add(SYSTEM_ACTOR, { ...base, password }).catch((e: unknown) => e);
      expect(error, password).toMatchObject({ code, status: 400, details: { field: 'password' } });
    }
    expect(await db.selectFrom('users').select('id').where('username', '=', 'aruzhan').executeTakeFirst()).toBeUndefined();
    expect((await users.add(SYSTEM_ACTOR, { ...base, password: 'steppe wind at dawn' })).username).toBe('aruzhan');
  });

  it('changes a password only with the current one, under the policy, and lets an admin reset it', async () => {
    const { db } = getDb();
    const users = createUsersService({ db });
    const view = await users.add(SYSTEM_ACTOR, { username: 'dana', password: PASSWORD, fullName: 'Дана', roles: ['archivist'] });
    const actor = { userId: view.id, username: 'dana', roles: view.roles };
    await expect(users.changePassword(actor, { currentPassword: 'not-my-password', newPassword: 'steppe wind at dawn' }, { ip: '10.4.0.9' })).rejects.toMatchObject({ code: 'user.password_current_wrong', status: 400 });
    await expect(users.changePassword(actor, { currentPassword: PASSWORD, newPassword: '111111111111' }, { ip: '10.4.0.9' })).rejects.toMatchObject({ code: 'user.password_repeated' });
    await expect(users.changePassword(actor, { currentPassword: PASSWORD, newPassword: PASSWORD }, { ip: '10.4.0.9' })).rejects.toMatchObject({ code: 'user.password_unchanged' });
    await users.changePassword(actor, { currentPassword: PASSWORD, newPassword: 'steppe wind at dawn' }, { ip: '10.4.0.9' });
    await expect(users.authenticate('dana', PASSWORD, { ip: '10.4.0.1' })).rejects.toMatchObject({ code: 'auth.invalid_credentials' });
    expect((await users.authenticate('dana', 'steppe wind at dawn', { ip: '10.4.0.1' })).username).toBe('dana');
    await expect(users.resetPassword(actor, 'dana', 'river stones in june')).rejects.toMatchObject({ code: 'user.admin_required' });
    await users.resetPassword(SYSTEM_ACTOR, 'dana', 'river stones in june');
    expect((await users.authenticate('dana', 'river stones in june', { ip: '10.4.0.1' })).username).toBe('dana');
    const actions = (await listAuditEvents(db, { limit: 20, objectId: view.id })).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['user.password_change_refused', 'user.password_change', 'user.password_reset']));
    expect(JSON.stringify(await listAuditEvents(db, { limit: 20, objectId: view.id }))).not.toMatch(/steppe|river stones/);
  });

  it('throttles guesses of the current password at a password change like logins', async () => {
    const { db } = getDb();
    const users = createUsersService({ db });
    const view = await users.add(SYSTEM_ACTOR, { username: 'erlan', password: PASSWORD, fullName: 'Ерлан', roles: ['researcher'] });
    const actor = { userId: view.id, username: 'erlan', roles: view.roles };
    for (let i = 0; i < 5; i++) {
      await expect(users.changePassword(actor, { currentPassword: `guess-${i}-guess`, newPassword: 'steppe wind at dawn' }, { ip: '10.5.0.1' })).rejects.toMatchObject({ code: 'user.password_current_wrong' });
    }
    await expect(users.changePassword(actor, { currentPassword: PASSWORD, newPassword: 'steppe wind at dawn' }, { ip: '10.5.0.1' })).rejects.toMatchObject({ code: 'auth.too_many_attempts', status: 429 });
    await expect(users.authenticate('erlan', PASSWORD, { ip: '10.5.0.2' })).rejects.toMatchObject({ code: 'auth.too_many_attempts' });
  });

  it('locks one account with growing waits, while 20 failures from one address leave its other users alone', async () => {
    const { db } = getDb();
    let clock = new Date('2026-03-05T09:00:00Z');
    const users = createUsersService({ db, now: () => clock });
    await users.add(SYSTEM_ACTOR, { username: 'office1', password: PASSWORD, fullName: 'Office 1', roles: ['researcher'] });
    await users.add(SYSTEM_ACTOR, { username: 'office2', password: PASSWORD, fullName: 'Office 2', roles: ['researcher'] });
    const office = '192.0.2.10';
    // One office behind one NAT address: 20 mistyped passwords over several accounts.
    for (let i = 0; i < 20; i++) {
      await users.authenticate(i % 2 ? 'office1' : `typo${i}`, `mistyped-${i}`, { ip: office }).catch(() => undefined);
      clock = new Date(clock.getTime() + 1000);
    }
    expect((await users.authenticate('office2', PASSWORD, { ip: office })).username).toBe('office2');
    // office1 itself failed 10 times: locked, and each further failure doubles the wait.
    const first = await users.authenticate('office1', PASSWORD, { ip: office }).catch((e: { details: { retryAfterSeconds: number } }) => e);
    expect(first).toMatchObject({ code: 'auth.too_many_attempts', details: { scope: 'username' } });
    clock = new Date(clock.getTime() + 15 * 60 * 1000 + 1000);
    // After the window the count starts again: five failures lock for a minute, a sixth for two.
    for (let i = 0; i < 5; i++) await users.authenticate('office1', `again-${i}`, { ip: '198.51.100.1' }).catch(() => undefined);
    const oneMinute = (await users.authenticate('office1', 'x-wrong-x', { ip: '198.51.100.2' }).catch((e: unknown) => e)) as { details: { retryAfterSeconds: number } };
    expect(oneMinute.details.retryAfterSeconds).toBe(60);
    clock = new Date(clock.getTime() + 61 * 1000);
    await expect(users.authenticate('office1', 'sixth-wrong', { ip: '198.51.100.3' })).rejects.toMatchObject({ code: 'auth.invalid_credentials' });
    const twoMinutes = (await users.authenticate('office1', PASSWORD, { ip: '198.51.100.4' }).catch((e: unknown) => e)) as { details: { retryAfterSeconds: number } };
    expect(twoMinutes.details.retryAfterSeconds).toBe(120);
  });
});
