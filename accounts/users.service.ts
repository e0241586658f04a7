// Users of the archive: creation, suspension (never deletion), listing and password login
// with throttling. Every change writes its audit event in the same transaction.
import argon2 from 'argon2';
import type { Kysely } from 'kysely';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  TooManyRequestsError,
  UnauthorizedError,
  ValidationError,
} from '../common/errors';
import { isLanguage, type Language } from '../common/i18n';
import { recordAudit, type Actor } from '../audit/audit.service';
import type { Database } from '../database/database';
import { ROLES, isRole, type Role } from './roles';
import { PASSWORD_MAX_LENGTH, assertPasswordAcceptable } from './users.password-policy';
import {
  countActiveWithRole,
  departmentExists,
  findUser,
  insertUser,
  listUsers,
  recentIpFailures,
  recentUsernameFailures,
  insertLoginAttempt,
  setLoginAttemptOutcome,
  setPasswordHash,
  setUserStatus,
  type UserRow,
} from './users.repository';

export interface UserView {
  id: string;
  username: string;
  fullName: string;
  position: string | null;
  roles: Role[];
  departmentId: string | null;
  language: Language;
  status: 'active' | 'suspended';
  createdAt: string;
  /** Present when suspended. */
  suspendedAt?: string;
  suspendedReason?: string;
}

export interface AddUserInput {
  username: string;
  password: string;
  fullName: string;
  position?: string | null;
  roles: Role[];
  departmentId?: string | null;
  language?: Language;
}

export interface ThrottlePolicy {
  /** Sliding window in which failures count. */
  windowSeconds: number;
  /** Consecutive failures for one username before it is locked. */
  usernameLimit: number;
  /** Failures from one address (any usernames) before it is locked. */
  ipLimit: number;
  /** First lockout; doubles with every further failure, capped at the window. */
  baseLockoutSeconds: number;
}

// The account is what an attacker guesses at, so the lockout is per account (5 failures, then
// 1, 2, 4… minutes). The address bound is only against one machine spraying many accounts and
// is generous: a whole office behind one NAT address mistyping must not lock everyone out.
export const DEFAULT_THROTTLE: ThrottlePolicy = {
  windowSeconds: 15 * 60,
  usernameLimit: 5,
  ipLimit: 100,
  baseLockoutSeconds: 60,
};

export interface UsersServiceDeps {
  db: Kysely<Database>;
  throttle?: Partial<ThrottlePolicy>;
  /** Clock for throttling and suspension times; tests move it. */
  now?: () => Date;
}

export const USERNAME_PATTERN = /^[a-z][a-z0-9._-]{1,62}$/;
export { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './users.password-policy';

// OWASP's argon2id baseline (19 MiB, 2 passes): a login costs tens of milliseconds.
const HASH_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

let dummyHash: Promise<string> | undefined;
/** Verifying against a throwaway hash keeps "no such user" as slow as "wrong password". */
function timingDummy(): Promise<string> {
  dummyHash ??= argon2.hash('muragat-timing-equaliser', HASH_OPTIONS);
  return dummyHash;
}

export function toUserView(row: UserRow): UserView {
  const view: UserView = {
    id: row.id,
    username: row.username,
    fullName: row.full_name,
    position: row.position,
    roles: row.roles.filter(isRole),
    departmentId: row.department_id,
    language: isLanguage(row.language) ? row.language : 'kk',
    status: row.status,
    createdAt: new Date(row.created_at).toISOString(),
  };
  if (row.status === 'suspended') {
    if (row.suspended_at) view.suspendedAt = new Date(row.suspended_at).toISOString();
    if (row.suspended_reason) view.suspendedReason = row.suspended_reason;
  }
  return view;
}

function requireText(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string' || !value.trim()) throw new ValidationError('user.field_required', 'catalog.user_field_required', { field });
  const text = value.trim();
  if (text.length > max) throw new ValidationError('user.field_too_long', 'catalog.user_field_too_long', { field, max });
  return text;
}

function optionalText(value: unknown, field: string, max: number): string | null {
  if (value === undefined || value === null || (typeof value === 'string' && !value.trim())) return null;
  return requireText(value, field, max);
}

export function normaliseUsername(username: string): string {
  return username.trim().toLowerCase();
}

export function assertCanAdminister(actor: Actor): void {
  // The local operator (CLI, seed) acts without an account; online, only admins manage users.
  if (actor.userId !== null && !actor.roles.includes('admin')) {
    throw new ForbiddenError('user.admin_required', 'catalog.user_admin_required', { username: actor.username });
  }
}

export function createUsersService(deps: UsersServiceDeps) {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  const throttle: ThrottlePolicy = { ...DEFAULT_THROTTLE, ...deps.throttle };

  async function load(usernameOrId: string): Promise<UserRow> {
    const row = await findUser(db, usernameOrId);
    if (!row) throw new NotFoundError('user.not_found', 'catalog.user_not_found', { user: usernameOrId });
    return row;
  }

  /** Seconds until a run of `count` failures (last at `last`) stops blocking, or 0. */
  function lockedFor(count: number, last: Date | null, limit: number, at: Date): number {
    if (count < limit || !last) return 0;
    const lockout = Math.min(throttle.baseLockoutSeconds * 2 ** (count - limit), throttle.windowSeconds);
    const remaining = last.getTime() + lockout * 1000 - at.getTime();
    return remaining > 0 ? Math.ceil(remaining / 1000) : 0;
  }

  /**
   * Records a password attempt for `name` from `ip` as a failure before the password is
   * checked (parallel guesses see each other), or throws 429 while the account or the address
   * is locked. Returns the attempt's id, to be marked a success.
   */
  async function admitAttempt(name: string, context: { ip: string; requestId?: string }): Promise<number> {
    const ip = (context.ip || 'unknown').slice(0, 64);
    const at = now();
    const since = new Date(at.getTime() - throttle.windowSeconds * 1000);
    // The attempt is written as a failure before the password is checked, so parallel
    // guesses see each other and cannot all slip under the limit; it is corrected to
    // success or throttled below.
    const attemptId = await insertLoginAttempt(db, { at, username: name, ip, outcome: 'failure' });
    const byName = await recentUsernameFailures(db, name, since, attemptId);
    const byIp = await recentIpFailures(db, ip, since, attemptId);
    const nameWait = lockedFor(byName.count, byName.last, throttle.usernameLimit, at);
    const ipWait = lockedFor(byIp.count, byIp.last, throttle.ipLimit, at);
    if (nameWait > 0 || ipWait > 0) {
      const retryAfterSeconds = Math.max(nameWait, ipWait);
      const scope = nameWait >= ipWait ? 'username' : 'ip';
      // Throttled tries are logged but do not extend the lockout: a flood cannot lock
      // the real owner out for ever.
      await db.transaction().execute(async (trx) => {
        await setLoginAttemptOutcome(trx, attemptId, 'throttled');
        await recordAudit(trx, {
          actor: { userId: null, username: name, roles: [], requestId: context.requestId },
          action: 'auth.login_throttled',
          objectType: 'user',
          objectId: null,
          details: { username: name, ip, scope, failures: scope === 'username' ? byName.count : byIp.count, retryAfterSeconds },
        });
      });
      throw new TooManyRequestsError('auth.too_many_attempts', 'catalog.auth_too_many_attempts', { retryAfterSeconds }, { retryAfterSeconds, scope });
    }
    return attemptId;
  }

  async function storePassword(actor: Actor, user: UserRow, password: string, action: string): Promise<UserView> {
    const hash = await argon2.hash(password, HASH_OPTIONS);
    return db.transaction().execute(async (trx) => {
      const row = await setPasswordHash(trx, user.id, hash);
      await recordAudit(trx, { actor, action, objectType: 'user', objectId: user.id, details: { username: user.username } });
      return toUserView(row);
    });
  }

  return {
    async add(actor: Actor, input: AddUserInput): Promise<UserView> {
      assertCanAdminister(actor);
      const username = normaliseUsername(typeof input.username === 'string' ? input.username : '');
      if (!USERNAME_PATTERN.test(username)) {
        throw new ValidationError('user.invalid_username', 'catalog.user_invalid_username', { username: String(input.username ?? '') });
      }
      const password = input.password;
      assertPasswordAcceptable(password, { username });
      const fullName = requireText(input.fullName, 'fullName', 200);
      const position = optionalText(input.position, 'position', 200);
      const roles = Array.isArray(input.roles) ? [...new Set(input.roles)] : [];
      if (!roles.length) throw new ValidationError('user.roles_required', 'catalog.user_roles_required', { allowed: ROLES.join(', ') });
      const unknown = roles.filter((r) => !isRole(r));
      if (unknown.length) {
        throw new ValidationError('user.invalid_roles', 'catalog.user_invalid_roles', { roles: unknown.join(', '), allowed: ROLES.join(', ') });
      }
      const language = input.language ?? 'kk';
      if (!isLanguage(language)) throw new ValidationError('user.invalid_language', 'catalog.user_invalid_language', { language: String(language) });
      const departmentId = input.departmentId ?? null;
      if (departmentId !== null && !(await departmentExists(db, departmentId))) {
        throw new NotFoundError('user.department_not_found', 'catalog.user_department_not_found', { department: departmentId });
      }
      if (await findUser(db, username)) throw new ConflictError('user.username_taken', 'catalog.user_username_taken', { username });
      const passwordHash = await argon2.hash(password, HASH_OPTIONS);
      try {
        return await db.transaction().execute(async (trx) => {
          const row = await insertUser(trx, {
            username,
            password_hash: passwordHash,
            full_name: fullName,
            position,
            roles,
            department_id: departmentId,
            language,
          });
          await recordAudit(trx, {
            actor,
            action: 'user.create',
            objectType: 'user',
            objectId: row.id,
            details: { username, fullName, position, roles, departmentId, language },
          });
          return toUserView(row);
        });
      } catch (error) {
        // Two admins adding the same name at once: the unique index decides.
        if ((error as { code?: string }).code === '23505') throw new ConflictError('user.username_taken', 'catalog.user_username_taken', { username });
        throw error;
      }
    },

    async suspend(actor: Actor, usernameOrId: string, reason: string): Promise<UserView> {
      assertCanAdminister(actor);
      const why = requireText(reason, 'reason', 500);
      const user = await load(usernameOrId);
      if (user.status === 'suspended') throw new ConflictError('user.already_suspended', 'catalog.user_already_suspended', { username: user.username });
      if (actor.userId === user.id) throw new ConflictError('user.cannot_suspend_self', 'catalog.user_cannot_suspend_self', { username: user.username });
      return db.transaction().execute(async (trx) => {
        // Locking the organisation out of its own archive needs direct database access.
        if (user.roles.includes('admin') && (await countActiveWithRole(trx, 'admin')) <= 1) {
          throw new ConflictError('user.last_admin', 'catalog.user_last_admin', { username: user.username });
        }
        const row = await setUserStatus(trx, user.id, { status: 'suspended', suspended_at: now(), suspended_reason: why });
        await recordAudit(trx, {
          actor,
          action: 'user.suspend',
          objectType: 'user',
          objectId: user.id,
          details: { username: user.username, reason: why },
        });
        return toUserView(row);
      });
    },

    async reinstate(actor: Actor, usernameOrId: string): Promise<UserView> {
      assertCanAdminister(actor);
      const user = await load(usernameOrId);
      if (user.status !== 'suspended') throw new ConflictError('user.not_suspended', 'catalog.user_not_suspended', { username: user.username });
      return db.transaction().execute(async (trx) => {
        const row = await setUserStatus(trx, user.id, { status: 'active', suspended_at: null, suspended_reason: null });
        await recordAudit(trx, {
          actor,
          action: 'user.reinstate',
          objectType: 'user',
          objectId: user.id,
          details: { username: user.username, suspendedAt: user.suspended_at, suspendedReason: user.suspended_reason },
        });
        return toUserView(row);
      });
    },

    async list(filter: { status?: 'active' | 'suspended'; role?: Role } = {}): Promise<UserView[]> {
      if (filter.status !== undefined && filter.status !== 'active' && filter.status !== 'suspended') {
        throw new ValidationError('user.invalid_status', 'catalog.user_invalid_status', { status: String(filter.status) });
      }
      if (filter.role !== undefined && !isRole(filter.role)) {
        throw new ValidationError('user.invalid_roles', 'catalog.user_invalid_roles', { roles: String(filter.role), allowed: ROLES.join(', ') });
      }
      return (await listUsers(db, filter)).map(toUserView);
    },

    async get(usernameOrId: string): Promise<UserView> {
      return toUserView(await load(usernameOrId));
    },

    /**
     * A user changes their own password: the current one must be right (a session left open
     * on a shared machine is not enough), the new one must pass the policy.
     */
    async changePassword(actor: Actor, input: { currentPassword: string; newPassword: string }, context: { ip: string }): Promise<UserView> {
      if (!actor.userId) throw new ForbiddenError('user.admin_required', 'catalog.user_admin_required', { username: actor.username });
      const user = await load(actor.userId);
      // Guessing the current password here counts like guessing it at login: a stolen
      // session must not become an unthrottled password oracle.
      const attemptId = await admitAttempt(user.username, { ip: context.ip, requestId: actor.requestId });
      let currentOk = false;
      try {
        currentOk = typeof input.currentPassword === 'string' && input.currentPassword.length <= PASSWORD_MAX_LENGTH && (await argon2.verify(user.password_hash, input.currentPassword));
      } catch {
        currentOk = false;
      }
      if (!currentOk) {
        await recordAudit(db, { actor, action: 'user.password_change_refused', objectType: 'user', objectId: user.id, details: { username: user.username, reason: 'wrong_current_password' } });
        throw new ValidationError('user.password_current_wrong', 'errors.password_current_wrong', { field: 'currentPassword' }, { field: 'currentPassword' });
      }
      await setLoginAttemptOutcome(db, attemptId, 'success');
      assertPasswordAcceptable(input.newPassword, { username: user.username, field: 'newPassword' });
      if (await argon2.verify(user.password_hash, input.newPassword).catch(() => false)) {
        throw new ValidationError('user.password_unchanged', 'errors.password_unchanged', { field: 'newPassword' }, { field: 'newPassword' });
      }
      return storePassword(actor, user, input.newPassword, 'user.password_change');
    },

    /** An administrator sets a new password for a user (forgotten password); audited. */
    async resetPassword(actor: Actor, usernameOrId: string, newPassword: string): Promise<UserView> {
      assertCanAdminister(actor);
      const user = await load(usernameOrId);
      assertPasswordAcceptable(newPassword, { username: user.username });
      return storePassword(actor, user, newPassword, 'user.password_reset');
    },

    async authenticate(username: string, password: string, context: { ip: string; requestId?: string }): Promise<UserView> {
      const name = normaliseUsername(typeof username === 'string' ? username : '').slice(0, 64);
      const attemptId = await admitAttempt(name, context);
      const ip = (context.ip || 'unknown').slice(0, 64);
      const user = USERNAME_PATTERN.test(name) ? await findUser(db, name) : undefined;
      const candidate = typeof password === 'string' && password.length <= PASSWORD_MAX_LENGTH ? password : '';
      let passwordOk = false;
      try {
        passwordOk = await argon2.verify(user?.password_hash ?? (await timingDummy()), candidate);
      } catch {
        passwordOk = false;
      }
      passwordOk &&= !!user;
      const outcome = passwordOk && user?.status === 'active' ? 'success' : 'failure';
      const reason = !user ? 'unknown_user' : !passwordOk ? 'wrong_password' : user.status === 'suspended' ? 'suspended' : null;
      await db.transaction().execute(async (trx) => {
        if (outcome === 'success') await setLoginAttemptOutcome(trx, attemptId, 'success');
        await recordAudit(trx, {
          actor: {
            userId: user?.id ?? null,
            username: user?.username ?? name,
            roles: user ? user.roles.filter(isRole) : [],
            requestId: context.requestId,
          },
          action: outcome === 'success' ? 'auth.login' : 'auth.login_failed',
          objectType: 'user',
          objectId: user?.id ?? null,
          details: reason ? { username: name, ip, reason } : { username: name, ip },
        });
      });
      // A suspended account gets the same answer whatever the password, so it cannot be used
      // to test passwords (a right one would otherwise stand out from a wrong one).
      if (user?.status === 'suspended') throw new ForbiddenError('auth.account_suspended', 'catalog.auth_account_suspended', { username: user.username });
      if (!user || !passwordOk) throw new UnauthorizedError('auth.invalid_credentials', 'catalog.auth_invalid_credentials');
      return toUserView(user);
    },
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
