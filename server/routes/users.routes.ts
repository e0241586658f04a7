// User administration (admin only): list, add, suspend, reinstate. Users are never deleted.
import Router from '@koa/router';
import { deleteUserSessions } from '../../accounts/sessions.repository';
import { ROLES, type Role } from '../../accounts/roles';
import type { Language } from '../../common/i18n';
import { requireRole, requireUser } from '../auth';
import { jsonBody } from '../body';
import type { ServerDeps } from '../deps';
import { errors, jsonContent, ok, ref, type OpenApiFragment } from '../openapi';
import { bodyValidator, queryValidator } from '../validate';
import { USER_VIEW_SCHEMA } from './schemas';

const ADD_USER_SCHEMA = {
  type: 'object',
  required: ['username', 'password', 'fullName', 'roles'],
  additionalProperties: false,
  properties: {
    username: { type: 'string', pattern: '^[a-z][a-z0-9._-]{1,62}$' },
    password: { type: 'string', minLength: 12, maxLength: 256, description: 'At least 12 characters; not a common, repeated or sequential password' },
    fullName: { type: 'string', minLength: 1, maxLength: 200 },
    position: { type: ['string', 'null'], maxLength: 200 },
    roles: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...ROLES] } },
    departmentId: { type: ['string', 'null'], format: 'uuid' },
    language: { enum: ['kk', 'ru', 'en'] },
  },
} as const;
const SUSPEND_SCHEMA = {
  type: 'object',
  required: ['reason'],
  additionalProperties: false,
  properties: { reason: { type: 'string', minLength: 1, maxLength: 500 } },
} as const;
const RESET_SCHEMA = {
  type: 'object',
  required: ['password'],
  additionalProperties: false,
  properties: { password: { type: 'string', minLength: 1, maxLength: 256 } },
} as const;
const LIST_QUERY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: { status: { enum: ['active', 'suspended'] }, role: { enum: [...ROLES] }, lang: { type: 'string' } },
} as const;

interface AddUserBody {
  username: string;
  password: string;
  fullName: string;
  position?: string | null;
  roles: Role[];
  departmentId?: string | null;
  language?: Language;
}

const validateAdd = bodyValidator<AddUserBody>(ADD_USER_SCHEMA);
const validateSuspend = bodyValidator<{ reason: string }>(SUSPEND_SCHEMA);
const validateReset = bodyValidator<{ password: string }>(RESET_SCHEMA);
const validateList = queryValidator<{ status?: 'active' | 'suspended'; role?: Role }>(LIST_QUERY_SCHEMA);

export function createRoutes(deps: ServerDeps): Router {
  const router = new Router();
  const admin = requireRole('admin');

  router.get('/api/users', admin, async (ctx) => {
    const { status, role } = validateList(ctx.query);
    ctx.body = { users: await deps.users.list({ status, role }) };
  });

  router.post('/api/users', admin, async (ctx) => {
    const input = validateAdd(await jsonBody(ctx, deps.jsonLimitBytes));
    const { actor } = requireUser(ctx);
    ctx.status = 201;
    ctx.body = { user: await deps.users.add(actor, input) };
  });

  router.post('/api/users/:id/suspend', admin, async (ctx) => {
    const { reason } = validateSuspend(await jsonBody(ctx, deps.jsonLimitBytes));
    const { actor } = requireUser(ctx);
    const user = await deps.users.suspend(actor, ctx.params.id!, reason);
    // Sessions are also refused on every request for suspended users; deleting them is tidy.
    await deleteUserSessions(deps.db, user.id);
    ctx.body = { user };
  });

  router.post('/api/users/:id/password', admin, async (ctx) => {
    const { password } = validateReset(await jsonBody(ctx, deps.jsonLimitBytes));
    const { actor } = requireUser(ctx);
    const user = await deps.users.resetPassword(actor, ctx.params.id!, password);
    // Whoever held a session with the old password is signed out.
    await deleteUserSessions(deps.db, user.id);
    ctx.body = { user };
  });

  router.post('/api/users/:id/reinstate', admin, async (ctx) => {
    const { actor } = requireUser(ctx);
    ctx.body = { user: await deps.users.reinstate(actor, ctx.params.id!) };
  });

  return router;
}

const idParam = { name: 'id', in: 'path', required: true, description: 'User id (uuid) or username', schema: { type: 'string' } };
const userResponse = { type: 'object', required: ['user'], properties: { user: ref('UserView') } };
const adminOnly = [{ session: [], csrf: [] }];

export const openapi: OpenApiFragment = {
  schemas: { UserView: USER_VIEW_SCHEMA },
  paths: {
    '/api/users': {
      get: {
        summary: 'List users (admin)',
        tags: ['users'],
        security: [{ session: [] }],
        parameters: [
          { name: 'status', in: 'query', schema: { enum: ['active', 'suspended'] } },
          { name: 'role', in: 'query', schema: { enum: [...ROLES] } },
        ],
        responses: {
          '200': ok('Users', { type: 'object', required: ['users'], properties: { users: { type: 'array', items: ref('UserView') } } }),
          ...errors(400, 401, 403),
        },
      },
      post: {
        summary: 'Add a user (admin)',
        tags: ['users'],
        security: adminOnly,
        requestBody: { required: true, content: jsonContent(ADD_USER_SCHEMA) },
        // 404: the departmentId names no department (user.department_not_found).
        responses: { '201': ok('Created', userResponse), ...errors(400, 401, 403, 404, 409, 413) },
      },
    },
    '/api/users/{id}/suspend': {
      post: {
        summary: 'Suspend a user; their sessions end at once (admin)',
        tags: ['users'],
        security: adminOnly,
        parameters: [idParam],
        requestBody: { required: true, content: jsonContent(SUSPEND_SCHEMA) },
        responses: { '200': ok('Suspended', userResponse), ...errors(400, 401, 403, 404, 409) },
      },
    },
    '/api/users/{id}/password': {
      post: {
        summary: 'Set a new password for a user (forgotten password); their sessions end (admin)',
        tags: ['users'],
        security: adminOnly,
        parameters: [idParam],
        requestBody: { required: true, content: jsonContent(RESET_SCHEMA) },
        responses: { '200': ok('Password set', userResponse), ...errors(400, 401, 403, 404) },
      },
    },
    '/api/users/{id}/reinstate': {
      post: {
        summary: 'Reinstate a suspended user (admin)',
        tags: ['users'],
        security: adminOnly,
        parameters: [idParam],
        responses: { '200': ok('Reinstated', userResponse), ...errors(401, 403, 404, 409) },
      },
    },
  },
};
