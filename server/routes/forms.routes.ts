// Official forms over HTTP (App. 26 nomenclature, 30 inventory, 31 schedule, 32 internal
// inventory, 33 acceptance act): rendered on request as PDF/A-1b, JSON or CSV in Kazakh or
// Russian; kept in the store as a rendition to be signed like any document; a stored rendition
// downloaded and signed with a detached CMS made in the user's own software.
import Router from '@koa/router';
import type Koa from 'koa';
import { ForbiddenError, NotFoundError, ValidationError } from '../../common/errors';
import { ANY_FORM_READERS, FORM_READERS, FORM_STORERS, mayReach, mayReadForm, mayStoreForm } from '../../access/policy';
import { FORM_KINDS, type FormKind, type FormLanguage } from '../../forms/types';
import { FORM_FORMATS, renderForm, type FormFormat } from '../../forms/render';
import { loadForm } from '../../forms/loaders';
import { getRendition, listRenditions, readRendition, signRendition, storeRendition } from '../../forms/store';
import { requireRole, requireUser, state } from '../auth';
import { jsonBody } from '../body';
import type { ServerDeps } from '../deps';
import { errors, jsonContent, ok, type OpenApiFragment } from '../openapi';
import { bodyValidator, queryValidator } from '../validate';
import { contentDisposition } from './dossiers.routes';

const FORM_QUERY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    lang: { enum: ['kk', 'ru', 'en'], description: 'Language of the form (kk or ru; en gets the Kazakh form) and of messages' },
    format: { enum: [...FORM_FORMATS], description: 'pdf (default), json or csv' },
    download: { enum: ['0', '1'] },
  },
} as const;
const STORE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: { lang: { enum: ['kk', 'ru'] }, format: { enum: [...FORM_FORMATS] } },
} as const;
const SIGN_SCHEMA = {
  type: 'object',
  required: ['cms'],
  additionalProperties: false,
  properties: { cms: { type: 'string', minLength: 16, maxLength: 700_000, pattern: '^[A-Za-z0-9+/\\r\\n]+={0,2}\\s*$', description: 'Detached CMS (DER) over the stored bytes, base64' } },
} as const;

const validateForm = queryValidator<{ format?: FormFormat; download?: '0' | '1' }>(FORM_QUERY_SCHEMA);
const validateStore = bodyValidator<{ lang?: FormLanguage; format?: FormFormat }>(STORE_SCHEMA);
const validateSign = bodyValidator<{ cms: string }>(SIGN_SCHEMA);

/** The form's language: ?lang= or the user's language; Kazakh for English (forms exist in kk and ru). */
function formLanguage(ctx: Koa.Context): FormLanguage {
  return state(ctx).lang === 'ru' ? 'ru' : 'kk';
}

export function createRoutes(deps: ServerDeps): Router {
  const router = new Router();
  const store = { db: deps.db, storage: deps.storage };
  const readers = requireRole(...ANY_FORM_READERS);
  const storers = requireRole(...FORM_STORERS);

  /**
   * 404 like a missing form unless the user may read this kind and reach its department
   * (the dossier of App. 32, the inventory's department of App. 30).
   */
  async function assertReachable(ctx: Koa.Context, kind: string, id: string): Promise<FormKind> {
    const { user } = requireUser(ctx);
    if (!(FORM_KINDS as readonly string[]).includes(kind)) throw new ValidationError('forms.kind_unknown', 'forms.kind_unknown', { kind, kinds: FORM_KINDS.join(', ') });
    const known = kind as FormKind;
    if (!mayReadForm(user.roles, known)) {
      throw new ForbiddenError('auth.forbidden', 'server.auth_forbidden', { roles: FORM_READERS[known].join(', ') }, { requiredRoles: FORM_READERS[known], kind: known });
    }
    // App. 32 lists every document of the dossier: for a researcher the whole dossier must be open (access/).
    if (known === 'internal-inventory') await deps.access.dossier(user, id);
    if (known === 'inventory') {
      const row = /^[0-9a-f-]{36}$/i.test(id) ? await deps.db.selectFrom('inventories').select('department_code').where('id', '=', id).executeTakeFirst() : undefined;
      if (row && !mayReach(await deps.access.scope(user), row.department_code)) {
        throw new NotFoundError('forms.subject_not_found', 'forms.subject_not_found', { appendix: 30, id });
      }
    }
    // An acceptance act belongs to its transfer's department (catalog/acceptance).
    if (known === 'acceptance-act') {
      const act = /^[0-9a-f-]{36}$/i.test(id) ? await deps.db.selectFrom('acceptance_acts').select('department').where('id', '=', id).executeTakeFirst() : undefined;
      if (act && !mayReach(await deps.access.scope(user), act.department)) {
        throw new NotFoundError('forms.subject_not_found', 'forms.subject_not_found', { appendix: 33, id });
      }
    }
    return known;
  }

  router.get('/api/forms/:kind/:id', readers, async (ctx) => {
    const { format = 'pdf', download } = validateForm(ctx.query);
    const kind = await assertReachable(ctx, ctx.params.kind!, ctx.params.id!);
    const model = await loadForm(store, kind, ctx.params.id!);
    const rendition = await renderForm(model, formLanguage(ctx), format, { author: requireUser(ctx).user.username });
    if (kind === 'internal-inventory') await deps.access.recordRead(requireUser(ctx).user, { kind: 'download', what: 'form', dossierId: ctx.params.id!, route: 'GET /api/forms/{kind}/{id}' });
    ctx.type = rendition.mime;
    ctx.set('Content-Disposition', contentDisposition(format === 'pdf' && download !== '1' ? 'inline' : 'attachment', rendition.filename));
    // Rendered from the catalog as it is now: never cached, the next request may differ.
    ctx.set('Cache-Control', 'no-store');
    ctx.body = Buffer.from(rendition.bytes);
  });

  router.post('/api/forms/:kind/:id/renditions', storers, async (ctx) => {
    const body = validateStore(await jsonBody(ctx, deps.jsonLimitBytes));
    const kind = await assertReachable(ctx, ctx.params.kind!, ctx.params.id!);
    const { user, actor } = requireUser(ctx);
    if (!mayStoreForm(user.roles, kind)) throw new ForbiddenError('auth.forbidden', 'server.auth_forbidden', { roles: FORM_STORERS.join(', ') }, { requiredRoles: FORM_STORERS, kind });
    const model = await loadForm(store, kind, ctx.params.id!);
    const rendition = await renderForm(model, body.lang ?? formLanguage(ctx), body.format ?? 'pdf', { author: user.username });
    ctx.status = 201;
    ctx.body = { rendition: await storeRendition(store, actor, { kind, subjectId: model.id || ctx.params.id!, rendition }) };
  });

  // The stored renditions of one form (newest first), with who signed each and when.
  router.get('/api/forms/:kind/:id/renditions', readers, async (ctx) => {
    const kind = await assertReachable(ctx, ctx.params.kind!, ctx.params.id!);
    ctx.body = deps.access.redactFor(requireUser(ctx).user, { renditions: await listRenditions(deps.db, kind, ctx.params.id!) });
  });

  router.get('/api/form-renditions/:id', readers, async (ctx) => {
    const view = await getRendition(deps.db, ctx.params.id!);
    await assertReachable(ctx, view.kind, view.subjectId);
    if (ctx.query.content !== '1') {
      ctx.body = deps.access.redactFor(requireUser(ctx).user, { rendition: view });
      return;
    }
    const { bytes } = await readRendition(store, view.id);
    if (view.kind === 'internal-inventory') await deps.access.recordRead(requireUser(ctx).user, { kind: 'download', what: 'form-rendition', dossierId: view.subjectId, route: 'GET /api/form-renditions/{id}' });
    ctx.type = view.format === 'pdf' ? 'application/pdf' : view.format === 'json' ? 'application/json; charset=utf-8' : 'text/csv; charset=utf-8';
    ctx.set('Content-Disposition', contentDisposition('attachment', `${view.kind}-${view.language}.${view.format}`));
    ctx.set('ETag', `"${view.sha256}"`);
    ctx.body = bytes;
  });

  router.post('/api/form-renditions/:id/signature', readers, async (ctx) => {
    const { cms } = validateSign(await jsonBody(ctx, deps.jsonLimitBytes));
    const view = await getRendition(deps.db, ctx.params.id!);
    await assertReachable(ctx, view.kind, view.subjectId);
    const { actor } = requireUser(ctx);
    const { verifySignature } = await import('../../validators/signature');
    const bytes = new Uint8Array(Buffer.from(cms.replace(/\s+/g, ''), 'base64'));
    ctx.body = { rendition: await signRendition({ ...store, trustDir: deps.config.trustDir, verifySignature }, actor, { renditionId: view.id, cms: bytes }) };
  });

  return router;
}

const KIND_PARAM = { name: 'kind', in: 'path', required: true, schema: { enum: [...FORM_KINDS] }, description: 'nomenclature (App. 26), inventory (30), schedule (31), internal-inventory (32: a dossier id), acceptance-act (33)' };
const ID_PARAM = { name: 'id', in: 'path', required: true, schema: { type: 'string', maxLength: 100 } };
const RENDITION = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    kind: { enum: [...FORM_KINDS] },
    subjectId: { type: 'string' },
    language: { enum: ['kk', 'ru'] },
    format: { enum: [...FORM_FORMATS] },
    title: { type: 'string' },
    sha256: { type: 'string' },
    size: { type: 'integer' },
    storageKey: { type: 'string' },
    createdBy: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    signature: { type: ['object', 'null'] },
  },
} as const;

export const openapi: OpenApiFragment = {
  paths: {
    '/api/forms/{kind}/{id}': {
      get: {
        summary: 'An official form rendered now as PDF/A-1b (default), JSON or CSV, in Kazakh or Russian (?lang=; the user language otherwise)',
        description:
          'Who may read a form follows its source (access/policy.ts FORM_READERS); department staff reach their own department\'s inventories and dossiers only, ' +
          'another department\'s answers 404 like a missing one. 503 forms.loader_missing names the module when a kind cannot be loaded yet.',
        tags: ['forms'],
        security: [{ session: [] }],
        parameters: [KIND_PARAM, ID_PARAM, { name: 'lang', in: 'query', schema: { enum: ['kk', 'ru', 'en'] } }, { name: 'format', in: 'query', schema: { enum: [...FORM_FORMATS] } }, { name: 'download', in: 'query', schema: { enum: ['0', '1'] } }],
        responses: {
          '200': { description: 'The form', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } }, 'application/json': { schema: { type: 'object' } }, 'text/csv': { schema: { type: 'string' } } } },
          ...errors(400, 401, 403, 404, 503),
        },
      },
    },
    '/api/forms/{kind}/{id}/renditions': {
      get: {
        summary: 'The stored renditions of a form, newest first, each with its signature (who signed it and when) or null (readers of the kind)',
        tags: ['forms'],
        security: [{ session: [] }],
        parameters: [KIND_PARAM, ID_PARAM],
        responses: { '200': ok('The renditions', { type: 'object', properties: { renditions: { type: 'array', items: RENDITION } } }), ...errors(400, 401, 403, 404) },
      },
      post: {
        summary: 'Render the form and keep it in the store as a rendition to be signed (archivist, records_head, organisation_head, department_clerk, department_head who may read the kind)',
        description: 'Audited as form.store.',
        tags: ['forms'],
        security: [{ session: [], csrf: [] }],
        parameters: [KIND_PARAM, ID_PARAM],
        requestBody: { required: false, content: jsonContent(STORE_SCHEMA) },
        responses: { '201': ok('The stored rendition', { type: 'object', properties: { rendition: RENDITION } }), ...errors(400, 401, 403, 404, 503) },
      },
    },
    '/api/form-renditions/{id}': {
      get: {
        summary: 'A stored rendition: its record, or its bytes with ?content=1 (readers of its kind)',
        tags: ['forms'],
        security: [{ session: [] }],
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }, { name: 'content', in: 'query', schema: { enum: ['0', '1'] } }],
        responses: { '200': ok('The rendition', { type: 'object', properties: { rendition: RENDITION } }), ...errors(401, 403, 404) },
      },
    },
    '/api/form-renditions/{id}/signature': {
      post: {
        summary: 'Attach a detached CMS over the stored bytes; refused unless it verifies and its certificate is not bound to another user',
        description: 'A rendition is signed once (409 forms.rendition_signed). Audited as form.sign.',
        tags: ['forms'],
        security: [{ session: [], csrf: [] }],
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        requestBody: { required: true, content: jsonContent(SIGN_SCHEMA) },
        responses: { '200': ok('The signed rendition', { type: 'object', properties: { rendition: RENDITION } }), ...errors(400, 401, 403, 404, 409) },
      },
    },
  },
};
