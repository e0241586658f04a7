// Cookie sessions: a random 256-bit token in an httpOnly cookie, only its SHA-256 in the
// database. Every request re-reads the user, so suspension takes effect at once.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type Koa from 'koa';
import {
  deleteSession,
  findSessionWithUser,
  insertSession,
  touchSession,
} from '../accounts/sessions.repository';
import { toUserView, type UserView } from '../accounts/users.service';
import type { ServerDeps } from './deps';

export const SESSION_COOKIE = 'muragat_session';
export const CSRF_COOKIE = 'muragat_csrf';
export const CSRF_HEADER = 'x-csrf-token';
export const LANG_COOKIE = 'muragat_lang';

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
// Writing last_seen on every request would turn each read into a write.
const TOUCH_EVERY_MS = 60_000;

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface LoadedSession {
  tokenHash: string;
  user: UserView;
}

function cookieOptions(deps: ServerDeps, httpOnly: boolean, expires?: Date) {
  return {
    httpOnly,
    sameSite: 'lax' as const,
    secure: deps.config.secureCookies,
    path: '/',
    overwrite: true,
    ...(expires ? { expires } : {}),
  };
}

/** Reads the session cookie; expired, unknown or suspended sessions count as none. */
export async function loadSession(deps: ServerDeps, ctx: Koa.Context): Promise<LoadedSession | null> {
  const token = ctx.cookies.get(SESSION_COOKIE);
  if (!token || !TOKEN_PATTERN.test(token)) return null;
  const tokenHash = hashToken(token);
  const found = await findSessionWithUser(deps.db, tokenHash);
  if (!found) return null;
  const now = deps.now();
  const expires = new Date(found.session.expires_at);
  const lastSeen = new Date(found.session.last_seen_at);
  const idleLimit = new Date(now.getTime() - deps.sessionPolicy.idleSeconds * 1000);
  if (expires <= now || lastSeen < idleLimit || found.user.status !== 'active') {
    await deleteSession(deps.db, tokenHash);
    return null;
  }
  if (now.getTime() - lastSeen.getTime() > TOUCH_EVERY_MS) await touchSession(deps.db, tokenHash, now);
  return { tokenHash, user: toUserView(found.user) };
}

export async function startSession(deps: ServerDeps, ctx: Koa.Context, user: UserView): Promise<void> {
  const token = newToken();
  const now = deps.now();
  const expiresAt = new Date(now.getTime() + deps.sessionPolicy.absoluteSeconds * 1000);
  await insertSession(deps.db, {
    tokenHash: hashToken(token),
    userId: user.id,
    now,
    expiresAt,
    ip: ctx.ip.slice(0, 64) || null,
    userAgent: ctx.get('user-agent').slice(0, 512) || null,
  });
  ctx.cookies.set(SESSION_COOKIE, token, cookieOptions(deps, true, expiresAt));
}

export async function endSession(deps: ServerDeps, ctx: Koa.Context): Promise<void> {
  const token = ctx.cookies.get(SESSION_COOKIE);
  if (token && TOKEN_PATTERN.test(token)) await deleteSession(deps.db, hashToken(token));
  ctx.cookies.set(SESSION_COOKIE, '', { ...cookieOptions(deps, true), expires: new Date(0) });
}

/** The CSRF token of this browser, issuing one when absent (readable by the page's script). */
export function ensureCsrfToken(deps: ServerDeps, ctx: Koa.Context): string {
  const existing = ctx.cookies.get(CSRF_COOKIE);
  if (existing && TOKEN_PATTERN.test(existing)) return existing;
  const token = newToken();
  ctx.cookies.set(CSRF_COOKIE, token, cookieOptions(deps, false));
  return token;
}
