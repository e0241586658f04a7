// Signature reconciliation (p.97-1, preservation/reconciliation.service.ts): re-check a
// dossier's signatures from its AIP evidence, list the tasks opened when a permanent or
// over-10-year document's signature no longer verifies, record the archivist's comparison
// with the paper original, and the organisation head's re-certification of the e-copy.
import Router from '@koa/router';
import { ValidationError } from '../../common/errors';
import {
  getReconciliationTask, listReconciliationTasks, recertifyElectronicCopy, recheckDossierSignatures, recordPaperComparison,
  type PaperComparison, type ReconciliationStatus,
} from '../../preservation/reconciliation.service';
import { readVerifiedBytes } from '../../storage';
import { requireRole, requireUser } from '../auth';
import { jsonBody } from '../body';
import type { ServerDeps } from '../deps';
import { errors, jsonContent, ok, ref, type OpenApiFragment } from '../openapi';
import { bodyValidator, queryValidator } from '../validate';

const STATUSES = ['open', 'awaiting_recertification', 'recertified', 'marked'] as const;
const COMPARISONS = ['paper_matches', 'paper_differs', 'no_paper'] as const;

const LIST_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { enum: STATUSES },
    dossier: { type: 'string', format: 'uuid' },
    limit: { type: 'integer', minimum: 1, maximum: 1000 },
    lang: { type: 'string' },
  },
} as const;
const RECHECK = {
  type: 'object',
  additionalProperties: false,
  required: ['dossierId'],
  properties: { dossierId: { type: 'string', format: 'uuid', description: 'The dossier whose signatures are re-verified from its AIP evidence' } },
} as const;
const COMPARISON = {
  type: 'object',
  additionalProperties: false,
  required: ['comparison'],
  properties: {
    comparison: { enum: COMPARISONS, description: 'paper_matches: the head re-certifies next; paper_differs / no_paper: the document keeps the recorded mark' },
    note: { type: 'string', maxLength: 2000, description: 'What was compared and found; required unless the paper matches' },
  },
} as const;
const RECERTIFICATION = {
  type: 'object',
  additionalProperties: false,
  required: ['cms'],
  properties: { cms: { type: 'string', minLength: 1, maxLength: 2_000_000, description: "Base64 detached CMS by the organisation head over the task's content (GET …/content)" } },
} as const;

const validateList = queryValidator<{ status?: ReconciliationStatus; dossier?: string; limit?: number }>(LIST_QUERY);
const validateRecheck = bodyValidator<{ dossierId: string }>(RECHECK);
const validateComparison = bodyValidator<{ comparison: PaperComparison; note?: string }>(COMPARISON);
const validateRecertification = bodyValidator<{ cms: string }>(RECERTIFICATION);

export function createRoutes(deps: ServerDeps): Router {
  const router = new Router();
  const readers = requireRole('archivist', 'organisation_head', 'admin');
  const serviceDeps = { db: deps.db, storage: deps.storage, trustDir: deps.config.trustDir };

  router.get('/api/reconciliation/tasks', readers, async (ctx) => {
    const q = validateList(ctx.query);
    ctx.body = { tasks: await listReconciliationTasks(deps.db, { ...(q.status ? { status: q.status } : {}), ...(q.dossier ? { dossierId: q.dossier } : {}), ...(q.limit ? { limit: q.limit } : {}) }) };
  });

  router.get('/api/reconciliation/tasks/:id', readers, async (ctx) => {
    ctx.body = { task: await getReconciliationTask(deps.db, ctx.params.id!) };
  });

  // The exact bytes the head's re-certification signs (as the server will verify them).
  router.get('/api/reconciliation/tasks/:id/content', readers, async (ctx) => {
    const task = await getReconciliationTask(deps.db, ctx.params.id!);
    ctx.type = 'application/octet-stream';
    ctx.set('Content-Disposition', `attachment; filename="${task.content.path.split('/').pop()!.replace(/[^\w.-]/g, '_')}"`);
    ctx.body = await readVerifiedBytes(deps.storage, task.content.sha256);
  });

  router.post('/api/reconciliation/recheck', requireRole('archivist', 'admin'), async (ctx) => {
    const input = validateRecheck(await jsonBody(ctx, deps.jsonLimitBytes));
    const { actor } = requireUser(ctx);
    ctx.body = { result: await recheckDossierSignatures(serviceDeps, actor, input.dossierId) };
  });

  router.post('/api/reconciliation/tasks/:id/comparison', requireRole('archivist'), async (ctx) => {
    const input = validateComparison(await jsonBody(ctx, deps.jsonLimitBytes));
    const { actor } = requireUser(ctx);
    ctx.body = { task: await recordPaperComparison(deps.db, actor, ctx.params.id!, input) };
  });

  router.post('/api/reconciliation/tasks/:id/recertification', requireRole('organisation_head'), async (ctx) => {
    const input = validateRecertification(await jsonBody(ctx, deps.jsonLimitBytes));
    const { actor } = requireUser(ctx);
    const cms = Buffer.from(input.cms, 'base64');
    if (!cms.length || cms.toString('base64').replace(/=+$/, '') !== input.cms.replace(/\s+/g, '').replace(/=+$/, '')) {
      throw new ValidationError('signature.not_cms', 'signature.not_cms', { field: 'cms' });
    }
    ctx.body = { task: await recertifyElectronicCopy(serviceDeps, actor, ctx.params.id!, { cms: new Uint8Array(cms) }) };
  });

  return router;
}

const task = {
  type: 'object',
  required: ['id', 'dossierId', 'signature', 'content', 'retention', 'verdictBefore', 'verdictFound', 'reason', 'status', 'foundAt'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    dossierId: { type: 'string', format: 'uuid' },
    caseIndex: { type: ['string', 'null'] },
    documentId: { type: ['string', 'null'], description: "null for the dossier's own signatures (inventory, integrity statement)" },
    signature: { type: 'object', properties: { path: { type: 'string' }, sha256: { type: 'string' } } },
    content: { type: 'object', properties: { path: { type: 'string' }, sha256: { type: 'string' } } },
    retention: { type: 'string' },
    verdictBefore: { type: 'string' },
    verdictFound: { enum: ['invalid', 'cannot-verify'] },
    reason: { type: 'string' },
    status: { enum: STATUSES, description: 'open → awaiting_recertification → recertified, or open → marked' },
    foundAt: { type: 'string', format: 'date-time' },
    foundBy: { type: 'object' },
    comparison: { enum: [...COMPARISONS, null] },
    comparisonNote: { type: ['string', 'null'] },
    comparedBy: { type: ['object', 'null'] },
    comparedAt: { type: ['string', 'null'], format: 'date-time' },
    recertification: { type: ['object', 'null'], description: "The head's CMS (sha256), signer, issuer, serial and the evidence kept" },
    recertifiedBy: { type: ['object', 'null'] },
    recertifiedAt: { type: ['string', 'null'], format: 'date-time' },
    mark: { type: ['string', 'null'], description: 'The mark the document keeps when no matching paper original exists' },
    closedAt: { type: ['string', 'null'], format: 'date-time' },
  },
};
const taskBody = { type: 'object', required: ['task'], properties: { task: ref('ReconciliationTask') } };
const session = [{ session: [] }];
const sessionCsrf = [{ session: [], csrf: [] }];
const idParam = [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }];

export const openapi: OpenApiFragment = {
  schemas: { ReconciliationTask: task },
  paths: {
    '/api/reconciliation/tasks': {
      get: {
        summary: 'Signature reconciliation tasks (archivist, organisation head, admin)',
        tags: ['reconciliation'],
        security: session,
        parameters: [
          { name: 'status', in: 'query', schema: { enum: STATUSES } },
          { name: 'dossier', in: 'query', schema: { type: 'string', format: 'uuid' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000 } },
        ],
        responses: { '200': ok('Tasks, newest first', { type: 'object', properties: { tasks: { type: 'array', items: ref('ReconciliationTask') } } }), ...errors(400, 401, 403) },
      },
    },
    '/api/reconciliation/tasks/{id}': {
      get: { summary: 'One reconciliation task', tags: ['reconciliation'], security: session, parameters: idParam, responses: { '200': ok('The task', taskBody), ...errors(401, 403, 404) } },
    },
    '/api/reconciliation/tasks/{id}/content': {
      get: {
        summary: "The stored bytes the signature covered: what the head's re-certification signs",
        tags: ['reconciliation'],
        security: session,
        parameters: idParam,
        responses: { '200': { description: 'The content', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } }, ...errors(401, 403, 404) },
      },
    },
    '/api/reconciliation/recheck': {
      post: {
        summary: "Re-verify a dossier's signatures from its AIP evidence; opens tasks for permanent or over-10-year dossiers (archivist, admin)",
        tags: ['reconciliation'],
        security: sessionCsrf,
        requestBody: { required: true, content: jsonContent(RECHECK) },
        responses: { '200': ok('Checked, failed, tasks opened', { type: 'object', properties: { result: { type: 'object' } } }), ...errors(400, 401, 403, 404) },
      },
    },
    '/api/reconciliation/tasks/{id}/comparison': {
      post: {
        summary: 'The comparison with the paper original (archivist)',
        tags: ['reconciliation'],
        security: sessionCsrf,
        parameters: idParam,
        requestBody: { required: true, content: jsonContent(COMPARISON) },
        responses: { '200': ok('The task after the comparison', taskBody), ...errors(400, 401, 403, 404, 409) },
      },
    },
    '/api/reconciliation/tasks/{id}/recertification': {
      post: {
        summary: "The organisation head's re-certification of the electronic copy: a detached CMS over the content, verified now",
        tags: ['reconciliation'],
        security: sessionCsrf,
        parameters: idParam,
        requestBody: { required: true, content: jsonContent(RECERTIFICATION) },
        responses: { '200': ok('The task, recertified', taskBody), ...errors(400, 401, 403, 404, 409) },
      },
    },
  },
};
