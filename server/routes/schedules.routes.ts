// Transfer schedules (App. 31): the list, one schedule with each row's state (the dashboard),
// CSV/JSON export, drafting by the archive, approval by the organisation head, and the
// signed-in user's reminders. The schedule is an organisation-wide plan: every department's
// staff reads it whole (it names deadlines and people, nothing of any dossier).
import Router from '@koa/router';
import { ValidationError } from '../../common/errors';
import { createScheduleService } from '../../catalog/schedules';
import { SCHEDULE_APPROVERS, SCHEDULE_COMPILERS, SCHEDULE_READERS } from '../../access/policy';
import { requireRole, requireUser, state } from '../auth';
import { jsonBody } from '../body';
import type { ServerDeps } from '../deps';
import { errors, jsonContent, ok, type OpenApiFragment } from '../openapi';
import { bodyValidator, queryValidator } from '../validate';

const CREATE_SCHEMA = {
  type: 'object',
  required: ['year'],
  additionalProperties: false,
  properties: {
    year: { type: 'integer', minimum: 1900, maximum: 2999, description: 'The year the transfers are received in' },
    recordsYear: { type: ['integer', 'null'], minimum: 1900, maximum: 2999, description: 'The year of the dossiers transferred (default: the year before)' },
    number: { type: ['string', 'null'], maxLength: 50 },
    place: { type: ['string', 'null'], maxLength: 200 },
  },
} as const;
const ROW_SCHEMA = {
  type: 'object',
  required: ['department', 'deadline', 'responsible'],
  additionalProperties: false,
  properties: {
    department: { type: 'string', minLength: 1, maxLength: 64, description: 'Department code or id' },
    deadline: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD, within the schedule year' },
    responsible: { type: 'string', minLength: 1, maxLength: 128, description: 'Username or id of the person responsible for the transfer' },
    note: { type: ['string', 'null'], maxLength: 1000 },
  },
} as const;
const EMPTY_SCHEMA = { type: 'object', additionalProperties: false, properties: {} } as const;
const GET_QUERY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: { format: { enum: ['csv', 'json'] }, lang: { type: 'string' } },
} as const;

const validateCreate = bodyValidator<{ year: number; recordsYear?: number | null; number?: string | null; place?: string | null }>(CREATE_SCHEMA);
const validateRow = bodyValidator<{ department: string; deadline: string; responsible: string; note?: string | null }>(ROW_SCHEMA);
const validateEmpty = bodyValidator<Record<string, never>>(EMPTY_SCHEMA);
const validateGet = queryValidator<{ format?: 'csv' | 'json' }>(GET_QUERY_SCHEMA);

function scheduleKey(value: string | undefined): string {
  const key = String(value ?? '');
  if (!/^(\d{4}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i.test(key)) {
    throw new ValidationError('schedules.not_found', 'schedules.not_found', { id: key });
  }
  return key;
}

export function createRoutes(deps: ServerDeps): Router {
  const router = new Router();
  const readers = requireRole(...SCHEDULE_READERS);
  const compilers = requireRole(...SCHEDULE_COMPILERS);
  const approvers = requireRole(...SCHEDULE_APPROVERS);
  const anyUser = requireRole();
  const schedules = createScheduleService({ db: deps.db, now: deps.now, storage: deps.storage });

  router.get('/api/transfer-schedules', readers, async (ctx) => {
    ctx.body = { schedules: await schedules.list() };
  });

  router.post('/api/transfer-schedules', compilers, async (ctx) => {
    const { actor } = requireUser(ctx);
    const input = validateCreate(await jsonBody(ctx, deps.jsonLimitBytes));
    ctx.status = 201;
    ctx.body = await schedules.create(actor, input);
  });

  // Before /:id, which would take "reminders" for a schedule.
  router.get('/api/transfer-schedules/reminders', anyUser, async (ctx) => {
    const { user } = requireUser(ctx);
    ctx.body = { reminders: await schedules.reminders({ userId: user.id, roles: user.roles }) };
  });

  router.get('/api/transfer-schedules/:id', readers, async (ctx) => {
    const { format } = validateGet(ctx.query);
    const key = scheduleKey(ctx.params.id);
    if (!format) {
      ctx.body = await schedules.get(key);
      return;
    }
    const lang = state(ctx).lang;
    const exported = await schedules.exportSchedule(key, format, lang);
    ctx.type = format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8';
    ctx.set('Content-Disposition', `attachment; filename="transfer-schedule-${exported.year}.${format}"`);
    ctx.body = exported.content;
  });

  router.post('/api/transfer-schedules/:id/rows', compilers, async (ctx) => {
    const { actor } = requireUser(ctx);
    const input = validateRow(await jsonBody(ctx, deps.jsonLimitBytes));
    ctx.status = 201;
    ctx.body = await schedules.addRow(actor, scheduleKey(ctx.params.id), input);
  });

  router.post('/api/transfer-schedules/:id/rows/:row/remove', compilers, async (ctx) => {
    const { actor } = requireUser(ctx);
    validateEmpty(await jsonBody(ctx, deps.jsonLimitBytes));
    ctx.body = await schedules.removeRow(actor, scheduleKey(ctx.params.id), ctx.params.row!);
  });

  router.post('/api/transfer-schedules/:id/approve', approvers, async (ctx) => {
    const { actor } = requireUser(ctx);
    validateEmpty(await jsonBody(ctx, deps.jsonLimitBytes));
    ctx.body = await schedules.approve(actor, scheduleKey(ctx.params.id));
  });

  return router;
}

const PERSON = { type: ['object', 'null'], properties: { userId: { type: ['string', 'null'] }, username: { type: 'string' }, name: { type: ['string', 'null'] }, position: { type: ['string', 'null'] } } };
const STATE = { enum: ['due', 'overdue', 'processing', 'received', 'accepted'] };
const ROW = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    position: { type: 'integer' },
    department: { type: 'object', properties: { id: { type: 'string' }, code: { type: 'string' }, nameKk: { type: 'string' }, nameRu: { type: 'string' } } },
    deadline: { type: 'string', format: 'date' },
    responsible: PERSON,
    note: { type: ['string', 'null'] },
    state: STATE,
    daysLeft: { type: 'integer', description: 'Days from today (the archive calendar) to the deadline; negative when past' },
    transfer: { type: ['object', 'null'], properties: { id: { type: 'string' }, sourceName: { type: 'string' }, receivedAt: { type: 'string' }, status: { type: 'string' } } },
    late: { type: 'boolean' },
    returned: { type: ['object', 'null'], properties: { transferId: { type: 'string' }, reason: { type: 'string' }, at: { type: 'string' } } },
    acceptedActId: { type: ['string', 'null'] },
  },
};
const SUMMARY = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    year: { type: 'integer' },
    recordsYear: { type: 'integer' },
    number: { type: ['string', 'null'] },
    place: { type: ['string', 'null'] },
    status: { enum: ['draft', 'approved'] },
    createdAt: { type: 'string' },
    compiledBy: PERSON,
    approvedBy: PERSON,
    approvedAt: { type: ['string', 'null'] },
    rowCount: { type: 'integer' },
  },
};
const VIEW = {
  allOf: [
    SUMMARY,
    {
      type: 'object',
      properties: {
        rows: { type: 'array', items: ROW },
        counts: { type: 'object', additionalProperties: { type: 'integer' } },
        today: { type: 'string', format: 'date' },
      },
    },
  ],
};
const idParam = { name: 'id', in: 'path', required: true, description: 'The schedule year (2026) or id', schema: { type: 'string' } };

export const openapi: OpenApiFragment = {
  paths: {
    '/api/transfer-schedules': {
      get: {
        summary: 'Transfer schedules (App. 31), latest year first (archive, departments’ staff, heads, admin)',
        tags: ['catalog'],
        security: [{ session: [] }],
        responses: { '200': ok('Schedules', { type: 'object', properties: { schedules: { type: 'array', items: SUMMARY } } }), ...errors(401, 403) },
      },
      post: {
        summary: 'Create the draft transfer schedule of a year (archivist, admin). Audited as schedule.create.',
        tags: ['catalog'],
        security: [{ session: [], csrf: [] }],
        requestBody: { required: true, content: jsonContent(CREATE_SCHEMA) },
        responses: { '201': ok('The draft', VIEW), ...errors(400, 401, 403, 409) },
      },
    },
    '/api/transfer-schedules/reminders': {
      get: {
        summary: 'The signed-in user’s reminders: open rows they are responsible for; for the archivist every open row and every transfer awaiting acceptance',
        tags: ['catalog'],
        security: [{ session: [] }],
        responses: {
          '200': ok('Reminders, soonest deadline first', {
            type: 'object',
            properties: { reminders: { type: 'array', items: { type: 'object', properties: { scheduleId: { type: 'string' }, year: { type: 'integer' }, recordsYear: { type: 'integer' }, audience: { enum: ['responsible', 'archive'] }, row: ROW } } } },
          }),
          ...errors(401),
        },
      },
    },
    '/api/transfer-schedules/{id}': {
      get: {
        summary: 'One schedule with each row’s state: due, overdue, processing, received (awaiting acceptance), accepted; or the schedule as CSV/JSON with ?format=',
        tags: ['catalog'],
        security: [{ session: [] }],
        parameters: [idParam, { name: 'format', in: 'query', required: false, schema: { enum: ['csv', 'json'] } }],
        responses: { '200': { description: 'The schedule, or the file', content: { ...jsonContent(VIEW), 'text/csv': { schema: { type: 'string' } } } }, ...errors(400, 401, 403, 404) },
      },
    },
    '/api/transfer-schedules/{id}/rows': {
      post: {
        summary: 'Add a department’s row to a draft schedule (archivist, admin). Audited as schedule.add_row.',
        description: 'Refused with the field named: unknown department or user, a date that is not in the schedule year, a responsible person outside the department (unless an archivist), a department already listed (409), an approved schedule (409).',
        tags: ['catalog'],
        security: [{ session: [], csrf: [] }],
        parameters: [idParam],
        requestBody: { required: true, content: jsonContent(ROW_SCHEMA) },
        responses: { '201': ok('The schedule', VIEW), ...errors(400, 401, 403, 404, 409) },
      },
    },
    '/api/transfer-schedules/{id}/rows/{row}/remove': {
      post: {
        summary: 'Remove a row of a draft schedule (archivist, admin); the rest are renumbered. Audited as schedule.remove_row.',
        tags: ['catalog'],
        security: [{ session: [], csrf: [] }],
        parameters: [idParam, { name: 'row', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
        requestBody: { required: false, content: jsonContent(EMPTY_SCHEMA) },
        responses: { '200': ok('The schedule', VIEW), ...errors(400, 401, 403, 404, 409) },
      },
    },
    '/api/transfer-schedules/{id}/approve': {
      post: {
        summary: 'Approve a schedule ("Утверждаю", organisation head); its rows are frozen. Audited as schedule.approve.',
        tags: ['catalog'],
        security: [{ session: [], csrf: [] }],
        parameters: [idParam],
        requestBody: { required: false, content: jsonContent(EMPTY_SCHEMA) },
        responses: { '200': ok('The approved schedule', VIEW), ...errors(400, 401, 403, 404, 409) },
      },
    },
  },
};
