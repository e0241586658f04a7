// Destruction over HTTP (destruction/, docs/destruction.md): executing an approved act (another
// user than its author, with the act number typed as the confirmation), the catalog records of
// destroyed dossiers, and the certificates of destruction (JSON, or the PDF/A in kk or ru).
import Router from '@koa/router';
import { ACT_READERS } from '../../appraisal';
import { systemKeyDir } from '../../audit/audit-anchor';
import { certificateStatement, executeAct, executorSignatureOf, getCertificate, signCertificate } from '../../destruction';
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
const SIGN_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['cms'],
  properties: { cms: { type: 'string', minLength: 16, maxLength: 700_000, pattern: '^[A-Za-z0-9+/\\r\\n]+={0,2}\\s*$', description: "Detached CMS (DER) over the certificate's statement (GET …/statement), base64, made with the executor's own registered key" } },
} as const;
const validateSign = bodyValidator<{ cms: string }>(SIGN_SCHEMA);

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
    const cert = await getCertificate(deps.db, ctx.params.id!);
    const lang = ctx.query.lang;
    // ?lang= picks the PDF for links; the UI's API client adds ?lang= to every call and asks for
    // JSON, so an Accept of JSON alone keeps the JSON view.
    if ((lang === 'kk' || lang === 'ru') && ctx.accepts('application/pdf', 'application/json') === 'application/pdf') {
      // The statement names both renditions; the kk one is also on the row.
      const statement = JSON.parse((await certificateStatement(deps, cert.id)).toString('utf8')) as { renditions: { kk: string; ru: string } };
      const sha = statement.renditions[lang];
      ctx.type = 'application/pdf';
      ctx.set('ETag', `"${sha}"`);
      ctx.set('Content-Disposition', contentDisposition(ctx.query.download === '1' ? 'attachment' : 'inline', `destruction-certificate-${cert.actNumber.replace(/\//g, '-')}-${lang}.pdf`));
      ctx.body = await readVerifiedBytes(deps.storage, sha);
      return;
    }
    ctx.body = { certificate: cert };
  });

  // The exact bytes both signatures cover (the system's Ed25519 and the executor's CMS).
  router.get('/api/destruction/certificates/:id/statement', readers, async (ctx) => {
    const bytes = await certificateStatement(deps, ctx.params.id!);
    ctx.type = 'application/json';
    ctx.body = bytes;
  });

  router.get('/api/destruction/certificates/:id/signature', readers, async (ctx) => {
    const { bytes, actNumber } = await executorSignatureOf(deps, ctx.params.id!);
    ctx.type = 'application/pkcs7-signature';
    ctx.set('Content-Disposition', contentDisposition('attachment', `destruction-certificate-${actNumber.replace(/\//g, '-')}.p7s`));
    ctx.body = bytes;
  });

  router.post('/api/destruction/certificates/:id/signature', executors, async (ctx) => {
    const body = validateSign(await jsonBody(ctx, deps.jsonLimitBytes));
    const { verifySignature } = await import('../../validators/signature');
    const cms = new Uint8Array(Buffer.from(body.cms.replace(/\s+/g, ''), 'base64'));
    ctx.body = { certificate: await signCertificate({ db: deps.db, storage: deps.storage, verifySignature, trustDir: deps.config.trustDir, now: deps.now }, requireUser(ctx).actor, ctx.params.id!, { cms }) };
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
        summary: "A certificate of destruction: JSON (with the executor's signature once made), or its PDF/A-1b with ?lang=kk|ru",
        tags: TAGS,
        security: SECURITY,
        parameters: [ID, { name: 'lang', in: 'query', schema: { enum: ['kk', 'ru'] } }, { name: 'download', in: 'query', schema: { enum: ['1'] } }],
        responses: { '200': { description: 'The certificate', content: { 'application/json': { schema: { type: 'object' } }, 'application/pdf': { schema: { type: 'string', format: 'binary' } } } }, ...errors(401, 403, 404) },
      },
    },
    '/api/destruction/certificates/{id}/statement': {
      get: {
        summary: "The certificate's statement (canonical JSON naming the act, the dossiers and both PDF/A renditions by digest): the bytes the system key and the executor's CMS sign",
        tags: TAGS,
        security: SECURITY,
        parameters: [ID],
        responses: { '200': { description: 'The statement', content: { 'application/json': { schema: { type: 'object' } } } }, ...errors(401, 403, 404) },
      },
    },
    '/api/destruction/certificates/{id}/signature': {
      get: {
        summary: "The executor's detached CMS over the statement (404 until signed)",
        tags: TAGS,
        security: SECURITY,
        parameters: [ID],
        responses: { '200': { description: 'The CMS (DER)', content: { 'application/pkcs7-signature': { schema: { type: 'string', format: 'binary' } } } }, ...errors(401, 403, 404) },
      },
      post: {
        summary: "The executor signs the certificate with their own registered key: a detached CMS over the statement, made in the browser (only the user who executed the act, once)",
        tags: TAGS,
        security: SECURITY,
        parameters: [ID],
        requestBody: { required: true, content: { 'application/json': { schema: SIGN_SCHEMA } } },
        responses: { '200': ok('The certificate with its signatures', { type: 'object', properties: { certificate: { type: 'object' } } }), ...errors(400, 401, 403, 404, 409) },
      },
    },
  },
};
