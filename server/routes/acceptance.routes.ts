// The archive's acceptance of stored transfers (App. 33): the decision on a transfer (with its
// act), accept, return with the reason, the acts, and the organisation head's approval. The
// decision and act of a transfer are read through the transfer, so a department's staff reach
// only their own department's (404 otherwise, as for the transfer itself).
import Router from '@koa/router';
import { createAcceptanceService } from '../../catalog/acceptance';
import { actRenderer } from '../../catalog/acceptance/render';
import { NotFoundError } from '../../common/errors';
import { readRendition } from '../../forms/store';
import { ACT_APPROVERS, ACT_READERS, TRANSFER_ACCEPTORS } from '../../access/policy';
import { requireRole, requireUser } from '../auth';
import { jsonBody } from '../body';
import type { ServerDeps } from '../deps';
import { errors, jsonContent, ok, type OpenApiFragment } from '../openapi';
import { bodyValidator, queryValidator } from '../validate';

const ACCEPT_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    stateOfDocuments: { type: ['string', 'null'], maxLength: 2000, description: 'General characteristic of the state of the e-documents; empty for the standard phrase' },
    handedOverBy: { type: ['string', 'null'], maxLength: 128, description: 'Username of the department’s clerk or head who handed it over (default: who submitted the transfer)' },
  },
} as const;
const RETURN_SCHEMA = {
  type: 'object',
  required: ['reason'],
  additionalProperties: false,
  properties: { reason: { type: 'string', minLength: 1, maxLength: 2000 } },
} as const;
const EMPTY_SCHEMA = { type: 'object', additionalProperties: false, properties: {} } as const;
const LIST_QUERY_SCHEMA = { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 500 }, lang: { type: 'string' } } } as const;

const validateAccept = bodyValidator<{ stateOfDocuments?: string | null; handedOverBy?: string | null }>(ACCEPT_SCHEMA);
const validateReturn = bodyValidator<{ reason: string }>(RETURN_SCHEMA);
const validateEmpty = bodyValidator<Record<string, never>>(EMPTY_SCHEMA);
const validateList = queryValidator<{ limit?: number }>(LIST_QUERY_SCHEMA);
const PDF_QUERY_SCHEMA = { type: 'object', required: ['form'], additionalProperties: false, properties: { form: { enum: ['kk', 'ru'] }, lang: { type: 'string' } } } as const;
const validatePdfQuery = queryValidator<{ form: 'kk' | 'ru' }>(PDF_QUERY_SCHEMA);

export function createRoutes(deps: ServerDeps): Router {
  const router = new Router();
  const readers = requireRole(...ACT_READERS);
  const acceptors = requireRole(...TRANSFER_ACCEPTORS);
  const approvers = requireRole(...ACT_APPROVERS);
  const keepers = requireRole('archivist', 'admin', 'organisation_head');
  const acceptance = createAcceptanceService({ db: deps.db, now: deps.now, renderAct: actRenderer(deps.storage) });

  router.get('/api/transfers/:id/acceptance', readers, async (ctx) => {
    const { user } = requireUser(ctx);
    await deps.access.transfer(user, ctx.params.id!);
    ctx.body = { decision: await acceptance.decision(ctx.params.id!) };
  });

  // The act's stored PDF/A in the form language asked for (?form=kk|ru), as rendered at acceptance
  // or approval; read back verified against its hash.
  router.get('/api/transfers/:id/acceptance/act.pdf', readers, async (ctx) => {
    const { user } = requireUser(ctx);
    const { form } = validatePdfQuery(ctx.query);
    await deps.access.transfer(user, ctx.params.id!);
    const act = (await acceptance.decision(ctx.params.id!))?.act;
    if (!act) throw new NotFoundError('acceptance.act_not_found', 'acceptance.act_not_found', { id: ctx.params.id! });
    const stored = act.renditions[form];
    if (!stored) throw new NotFoundError('acceptance.rendition_missing', 'acceptance.rendition_missing', { number: act.number, lang: form });
    const { bytes } = await readRendition({ db: deps.db, storage: deps.storage }, stored.renditionId);
    ctx.type = 'application/pdf';
    ctx.set('Content-Disposition', `attachment; filename="app33-act-${act.actYear}-${act.number}-${form}.pdf"`);
    ctx.body = bytes;
  });

  router.post('/api/transfers/:id/accept', acceptors, async (ctx) => {
    const { user, actor } = requireUser(ctx);
    const input = validateAccept(await jsonBody(ctx, deps.jsonLimitBytes));
    await deps.access.transfer(user, ctx.params.id!);
    ctx.status = 201;
    ctx.body = { decision: await acceptance.accept(actor, ctx.params.id!, input) };
  });

  router.post('/api/transfers/:id/return', acceptors, async (ctx) => {
    const { user, actor } = requireUser(ctx);
    const input = validateReturn(await jsonBody(ctx, deps.jsonLimitBytes));
    await deps.access.transfer(user, ctx.params.id!);
    ctx.body = { decision: await acceptance.returnTransfer(actor, ctx.params.id!, input) };
  });

  router.get('/api/acceptance-acts', keepers, async (ctx) => {
    const { limit } = validateList(ctx.query);
    ctx.body = { acts: await acceptance.listActs({ limit }) };
  });

  router.get('/api/acceptance-acts/:id', keepers, async (ctx) => {
    ctx.body = await acceptance.getAct(ctx.params.id!);
  });

  router.post('/api/acceptance-acts/:id/approve', approvers, async (ctx) => {
    const { actor } = requireUser(ctx);
    validateEmpty(await jsonBody(ctx, deps.jsonLimitBytes));
    ctx.body = await acceptance.approveAct(actor, ctx.params.id!);
  });

  return router;
}

const PERSON = { type: 'object', properties: { userId: { type: ['string', 'null'] }, name: { type: 'string' }, position: { type: ['string', 'null'] } } };
const ACT_ROW = {
  type: 'object',
  properties: {
    position: { type: 'integer' },
    dossierId: { type: 'string' },
    index: { type: 'string' },
    volume: { type: 'integer' },
    title: { type: 'string' },
    documents: { type: 'integer' },
    files: { type: 'integer' },
    signed: { type: 'integer', description: 'Documents with an electronic digital signature (column 5, present)' },
    unsigned: { type: 'integer', description: 'Documents without one (column 5, absent)' },
    bytes: { type: 'integer' },
    retention: { type: ['object', 'null'], properties: { kind: { enum: ['permanent', 'years', 'years_epk', 'until_needed'] }, years: { type: ['integer', 'null'] }, article: { type: ['string', 'null'] } } },
  },
};
const ACT = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    number: { type: 'integer' },
    actYear: { type: 'integer' },
    transferId: { type: 'string', format: 'uuid' },
    department: { type: 'object', properties: { code: { type: 'string' }, nameKk: { type: ['string', 'null'] }, nameRu: { type: ['string', 'null'] } } },
    recordsYears: { type: 'string' },
    handedOver: PERSON,
    accepted: PERSON,
    approved: { oneOf: [PERSON, { type: 'null' }] },
    approvedAt: { type: ['string', 'null'] },
    status: { enum: ['accepted', 'approved'] },
    stateOfDocuments: { type: 'string' },
    rows: { type: 'array', items: ACT_ROW },
    totals: { type: 'object', properties: { dossiers: { type: 'integer' }, documents: { type: 'integer' }, files: { type: 'integer' }, signed: { type: 'integer' }, unsigned: { type: 'integer' }, bytes: { type: 'integer' } } },
    acceptedInWords: { type: 'object', properties: { kk: { type: 'string' }, ru: { type: 'string' } }, description: '«accepted N e-documents» in digits and words' },
    renditions: { type: 'object', description: 'Stored PDF/A renderings per language (kk, ru)' },
    createdAt: { type: 'string' },
  },
};
const DECISION = {
  type: ['object', 'null'],
  properties: {
    transferId: { type: 'string' },
    decision: { enum: ['accepted', 'returned'] },
    reason: { type: ['string', 'null'] },
    decidedAt: { type: 'string' },
    decidedBy: { type: 'object', properties: { userId: { type: ['string', 'null'] }, name: { type: 'string' } } },
    scheduleRowId: { type: ['string', 'null'] },
    act: { oneOf: [ACT, { type: 'null' }] },
  },
};
const transferId = { name: 'id', in: 'path', required: true, description: 'Transfer id', schema: { type: 'string', format: 'uuid' } };
const actId = { name: 'id', in: 'path', required: true, description: 'Acceptance act id', schema: { type: 'string', format: 'uuid' } };

export const openapi: OpenApiFragment = {
  paths: {
    '/api/transfers/{id}/acceptance': {
      get: {
        summary: 'The archive’s decision on a transfer (null while none) with its acceptance act (archive, the transfer’s department staff, head, admin)',
        tags: ['transfers'],
        security: [{ session: [] }],
        parameters: [transferId],
        responses: { '200': ok('The decision', { type: 'object', properties: { decision: DECISION } }), ...errors(401, 403, 404) },
      },
    },
    '/api/transfers/{id}/acceptance/act.pdf': {
      get: {
        summary: 'The acceptance act as stored PDF/A-1b in Kazakh or Russian (?form=kk|ru), verified against its hash (archive, the transfer’s department staff, head, admin)',
        tags: ['transfers'],
        security: [{ session: [] }],
        parameters: [transferId, { name: 'form', in: 'query', required: true, description: 'Language of the form', schema: { enum: ['kk', 'ru'] } }],
        responses: { '200': { description: 'The PDF', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } }, ...errors(400, 401, 403, 404) },
      },
    },
    '/api/transfers/{id}/accept': {
      post: {
        summary: 'Accept a stored transfer into the archive and make its acceptance act (App. 33) (archivist). Audited as transfer.accept.',
        description: 'Only a completed (stored) transfer, only once: 409 acceptance.not_stored / acceptance.already_decided. The act is numbered within the year and keeps its table as it was.',
        tags: ['transfers'],
        security: [{ session: [], csrf: [] }],
        parameters: [transferId],
        requestBody: { required: false, content: jsonContent(ACCEPT_SCHEMA) },
        responses: { '201': ok('The decision with its act', { type: 'object', properties: { decision: DECISION } }), ...errors(400, 401, 403, 404, 409) },
      },
    },
    '/api/transfers/{id}/return': {
      post: {
        summary: 'Return a stored transfer to its department with the reason (archivist); the department may send a corrected transfer. Audited as transfer.return.',
        tags: ['transfers'],
        security: [{ session: [], csrf: [] }],
        parameters: [transferId],
        requestBody: { required: true, content: jsonContent(RETURN_SCHEMA) },
        responses: { '200': ok('The decision', { type: 'object', properties: { decision: DECISION } }), ...errors(400, 401, 403, 404, 409) },
      },
    },
    '/api/acceptance-acts': {
      get: {
        summary: 'Acceptance acts, newest first (archivist, admin, organisation head)',
        tags: ['catalog'],
        security: [{ session: [] }],
        parameters: [{ name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 500 } }],
        responses: { '200': ok('Acts', { type: 'object', properties: { acts: { type: 'array', items: ACT } } }), ...errors(400, 401, 403) },
      },
    },
    '/api/acceptance-acts/{id}': {
      get: {
        summary: 'One acceptance act (archivist, admin, organisation head)',
        tags: ['catalog'],
        security: [{ session: [] }],
        parameters: [actId],
        responses: { '200': ok('The act', ACT), ...errors(401, 403, 404) },
      },
    },
    '/api/acceptance-acts/{id}/approve': {
      post: {
        summary: 'Approve an acceptance act ("Утверждаю", organisation head). Audited as acceptance_act.approve.',
        tags: ['catalog'],
        security: [{ session: [], csrf: [] }],
        parameters: [actId],
        requestBody: { required: false, content: jsonContent(EMPTY_SCHEMA) },
        responses: { '200': ok('The approved act', ACT), ...errors(400, 401, 403, 404, 409) },
      },
    },
  },
};
