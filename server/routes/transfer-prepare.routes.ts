// A transfer prepared in the browser (issue 11): the clerk's files were sent as a plain tar of
// the dossier folders through the resumable upload (/api/transfers/uploads); this route checks
// them with the metadata of the form (packTransfer, as `muragat transfer pack`, plus the
// approved nomenclature of the year) and, when asked to, packs and receives the transfer.
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Router from '@koa/router';
import { randomUUID } from 'node:crypto';
import { t } from '../../common/i18n';
import { receiveTransfer } from '../../ingest';
import { checkDossierIndexes } from '../../catalog/nomenclature/ingest-check';
import { createUploadsService } from '../../ingest/intake/uploads.service';
import { submitTransfer } from '../../ingest/intake/transfers.service';
import { packPreparedTransfer, preparedRefusal, type PreparedTransferInput } from '../../ingest/transfer/prepare';
import type { TransferProblem } from '../../ingest/transfer';
import { requireRole, requireUser, state } from '../auth';
import { jsonBody } from '../body';
import type { ServerDeps } from '../deps';
import { errors, jsonContent, ok, type OpenApiFragment } from '../openapi';
import { bodyValidator } from '../validate';

const TEXT = { type: 'string', maxLength: 1000 } as const;
const PERSON = { type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string', minLength: 1, maxLength: 300 }, position: { type: 'string', maxLength: 300 } } } as const;
const PREPARE_SCHEMA = {
  type: 'object',
  required: ['year', 'department', 'dossiers', 'documents'],
  additionalProperties: false,
  properties: {
    /** true: check only, the upload stays for the corrected attempt; false: pack and receive. */
    check: { type: 'boolean' },
    year: { type: 'integer', minimum: 1900, maximum: 2200 },
    department: { type: 'object', required: ['code'], additionalProperties: false, properties: { code: { type: 'string', minLength: 1, maxLength: 10 }, name: { type: 'string', maxLength: 300 } } },
    compiledBy: PERSON,
    dossiers: {
      type: 'object',
      maxProperties: 2000,
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: {
          title: TEXT,
          retention: { type: 'object', required: ['kind'], additionalProperties: false, properties: { kind: { type: 'string' }, years: { type: 'integer' }, article: { type: 'string' } } },
        },
      },
    },
    documents: {
      type: 'object',
      maxProperties: 100000,
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: { title: TEXT, kind: TEXT, date: TEXT, number: TEXT, language: TEXT, author: TEXT },
      },
    },
  },
} as const;

type PrepareBody = PreparedTransferInput & { check?: boolean };
const validatePrepare = bodyValidator<PrepareBody>(PREPARE_SCHEMA);

export function createRoutes(deps: ServerDeps): Router {
  const router = new Router();
  const uploaders = requireRole('department_clerk', 'archivist');
  const ingestDeps = { db: deps.db, storage: deps.storage, config: deps.config };
  const uploads = createUploadsService({ db: deps.db, config: deps.config });

  router.post('/api/transfers/uploads/:id/prepare', uploaders, async (ctx) => {
    const input = validatePrepare(await jsonBody(ctx, deps.jsonLimitBytes));
    const { user, actor } = requireUser(ctx);
    const lang = state(ctx).lang;
    const id = ctx.params.id!;
    // The clerk prepares for their own department only (p.147), refused before any work.
    await deps.access.assertMayUploadFor(user, input.department.code, { actor, uploadId: id });

    /** pack's checks, then p.156: every dossier a case of the approved nomenclature of the year. */
    const check = async (treeTar: string, outTar: string) => {
      const outcome = await packPreparedTransfer(treeTar, outTar, input, lang);
      if (!outcome.ok) return outcome;
      const indexes = outcome.result.manifest.dossiers.map((d) => d.index);
      const nomenclature = await checkDossierIndexes(deps.db, { year: input.year, department: input.department.code, indexes });
      const problems: TransferProblem[] = nomenclature.refusals.map((r) => ({ where: r.index, code: r.code, message: t(lang, r.code, r.params), params: r.params, clause: 'p.156' }));
      return problems.length ? { ok: false as const, problems } : outcome;
    };
    const outTar = path.join(tmpdir(), `muragat-prepared-${randomUUID()}.tar`);
    try {
      if (input.check) {
        const received = await uploads.received(actor, id);
        const outcome = await check(received.path, outTar);
        ctx.body = outcome.ok
          ? { ok: true, problems: [], manifest: outcome.result.manifest, inferred: outcome.result.inferred, missing: outcome.result.missing }
          : { ok: false, problems: outcome.problems };
        return;
      }
      const done = await uploads.complete(actor, id, async ({ tarPath, sourceName, actor: who }) => {
        const outcome = await check(tarPath, outTar);
        // Refused: the upload stays as it is, so the corrected form is sent without the files again.
        if (!outcome.ok) throw preparedRefusal(outcome.problems);
        return receiveTransfer(ingestDeps, { tarPath: outTar, sourceName, actor: who, duplicates: 'conflict' });
      });
      const processing = await submitTransfer(ingestDeps, done.transferId);
      ctx.status = 202;
      ctx.body = { transferId: done.transferId, processing };
    } finally {
      await rm(outTar, { force: true });
    }
  });
  return router;
}

const problemSchema = { type: 'object', required: ['where', 'code', 'message'], properties: { where: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' }, clause: { type: 'string' } } };

export const openapi: OpenApiFragment = {
  paths: {
    '/api/transfers/uploads/{id}/prepare': {
      post: {
        tags: ['transfers'],
        summary: 'Check, or pack and receive, a transfer prepared in the browser',
        description:
          'The upload holds a plain tar of dossier folders (`<case index>/<file>`, `.p7s` beside its file). The body gives the year, department, dossier headings and the metadata per document as the clerk corrected it. The same checks as `muragat transfer pack` run, and the index of each dossier is checked against the approved nomenclature of the year (p.156). With `check: true` the answer lists the inferred metadata and the problems and the upload stays; otherwise the package is built and received (202) or refused (400 transfer.prepare_refused with `details.problems`).',
        security: [{ session: [], csrf: [] }],
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
        requestBody: { required: true, content: jsonContent(PREPARE_SCHEMA) },
        responses: {
          '200': ok('Check result (check: true)', { type: 'object', required: ['ok', 'problems'], properties: { ok: { type: 'boolean' }, problems: { type: 'array', items: problemSchema }, manifest: { type: 'object' }, inferred: { type: 'array', items: problemSchema }, missing: { type: 'array', items: problemSchema } } }),
          '202': ok('Packed and received', { type: 'object', required: ['transferId'], properties: { transferId: { type: 'string', format: 'uuid' }, processing: { type: 'string' } } }),
          ...errors(400, 401, 403, 404, 409),
        },
      },
    },
  },
};
