// Destruction acts over HTTP (issue 12, BRIEF §9): drafted and submitted by the archivist, agreed
// when the commission's decision is adopted and its protocol signed, approved by the organisation
// head with a detached CMS over a stored rendition (signed in the browser), rendered in kk and ru
// as PDF/A-1b. Execution is destruction/'s. Routes check the role; appraisal/ checks it again.
import Router from '@koa/router';
import { ACT_APPROVERS, ACT_DRAFTERS, ACT_READERS, createAppraisalService } from '../../appraisal';
import { requireRole, requireUser } from '../auth';
import { jsonBody } from '../body';
import type { ServerDeps } from '../deps';
import { errors, jsonContent, ok, type OpenApiFragment } from '../openapi';
import { bodyValidator, queryValidator } from '../validate';
import { contentDisposition } from './dossiers.routes';

const TEXT = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const;
const PERSON = { type: 'object', required: ['name', 'position'], additionalProperties: false, properties: { name: TEXT(300), position: TEXT(300) } } as const;
const DOSSIER_IDS = { type: 'array', minItems: 1, maxItems: 10_000, uniqueItems: true, items: { type: 'string', format: 'uuid' } } as const;

const DRAFT_SCHEMA = {
  type: 'object',
  required: ['dossierIds', 'basis', 'appraiser'],
  additionalProperties: false,
  properties: { dossierIds: DOSSIER_IDS, basis: TEXT(2000), appraiser: PERSON },
} as const;
const UPDATE_SCHEMA = {
  type: 'object',
  minProperties: 1,
  additionalProperties: false,
  properties: { dossierIds: DOSSIER_IDS, basis: TEXT(2000), appraiser: PERSON },
} as const;
const APPROVE_SCHEMA = {
  type: 'object',
  required: ['renditionId', 'cms'],
  additionalProperties: false,
  properties: {
    renditionId: { type: 'string', format: 'uuid' },
    cms: { type: 'string', minLength: 16, maxLength: 700_000, pattern: '^[A-Za-z0-9+/\\r\\n]+={0,2}\\s*$', description: 'Detached CMS (DER) over the stored rendition, base64' },
  },
} as const;
const LIST_QUERY = { type: 'object', additionalProperties: false, properties: { lang: { type: 'string' }, status: { enum: ['draft', 'submitted', 'agreed', 'approved', 'executed'] } } } as const;
const PDF_QUERY = { type: 'object', additionalProperties: false, properties: { form: { enum: ['kk', 'ru'] }, lang: { type: 'string' }, download: { enum: ['0', '1'] } } } as const;

const validateDraft = bodyValidator<{ dossierIds: string[]; basis: string; appraiser: { name: string; position: string } }>(DRAFT_SCHEMA);
const validateUpdate = bodyValidator<{ dossierIds?: string[]; basis?: string; appraiser?: { name: string; position: string } }>(UPDATE_SCHEMA);
const validateApprove = bodyValidator<{ renditionId: string; cms: string }>(APPROVE_SCHEMA);
const validateList = queryValidator<{ lang?: string; status?: string }>(LIST_QUERY);
const validatePdf = queryValidator<{ form?: 'kk' | 'ru'; lang?: string; download?: '0' | '1' }>(PDF_QUERY);

export function createRoutes(deps: ServerDeps): Router {
  const router = new Router();
  const acts = async () => {
    const { verifySignature } = await import('../../validators/signature');
    return createAppraisalService({ db: deps.db, storage: deps.storage, trustDir: deps.config.trustDir, verifySignature, now: deps.now }).acts;
  };
  const readers = requireRole(...ACT_READERS);
  const drafters = requireRole(...ACT_DRAFTERS);
  const approvers = requireRole(...ACT_APPROVERS);
  const storers = requireRole(...ACT_DRAFTERS, ...ACT_APPROVERS);
  const refreshers = requireRole(...ACT_DRAFTERS, ...ACT_APPROVERS, 'commission_secretary', 'commission_chair');

  router.get('/api/destruction-acts', readers, async (ctx) => {
    const q = validateList(ctx.query);
    ctx.body = { acts: await (await acts()).list({ status: q.status }) };
  });
  router.post('/api/destruction-acts', drafters, async (ctx) => {
    const body = validateDraft(await jsonBody(ctx, deps.jsonLimitBytes));
    ctx.status = 201;
    ctx.body = { act: await (await acts()).draft(requireUser(ctx).actor, body) };
  });
  router.get('/api/destruction-acts/:id', readers, async (ctx) => {
    ctx.body = { act: await (await acts()).get(ctx.params.id!) };
  });
  router.patch('/api/destruction-acts/:id', drafters, async (ctx) => {
    const body = validateUpdate(await jsonBody(ctx, deps.jsonLimitBytes));
    ctx.body = { act: await (await acts()).update(requireUser(ctx).actor, ctx.params.id!, body) };
  });
  router.post('/api/destruction-acts/:id/submit', drafters, async (ctx) => {
    ctx.body = { act: await (await acts()).submit(requireUser(ctx).actor, ctx.params.id!) };
  });
  router.post('/api/destruction-acts/:id/refresh', refreshers, async (ctx) => {
    ctx.body = { act: await (await acts()).refresh(requireUser(ctx).actor, ctx.params.id!) };
  });
  router.get('/api/destruction-acts/:id/pdf', readers, async (ctx) => {
    const q = validatePdf(ctx.query);
    // ?form= is the act's language (kk or ru); ?lang= stays the language of error messages.
    const { bytes, filename } = await (await acts()).render(ctx.params.id!, q.form ?? (q.lang === 'ru' ? 'ru' : 'kk'));
    ctx.type = 'application/pdf';
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Content-Disposition', contentDisposition(q.download === '1' ? 'attachment' : 'inline', filename));
    ctx.body = Buffer.from(bytes);
  });
  router.post('/api/destruction-acts/:id/renditions', storers, async (ctx) => {
    ctx.status = 201;
    ctx.body = { renditions: await (await acts()).storeRenditions(requireUser(ctx).actor, ctx.params.id!) };
  });
  router.get('/api/destruction-acts/:id/renditions/:renditionId', readers, async (ctx) => {
    const { bytes, rendition } = await (await acts()).readRendition(ctx.params.id!, ctx.params.renditionId!);
    ctx.type = 'application/pdf';
    ctx.set('ETag', `"${rendition.sha256}"`);
    ctx.set('Content-Disposition', contentDisposition(ctx.query.download === '1' ? 'attachment' : 'inline', `destruction-act-${rendition.language}.pdf`));
    ctx.body = bytes;
  });
  router.post('/api/destruction-acts/:id/approval', approvers, async (ctx) => {
    const body = validateApprove(await jsonBody(ctx, deps.jsonLimitBytes));
    const cms = new Uint8Array(Buffer.from(body.cms.replace(/\s+/g, ''), 'base64'));
    ctx.body = { act: await (await acts()).approve(requireUser(ctx).actor, ctx.params.id!, { renditionId: body.renditionId, cms }) };
  });
  return router;
}

const TAGS = ['destruction acts'];
const SECURITY = [{ session: [] }];
const ID = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const body = (schema: unknown) => ({ required: true, content: jsonContent(schema) });
const ACT = { type: 'object', description: 'The act: number/year, date, fonds, basis, status (draft / submitted / agreed / approved / executed), appraiser, the approved permanent inventories of its years, protocol, approval, execution, rows per dossier, totals, stored renditions' };
const PDF = { description: 'The act as PDF/A-1b', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } };
const actOk = (what: string) => ok(what, { type: 'object', properties: { act: ACT } });

export const openapi: OpenApiFragment = {
  paths: {
    '/api/destruction-acts': {
      get: { summary: 'Destruction acts, newest first (?status=)', tags: TAGS, security: SECURITY, parameters: [{ name: 'status', in: 'query', schema: LIST_QUERY.properties.status }], responses: { '200': ok('Acts', { type: 'object', properties: { acts: { type: 'array', items: { type: 'object' } } } }), ...errors(400, 401, 403) } },
      post: {
        summary: 'Draft an act (archivist): refused for a held dossier, one on another act, one not yet due or permanent, an ЭПК or ДМН one without a destroy decision, and when the permanent inventories of its years are not approved (named)',
        tags: TAGS,
        security: SECURITY,
        requestBody: body(DRAFT_SCHEMA),
        responses: { '201': actOk('The act'), ...errors(400, 401, 403, 404, 409) },
      },
    },
    '/api/destruction-acts/{id}': {
      get: { summary: 'One act with its rows and renditions', tags: TAGS, security: SECURITY, parameters: [ID], responses: { '200': actOk('The act'), ...errors(401, 403, 404) } },
      patch: { summary: "Change a draft's dossiers, basis or appraiser (archivist)", tags: TAGS, security: SECURITY, parameters: [ID], requestBody: body(UPDATE_SCHEMA), responses: { '200': actOk('The act'), ...errors(400, 401, 403, 404, 409) } },
    },
    '/api/destruction-acts/{id}/submit': {
      post: { summary: 'Submit a draft to the expert commission (a destruction_act_approval agenda item) (archivist)', tags: TAGS, security: SECURITY, parameters: [ID], responses: { '200': actOk('The act'), ...errors(400, 401, 403, 404, 409) } },
    },
    '/api/destruction-acts/{id}/refresh': {
      post: { summary: "Read the commission's decision: adopted with a signed protocol → agreed; rejected → back to draft; undecided → 409", tags: TAGS, security: SECURITY, parameters: [ID], responses: { '200': actOk('The act'), ...errors(401, 403, 404, 409) } },
    },
    '/api/destruction-acts/{id}/pdf': {
      get: { summary: 'The act rendered now as PDF/A-1b (?form=kk|ru, the act\'s language; ?download=1)', tags: TAGS, security: SECURITY, parameters: [ID, { name: 'form', in: 'query', schema: { enum: ['kk', 'ru'] } }, { name: 'download', in: 'query', schema: { enum: ['0', '1'] } }], responses: { '200': PDF, ...errors(400, 401, 403, 404) } },
    },
    '/api/destruction-acts/{id}/renditions': {
      post: { summary: 'Render the act in kk and ru and store both on every copy: what the head signs (archivist or organisation head)', tags: TAGS, security: SECURITY, parameters: [ID], responses: { '201': ok('The stored renditions', { type: 'object', properties: { renditions: { type: 'array', items: { type: 'object' } } } }), ...errors(401, 403, 404) } },
    },
    '/api/destruction-acts/{id}/renditions/{renditionId}': {
      get: { summary: 'The stored rendition (exactly the bytes to sign)', tags: TAGS, security: SECURITY, parameters: [ID, { name: 'renditionId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }], responses: { '200': PDF, ...errors(401, 403, 404) } },
    },
    '/api/destruction-acts/{id}/approval': {
      post: { summary: 'The organisation head approves the agreed act: a detached CMS over a rendition stored after the agreement, from a certificate registered to the head', tags: TAGS, security: SECURITY, parameters: [ID], requestBody: body(APPROVE_SCHEMA), responses: { '200': actOk('The approved act'), ...errors(400, 401, 403, 404, 409) } },
    },
  },
};
