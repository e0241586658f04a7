// Inventories of e-dossiers (App. 30) over HTTP: the archivist builds a draft from the accepted
// dossiers of a department, year and category, fills in the commission protocol and the people,
// or discards it; the head of the department downloads the signing content, signs it in their
// own software and uploads the CMS to approve it — which gives permanent dossiers their
// archival cipher (p.181). Department staff see their department's inventories only.
import Router from '@koa/router';
import type Koa from 'koa';
import { NotFoundError } from '../../common/errors';
import { INVENTORY_APPROVERS, INVENTORY_COMPILERS, INVENTORY_READERS, mayReach } from '../../access/policy';
import { INVENTORY_CATEGORIES, createInventoriesService, type InventoryView } from '../../catalog/inventories';
import { inventoryRenditionRenderer, loadInventoryForm, openInventoryRendition } from '../../catalog/inventories/form';
import { verifySignature } from '../../validators/signature';
import { renderForm } from '../../forms/render';
import { requireRole, requireUser } from '../auth';
import { jsonBody } from '../body';
import type { ServerDeps } from '../deps';
import { errors, jsonContent, ok, ref, type OpenApiFragment } from '../openapi';
import { bodyValidator, queryValidator } from '../validate';
import { contentDisposition } from './dossiers.routes';

const PERSON = {
  type: 'object',
  required: ['name', 'position'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 300, description: 'Initials and surname' },
    position: { type: 'string', minLength: 1, maxLength: 300 },
    date: { type: 'string', format: 'date' },
  },
} as const;
const PROTOCOL = {
  type: 'object',
  required: ['number', 'date'],
  additionalProperties: false,
  properties: { number: { type: 'string', minLength: 1, maxLength: 50 }, date: { type: 'string', format: 'date' } },
} as const;
const nullable = (schema: object) => ({ oneOf: [{ type: 'null' }, schema] });

const BUILD_SCHEMA = {
  type: 'object',
  required: ['department', 'year', 'category', 'compiler'],
  additionalProperties: false,
  properties: {
    department: { type: 'string', minLength: 1, maxLength: 20, description: 'Department code' },
    year: { type: 'integer', minimum: 1900, maximum: 2200 },
    category: { type: 'string', description: 'permanent, over_10 or personnel; up_to_10 is refused (p.194)' },
    compiler: PERSON,
    commission: nullable(PROTOCOL),
    handedOver: nullable(PERSON),
    acceptedBy: nullable(PERSON),
  },
} as const;
const DETAILS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: { compiler: PERSON, commission: nullable(PROTOCOL), handedOver: nullable(PERSON), acceptedBy: nullable(PERSON) },
} as const;
const DISCARD_SCHEMA = {
  type: 'object',
  required: ['reason'],
  additionalProperties: false,
  properties: { reason: { type: 'string', minLength: 1, maxLength: 500 } },
} as const;
const APPROVE_SCHEMA = {
  type: 'object',
  required: ['cms'],
  additionalProperties: false,
  properties: { cms: { type: 'string', minLength: 16, maxLength: 700_000, pattern: '^[A-Za-z0-9+/\\r\\n]+={0,2}\\s*$', description: 'Detached CMS (DER), base64, over the signing content' } },
} as const;
const LIST_QUERY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    department: { type: 'string', maxLength: 20 },
    year: { type: 'integer', minimum: 1900, maximum: 2200 },
    category: { enum: INVENTORY_CATEGORIES },
    status: { enum: ['draft', 'approved', 'discarded'] },
    lang: { type: 'string' },
  },
} as const;
const EXPORT_QUERY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: { format: { enum: ['json', 'csv', 'pdf'] }, lang: { type: 'string' } },
} as const;

type Person = { name: string; position: string; date?: string };
type Protocol = { number: string; date: string };
const validateBuild = bodyValidator<{ department: string; year: number; category: string; compiler: Person; commission?: Protocol | null; handedOver?: Person | null; acceptedBy?: Person | null }>(BUILD_SCHEMA);
const validateDetails = bodyValidator<{ compiler?: Person; commission?: Protocol | null; handedOver?: Person | null; acceptedBy?: Person | null }>(DETAILS_SCHEMA);
const validateDiscard = bodyValidator<{ reason: string }>(DISCARD_SCHEMA);
const validateApprove = bodyValidator<{ cms: string }>(APPROVE_SCHEMA);
const validateList = queryValidator<{ department?: string; year?: number; category?: (typeof INVENTORY_CATEGORIES)[number]; status?: 'draft' | 'approved' | 'discarded' }>(LIST_QUERY_SCHEMA);
const validateExport = queryValidator<{ format?: 'json' | 'csv' | 'pdf' }>(EXPORT_QUERY_SCHEMA);

export function createRoutes(deps: ServerDeps): Router {
  const router = new Router();
  const readers = requireRole(...INVENTORY_READERS);
  const compilers = requireRole(...INVENTORY_COMPILERS);
  const approvers = requireRole(...INVENTORY_APPROVERS);
  const inventories = createInventoriesService({
    db: deps.db,
    storage: deps.storage,
    trustDir: deps.config.trustDir,
    verifySignature: (input) => verifySignature(input),
    renderRenditions: inventoryRenditionRenderer(deps.storage),
  });

  /** The inventory, or the same 404 as a missing one when it is another department's. */
  async function reachable(ctx: Koa.Context): Promise<InventoryView> {
    const id = ctx.params.id!;
    const inventory = await inventories.get(id);
    if (!mayReach(await deps.access.scope(requireUser(ctx).user), inventory.department.code)) {
      throw new NotFoundError('inventories.not_found', 'inventories.not_found', { id });
    }
    return inventory;
  }

  router.get('/api/inventories', readers, async (ctx) => {
    const filter = await deps.access.dossierFilter(requireUser(ctx).user, validateList(ctx.query));
    ctx.body = { inventories: filter ? await inventories.list(filter) : [] };
  });

  router.post('/api/inventories', compilers, async (ctx) => {
    const { actor } = requireUser(ctx);
    const input = validateBuild(await jsonBody(ctx, deps.jsonLimitBytes));
    ctx.status = 201;
    ctx.body = { inventory: await inventories.build(actor, input) };
  });

  router.get('/api/inventories/:id', readers, async (ctx) => {
    ctx.body = { inventory: await reachable(ctx) };
  });

  router.post('/api/inventories/:id/details', compilers, async (ctx) => {
    const { actor } = requireUser(ctx);
    const input = validateDetails(await jsonBody(ctx, deps.jsonLimitBytes));
    const inventory = await reachable(ctx);
    ctx.body = { inventory: await inventories.update(actor, inventory.id, input) };
  });

  router.post('/api/inventories/:id/discard', compilers, async (ctx) => {
    const { actor } = requireUser(ctx);
    const { reason } = validateDiscard(await jsonBody(ctx, deps.jsonLimitBytes));
    const inventory = await reachable(ctx);
    ctx.body = { inventory: await inventories.discard(actor, inventory.id, reason) };
  });

  router.get('/api/inventories/:id/signing-content', readers, async (ctx) => {
    const inventory = await reachable(ctx);
    const { bytes } = await inventories.signingContent(inventory.id);
    ctx.type = 'application/octet-stream';
    ctx.set('Content-Disposition', contentDisposition('attachment', `inventory-${inventory.fonds}-${inventory.number}-approval.json`));
    ctx.body = bytes;
  });

  router.post('/api/inventories/:id/approval', approvers, async (ctx) => {
    const { actor } = requireUser(ctx);
    const { cms } = validateApprove(await jsonBody(ctx, deps.jsonLimitBytes));
    const inventory = await reachable(ctx);
    const bytes = new Uint8Array(Buffer.from(cms.replace(/\s+/g, ''), 'base64'));
    ctx.body = { inventory: await inventories.approve(actor, inventory.id, bytes) };
  });

  router.get('/api/inventories/:id/export', readers, async (ctx) => {
    const { format = 'json' } = validateExport(ctx.query);
    const inventory = await reachable(ctx);
    const lang = ctx.query.lang === 'ru' ? 'ru' : 'kk';
    if (format === 'csv' || format === 'json') {
      // The form's own JSON and CSV (forms/render): the official headings in the form's language.
      const rendition = await renderForm(await loadInventoryForm(deps.db, inventory.id), lang, format);
      ctx.type = rendition.mime;
      ctx.set('Content-Disposition', contentDisposition('attachment', rendition.filename));
      ctx.body = Buffer.from(rendition.bytes);
      return;
    }
    const file = await openInventoryRendition(deps.db, deps.storage, inventory.id, lang);
    ctx.type = 'application/pdf';
    ctx.length = file.size;
    ctx.set('Content-Disposition', contentDisposition('inline', `inventory-${inventory.fonds}-${inventory.number}-${lang}.pdf`));
    ctx.set('X-Frame-Options', 'SAMEORIGIN');
    ctx.set('Content-Security-Policy', "default-src 'none'; frame-ancestors 'self'");
    ctx.body = file.bytes;
  });

  return router;
}

const idParam = { name: 'id', in: 'path', required: true, description: 'Inventory id (uuid) or number', schema: { type: 'string' } };
const session = [{ session: [] }];
const withCsrf = [{ session: [], csrf: [] }];
const inventoryBody = ok('The inventory', { type: 'object', properties: { inventory: ref('Inventory') } });
const PERSON_OUT = { type: ['object', 'null'], properties: { name: { type: 'string' }, position: { type: 'string' }, date: { type: 'string' } } };

export const openapi: OpenApiFragment = {
  schemas: {
    InventorySummary: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        fonds: { type: 'string' },
        number: { type: 'integer' },
        department: { type: 'object', properties: { code: { type: 'string' }, nameKk: { type: ['string', 'null'] }, nameRu: { type: ['string', 'null'] } } },
        year: { type: 'integer' },
        category: { enum: INVENTORY_CATEGORIES },
        status: { enum: ['draft', 'approved', 'discarded'] },
        dossierCount: { type: 'integer' },
        firstNumber: { type: ['integer', 'null'] },
        lastNumber: { type: ['integer', 'null'] },
        createdBy: { type: 'string' },
        createdAt: { type: 'string', format: 'date-time' },
        approvedAt: { type: ['string', 'null'], format: 'date-time' },
      },
    },
    Inventory: {
      allOf: [
        ref('InventorySummary'),
        {
          type: 'object',
          properties: {
            compiler: PERSON_OUT,
            commission: { type: ['object', 'null'], properties: { number: { type: 'string' }, date: { type: 'string', format: 'date' } } },
            handedOver: PERSON_OUT,
            acceptedBy: PERSON_OUT,
            renditions: { type: ['object', 'null'], description: 'Stored PDF/A renditions of the form: kk and ru, each { sha256, size }' },
            approval: {
              type: ['object', 'null'],
              properties: { statementSha256: { type: 'string' }, cmsSha256: { type: 'string' }, verdict: { type: 'string' }, signer: { type: 'object', description: 'The signer identity (user, role, certificate)' } },
            },
            discardedAt: { type: ['string', 'null'] },
            discardReason: { type: ['string', 'null'] },
            totals: { type: 'object', properties: { documents: { type: 'integer' }, bytes: { type: 'integer' } } },
            rows: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  sequence: { type: 'integer' },
                  dossierId: { type: 'string' },
                  index: { type: 'string' },
                  title: { type: 'string' },
                  startDate: { type: ['string', 'null'] },
                  endDate: { type: ['string', 'null'] },
                  documentCount: { type: 'integer' },
                  sizeBytes: { type: 'integer' },
                  retention: { type: 'object' },
                  note: { type: ['string', 'null'] },
                  archivalCipher: { type: ['object', 'null'], properties: { fonds: { type: 'string' }, inventory: { type: 'string' }, case: { type: 'integer' }, code: { type: 'string' } } },
                },
              },
            },
          },
        },
      ],
    },
  },
  paths: {
    '/api/inventories': {
      get: {
        summary: 'Inventories of e-dossiers (App. 30), newest first; department staff see their own department only',
        tags: ['catalog'],
        security: session,
        parameters: [
          { name: 'department', in: 'query', required: false, schema: { type: 'string' } },
          { name: 'year', in: 'query', required: false, schema: { type: 'integer' } },
          { name: 'category', in: 'query', required: false, schema: { enum: INVENTORY_CATEGORIES } },
          { name: 'status', in: 'query', required: false, schema: { enum: ['draft', 'approved', 'discarded'] } },
        ],
        responses: { '200': ok('Inventories', { type: 'object', properties: { inventories: { type: 'array', items: ref('InventorySummary') } } }), ...errors(400, 401, 403) },
      },
      post: {
        summary: 'Build a draft inventory from the accepted dossiers of a department, year and category (archivist)',
        description:
          'Categories permanent, over_10 and personnel (p.195); up_to_10 is refused with 400 inventories.up_to_10_not_inventoried: those dossiers go by the nomenclature (p.194). ' +
          'The inventory takes the smallest number free in the fonds; dossiers are numbered in index order. Audited as inventory.build.',
        tags: ['catalog'],
        security: withCsrf,
        requestBody: { required: true, content: jsonContent(BUILD_SCHEMA) },
        responses: { '201': inventoryBody, ...errors(400, 401, 403, 404, 409) },
      },
    },
    '/api/inventories/{id}': {
      get: { summary: 'One inventory with its rows and archival ciphers', tags: ['catalog'], security: session, parameters: [idParam], responses: { '200': inventoryBody, ...errors(401, 403, 404) } },
    },
    '/api/inventories/{id}/details': {
      post: {
        summary: 'Set the compiler, the expert commission protocol, handed over / accepted by of a draft (archivist); audited as inventory.update',
        tags: ['catalog'],
        security: withCsrf,
        parameters: [idParam],
        requestBody: { required: true, content: jsonContent(DETAILS_SCHEMA) },
        responses: { '200': inventoryBody, ...errors(400, 401, 403, 404, 409) },
      },
    },
    '/api/inventories/{id}/discard': {
      post: {
        summary: 'Discard a draft (archivist): its number and dossiers are free again; audited as inventory.discard',
        tags: ['catalog'],
        security: withCsrf,
        parameters: [idParam],
        requestBody: { required: true, content: jsonContent(DISCARD_SCHEMA) },
        responses: { '200': inventoryBody, ...errors(400, 401, 403, 404, 409) },
      },
    },
    '/api/inventories/{id}/signing-content': {
      get: {
        summary: 'The approval statement the head of the department signs (canonical JSON: the form, the dossiers’ sealed AIPs, the PDF/A renditions)',
        tags: ['catalog'],
        security: session,
        parameters: [idParam],
        responses: { '200': { description: 'The bytes to sign', content: { 'application/octet-stream': { schema: { type: 'string' } } } }, ...errors(401, 403, 404, 409) },
      },
    },
    '/api/inventories/{id}/approval': {
      post: {
        summary: 'Approve a draft with the head of the department’s detached CMS over the signing content (department head)',
        description:
          'The signature must verify and be the submitting user’s: a certificate bound to them (signer identity), a head of the inventory’s department; ' +
          'otherwise 403 with signature.signer_* naming the expected signer. The commission protocol is required (400 inventories.commission_required). ' +
          'Each dossier gets the inventory number and sequence in its metadata; a permanent inventory gives each its archival cipher (p.181). ' +
          'Audited as inventory.approve, dossier.archival_cipher and dossier.inventory_number.',
        tags: ['catalog'],
        security: withCsrf,
        parameters: [idParam],
        requestBody: { required: true, content: jsonContent(APPROVE_SCHEMA) },
        responses: { '200': inventoryBody, ...errors(400, 401, 403, 404, 409) },
      },
    },
    '/api/inventories/{id}/export': {
      get: {
        summary: 'The inventory as the form App. 30 in JSON or CSV (official headings in ?lang=kk|ru), or its stored PDF/A rendition (pdf)',
        tags: ['catalog'],
        security: session,
        parameters: [idParam, { name: 'format', in: 'query', required: false, schema: { enum: ['json', 'csv', 'pdf'] } }, { name: 'lang', in: 'query', required: false, schema: { enum: ['kk', 'ru'] } }],
        responses: {
          '200': { description: 'The inventory', content: { ...jsonContent({ type: 'object' }), 'text/csv': { schema: { type: 'string' } }, 'application/pdf': { schema: { type: 'string' } } } },
          ...errors(400, 401, 403, 404),
        },
      },
    },
  },
};
