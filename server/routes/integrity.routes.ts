// Integrity runs over HTTP: start a check of everything stored (optionally repairing copies
// from replicas) in the background, follow its progress, read its report and earlier runs.
import Router from '@koa/router';
import { systemKeyDir } from '../../audit/audit-anchor';
import { getIntegrityRun, listIntegrityRuns, startIntegrityRun } from '../../preservation';
import {
  fixityOverview,
  getFixityRun,
  listFixityRuns,
  resumeFixityRun,
  scheduleNextBatch,
  setFixitySchedule,
  startFixityRun,
  type FixityRunInput,
  type FixitySchedulePatch,
} from '../../preservation';
import { lostObjectsView } from '../../preservation';
import { NotFoundError } from '../../common/errors';
import { readVerifiedBytes } from '../../storage';
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

const FIXITY_START_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['scope'],
  properties: {
    scope: { enum: ['all', 'dossier', 'location'], description: 'Every object, the objects of one dossier, or every object in one storage location' },
    dossier: { type: 'string', minLength: 1, maxLength: 100, description: 'scope dossier: the dossier id, or a case index held by one dossier' },
    location: { type: 'string', minLength: 1, maxLength: 500, description: 'scope location: the location as reports name it (file:/… or s3://…) or its number (1 = primary)' },
    repair: { type: 'boolean', description: 'Repair bad copies from a sound one (default true)' },
  },
} as const;
const SCHEDULE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    enabled: { type: 'boolean' },
    cycleDays: { type: 'integer', minimum: 1, maximum: 3650, description: 'The whole store is proven intact within this many days' },
    batchHours: { type: 'integer', minimum: 1, maximum: 720, description: 'Hours between two batches' },
    repair: { type: 'boolean', description: 'Scheduled batches repair bad copies' },
    nextBatchAt: { type: 'string', format: 'date-time' },
  },
} as const;
const validateFixityStart = bodyValidator<FixityRunInput>(FIXITY_START_SCHEMA);
const validateSchedule = bodyValidator<FixitySchedulePatch>(SCHEDULE_SCHEMA);
const REPORT_FILES = { 'report.json': ['report_json_sha256', 'application/json; charset=utf-8'], 'report.pdf': ['report_pdf_sha256', 'application/pdf'], 'report.pdf.p7s': ['report_signature_sha256', 'application/pkcs7-signature'] } as const;
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

  // Fixity (preservation/fixity.service.ts): the dashboard, the schedule, runs and their reports.
  const fixityDeps = { db: deps.db, storage: deps.storage, logger: deps.logger, keyDir: systemKeyDir(deps.config) };

  router.get('/api/integrity/fixity', keepers, async (ctx) => {
    const overview = await fixityOverview(fixityDeps);
    ctx.body = { ...overview, lost: await lostObjectsView(deps.db, 200), runs: await listFixityRuns(deps.db, 30) };
  });

  router.put('/api/integrity/fixity/schedule', keepers, async (ctx) => {
    const patch = validateSchedule(await jsonBody(ctx, deps.jsonLimitBytes));
    const { actor } = requireUser(ctx);
    const schedule = await setFixitySchedule(deps.db, actor, patch);
    // The scheduler of a running server picks the new time up through the queue.
    await scheduleNextBatch({ ...fixityDeps, config: deps.config }).catch((error: unknown) => deps.logger.warn({ err: error }, 'next fixity batch not enqueued'));
    ctx.body = { schedule };
  });

  router.post('/api/integrity/fixity/runs', keepers, async (ctx) => {
    const input = validateFixityStart(await jsonBody(ctx, deps.jsonLimitBytes));
    const { actor } = requireUser(ctx);
    ctx.status = 202;
    ctx.body = { run: await startFixityRun(fixityDeps, actor, input) };
  });

  router.get('/api/integrity/fixity/runs', keepers, async (ctx) => {
    const query = validateList(ctx.query);
    ctx.body = { runs: await listFixityRuns(deps.db, query.limit ?? 20) };
  });

  router.get('/api/integrity/fixity/runs/:id', keepers, async (ctx) => {
    ctx.body = { run: await getFixityRun(deps.db, ctx.params.id!) };
  });

  router.post('/api/integrity/fixity/runs/:id/resume', keepers, async (ctx) => {
    const { actor } = requireUser(ctx);
    ctx.status = 202;
    ctx.body = { run: await resumeFixityRun(fixityDeps, actor, ctx.params.id!, { background: true }) };
  });

  router.get('/api/integrity/fixity/runs/:id/:file', keepers, async (ctx) => {
    const file = REPORT_FILES[ctx.params.file as keyof typeof REPORT_FILES];
    if (!file) throw new NotFoundError('preservation.report_not_found', 'preservation.report_not_found', { id: ctx.params.id, file: ctx.params.file });
    const run = await deps.db.selectFrom('preservation_runs').select(['report_json_sha256', 'report_pdf_sha256', 'report_signature_sha256']).where('id', '=', (await getFixityRun(deps.db, ctx.params.id!)).id).executeTakeFirstOrThrow();
    const sha = run[file[0]];
    if (!sha) throw new NotFoundError('preservation.report_not_found', 'preservation.report_not_found', { id: ctx.params.id, file: ctx.params.file });
    ctx.set('Content-Type', file[1]);
    ctx.set('Content-Disposition', `attachment; filename="fixity-${ctx.params.id}-${ctx.params.file}"`);
    ctx.set('ETag', `"${sha}"`);
    ctx.body = await readVerifiedBytes(deps.storage, sha);
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
    FixitySchedule: {
      type: 'object',
      required: ['enabled', 'cycleDays', 'batchHours', 'repair', 'nextBatchAt'],
      properties: {
        enabled: { type: 'boolean' },
        cycleDays: { type: 'integer' },
        batchHours: { type: 'integer' },
        repair: { type: 'boolean' },
        nextBatchAt: { type: 'string', format: 'date-time' },
        batchesPerCycle: { type: 'integer' },
        batchBytes: { type: 'integer', description: 'Bytes one batch checks so the store is covered in one cycle' },
      },
    },
    FixityRun: {
      type: 'object',
      required: ['id', 'trigger', 'scope', 'status', 'progress'],
      properties: {
        id: { type: 'string', format: 'uuid' },
        trigger: { enum: ['schedule', 'manual'] },
        scope: { enum: ['batch', 'all', 'dossier', 'location'] },
        dossierId: { type: ['string', 'null'] },
        location: { type: ['string', 'null'] },
        repair: { type: 'boolean' },
        status: { enum: ['queued', 'running', 'interrupted', 'passed', 'failed', 'error'], description: 'interrupted: stopped before the end, waits to be resumed' },
        progress: { type: 'object', properties: { planned: { type: 'integer' }, plannedBytes: { type: 'integer' }, done: { type: 'integer' }, doneBytes: { type: 'integer' } } },
        resumed: { type: 'integer' },
        summary: { type: ['object', 'null'], description: 'checked, intact, repaired, damaged, lost, badCopies, locations, seconds' },
        reportObjects: { type: ['object', 'null'], description: 'sha256 of the stored report.json, report.pdf and its signature' },
        report: { type: ['object', 'null'], description: 'Only when one run is read: findings per copy and lost objects with their dossiers' },
      },
    },
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
    '/api/integrity/fixity': {
      get: {
        summary: 'The integrity dashboard: fixity schedule, coverage of the store, lost objects, recent fixity runs (archivist, admin)',
        tags: ['integrity'],
        security,
        responses: {
          '200': ok('Schedule, coverage, lost objects with their dossiers, runs newest first', {
            type: 'object',
            required: ['schedule', 'coverage', 'lost', 'runs'],
            properties: {
              schedule: ref('FixitySchedule'),
              coverage: { type: 'object', description: 'Objects and bytes held; proven intact within the cycle; never checked; oldest check; lost and damaged' },
              lost: { type: 'array', items: { type: 'object', properties: { sha256: { type: 'string' }, dossiers: { type: 'array', items: { type: 'object' } }, paths: { type: 'array', items: { type: 'string' } } } } },
              runs: { type: 'array', items: ref('FixityRun') },
            },
          }),
          ...errors(401, 403),
        },
      },
    },
    '/api/integrity/fixity/schedule': {
      put: {
        summary: 'Change the fixity schedule (archivist, admin); audited',
        tags: ['integrity'],
        security: [{ session: [], csrf: [] }],
        requestBody: { required: true, content: jsonContent(SCHEDULE_SCHEMA) },
        responses: { '200': ok('The schedule', { type: 'object', required: ['schedule'], properties: { schedule: ref('FixitySchedule') } }), ...errors(400, 401, 403) },
      },
    },
    '/api/integrity/fixity/runs': {
      post: {
        summary: 'Start a fixity run in the background (archivist, admin)',
        description: 'Re-hashes every object of the scope in every location (or the one location), repairs bad copies from a sound one unless repair is false, reports lost objects with their dossiers. 409 preservation.fixity_in_progress while another fixity run is at work.',
        tags: ['integrity'],
        security: [{ session: [], csrf: [] }],
        requestBody: { required: true, content: jsonContent(FIXITY_START_SCHEMA) },
        responses: { '202': ok('Run planned and started', { type: 'object', required: ['run'], properties: { run: ref('FixityRun') } }), ...errors(400, 401, 403, 404, 409) },
      },
      get: {
        summary: 'Fixity runs, newest first (archivist, admin)',
        tags: ['integrity'],
        security,
        parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200, default: 20 } }],
        responses: { '200': ok('Runs with their summaries', { type: 'object', required: ['runs'], properties: { runs: { type: 'array', items: ref('FixityRun') } } }), ...errors(400, 401, 403) },
      },
    },
    '/api/integrity/fixity/runs/{id}': {
      get: {
        summary: 'One fixity run with its report',
        tags: ['integrity'],
        security,
        parameters: [runId],
        responses: { '200': ok('Run', { type: 'object', required: ['run'], properties: { run: ref('FixityRun') } }), ...errors(401, 403, 404) },
      },
    },
    '/api/integrity/fixity/runs/{id}/resume': {
      post: {
        summary: 'Resume an interrupted fixity run: only the objects it had not reached are checked (archivist, admin)',
        tags: ['integrity'],
        security: [{ session: [], csrf: [] }],
        parameters: [runId],
        responses: { '202': ok('Run resumed', { type: 'object', required: ['run'], properties: { run: ref('FixityRun') } }), ...errors(401, 403, 404, 409) },
      },
    },
    '/api/integrity/fixity/runs/{id}/{file}': {
      get: {
        summary: 'A fixity run\'s stored report: report.json, report.pdf (PDF/A-1b) or report.pdf.p7s (CMS signature of the PDF by the system key)',
        tags: ['integrity'],
        security,
        parameters: [runId, { name: 'file', in: 'path', required: true, schema: { enum: ['report.json', 'report.pdf', 'report.pdf.p7s'] } }],
        responses: {
          '200': { description: 'The stored bytes, verified against their digest (ETag)', content: { 'application/pdf': {}, 'application/json': {}, 'application/pkcs7-signature': {} } },
          ...errors(401, 403, 404),
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
