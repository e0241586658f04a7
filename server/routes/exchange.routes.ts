// Download of a dossier as an E-ARK SIP package (tar), optionally in a BagIt bag, for a state
// archive (preservation/exchange, docs/exchange.md). Archivist and admin only: researcher rules
// do not apply to a transfer of the whole record; a destroyed dossier answers 410 with its act.
// The tar is streamed as it is made; refusals are known before the first byte.
import Router from '@koa/router';
import { PassThrough } from 'node:stream';
import { exportHoldings, type ExportFormat } from '../../preservation/exchange';
import { requireRole, requireUser } from '../auth';
import type { ServerDeps } from '../deps';
import { errors, type OpenApiFragment } from '../openapi';
import { queryValidator } from '../validate';

const QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    format: { enum: ['csip', 'bagit'], description: 'csip (default): the E-ARK package folder in a tar; bagit: the same in a BagIt bag' },
    lang: { type: 'string' },
  },
} as const;
const validateQuery = queryValidator<{ format?: ExportFormat }>(QUERY);

export function createRoutes(deps: ServerDeps): Router {
  const router = new Router();

  router.get('/api/dossiers/:id/export', requireRole('archivist', 'admin'), async (ctx) => {
    const q = validateQuery(ctx.query);
    const { actor, user } = requireUser(ctx);
    const dossier = await deps.access.dossier(user, ctx.params.id!);
    const body = new PassThrough();
    let started: () => void = () => {};
    const ready = new Promise<void>((resolve) => (started = resolve));
    const run = exportHoldings(
      { db: deps.db, storage: deps.storage },
      {
        scope: { kind: 'dossier', dossier: dossier.id },
        format: q.format ?? 'csip',
        container: 'tar',
        out: () => {
          started();
          return body;
        },
        actor,
      },
    );
    // A refusal (destroyed, nothing to export) is thrown before the stream starts: an error answer.
    await Promise.race([ready, run]);
    run.catch((error: unknown) => body.destroy(error instanceof Error ? error : new Error(String(error))));
    ctx.type = 'application/x-tar';
    ctx.set('Content-Disposition', `attachment; filename="dossier-${dossier.caseIndex.replace(/[^\w.-]/g, '_')}.tar"`);
    ctx.body = body;
  });

  return router;
}

export const openapi: OpenApiFragment = {
  paths: {
    '/api/dossiers/{id}/export': {
      get: {
        summary: 'The dossier as an E-ARK SIP package (tar, streamed), or a BagIt bag of it (archivist, admin)',
        tags: ['exchange'],
        security: [{ session: [] }],
        parameters: [
          { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'format', in: 'query', schema: QUERY.properties.format },
        ],
        responses: {
          '200': { description: 'The package as a tar', content: { 'application/x-tar': { schema: { type: 'string', format: 'binary' } } } },
          ...errors(400, 401, 403, 404, 410),
        },
      },
    },
  },
};
