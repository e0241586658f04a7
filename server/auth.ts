// Role checks for route handlers. The session middleware in app.ts has already put the
// user (or null) on ctx.state; these only decide.
import type Koa from 'koa';
import { ForbiddenError, UnauthorizedError } from '../common/errors';
import type { Language } from '../common/i18n';
import type { Actor } from '../audit/audit.service';
import type { Role } from '../accounts/roles';
import type { UserView } from '../accounts/users.service';

export interface RequestState {
  requestId: string;
  lang: Language;
  /** Null for anonymous requests. */
  user: UserView | null;
  actor: Actor | null;
  /** sha256 of the session token, for logout. */
  sessionHash: string | null;
}

export function state(ctx: Koa.Context): RequestState {
  return ctx.state as RequestState;
}

export function actorOf(user: UserView, requestId: string): Actor {
  return { userId: user.id, username: user.username, roles: [...user.roles], requestId };
}

/** The signed-in user, or 401. */
export function requireUser(ctx: Koa.Context): { user: UserView; actor: Actor } {
  const s = state(ctx);
  if (!s.user || !s.actor) throw new UnauthorizedError('auth.unauthenticated', 'server.auth_unauthenticated');
  return { user: s.user, actor: s.actor };
}

/** 401 without a session, 403 unless the user holds one of the roles (none given: any user). */
export function requireRole(...roles: Role[]): Koa.Middleware {
  return async (ctx, next) => {
    const { user } = requireUser(ctx);
    if (roles.length && !roles.some((r) => user.roles.includes(r))) {
      throw new ForbiddenError('auth.forbidden', 'server.auth_forbidden', { roles: roles.join(', ') }, { requiredRoles: roles });
    }
    await next();
  };
}
