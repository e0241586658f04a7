// Integrity runs over HTTP: start a check of everything stored (optionally repairing copies
// from replicas) in the background, follow its progress, read its report and earlier runs.
import Router from '@koa/router';
import { systemKeyDir } from '../../audit/audit-anchor';
import {
  fixityOverview,
  getPreservationRun,
  listPreservationRuns,
  resumePreservationRun,
  scheduleNextBatch,
  setFixitySchedule,
  startPreservationRun,
  RUN_MODES,
  type FixitySchedulePatch,
  type RunMode,
  type RunStartInput,
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
    mode: { enum: RUN_MODES, description: 'verify (default): deep verification of the dossiers; fixity: every object re-hashed in every location' },
    scope: { enum: ['all', 'dossier', 'location'], description: 'Default: dossier when dossierId is given, location when location is given, else all' },
    repair: { type: 'boolean', description: 'Restore missing or damaged object copies from a sound copy in another location and verify them (default: false for verify, true for fixity)' },
    dossierId: { type: 'string', minLength: 1, maxLength: 100, description: 'Check one dossier: its id, or a case index held by one dossier only' },
    location: { type: 'string', minLength: 1, maxLength: 500, description: 'fixity: check one storage location, as reports name it (file:/… or s3://…) or its number (1 = primary)' },
  },
} as const;
const LIST_QUERY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    mode: { enum: RUN_MODES },
    limit: { type: 'integer', minimum: 1, maximum: 200 },
    before: { type: 'string', format: 'date-time' },
    lang: { type: 'string' },
  },
} as const;

const validateStart = bodyValidator<RunStartInput>(START_SCHEMA);

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
const validateSchedule = bodyValidator<FixitySchedulePatch>(SCHEDULE_SCHEMA);
const REPORT_FILES = { 'report.json': ['report_json_sha256', 'application/json; charset=utf-8'], 'report.pdf': ['report_pdf_sha256', 'application/pdf'], 'report.pdf.p7s': ['report_signature_sha256', 'application/pkcs7-signature'] } as const;
const validateList = queryValidator<{ mode?: RunMode; limit?: number; before?: string }>(LIST_QUERY_SCHEMA);

export function createRoutes(deps: ServerDeps): Router {
  const router = new Router();
  const keepers = requireRole('archivist', 'admin');
  const runDeps = { db: deps.db, storage: deps.storage, trustDir: deps.config.trustDir, logger: deps.logger, keyDir: systemKeyDir(deps.config) };

  // Runs of both modes (preservation/runs.ts): one list, one lifecycle, one resume.
  router.post('/api/integrity/runs', keepers, async (ctx) => {
    const input = validateStart(await jsonBody(ctx, deps.jsonLimitBytes));
    const { actor } = requireUser(ctx);
    ctx.status = 202;
    ctx.body = { run: await startPreservationRun(runDeps, actor, input) };
  });

  router.get('/api/integrity/runs', keepers, async (ctx) => {
    const query = validateList(ctx.query);
    ctx.body = { runs: await listPreservationRuns(deps.db, query) };
  });

  router.get('/api/integrity/runs/:id', keepers, async (ctx) => {
    ctx.body = { run: await getPreservationRun(deps.db, ctx.params.id!) };
  });

  router.post('/api/integrity/runs/:id/resume', keepers, async (ctx) => {
    const { actor } = requireUser(ctx);
    ctx.status = 202;
    ctx.body = { run: await resumePreservationRun(runDeps, actor, ctx.params.id!) };
  });

  // A fixity run's stored report: JSON, PDF/A and the PDF's detached signature by the system key.
  router.get('/api/integrity/runs/:id/:file', keepers, async (ctx) => {
    const file = REPORT_FILES[ctx.params.file as keyof typeof REPORT_FILES];
    const run = file ? await getPreservationRun(deps.db, ctx.params.id!) : null;
    const sha = run?.mode === 'fixity' && run.reportObjects ? { report_json_sha256: run.reportObjects.json, report_pdf_sha256: run.reportObjects.pdf, report_signature_sha256: run.reportObjects.signature }[file![0]] : null;
    if (!sha) throw new NotFoundError('preservation.report_not_found', 'preservation.report_not_found', { id: ctx.params.id, file: ctx.params.file });
    ctx.set('Content-Type', file![1]);
    ctx.set('Content-Disposition', `attachment; filename="${run!.mode}-${ctx.params.id}-${ctx.params.file}"`);
    ctx.set('ETag', `"${sha}"`);
    ctx.body = await readVerifiedBytes(deps.storage, sha);
  });

  // The fixity schedule and how much of the store it has covered, with the objects lost.
  const fixityDeps = { db: deps.db, storage: deps.storage, logger: deps.logger, keyDir: systemKeyDir(deps.config) };

  router.get('/api/integrity/fixity', keepers, async (ctx) => {
    const overview = await fixityOverview(fixityDeps);
    ctx.body = { ...overview, lost: await lostObjectsView(deps.db, 200) };
  });

  router.put('/api/integrity/fixity/schedule', keepers, async (ctx) => {
    const patch = validateSchedule(await jsonBody(ctx, deps.jsonLimitBytes));
    const { actor } = requireUser(ctx);
    const schedule = await setFixitySchedule(deps.db, actor, patch);
    // The scheduler of a running server picks the new time up through the queue.
    await scheduleNextBatch({ ...fixityDeps, config: deps.config }).catch((error: unknown) => deps.logger.warn({ err: error }, 'next fixity batch not enqueued'));
    ctx.body = { schedule };
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
      required: ['id', 'mode', 'trigger', 'scope', 'status', 'progress'],
      properties: {
        id: { type: 'string', format: 'uuid' },
        mode: { enum: ['fixity'] },
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
    PreservationRun: {
      type: 'object',
      description: 'A run of either mode as lists show it (without its report)',
      required: ['id', 'mode', 'trigger', 'scope', 'dossier', 'location', 'repair', 'status', 'actor', 'startedAt', 'finishedAt', 'progress', 'error', 'summary', 'reportObjects'],
      properties: {
        id: { type: 'string', format: 'uuid' },
        mode: { enum: RUN_MODES, description: 'verify: deep verification of the dossiers; fixity: every object re-hashed in every location' },
        trigger: { enum: ['schedule', 'manual'] },
        scope: { enum: ['batch', 'all', 'dossier', 'location'] },
        dossier: { type: ['object', 'null'], properties: { id: { type: 'string' }, index: { type: ['string', 'null'] } } },
        location: { type: ['string', 'null'] },
        repair: { type: 'boolean' },
        status: { enum: ['queued', 'running', 'interrupted', 'passed', 'failed', 'error'], description: 'interrupted: a fixity run stopped before the end, waiting to be resumed' },
        actor: { type: 'object', properties: { userId: { type: ['string', 'null'] }, username: { type: 'string' } } },
        runner: { type: ['string', 'null'] },
        startedAt: { type: 'string', format: 'date-time' },
        finishedAt: { type: ['string', 'null'], format: 'date-time' },
        progress: {
          type: 'object',
          required: ['phase', 'done', 'total', 'item'],
          properties: { phase: { type: 'string', description: 'verify: queued, verify, repair, reverify, done; fixity: register, check, report, done' }, done: { type: 'integer' }, total: { type: 'integer' }, item: { type: 'string' } },
        },
        resumed: { type: 'integer' },
        error: { type: ['string', 'null'] },
        summary: { type: ['object', 'null'], description: 'verify: IntegrityRunSummary; fixity: checked, intact, repaired, damaged, lost' },
        reportObjects: { type: ['object', 'null'], description: 'fixity: sha256 of the stored report.json, report.pdf and its signature' },
      },
    },
    PreservationRunDetail: { oneOf: [ref('IntegrityRun'), ref('FixityRun')], description: 'One run with its report, in the shape of its mode' },
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
        mode: { enum: ['verify'] },
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
        summary: 'Start a preservation run in the background, deep verification or fixity (archivist, admin)',
        description:
          'mode verify (default): verifies every stored dossier (objects in every location, chains, inventories, signatures) or one; with repair, restores ' +
          'damaged or missing copies from a sound one and verifies again. mode fixity: re-hashes every object of the scope in every location (or the one ' +
          'location), repairs bad copies unless repair is false, reports lost objects with their dossiers. One run per mode at a time: 409 while another is ' +
          'queued or running.',
        tags: ['integrity'],
        security: [{ session: [], csrf: [] }],
        requestBody: { required: true, description: '`{}` verifies the whole archive without repairing', content: jsonContent(START_SCHEMA) },
        responses: {
          '202': ok('Run started', { type: 'object', required: ['run'], properties: { run: ref('PreservationRunDetail') } }),
          ...errors(400, 401, 403, 404, 409),
        },
      },
      get: {
        summary: 'Preservation runs of both modes (or one), newest first (archivist, admin)',
        tags: ['integrity'],
        security,
        parameters: [
          { name: 'mode', in: 'query', schema: { enum: RUN_MODES } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200, default: 20 } },
          { name: 'before', in: 'query', description: 'Runs started before this time (paging)', schema: { type: 'string', format: 'date-time' } },
        ],
        responses: {
          '200': ok('Runs without their reports', { type: 'object', required: ['runs'], properties: { runs: { type: 'array', items: ref('PreservationRun') } } }),
          ...errors(400, 401, 403),
        },
      },
    },
    '/api/integrity/runs/{id}': {
      get: {
        summary: 'One run of either mode: status, progress and, once finished, its report',
        tags: ['integrity'],
        security,
        parameters: [runId],
        responses: {
          '200': ok('Run', { type: 'object', required: ['run'], properties: { run: ref('PreservationRunDetail') } }),
          ...errors(401, 403, 404),
        },
      },
    },
    '/api/integrity/runs/{id}/resume': {
      post: {
        summary: 'Resume an interrupted fixity run: only the objects it had not reached are checked (archivist, admin); a verify run is started again instead (409)',
        tags: ['integrity'],
        security: [{ session: [], csrf: [] }],
        parameters: [runId],
        responses: { '202': ok('Run resumed', { type: 'object', required: ['run'], properties: { run: ref('PreservationRunDetail') } }), ...errors(401, 403, 404, 409) },
      },
    },
    '/api/integrity/runs/{id}/{file}': {
      get: {
        summary: "A fixity run's stored report: report.json, report.pdf (PDF/A-1b) or report.pdf.p7s (CMS signature of the PDF by the system key)",
        tags: ['integrity'],
        security,
        parameters: [runId, { name: 'file', in: 'path', required: true, schema: { enum: ['report.json', 'report.pdf', 'report.pdf.p7s'] } }],
        responses: {
          '200': { description: 'The stored bytes, verified against their digest (ETag)', content: { 'application/pdf': {}, 'application/json': {}, 'application/pkcs7-signature': {} } },
          ...errors(401, 403, 404),
        },
      },
    },
    '/api/integrity/fixity': {
      get: {
        summary: 'The fixity dashboard: schedule, coverage of the store, lost objects (archivist, admin); the runs are at /api/integrity/runs',
        tags: ['integrity'],
        security,
        responses: {
          '200': ok('Schedule, coverage, lost objects with their dossiers', {
            type: 'object',
            required: ['schedule', 'coverage', 'lost'],
            properties: {
              schedule: ref('FixitySchedule'),
              coverage: { type: 'object', description: 'Objects and bytes held; proven intact within the cycle; never checked; oldest check; lost and damaged' },
              lost: { type: 'array', items: { type: 'object', properties: { sha256: { type: 'string' }, dossiers: { type: 'array', items: { type: 'object' } }, paths: { type: 'array', items: { type: 'string' } } } } },
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
  },
};
