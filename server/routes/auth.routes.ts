// Session API: who am I (and a CSRF token), log in, log out.
import Router from '@koa/router';
import { recordAudit } from '../../audit/audit.service';
import { deleteUserSessions } from '../../accounts/sessions.repository';
import { requireRole, requireUser, state } from '../auth';
import { jsonBody } from '../body';
import type { ServerDeps } from '../deps';
import { errors, jsonContent, ok, ref, type OpenApiFragment } from '../openapi';
import { endSession, ensureCsrfToken, startSession } from '../sessions';
import { bodyValidator } from '../validate';
import { USER_VIEW_SCHEMA } from './schemas';

const LOGIN_SCHEMA = {
  type: 'object',
  required: ['username', 'password'],
  additionalProperties: false,
  properties: {
    username: { type: 'string', minLength: 1, maxLength: 64 },
    password: { type: 'string', minLength: 1, maxLength: 256 },
  },
} as const;
const validateLogin = bodyValidator<{ username: string; password: string }>(LOGIN_SCHEMA);
const PASSWORD_CHANGE_SCHEMA = {
  type: 'object',
  required: ['currentPassword', 'newPassword'],
  additionalProperties: false,
  properties: {
    currentPassword: { type: 'string', minLength: 1, maxLength: 256 },
    newPassword: { type: 'string', minLength: 1, maxLength: 256, description: 'At least 12 characters; not a common, repeated or sequential password' },
  },
} as const;
const validatePasswordChange = bodyValidator<{ currentPassword: string; newPassword: string }>(PASSWORD_CHANGE_SCHEMA);

export function createRoutes(deps: ServerDeps): Router {
  const router = new Router();

  router.get('/api/session', (ctx) => {
    const csrfToken = ensureCsrfToken(deps, ctx);
    ctx.body = { user: state(ctx).user, csrfToken };
  });

  router.post('/api/auth/login', async (ctx) => {
    const input = validateLogin(await jsonBody(ctx, deps.jsonLimitBytes));
    const s = state(ctx);
    const user = await deps.users.authenticate(input.username, input.password, { ip: ctx.ip, requestId: s.requestId });
    // A fresh token on every login: a token planted before login is worthless afterwards.
    await endSession(deps, ctx);
    await startSession(deps, ctx, user);
    ctx.body = { user };
  });

  router.post('/api/auth/password', requireRole(), async (ctx) => {
    const input = validatePasswordChange(await jsonBody(ctx, deps.jsonLimitBytes));
    const { user, actor } = requireUser(ctx);
    const changed = await deps.users.changePassword(actor, input, { ip: ctx.ip });
    // Every other session of the user ends: whoever knew the old password is out.
    await deleteUserSessions(deps.db, user.id);
    await startSession(deps, ctx, changed);
    ctx.body = { user: changed };
  });

  router.post('/api/auth/logout', async (ctx) => {
    const s = state(ctx);
    if (s.user && s.actor) {
      await recordAudit(deps.db, { actor: s.actor, action: 'auth.logout', objectType: 'user', objectId: s.user.id });
    }
    await endSession(deps, ctx);
    ctx.body = { ok: true };
  });

  return router;
}

export const openapi: OpenApiFragment = {
  schemas: { UserView: USER_VIEW_SCHEMA },
  paths: {
    '/api/session': {
      get: {
        summary: 'Current user (or null) and the CSRF token; sets the muragat_csrf cookie',
        tags: ['auth'],
        responses: {
          '200': ok('Session', {
            type: 'object',
            required: ['user', 'csrfToken'],
            properties: { user: { oneOf: [ref('UserView'), { type: 'null' }] }, csrfToken: { type: 'string' } },
          }),
        },
      },
    },
    '/api/auth/login': {
      post: {
        summary: 'Log in with username and password; sets the httpOnly muragat_session cookie',
        tags: ['auth'],
        security: [{ csrf: [] }],
        requestBody: { required: true, content: jsonContent(LOGIN_SCHEMA) },
        responses: {
          '200': ok('Logged in', { type: 'object', required: ['user'], properties: { user: ref('UserView') } }),
          ...errors(400, 401, 403, 413, 429),
        },
      },
    },
    '/api/auth/password': {
      post: {
        summary: 'Change the signed-in user\'s own password (the current one is required); other sessions end',
        tags: ['auth'],
        security: [{ session: [], csrf: [] }],
        requestBody: { required: true, content: jsonContent(PASSWORD_CHANGE_SCHEMA) },
        responses: {
          '200': ok('Changed', { type: 'object', required: ['user'], properties: { user: ref('UserView') } }),
          ...errors(400, 401, 403, 413),
        },
      },
    },
    '/api/auth/logout': {
      post: {
        summary: 'End the session',
        tags: ['auth'],
        security: [{ csrf: [] }],
        responses: { '200': ok('Logged out', { type: 'object', properties: { ok: { const: true } } }), ...errors(403) },
      },
    },
  },
};
