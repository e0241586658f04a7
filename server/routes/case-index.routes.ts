// Case index uniqueness (issue 10): the archivist's decision to add a refused transfer's
// dossiers as new volumes of a case index the archive already keeps for that department and year.
import Router from '@koa/router';
import { decideNewVolume } from '../../ingest/intake/case-index.service';
import { submitTransfer } from '../../ingest/intake/transfers.service';
import { requireRole, requireUser } from '../auth';
import type { ServerDeps } from '../deps';
import { errors, ok, type OpenApiFragment } from '../openapi';

export function createRoutes(deps: ServerDeps): Router {
  const router = new Router();
  const archivist = requireRole('archivist');
  const ingestDeps = { db: deps.db, storage: deps.storage, config: deps.config };

  router.post('/api/transfers/:id/new-volume', archivist, async (ctx) => {
    const { actor } = requireUser(ctx);
    const decided = await decideNewVolume(ingestDeps, actor, ctx.params.id!);
    const processing = await submitTransfer(ingestDeps, decided.transferId);
    ctx.status = 202;
    ctx.body = { transferId: decided.transferId, status: decided.status, indexes: decided.indexes, processing };
  });

  return router;
}

export const openapi: OpenApiFragment = {
  paths: {
    '/api/transfers/{id}/new-volume': {
      post: {
        summary: 'Add a transfer refused for a case index already kept (same department and year) as new volumes, and process it again (archivist)',
        description:
          'Only for a transfer that failed with ingest.case_index_exists. The decision is kept with the transfer and in the audit log (transfer.new_volume); ' +
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
