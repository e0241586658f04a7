// Researcher access rules over HTTP (issue 13, p.212; access/): the archivist reads and sets a
// dossier's or a document's rule and grants or revokes the exceptions that open a personnel
// dossier to one researcher (each change audited); the archive reads what a researcher got.
import Router from '@koa/router';
import type Koa from 'koa';
import { ValidationError } from '../../common/errors';
import { dossierAccess, grantException, researcherReport, revokeException, setAccessRule, ACCESS_KINDS, BEFORE_LIFT } from '../../access';
import { requireRole, requireUser } from '../auth';
import { jsonBody } from '../body';
import type { ServerDeps } from '../deps';
import { errors, jsonContent, ok, ref, type OpenApiFragment } from '../openapi';
import { bodyValidator, queryValidator } from '../validate';

const RULE_SCHEMA = {
  type: 'object',
  required: ['kind'],
  additionalProperties: false,
  properties: {
    kind: { enum: [...ACCESS_KINDS], description: 'open; restricted (by the fonds creator); personal (personal data, 75 years from the end date); official_use (ДСП, never for researchers)' },
    until: { type: ['string', 'null'], maxLength: 10, description: 'Lift date YYYY-MM-DD (restricted, personal; personal defaults to the end date + 75 years)' },
    beforeLift: { enum: [...BEFORE_LIFT, null], description: 'What researchers see before the lift date: nothing (hidden, default) or the description (metadata)' },
    basis: { type: ['string', 'null'], maxLength: 1000 },
  },
} as const;
const EXCEPTION_SCHEMA = {
  type: 'object',
  required: ['username', 'grounds', 'reference'],
  additionalProperties: false,
  properties: {
    username: { type: 'string', minLength: 1, maxLength: 100 },
    grounds: { enum: ['data_subject', 'authorised_body'] },
    reference: { type: 'string', minLength: 1, maxLength: 500, description: 'The request: letter number and date' },
  },
} as const;
const REVOKE_SCHEMA = { type: 'object', required: ['reason'], additionalProperties: false, properties: { reason: { type: 'string', minLength: 1, maxLength: 1000 } } } as const;
const REPORT_QUERY_SCHEMA = {
  type: 'object',
  required: ['user'],
  additionalProperties: false,
  properties: {
    user: { type: 'string', minLength: 1, maxLength: 100 },
    from: { type: 'string', format: 'date' },
    to: { type: 'string', format: 'date' },
    limit: { type: 'integer', minimum: 1, maximum: 10000 },
    lang: { type: 'string' },
  },
} as const;

type RuleBody = { kind: string; until?: string | null; beforeLift?: string | null; basis?: string | null };
const validateRule = bodyValidator<RuleBody>(RULE_SCHEMA);
const validateException = bodyValidator<{ username: string; grounds: string; reference: string }>(EXCEPTION_SCHEMA);
const validateRevoke = bodyValidator<{ reason: string }>(REVOKE_SCHEMA);
const validateReport = queryValidator<{ user: string; from?: string; to?: string; limit?: number }>(REPORT_QUERY_SCHEMA);

function position(ctx: Koa.Context): number {
  const raw = ctx.params.n ?? '';
  const n = /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 1) throw new ValidationError('request.invalid', 'server.request_invalid', { fields: 'path/n' }, { problems: [{ field: 'path/n', keyword: 'minimum', message: 'must be a document position from 1' }] });
  return n;
}

export function createRoutes(deps: ServerDeps): Router {
  const router = new Router();
  // The archive keeps the rules (p.212: set by the fonds creator, recorded by the archive).
  const archivist = requireRole('archivist');
  const auditors = requireRole('archivist', 'admin');

  router.get('/api/dossiers/:id/access', archivist, async (ctx) => {
    const d = await deps.access.dossier(requireUser(ctx).user, ctx.params.id!);
    ctx.body = { access: await dossierAccess(deps.db, d.id) };
  });

  router.post('/api/dossiers/:id/access', archivist, async (ctx) => {
    const body = validateRule(await jsonBody(ctx, deps.jsonLimitBytes));
    const { user, actor } = requireUser(ctx);
    const d = await deps.access.dossier(user, ctx.params.id!);
    ctx.body = { access: await setAccessRule(deps.db, actor, { target: { dossierId: d.id }, ...body }) };
  });

  router.post('/api/dossiers/:id/documents/:n/access', archivist, async (ctx) => {
    const n = position(ctx);
    const body = validateRule(await jsonBody(ctx, deps.jsonLimitBytes));
    const { user, actor } = requireUser(ctx);
    const d = await deps.access.dossier(user, ctx.params.id!);
    ctx.body = { access: await setAccessRule(deps.db, actor, { target: { dossierId: d.id, position: n }, ...body }) };
  });

  router.post('/api/dossiers/:id/access/exceptions', archivist, async (ctx) => {
    const body = validateException(await jsonBody(ctx, deps.jsonLimitBytes));
    const { user, actor } = requireUser(ctx);
    const d = await deps.access.dossier(user, ctx.params.id!);
    ctx.status = 201;
    ctx.body = { access: await grantException(deps.db, actor, { dossierId: d.id, ...body }) };
  });

  router.post('/api/access/exceptions/:id/revoke', archivist, async (ctx) => {
    const { reason } = validateRevoke(await jsonBody(ctx, deps.jsonLimitBytes));
    ctx.body = { access: await revokeException(deps.db, requireUser(ctx).actor, { exceptionId: ctx.params.id!, reason }) };
  });

  router.get('/api/access/report', auditors, async (ctx) => {
    const q = validateReport(ctx.query);
    ctx.body = { report: await researcherReport(deps.db, q.user, { from: q.from, to: q.to, limit: q.limit }) };
  });

  return router;
}

const idParam = { name: 'id', in: 'path', required: true, description: 'Dossier id (uuid) or case index', schema: { type: 'string' } };
const nParam = { name: 'n', in: 'path', required: true, description: 'Document position in the dossier, from 1', schema: { type: 'integer', minimum: 1 } };
const session = [{ session: [] }];
const csrf = [{ session: [], csrf: [] }];
const RULE = {
  type: 'object',
  properties: {
    kind: { enum: [...ACCESS_KINDS] },
    until: { type: ['string', 'null'] },
    beforeLift: { enum: [...BEFORE_LIFT] },
    basis: { type: ['string', 'null'] },
    source: { enum: ['archivist', 'transfer', 'default'], description: "archivist: set here (audited); transfer: the AIP metadata's access (p.212); default: none given, open" },
    setBy: { type: 'string' },
    setAt: { type: 'string', format: 'date-time' },
  },
};
const accessAnswer = ok('Access rules of the dossier and its documents', { type: 'object', properties: { access: ref('DossierAccess') } });

export const openapi: OpenApiFragment = {
  schemas: {
    DossierAccess: {
      type: 'object',
      properties: {
        dossierId: { type: 'string' },
        caseIndex: { type: 'string' },
        endDate: { type: ['string', 'null'] },
        rule: RULE,
        documents: { type: 'array', items: { type: 'object', properties: { documentId: { type: 'string' }, position: { type: 'integer' }, title: { type: 'string' }, rule: RULE } } },
        exceptions: {
          type: 'array',
          items: {
            type: 'object',
            properties: { id: { type: 'string' }, username: { type: 'string' }, fullName: { type: ['string', 'null'] }, grounds: { enum: ['data_subject', 'authorised_body'] }, reference: { type: 'string' }, grantedBy: { type: 'string' }, grantedAt: { type: 'string' } },
          },
        },
      },
    },
  },
  paths: {
    '/api/dossiers/{id}/access': {
      get: { summary: 'Access rules of a dossier and of each document, with the exceptions granted (archivist)', tags: ['access'], security: session, parameters: [idParam], responses: { '200': accessAnswer, ...errors(401, 403, 404) } },
      post: {
        summary: "Set a dossier's access rule (archivist; audited as access.rule_set with before and after)",
        description: 'A researcher sees nothing of a restricted dossier before its lift date (or its description only with beforeLift=metadata) and everything from that date, with no job to run; official_use never.',
        tags: ['access'],
        security: csrf,
        parameters: [idParam],
        requestBody: { required: true, content: jsonContent(RULE_SCHEMA) },
        responses: { '200': accessAnswer, ...errors(400, 401, 403, 404) },
      },
    },
    '/api/dossiers/{id}/documents/{n}/access': {
      post: {
        summary: "Set one document's access rule (archivist; audited). A document is never more open than its dossier.",
        tags: ['access'],
        security: csrf,
        parameters: [idParam, nParam],
        requestBody: { required: true, content: jsonContent(RULE_SCHEMA) },
        responses: { '200': accessAnswer, ...errors(400, 401, 403, 404) },
      },
    },
    '/api/dossiers/{id}/access/exceptions': {
      post: {
        summary: 'Open a dossier with personal data to one researcher: the person themselves or an authorised body asked (archivist; audited)',
        tags: ['access'],
        security: csrf,
        parameters: [idParam],
        requestBody: { required: true, content: jsonContent(EXCEPTION_SCHEMA) },
        responses: { '201': accessAnswer, ...errors(400, 401, 403, 404) },
      },
    },
    '/api/access/exceptions/{id}/revoke': {
      post: {
        summary: 'Revoke an exception (archivist; audited)',
        tags: ['access'],
        security: csrf,
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
        requestBody: { required: true, content: jsonContent(REVOKE_SCHEMA) },
        responses: { '200': accessAnswer, ...errors(400, 401, 403, 404) },
      },
    },
    '/api/access/report': {
      get: {
        summary: 'What a researcher viewed and downloaded, newest first (from the audit log: access.view, access.download)',
        tags: ['access'],
        security: session,
        parameters: [
          { name: 'user', in: 'query', required: true, schema: { type: 'string' } },
          { name: 'from', in: 'query', schema: { type: 'string', format: 'date' } },
          { name: 'to', in: 'query', schema: { type: 'string', format: 'date' } },
          { name: 'limit', in: 'query', schema: { type: 'integer' } },
        ],
        responses: {
          '200': ok('Report', {
            type: 'object',
            properties: {
              report: {
                type: 'object',
                properties: {
                  username: { type: 'string' },
                  fullName: { type: ['string', 'null'] },
                  total: { type: 'integer' },
                  rows: { type: 'array', items: { type: 'object', properties: { at: { type: 'string' }, action: { enum: ['access.view', 'access.download'] }, what: { type: 'string' }, dossierId: { type: ['string', 'null'] }, dossier: { type: ['string', 'null'] }, position: { type: ['integer', 'null'] }, title: { type: ['string', 'null'] }, route: { type: ['string', 'null'] } } } },
                },
              },
            },
          }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
  },
};
