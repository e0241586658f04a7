// Integrity runs over HTTP: start a check of everything stored (optionally repairing copies
// from replicas) in the background, follow its progress, read its report and earlier runs.
import Router from '@koa/router';
import { systemKeyDir } from '../../audit/audit-anchor';
import { getIntegrityRun, listIntegrityRuns, startIntegrityRun } from '../../preservation';
import { requireRole, requireUser } from '../auth';
import { jsonBody } from '../body';
import type { ServerDeps } from '../deps';
import { errors, jsonContent, ok, ref, type OpenApiFragment } from '../openapi';
import { bodyValidator, queryValidator } from '../validate';

const START_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    repair: { type: 'boolean', description: 'Restore missing or damaged object copies from a sound copy in another store, then verify again' },
    dossierId: { type: 'string', minLength: 1, maxLength: 100, description: 'Check one dossier: its id, or a case index held by one dossier only' },
  },
} as const;
const LIST_QUERY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 200 },
    before: { type: 'string', format: 'date-time' },
    lang: { type: 'string' },
  },
} as const;

const validateStart = bodyValidator<{ repair?: boolean; dossierId?: string }>(START_SCHEMA);
const validateList = queryValidator<{ limit?: number; before?: string }>(LIST_QUERY_SCHEMA);

export function createRoutes(deps: ServerDeps): Router {
  const router = new Router();
  const keepers = requireRole('archivist', 'admin');
  const runDeps = { db: deps.db, storage: deps.storage, trustDir: deps.config.trustDir, logger: deps.logger, keyDir: systemKeyDir(deps.config) };

  router.post('/api/integrity/runs', keepers, async (ctx) => {
    const input = validateStart(await jsonBody(ctx, deps.jsonLimitBytes));
    const { actor } = requireUser(ctx);
    ctx.status = 202;
    ctx.body = { run: await startIntegrityRun(runDeps, actor, input) };
  });

  router.get('/api/integrity/runs', keepers, async (ctx) => {
    const query = validateList(ctx.query);
    ctx.body = { runs: await listIntegrityRuns(deps.db, query) };
  });

  router.get('/api/integrity/runs/:id', keepers, async (ctx) => {
    ctx.body = { run: await getIntegrityRun(deps.db, ctx.params.id!) };
  });

  return router;
}

const STATUSES = ['queued', 'running', 'passed', 'failed', 'error'];
const failure = {
  type: 'object',
  required: ['kind', 'message'],
  properties: {
    kind: { enum: ['object-missing', 'object-corrupt', 'manifest-unreadable', 'chain-broken', 'catalog-mismatch', 'inventory-mismatch', 'metadata-mismatch', 'signature-invalid'] },
    message: { type: 'string', description: 'What is wrong, in English technical terms (the kind is the stable code)' },
    store: { type: 'string', description: 'Store location concerned (object failures)' },
    path: { type: 'string', description: 'Path in the AIP, e.g. documents/001/rendition/….pdf' },
    sha256: { type: 'string' },
    document: { type: 'object', properties: { position: { type: 'integer' }, id: { type: 'string' }, title: { type: 'string' } } },
  },
};
const dossierFailures = {
  type: 'object',
  required: ['id', 'index', 'title', 'failureCount', 'failures'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    index: { type: 'string' },
    title: { type: 'string' },
    objects: { type: 'integer' },
    failureCount: { type: 'integer', description: 'All failures; `failures` lists the first 50' },
    failures: { type: 'array', items: failure },
  },
};
const summary = {
  type: 'object',
  required: ['ok', 'dossiersChecked', 'objectsChecked', 'failedDossiers', 'failures', 'repairedCopies', 'unrepairedCopies'],
  properties: {
    ok: { type: 'boolean' },
    dossiersChecked: { type: 'integer' },
    objectsChecked: { type: 'integer', description: 'Object copies re-hashed, every store counted' },
    failedDossiers: { type: 'integer' },
    failures: { type: 'integer' },
    rejectedItemsChecked: { type: 'integer' },
    repairedCopies: { type: 'integer' },
    unrepairedCopies: { type: 'integer' },
  },
};
const runId = { name: 'id', in: 'path', required: true, description: 'Run id', schema: { type: 'string', format: 'uuid' } };
const security = [{ session: [] }];

export const openapi: OpenApiFragment = {
  schemas: {
    IntegrityRunSummary: summary,
    IntegrityRunReport: {
      type: 'object',
      required: ['ok', 'summary', 'dossiers', 'rejectedItems', 'repairs', 'truncated'],
      properties: {
        ok: { type: 'boolean' },
        summary: ref('IntegrityRunSummary'),
        dossiers: { type: 'array', items: dossierFailures, description: 'Failing dossiers after the run (after repairs when any were made); the first 200' },
        rejectedItems: {
          type: 'array',
          items: { type: 'object', properties: { transferId: { type: 'string' }, failureCount: { type: 'integer' }, failures: { type: 'array', items: failure } } },
        },
        foundBeforeRepair: { type: 'array', items: dossierFailures, description: 'With repairs: the failing dossiers as first found' },
        repairs: {
          type: 'array',
          items: {
            type: 'object',
            required: ['sha256', 'source', 'repaired', 'unrepaired', 'paths', 'dossiers'],
            properties: {
              sha256: { type: 'string' },
              source: { type: ['string', 'null'], description: 'Store whose sound copy was used' },
              repaired: { type: 'array', items: { type: 'object', properties: { location: { type: 'string' }, was: { enum: ['missing', 'damaged'] }, damagedCopy: { type: 'string' } } } },
              unrepaired: { type: 'array', items: { type: 'object', properties: { location: { type: 'string' }, reason: { type: 'string' } } } },
              paths: { type: 'array', items: { type: 'string' } },
              dossiers: { type: 'array', items: { type: 'string' }, description: 'Case indexes of the dossiers using the object' },
            },
          },
        },
        truncated: { type: 'boolean', description: 'Some lists were cut at their limits; the summary counts are complete' },
      },
    },
    IntegrityRun: {
      type: 'object',
      required: ['id', 'status', 'repair', 'dossier', 'actor', 'startedAt', 'finishedAt', 'progress', 'error', 'summary'],
      properties: {
        id: { type: 'string', format: 'uuid' },
        status: { enum: STATUSES, description: 'queued → running → passed | failed | error' },
        repair: { type: 'boolean' },
        dossier: { type: ['object', 'null'], properties: { id: { type: 'string' }, index: { type: ['string', 'null'] } }, description: 'null: the whole archive' },
        actor: { type: 'object', properties: { userId: { type: ['string', 'null'] }, username: { type: 'string' } } },
        runner: { type: ['string', 'null'], description: 'Host and process executing the run' },
        startedAt: { type: 'string', format: 'date-time' },
        finishedAt: { type: ['string', 'null'], format: 'date-time' },
        progress: {
          type: 'object',
          required: ['phase', 'done', 'total', 'item'],
          description: 'Written at most every 500 ms while running',
          properties: {
            phase: { enum: ['queued', 'verify', 'repair', 'reverify', 'done'] },
            done: { type: 'integer' },
            total: { type: 'integer' },
            item: { type: 'string', description: 'Case index of the dossier, or sha256 of the object being repaired' },
          },
        },
        error: { type: ['string', 'null'], description: '"interrupted" when the process stopped before the run finished' },
        summary: { oneOf: [ref('IntegrityRunSummary'), { type: 'null' }] },
        report: { oneOf: [ref('IntegrityRunReport'), { type: 'null' }], description: 'Only when one run is read' },
      },
    },
  },
  paths: {
    '/api/integrity/runs': {
      post: {
        summary: 'Start an integrity run in the background (archivist, admin)',
        description:
          'Verifies every stored dossier (objects in every store, chains, inventories, signatures) or one; with repair, restores damaged or missing ' +
          'copies from a sound one and verifies again. One run at a time: 409 integrity.run_in_progress while another is queued or running.',
        tags: ['integrity'],
        security: [{ session: [], csrf: [] }],
        requestBody: { required: true, description: '`{}` checks the whole archive without repairing', content: jsonContent(START_SCHEMA) },
        responses: {
          '202': ok('Run started', { type: 'object', required: ['run'], properties: { run: ref('IntegrityRun') } }),
          ...errors(400, 401, 403, 404, 409),
        },
      },
      get: {
        summary: 'Integrity runs, newest first (archivist, admin)',
        tags: ['integrity'],
        security,
        parameters: [
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200, default: 20 } },
          { name: 'before', in: 'query', description: 'Runs started before this time (paging)', schema: { type: 'string', format: 'date-time' } },
        ],
        responses: {
          '200': ok('Runs without their reports', { type: 'object', required: ['runs'], properties: { runs: { type: 'array', items: ref('IntegrityRun') } } }),
          ...errors(400, 401, 403),
        },
      },
    },
    '/api/integrity/runs/{id}': {
      get: {
        summary: 'One integrity run: status, progress and, once finished, its report',
        tags: ['integrity'],
        security,
        parameters: [runId],
        responses: {
          '200': ok('Run', { type: 'object', required: ['run'], properties: { run: ref('IntegrityRun') } }),
          ...errors(401, 403, 404),
        },
      },
    },
  },
};
