// Destruction over HTTP (destruction/, docs/destruction.md): executing an approved act (another
// user than its author, with the act number typed as the confirmation), the catalog records of
// destroyed dossiers, and the certificates of destruction (JSON, or the PDF/A in kk or ru).
import Router from '@koa/router';
import { ACT_READERS } from '../../appraisal';
import { systemKeyDir } from '../../audit/audit-anchor';
import { NotFoundError } from '../../common/errors';
import { executeAct } from '../../destruction';
import { readVerifiedBytes } from '../../storage';
import { requireRole, requireUser } from '../auth';
import { jsonBody } from '../body';
import type { ServerDeps } from '../deps';
import { errors, ok, type OpenApiFragment } from '../openapi';
import { bodyValidator } from '../validate';
import { contentDisposition } from './dossiers.routes';

const EXECUTE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['confirm'],
  properties: {
    confirm: { type: 'string', minLength: 1, maxLength: 50, description: 'The act number (e.g. 1/2031), typed by the executor as the explicit confirmation' },
    method: { type: 'string', minLength: 1, maxLength: 500, description: 'How the records were destroyed (default: crypto-erasure — key destruction and deletion of every copy)' },
  },
} as const;
const validateExecute = bodyValidator<{ confirm: string; method?: string }>(EXECUTE_SCHEMA);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createRoutes(deps: ServerDeps): Router {
  const router = new Router();
  const readers = requireRole(...ACT_READERS);
  const executors = requireRole('archivist');

  router.post('/api/destruction/acts/:id/execute', executors, async (ctx) => {
    const body = validateExecute(await jsonBody(ctx, deps.jsonLimitBytes));
    const { actor } = requireUser(ctx);
    ctx.body = { execution: await executeAct({ db: deps.db, storage: deps.storage, keyDir: systemKeyDir(deps.config) }, actor, ctx.params.id!, body) };
  });

  router.get('/api/destruction/dossiers', readers, async (ctx) => {
    const rows = await deps.db.selectFrom('destroyed_dossiers').selectAll().orderBy('destroyed_at', 'desc').orderBy('case_index').limit(1000).execute();
    ctx.body = {
      dossiers: rows.map((r) => ({
        dossierId: r.dossier_id,
        index: r.case_index,
        volume: r.volume,
        heading: r.heading,
        year: r.year,
        department: r.department,
        startDate: r.start_date,
        endDate: r.end_date,
        retention: r.retention,
        actId: r.act_id,
        actNumber: r.act_number,
        method: r.method,
        destroyedAt: new Date(r.destroyed_at).toISOString(),
        executedBy: r.executed_by_name,
        finalControl: r.final_control,
        certificateId: r.certificate_id,
      })),
    };
  });

  router.get('/api/destruction/certificates/:id', readers, async (ctx) => {
    const id = ctx.params.id!;
    const cert = UUID.test(id) ? await deps.db.selectFrom('destruction_certificates').selectAll().where('id', '=', id).executeTakeFirst() : undefined;
    if (!cert) throw new NotFoundError('destruction.certificate_not_found', 'destruction.certificate_not_found', { id });
    const lang = ctx.query.lang;
    if (lang === 'kk' || lang === 'ru') {
      // The statement names both renditions; the kk one is also on the row.
      const statement = JSON.parse((await readVerifiedBytes(deps.storage, cert.statement_sha256)).toString('utf8')) as { renditions: { kk: string; ru: string } };
      const sha = statement.renditions[lang];
      ctx.type = 'application/pdf';
      ctx.set('ETag', `"${sha}"`);
      ctx.set('Content-Disposition', contentDisposition(ctx.query.download === '1' ? 'attachment' : 'inline', `destruction-certificate-${cert.act_number.replace(/\//g, '-')}-${lang}.pdf`));
      ctx.body = await readVerifiedBytes(deps.storage, sha);
      return;
    }
    ctx.body = {
      certificate: {
        id: cert.id,
        actId: cert.act_id,
        actNumber: cert.act_number,
        executedAt: new Date(cert.executed_at).toISOString(),
        method: cert.method,
        pdfSha256: cert.pdf_sha256,
        statementSha256: cert.statement_sha256,
        systemSignature: cert.system_signature,
        systemKeyId: cert.system_key_id,
      },
    };
  });

  return router;
}

const TAGS = ['destruction'];
const SECURITY = [{ session: [] }];
const ID = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };

export const openapi: OpenApiFragment = {
  paths: {
    '/api/destruction/acts/{id}/execute': {
      post: {
        summary: 'Execute an approved destruction act (archivist other than its author; held dossiers refused; the act number typed as confirmation): keys destroyed everywhere, sealed content deleted everywhere, catalog records kept, certificate signed by the system',
        tags: TAGS,
        security: SECURITY,
        parameters: [ID],
        requestBody: { required: true, content: { 'application/json': { schema: EXECUTE_SCHEMA } } },
        responses: { '200': ok('What was destroyed and the certificate', { type: 'object', properties: { execution: { type: 'object' } } }), ...errors(400, 401, 403, 404, 409) },
      },
    },
    '/api/destruction/dossiers': {
      get: { summary: 'Catalog records of destroyed dossiers (index, heading, extreme dates, retention, act, date, method, final control characteristics)', tags: TAGS, security: SECURITY, responses: { '200': ok('Destroyed dossiers, newest first', { type: 'object', properties: { dossiers: { type: 'array', items: { type: 'object' } } } }), ...errors(401, 403) } },
    },
    '/api/destruction/certificates/{id}': {
      get: {
        summary: 'A certificate of destruction: JSON, or its PDF/A-1b with ?lang=kk|ru',
        tags: TAGS,
        security: SECURITY,
        parameters: [ID, { name: 'lang', in: 'query', schema: { enum: ['kk', 'ru'] } }, { name: 'download', in: 'query', schema: { enum: ['1'] } }],
        responses: { '200': { description: 'The certificate', content: { 'application/json': { schema: { type: 'object' } }, 'application/pdf': { schema: { type: 'string', format: 'binary' } } } }, ...errors(401, 403, 404) },
      },
    },
  },
};
