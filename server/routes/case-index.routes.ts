// Case index uniqueness (issue 10): the archivist's decision to add a refused transfer's
// dossiers as new volumes of a case index the archive already keeps for that department and
// year, or to leave it refused; and, for the department too, what the transfer collides with.
import Router from '@koa/router';
import { caseIndexView, decideNewVolume, keepRefused } from '../../ingest/intake/case-index.service';
import { submitTransfer } from '../../ingest/intake/transfers.service';
import { requireRole, requireUser } from '../auth';
import type { ServerDeps } from '../deps';
import { errors, ok, type OpenApiFragment } from '../openapi';

export function createRoutes(deps: ServerDeps): Router {
  const router = new Router();
  const archivist = requireRole('archivist');
  const staff = requireRole('archivist', 'department_clerk', 'department_head');
  const ingestDeps = { db: deps.db, storage: deps.storage, config: deps.config };

  router.get('/api/transfers/:id/case-index', staff, async (ctx) => {
    const { user } = requireUser(ctx);
    // Department scoping: another department's transfer answers like a missing one.
    await deps.access.transfer(user, ctx.params.id!);
    const view = await caseIndexView(deps.db, ctx.params.id!);
    ctx.body = { ...view, mayDecide: user.roles.includes('archivist') && view.refused };
  });

  router.post('/api/transfers/:id/keep-refused', archivist, async (ctx) => {
    const { actor } = requireUser(ctx);
    ctx.body = { transferId: ctx.params.id!, decision: await keepRefused(ingestDeps, actor, ctx.params.id!) };
  });

  router.post('/api/transfers/:id/new-volume', archivist, async (ctx) => {
    const { actor } = requireUser(ctx);
    const decided = await decideNewVolume(ingestDeps, actor, ctx.params.id!);
    const processing = await submitTransfer(ingestDeps, decided.transferId);
    ctx.status = 202;
    ctx.body = { transferId: decided.transferId, status: decided.status, indexes: decided.indexes, processing };
  });

  return router;
}

const transferParam = { name: 'id', in: 'path', required: true, description: 'Transfer id (uuid)', schema: { type: 'string', format: 'uuid' } };
const decision = {
  type: ['object', 'null'],
  required: ['decision', 'indexes', 'decidedBy', 'decidedAt'],
  properties: {
    decision: { enum: ['new-volume', 'keep-refused'] },
    indexes: { type: ['array', 'null'], items: { type: 'string' }, description: 'Indexes added as new volumes; null for all' },
    decidedBy: { type: ['string', 'null'] },
    decidedAt: { type: ['string', 'null'], format: 'date-time' },
  },
};

export const openapi: OpenApiFragment = {
  paths: {
    '/api/transfers/{id}/case-index': {
      get: {
        summary: 'What a transfer refused for a case index already kept collides with (the dossiers kept under each index), and the archivist\'s decision',
        description: 'mayDecide: the caller is the archivist and the transfer stands refused (ingest.case_index_exists).',
        tags: ['transfers'],
        security: [{ session: [] }],
        parameters: [transferParam],
        responses: {
          '200': ok('Conflicts and decision', {
            type: 'object',
            required: ['transferId', 'status', 'refused', 'conflicts', 'decision', 'mayDecide'],
            properties: {
              transferId: { type: 'string' },
              status: { type: 'string' },
              refused: { type: 'boolean' },
              mayDecide: { type: 'boolean' },
              decision,
              conflicts: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    index: { type: 'string' },
                    department: { type: 'string' },
                    year: { type: 'integer' },
                    dossiers: {
                      type: 'array',
                      items: {
                        type: 'object',
                        properties: { id: { type: 'string' }, volume: { type: 'integer' }, title: { type: 'string' }, status: { type: 'string' }, transferId: { type: 'string' }, sourceName: { type: 'string' }, receivedAt: { type: 'string' } },
                      },
                    },
                  },
                },
              },
            },
          }),
          ...errors(401, 403, 404),
        },
      },
    },
    '/api/transfers/{id}/keep-refused': {
      post: {
        summary: 'Leave a transfer refused for a case index already kept (archivist); the decision is kept with the transfer',
        description: 'Audit: transfer.keep_refused. 409 ingest.new_volume_not_applicable unless the transfer failed with ingest.case_index_exists; 409 ingest.case_index_already_decided when already left refused. The archivist may still add it as new volumes later.',
        tags: ['transfers'],
        security: [{ session: [], csrf: [] }],
        parameters: [transferParam],
        responses: { '200': ok('Decision kept', { type: 'object', properties: { transferId: { type: 'string' }, decision } }), ...errors(401, 403, 404, 409) },
      },
    },
    '/api/transfers/{id}/new-volume': {
      post: {
        summary: 'Add a transfer refused for a case index already kept (same department and year) as new volumes, and process it again (archivist)',
        description:
          'Only for a transfer that failed with ingest.case_index_exists. The decision is kept on the transfer row (honoured by every retry) and in the audit log (transfer.new_volume); ' +
          'its dossiers are numbered after the volumes already kept. 409 ingest.new_volume_not_applicable otherwise.',
        tags: ['transfers'],
        security: [{ session: [], csrf: [] }],
        parameters: [{ name: 'id', in: 'path', required: true, description: 'Transfer id (uuid)', schema: { type: 'string', format: 'uuid' } }],
        responses: {
          '202': ok('Queued again', { type: 'object', properties: { transferId: { type: 'string' }, status: { enum: ['queued'] }, indexes: { type: 'array', items: { type: 'string' } }, processing: { type: 'string' } } }),
          ...errors(401, 403, 404, 409),
        },
      },
    },
  },
};
