// Appraisal over HTTP (issue 12): the appraisal list by a date (grouped, ЭПК flagged), the
// appraiser's decisions, applying the commission's decisions, and holds. Routes check the role
// and validate input; the rules live in appraisal/ (which checks the role again).
import Router from '@koa/router';
import { ACT_DRAFTERS, ACT_READERS, APPRAISAL_MAX_PAGE_SIZE, createAppraisalService, DECISION_KINDS, HOLD_KINDS, HOLD_SCOPES } from '../../appraisal';
import { requireRole, requireUser } from '../auth';
import { jsonBody } from '../body';
import type { ServerDeps } from '../deps';
import { errors, jsonContent, ok, type OpenApiFragment } from '../openapi';
import { bodyValidator, queryValidator } from '../validate';

const DATE = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } as const;
const TEXT = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const;

const LIST_QUERY = {
  type: 'object',
  required: ['by'],
  additionalProperties: false,
  properties: { lang: { type: 'string' }, by: DATE, fonds: TEXT(50), year: { type: 'integer', minimum: 1000, maximum: 9999 }, department: TEXT(50), article: TEXT(50), page: { type: 'integer', minimum: 1, maximum: 1_000_000 }, pageSize: { type: 'integer', minimum: 1, maximum: APPRAISAL_MAX_PAGE_SIZE } },
} as const;
const DECISION_SCHEMA = {
  type: 'object',
  required: ['dossierId', 'decision', 'reason'],
  additionalProperties: false,
  properties: { dossierId: { type: 'string', format: 'uuid' }, decision: { enum: [...DECISION_KINDS] }, reason: TEXT(2000), years: { type: 'integer', minimum: 1, maximum: 100 } },
} as const;
const HOLD_SCHEMA = {
  type: 'object',
  required: ['scope', 'reason'],
  additionalProperties: false,
  properties: {
    scope: { enum: [...HOLD_SCOPES] },
    kind: { enum: [...HOLD_KINDS] },
    dossierId: { type: 'string', format: 'uuid' },
    caseIndex: TEXT(50),
    year: { type: 'integer', minimum: 1000, maximum: 9999 },
    reason: TEXT(2000),
  },
} as const;
const LIFT_SCHEMA = { type: 'object', required: ['reason'], additionalProperties: false, properties: { reason: TEXT(2000) } } as const;
const HOLDS_QUERY = { type: 'object', additionalProperties: false, properties: { lang: { type: 'string' }, active: { enum: ['0', '1'] } } } as const;

const validateList = queryValidator<{ lang?: string; by: string; fonds?: string; year?: number; department?: string; article?: string; page?: number; pageSize?: number }>(LIST_QUERY);
const validateDecision = bodyValidator<{ dossierId: string; decision: string; reason: string; years?: number }>(DECISION_SCHEMA);
const validateHold = bodyValidator<{ scope: string; kind?: string; dossierId?: string; caseIndex?: string; year?: number; reason: string }>(HOLD_SCHEMA);
const validateLift = bodyValidator<{ reason: string }>(LIFT_SCHEMA);
const validateHoldsQuery = queryValidator<{ active?: '0' | '1' }>(HOLDS_QUERY);

export function createRoutes(deps: ServerDeps): Router {
  const router = new Router();
  const service = () => createAppraisalService({ db: deps.db, storage: deps.storage, trustDir: deps.config.trustDir, now: deps.now });
  const readers = requireRole(...ACT_READERS);
  const appraisers = requireRole(...ACT_DRAFTERS);
  const holders = requireRole('archivist', 'admin');

  router.get('/api/appraisal', readers, async (ctx) => {
    const { lang: _lang, ...q } = validateList(ctx.query);
    ctx.body = await service().list(q);
  });
  router.get('/api/appraisal/dossiers/:id/decisions', readers, async (ctx) => {
    ctx.body = { decisions: await service().decisionsOf(ctx.params.id!) };
  });
  router.post('/api/appraisal/decisions', appraisers, async (ctx) => {
    const body = validateDecision(await jsonBody(ctx, deps.jsonLimitBytes));
    ctx.status = 201;
    ctx.body = { decision: await service().decide(requireUser(ctx).actor, body) };
  });
  router.post('/api/appraisal/apply-decisions', appraisers, async (ctx) => {
    ctx.body = { applied: await service().applyCommissionDecisions(requireUser(ctx).actor) };
  });
  router.get('/api/holds', readers, async (ctx) => {
    const q = validateHoldsQuery(ctx.query);
    ctx.body = { holds: await service().holds.list(q.active === undefined ? {} : { active: q.active === '1' }) };
  });
  router.post('/api/holds', holders, async (ctx) => {
    const body = validateHold(await jsonBody(ctx, deps.jsonLimitBytes));
    ctx.status = 201;
    ctx.body = { hold: await service().holds.place(requireUser(ctx).actor, body) };
  });
  router.post('/api/holds/:id/lift', holders, async (ctx) => {
    const body = validateLift(await jsonBody(ctx, deps.jsonLimitBytes));
    ctx.body = { hold: await service().holds.lift(requireUser(ctx).actor, ctx.params.id!, body) };
  });
  return router;
}

const TAGS = ['appraisal'];
const SECURITY = [{ session: [] }];
const ID = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const body = (schema: unknown) => ({ required: true, content: jsonContent(schema) });
const HOLD = { type: 'object', description: 'A hold: scope (dossier / series / year), target, kind (legal / audit), reason, who placed it and when, and once lifted who, when and why' };
const DECISION = { type: 'object', description: "The appraiser's decision: destroy / keep_permanently / extend (years), reason, status (decided / proposed / applied / rejected), the commission's agenda item and protocol" };

export const openapi: OpenApiFragment = {
  paths: {
    '/api/appraisal': {
      get: {
        summary: 'The appraisal list, paged: dossiers whose retention ends by ?by=YYYY-MM-DD (and ДМН ones), grouped by fonds, year, department and article; ЭПК flagged; each with its decision, hold and act',
        tags: TAGS,
        security: SECURITY,
        parameters: [
          { name: 'by', in: 'query', required: true, schema: DATE },
          { name: 'fonds', in: 'query', schema: TEXT(50) },
          { name: 'year', in: 'query', schema: { type: 'integer' } },
          { name: 'department', in: 'query', schema: TEXT(50) },
          { name: 'article', in: 'query', schema: TEXT(50) },
          { name: 'page', in: 'query', schema: { type: 'integer', minimum: 1 } },
          { name: 'pageSize', in: 'query', schema: { type: 'integer', minimum: 1, maximum: APPRAISAL_MAX_PAGE_SIZE } },
        ],
        responses: { '200': ok('One page of the list; totals and group counts cover the whole list', { type: 'object', properties: { by: DATE, total: { type: 'integer' }, needsReview: { type: 'integer' }, decided: { type: 'integer' }, page: { type: 'integer' }, pageSize: { type: 'integer' }, pages: { type: 'integer' }, groups: { type: 'array', items: { type: 'object' } } } }), ...errors(400, 401, 403) },
      },
    },
    '/api/appraisal/dossiers/{id}/decisions': {
      get: { summary: "A dossier's appraisal decisions, newest first", tags: TAGS, security: SECURITY, parameters: [ID], responses: { '200': ok('Decisions', { type: 'object', properties: { decisions: { type: 'array', items: DECISION } } }), ...errors(401, 403, 404) } },
    },
    '/api/appraisal/decisions': {
      post: { summary: "Record the appraiser's decision with a reason (archivist); keep_permanently and extend are proposed to the expert commission", tags: TAGS, security: SECURITY, requestBody: body(DECISION_SCHEMA), responses: { '201': ok('The decision', { type: 'object', properties: { decision: DECISION } }), ...errors(400, 401, 403, 404, 409) } },
    },
    '/api/appraisal/apply-decisions': {
      post: { summary: "Apply the commission's decisions on proposals (adopted with a signed protocol: the retention becomes permanent or extended; rejected: closed) (archivist)", tags: TAGS, security: SECURITY, responses: { '200': ok('What was applied', { type: 'object', properties: { applied: { type: 'array', items: { type: 'object' } } } }), ...errors(401, 403) } },
    },
    '/api/holds': {
      get: { summary: 'Holds, newest first (?active=1 only those not lifted)', tags: TAGS, security: SECURITY, parameters: [{ name: 'active', in: 'query', schema: { enum: ['0', '1'] } }], responses: { '200': ok('Holds', { type: 'object', properties: { holds: { type: 'array', items: HOLD } } }), ...errors(400, 401, 403) } },
      post: { summary: 'Place a legal or audit hold on a dossier, a series (case index) or a year (archivist or admin); held dossiers are never put on an act nor destroyed', tags: TAGS, security: SECURITY, requestBody: body(HOLD_SCHEMA), responses: { '201': ok('The hold', { type: 'object', properties: { hold: HOLD } }), ...errors(400, 401, 403, 404) } },
    },
    '/api/holds/{id}/lift': {
      post: { summary: 'Lift a hold, recording who, when and why (archivist or admin)', tags: TAGS, security: SECURITY, parameters: [ID], requestBody: body(LIFT_SCHEMA), responses: { '200': ok('The hold', { type: 'object', properties: { hold: HOLD } }), ...errors(400, 401, 403, 404, 409) } },
    },
  },
};
