// Transfers over HTTP: resumable streamed upload of a transfer package, hand-over to the
// ingest pipeline, progress from the durable step table, and the ingest report.
import Router from '@koa/router';
import type Koa from 'koa';
import { ValidationError } from '../../common/errors';
import { readTransferDepartment } from '../../access';
import { buildReport, receiveTransfer } from '../../ingest';
import { createUploadsService } from '../../ingest/intake/uploads.service';
import { assertTransferVisible, cancelTransfer, listTransfers, retryTransfer, submitTransfer, transferProgress } from '../../ingest/intake/transfers.service';
import type { TransferStatus } from '../../ingest/tables';
import { requireRole, requireUser, state } from '../auth';
import { jsonBody } from '../body';
import type { ServerDeps } from '../deps';
import { errors, jsonContent, ok, ref, type OpenApiFragment } from '../openapi';
import { bodyValidator, queryValidator } from '../validate';

const START_SCHEMA = {
  type: 'object',
  required: ['filename', 'size'],
  additionalProperties: false,
  properties: {
    filename: { type: 'string', minLength: 1, maxLength: 255 },
    size: { type: 'integer', minimum: 1 },
    sha256: { type: ['string', 'null'], pattern: '^[0-9a-fA-F]{64}$' },
  },
} as const;
const PUT_QUERY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: { offset: { type: 'integer', minimum: 0 }, lang: { type: 'string' } },
} as const;
const STATUSES: TransferStatus[] = ['uploading', 'queued', 'processing', 'completed', 'failed', 'cancelled'];
const LIST_QUERY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { enum: STATUSES },
    limit: { type: 'integer', minimum: 1, maximum: 500 },
    offset: { type: 'integer', minimum: 0 },
    lang: { type: 'string' },
  },
} as const;

const validateStart = bodyValidator<{ filename: string; size: number; sha256?: string | null }>(START_SCHEMA);
const validatePutQuery = queryValidator<{ offset?: number }>(PUT_QUERY_SCHEMA);
const validateList = queryValidator<{ status?: TransferStatus; limit?: number; offset?: number }>(LIST_QUERY_SCHEMA);

/** `Content-Range: bytes a-b/total` → piece start, length and total; null when absent. */
export function parseContentRange(header: string): { offset: number; length: number; total: number } | null {
  if (!header) return null;
  const m = /^bytes (\d{1,16})-(\d{1,16})\/(\d{1,16})$/.exec(header.trim());
  if (!m) throw new ValidationError('ingest.upload_bad_range', 'ingest.upload_bad_range', { value: header });
  const start = Number(m[1]);
  const end = Number(m[2]);
  const total = Number(m[3]);
  if (end < start || end >= total) throw new ValidationError('ingest.upload_bad_range', 'ingest.upload_bad_range', { value: header });
  return { offset: start, length: end - start + 1, total };
}

function pieceOf(ctx: Koa.Context): { offset: number; length?: number; total?: number } {
  const range = parseContentRange(ctx.get('content-range'));
  const declared = ctx.get('content-length') ? Number(ctx.get('content-length')) : undefined;
  if (range) {
    if (declared !== undefined && declared !== range.length) {
      throw new ValidationError('ingest.upload_bad_range', 'ingest.upload_bad_range', { value: ctx.get('content-range') });
    }
    return range;
  }
  const { offset } = validatePutQuery(ctx.query);
  if (offset === undefined) throw new ValidationError('ingest.upload_offset_required', 'ingest.upload_offset_required', {});
  return { offset, ...(declared !== undefined && Number.isFinite(declared) ? { length: declared } : {}) };
}

export function createRoutes(deps: ServerDeps): Router {
  const router = new Router();
  const uploaders = requireRole('department_clerk', 'archivist');
  const readers = requireRole('department_clerk', 'archivist', 'department_head');
  const ingestDeps = { db: deps.db, storage: deps.storage, config: deps.config };
  const uploads = createUploadsService({ db: deps.db, config: deps.config });
  // Abandoned uploads are removed a week after their last piece: at start and every six hours.
  const sweep = () =>
    void uploads.removeStale().then(
      (removed) => removed.length && deps.logger.info({ removed }, 'stale transfer uploads removed'),
      (error: unknown) => deps.logger.error({ err: error }, 'stale upload cleanup failed'),
    );
  sweep();
  setInterval(sweep, 6 * 3600 * 1000).unref();

  router.post('/api/transfers/uploads', uploaders, async (ctx) => {
    const input = validateStart(await jsonBody(ctx, deps.jsonLimitBytes));
    const { actor } = requireUser(ctx);
    // Per-user quotas (access/upload-quota.ts): 413 if it could never fit, 429 if not now.
    const upload = await deps.uploadQuota.admit(actor.userId, input.size, (db) => uploads.start(actor, input, db));
    ctx.status = 201;
    ctx.body = { id: upload.id, offset: upload.offset, size: upload.size, upload };
  });

  router.get('/api/transfers/uploads/:id', uploaders, async (ctx) => {
    const { actor } = requireUser(ctx);
    const upload = await uploads.get(actor, ctx.params.id!);
    ctx.body = { id: upload.id, offset: upload.offset, size: upload.size, upload };
  });

  router.put('/api/transfers/uploads/:id', uploaders, async (ctx) => {
    const { actor } = requireUser(ctx);
    const piece = pieceOf(ctx);
    const upload = await uploads.append(actor, ctx.params.id!, { ...piece, body: ctx.req });
    ctx.body = { id: upload.id, offset: upload.offset, size: upload.size, upload };
  });

  router.post('/api/transfers/uploads/:id/complete', uploaders, async (ctx) => {
    const { user, actor } = requireUser(ctx);
    const done = await uploads.complete(actor, ctx.params.id!, async ({ tarPath, sourceName, actor: who }) => {
      // Uploads are for the user's own department: refused before anything is received.
      await deps.access.assertMayUploadFor(user, await readTransferDepartment(tarPath), { actor, uploadId: ctx.params.id! });
      return receiveTransfer(ingestDeps, { tarPath, sourceName, actor: who, duplicates: 'conflict' });
    });
    const processing = await submitTransfer(ingestDeps, done.transferId);
    ctx.status = 202;
    ctx.body = { transferId: done.transferId, sha256: done.sha256, size: done.size, processing };
  });

  router.get('/api/transfers', readers, async (ctx) => {
    const filter = validateList(ctx.query);
    const { user } = requireUser(ctx);
    ctx.body = await listTransfers(deps.db, await deps.access.scope(user), filter);
  });

  router.get('/api/transfers/:id', readers, async (ctx) => {
    const { user } = requireUser(ctx);
    ctx.body = { transfer: await transferProgress(deps.db, await deps.access.scope(user), ctx.params.id!, state(ctx).lang) };
  });

  router.get('/api/transfers/:id/report', readers, async (ctx) => {
    const { user } = requireUser(ctx);
    await assertTransferVisible(deps.db, await deps.access.scope(user), ctx.params.id!);
    ctx.body = await buildReport(deps, ctx.params.id!, state(ctx).lang);
  });

  // Retry and cancel: the archivist, or the clerk who uploaded the transfer (checked by the service).
  router.post('/api/transfers/:id/retry', uploaders, async (ctx) => {
    const { user, actor } = requireUser(ctx);
    await deps.access.transfer(user, ctx.params.id!);
    const retried = await retryTransfer(ingestDeps, actor, ctx.params.id!);
    const processing = await submitTransfer(ingestDeps, retried.transferId);
    ctx.status = 202;
    ctx.body = { transferId: retried.transferId, status: retried.status, restarted: retried.restarted, processing };
  });

  router.post('/api/transfers/:id/cancel', uploaders, async (ctx) => {
    const { user, actor } = requireUser(ctx);
    await deps.access.transfer(user, ctx.params.id!);
    ctx.body = await cancelTransfer(ingestDeps, actor, ctx.params.id!);
  });

  return router;
}

const uploadState = {
  type: 'object',
  required: ['id', 'offset', 'size'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    offset: { type: 'integer', description: 'Bytes stored; the next piece starts here' },
    size: { type: 'integer' },
    upload: ref('TransferUpload'),
  },
};
const uploadId = { name: 'id', in: 'path', required: true, description: 'Upload id', schema: { type: 'string', format: 'uuid' } };
const transferId = { name: 'id', in: 'path', required: true, description: 'Transfer id', schema: { type: 'string', format: 'uuid' } };
const problem = {
  type: 'object',
  required: ['code', 'message'],
  properties: { code: { type: 'string' }, message: { type: 'string' }, where: { type: 'string' }, clause: { type: 'string' } },
};
/** Why a transfer failed: the step, the message key, the message in the request's language. */
const failure = {
  type: 'object',
  required: ['step', 'code', 'message'],
  properties: { step: { type: 'string', examples: ['manifest', 'store'] }, code: { type: 'string', examples: ['ingest.json_too_deep'] }, message: { type: 'string' } },
};
const counts = {
  type: 'object',
  properties: { total: { type: 'integer' }, pending: { type: 'integer' }, accepted: { type: 'integer' }, rejected: { type: 'integer' }, conversionFailed: { type: 'integer' } },
};
const summaryProps = {
  id: { type: 'string' },
  status: { enum: STATUSES },
  sourceName: { type: 'string' },
  size: { type: ['integer', 'null'] },
  sha256: { type: ['string', 'null'] },
  department: { type: ['string', 'null'] },
  year: { type: ['integer', 'null'] },
  receivedAt: { type: 'string', format: 'date-time' },
  finishedAt: { type: ['string', 'null'], format: 'date-time' },
  submittedBy: { type: ['string', 'null'] },
  documents: counts,
  dossiers: { type: 'integer' },
};
const uploaderSecurity = [{ session: [], csrf: [] }];

export const openapi: OpenApiFragment = {
  schemas: {
    TransferUpload: {
      type: 'object',
      required: ['id', 'filename', 'size', 'offset', 'createdAt', 'createdBy'],
      properties: {
        id: { type: 'string', format: 'uuid' },
        filename: { type: 'string' },
        size: { type: 'integer' },
        offset: { type: 'integer' },
        sha256: { type: ['string', 'null'] },
        createdAt: { type: 'string', format: 'date-time' },
        createdBy: { type: 'string' },
        transferId: { type: ['string', 'null'] },
      },
    },
    TransferSummary: { type: 'object', required: Object.keys(summaryProps), properties: summaryProps },
    TransferProgress: {
      type: 'object',
      properties: {
        ...summaryProps,
        currentStep: { type: ['string', 'null'] },
        steps: {
          type: 'array',
          items: {
            type: 'object',
            properties: { step: { type: 'string' }, status: { enum: ['pending', 'running', 'done', 'failed'] }, attempt: { type: 'integer' }, startedAt: { type: ['string', 'null'] }, finishedAt: { type: ['string', 'null'] } },
          },
        },
        stepsDone: { type: 'integer' },
        stepsTotal: { type: 'integer' },
        percent: { type: 'integer', minimum: 0, maximum: 100 },
        problems: { type: 'array', items: problem },
        failure: { ...failure, type: ['object', 'null'], description: 'Why a failed transfer failed; null unless status is failed' },
      },
    },
    IngestReport: {
      type: 'object',
      required: ['transfer', 'dossiers'],
      description: 'The shape `muragat ingest --json` prints',
      properties: {
        transfer: { type: 'string' },
        problems: { type: 'array', items: problem },
        status: { enum: ['uploading', 'queued', 'processing', 'failed', 'cancelled'], description: 'Present unless the transfer completed' },
        failure,
        dossiers: {
          type: 'array',
          items: {
            type: 'object',
            required: ['id', 'index', 'title', 'documents'],
            properties: {
              id: { type: ['string', 'null'] },
              index: { type: ['string', 'null'] },
              title: { type: 'string' },
              documents: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['source', 'status', 'format', 'rendition', 'signature', 'malware', 'problems'],
                  properties: {
                    source: { type: 'string' },
                    status: { enum: ['accepted', 'rejected', 'conversion-failed'] },
                    format: { type: ['string', 'null'] },
                    rendition: { type: ['string', 'null'] },
                    signature: { type: ['string', 'null'] },
                    malware: { type: ['string', 'null'] },
                    problems: { type: 'array', items: problem },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
  paths: {
    '/api/transfers/uploads': {
      post: {
        summary: 'Announce a transfer package upload (department_clerk, archivist)',
        description:
          'Refused with 413 (ingest.transfer_too_large) when size exceeds MURAGAT_TRANSFER_MAX_BYTES, 413 (upload.quota_too_large) when it exceeds ' +
          'the per-user quota, 429 (upload.quota_in_flight, upload.quota_daily with Retry-After) when the user\'s unfinished uploads or the last ' +
          "24 hours' announcements leave no room (MURAGAT_UPLOAD_INFLIGHT_MAX_BYTES, MURAGAT_UPLOAD_DAILY_MAX_BYTES).",
        tags: ['transfers'],
        security: uploaderSecurity,
        requestBody: { required: true, content: jsonContent(START_SCHEMA) },
        responses: { '201': ok('Upload created', uploadState), ...errors(400, 401, 403, 413, 429) },
      },
    },
    '/api/transfers/uploads/{id}': {
      get: {
        summary: 'How many bytes of an upload the server holds (resume point)',
        tags: ['transfers'],
        security: [{ session: [] }],
        parameters: [uploadId],
        responses: { '200': ok('Upload state', uploadState), ...errors(401, 403, 404) },
      },
      put: {
        summary: 'Append a piece of the package (raw bytes, streamed to quarantine)',
        description:
          'The piece starts at `Content-Range: bytes a-b/total` or `?offset=`; it must equal the stored length (409 ingest.upload_offset_mismatch ' +
          'with details.offset otherwise). A broken connection keeps the bytes that arrived; ask GET for the offset and continue.',
        tags: ['transfers'],
        security: uploaderSecurity,
        parameters: [
          uploadId,
          { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0 } },
          { name: 'Content-Range', in: 'header', schema: { type: 'string', examples: ['bytes 0-8388607/20000000'] } },
        ],
        requestBody: { required: true, content: { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } } },
        responses: { '200': ok('Piece stored', uploadState), ...errors(400, 401, 403, 404, 409, 413) },
      },
    },
    '/api/transfers/uploads/{id}/complete': {
      post: {
        summary: 'Finish an upload: hash it, receive the transfer and start ingest in the background',
        description:
          'With the embedded database the API process runs the ingest; with PostgreSQL the transfer is queued for `muragat worker`. ' +
          'The same package bytes received before answer 409: `transfer.duplicate_failed` when that transfer failed or was cancelled ' +
          '(details { transferId, status }: offer POST /api/transfers/{transferId}/retry), `transfer.duplicate_accepted` when it completed.',
        tags: ['transfers'],
        security: uploaderSecurity,
        parameters: [uploadId],
        responses: {
          '202': ok('Transfer received', {
            type: 'object',
            required: ['transferId'],
            properties: { transferId: { type: 'string' }, sha256: { type: 'string' }, size: { type: 'integer' }, processing: { enum: ['queued', 'processing', 'finished'] } },
          }),
          ...errors(400, 401, 403, 404, 409, 413),
        },
      },
    },
    '/api/transfers': {
      get: {
        summary: 'Transfers with their status (clerks see their own)',
        tags: ['transfers'],
        security: [{ session: [] }],
        parameters: [
          { name: 'status', in: 'query', schema: { enum: STATUSES } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500 } },
          { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0 } },
        ],
        responses: {
          '200': ok('Transfers', { type: 'object', required: ['transfers', 'total'], properties: { transfers: { type: 'array', items: ref('TransferSummary') }, total: { type: 'integer' } } }),
          ...errors(400, 401, 403),
        },
      },
    },
    '/api/transfers/{id}': {
      get: {
        summary: 'Ingest progress of a transfer: current step, document counts, percent',
        tags: ['transfers'],
        security: [{ session: [] }],
        parameters: [transferId],
        responses: { '200': ok('Progress', { type: 'object', required: ['transfer'], properties: { transfer: ref('TransferProgress') } }), ...errors(401, 403, 404) },
      },
    },
    '/api/transfers/{id}/retry': {
      post: {
        summary: 'Retry a failed or cancelled transfer (archivist; the uploading clerk for their own)',
        description:
          'Resumes at the failed step (steps already done stay done); when the quarantine copy is gone the package is restored from the store. ' +
          '409 transfer.not_retryable (details { transferId, status }) for any other state; 409 transfer.retry_no_package when the package is no longer kept. Audit: transfer.retry.',
        tags: ['transfers'],
        security: uploaderSecurity,
        parameters: [transferId],
        responses: {
          '202': ok('Transfer queued again', {
            type: 'object',
            required: ['transferId', 'status', 'restarted', 'processing'],
            properties: { transferId: { type: 'string' }, status: { const: 'queued' }, restarted: { type: 'boolean', description: 'Started over from the package' }, processing: { enum: ['queued', 'processing', 'finished'] } },
          }),
          ...errors(401, 403, 404, 409),
        },
      },
    },
    '/api/transfers/{id}/cancel': {
      post: {
        summary: 'Cancel a queued, processing or failed transfer (archivist; the uploading clerk for their own)',
        description:
          'Nothing more is processed (a running transfer stops at the next step); the package is kept in the store as evidence and can still be retried. ' +
          '409 transfer.not_cancellable (details { transferId, status }) when completed or already cancelled. Audit: transfer.cancel.',
        tags: ['transfers'],
        security: uploaderSecurity,
        parameters: [transferId],
        responses: {
          '200': ok('Transfer cancelled', { type: 'object', required: ['transferId', 'status'], properties: { transferId: { type: 'string' }, status: { const: 'cancelled' } } }),
          ...errors(401, 403, 404, 409),
        },
      },
    },
    '/api/transfers/{id}/report': {
      get: {
        summary: 'Ingest report: every dossier and document with status and problems',
        tags: ['transfers'],
        security: [{ session: [] }],
        parameters: [transferId],
        responses: { '200': ok('Report', ref('IngestReport')), ...errors(401, 403, 404) },
      },
    },
  },
};
